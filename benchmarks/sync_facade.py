"""(4) Cost of the sync facade per call over the async call it wraps.

Sequential ``client.loads.get`` against the minimal aiohttp server (separate process, other
core), interleaved in one process: the async client awaited on a loop in the main thread
(reference), ``improvado_sync.Improvado`` (same coroutine; the calling thread drives the
runner's loop itself) and, for comparison, ``Improvado`` on the runner it had before issue 18,
which hands every call to a private loop thread (``benchmarks/_thread_runner.py``). The facade
cost is the median over runs of each run's difference to the async call (paired, so a slow
stretch of the machine cancels out), per call, in wall time and in client CPU. For context
the bare hop is also timed: ``run`` of a coroutine that returns at once (no I/O), on both
runners. A fourth variant awaits each call in its own ``loop.run_until_complete`` on the
reference's loop (no runner, no facade): what entering asyncio once per call costs, which any
blocking facade over asyncio pays. A fifth, the *floor*, does per call only what no facade can
skip: a task for the call, the loop entered, the task's first step run (on Python 3.12+ as the
task is created, as the runner does), the loop iterated until it is done (``_stepped``: the
runner's drive without its leader/follower protocol and Ctrl-C handling, so not usable as a
facade). ``vcsw_per_op`` counts voluntary context switches per call
(``getrusage``, every thread of the process): 1 for the wait for the response, 2 more per hop to
another thread and back; it does not depend on what else the machine runs, unlike the wall
time. Target: facade wall cost <= 15 µs per call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from functools import partial
from typing import Any, TypeVar, cast

from improvado_async import AsyncImprovado
from improvado_sync import Improvado
from improvado_sync._runner import (
    _EAGER_START,
    Runner,
    _enter_loop,
    _leave_loop,
    _Task,
    default_runner,
)

from ._harness import (
    Measure,
    Segment,
    ServerProcess,
    check,
    interleaved,
    paired_difference,
    parse_args,
    pin_client,
    print_checks,
    print_table,
    summarise,
    timed_segments,
    write_result,
)
from ._thread_runner import LoopThreadRunner

T = TypeVar("T")

NAME = "sync_facade"
REFERENCE = "async loads.get"
SYNC = "sync loads.get"
SYNC_OLD = "sync, loop-thread runner"
PER_CALL = "async, run_until_complete each"
FLOOR = "async, stepped task each (floor)"
VARIANTS = (REFERENCE, SYNC, SYNC_OLD, PER_CALL, FLOOR)
METRICS = ("wall_us_per_op", "cpu_us_per_op", "ops_per_s", "vcsw_per_op")
TARGET_US = 15.0
HOP = "Runner.run(no-op)"
HOP_OLD = "LoopThreadRunner.run(no-op)"


async def _noop() -> None:
    return None


def _stepped(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` as a task on ``loop`` the leanest way a blocking caller can (asyncio's own
    loop only): what ``Runner`` does for a call led by its caller, minus its bookkeeping."""
    steps = cast(Any, loop)
    task: asyncio.Task[T]
    hooks = _enter_loop(steps)
    try:
        if _EAGER_START:  # the task takes its first step as it is created
            task = _Task(coro, loop=loop, eager_start=True)
        else:
            task = loop.create_task(coro)
            steps._ready.popleft()._run()  # the task's first step, before the first poll
        while not task.done():
            steps._run_once()
    finally:
        _leave_loop(steps, hooks)
    return task.result()


def call_loops(
    loop: asyncio.AbstractEventLoop,
    aclient: AsyncImprovado,
    client: Improvado,
    old: Improvado,
    load_id: int,
) -> dict[str, Callable[[int], None]]:
    """For each variant, a function making ``n`` sequential ``loads.get`` calls its way (``old``
    is the sync client on the loop-thread runner)."""

    async def async_calls(n: int) -> None:
        for _ in range(n):
            await aclient.loads.get(load_id)

    def sync_calls(sync: Improvado, n: int) -> None:
        for _ in range(n):
            sync.loads.get(load_id)

    def per_call(n: int) -> None:
        for _ in range(n):
            loop.run_until_complete(aclient.loads.get(load_id))

    def floor(n: int) -> None:
        for _ in range(n):
            _stepped(loop, aclient.loads.get(load_id))

    return {
        REFERENCE: lambda n: loop.run_until_complete(async_calls(n)),
        SYNC: lambda n: sync_calls(client, n),
        SYNC_OLD: lambda n: sync_calls(old, n),
        PER_CALL: per_call,
        FLOOR: floor,
    }


def bench(runs: int, quick: bool) -> dict[str, Any]:
    """Run the variants interleaved, then time the bare hops; return the results payload."""
    total = 150 if quick else 400
    loop = asyncio.new_event_loop()
    old_runner = LoopThreadRunner()
    with ServerProcess("minimal") as server:
        base_url, load_id = server["base_url"], server["load_id"]
        aclient = AsyncImprovado(token="bench-token", base_url=base_url)
        old = Improvado(token="bench-token", base_url=base_url)
        old._runner = old_runner  # type: ignore[assignment]  # before its services are created
        with Improvado(token="bench-token", base_url=base_url) as client, old:
            calls = call_loops(loop, aclient, client, old, load_id)
            for call in calls.values():
                call(200)  # warm-up
            segments = timed_segments(
                runs, {variant: partial(calls[variant], total) for variant in VARIANTS}, total
            )
        loop.run_until_complete(aclient.aclose())
    loop.close()

    summary = summarise(segments, REFERENCE, METRICS)
    print_table("sync facade vs async, sequential", summary, METRICS)
    # Paired: each run's difference to the async call of the same run, then the median (a slow
    # stretch of the machine moves a whole run together and cancels out of its differences).
    costs = {
        variant: {
            "wall": _cost(segments, variant, "wall_us_per_op"),
            "cpu": _cost(segments, variant, "cpu_us_per_op"),
        }
        for variant in VARIANTS[1:]
    }

    runners: dict[str, Runner | LoopThreadRunner] = {HOP: default_runner(), HOP_OLD: old_runner}
    hop_total = 500 if quick else 2000
    hops: list[Segment] = []
    for run, variant in interleaved(runs, list(runners)):
        runner = runners[variant]
        with Measure(variant, run, hop_total) as m:
            for _ in range(hop_total):
                runner.run(_noop())
        assert m.segment is not None
        hops.append(m.segment)
    old_runner.close()
    hop = summarise(hops, HOP_OLD, ("wall_us_per_op", "cpu_us_per_op"))
    print_table("bare facade hop (no I/O)", hop, ("wall_us_per_op", "cpu_us_per_op"))
    for variant, cost in costs.items():
        print(
            f"  facade cost per call, {variant}: wall {cost['wall']:+.1f} µs, "
            f"client CPU {cost['cpu']:+.1f} µs"
        )
    checks = [check("facade wall cost per call", costs[SYNC]["wall"], "<=", TARGET_US, " µs")]
    print_checks(checks)
    return {
        "server": "minimal aiohttp.web",
        "requests_per_run": total,
        **summary,
        "facade_cost_us": costs[SYNC],
        "facade_cost_us_loop_thread_runner": costs[SYNC_OLD],
        "loop_entry_per_call_cost_us": costs[PER_CALL],
        "stepped_task_per_call_cost_us": costs[FLOOR],
        "bare_hop": {**hop, "segments": hops},
        "checks": checks,
        "segments": segments,
    }


def _cost(segments: list[Segment], variant: str, metric: str) -> float:
    """What ``variant`` adds per call over the async reference (median of per-run differences)."""
    cost = paired_difference(segments, variant, REFERENCE, metric)
    assert cost is not None, "every run times every variant"
    return cost


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    # Many short runs: a call costs 450-1,300 µs here depending on the stretch of time, while the
    # facade adds tens of µs; the median of 40 paired differences is steadier than that of 9.
    args = parse_args(__doc__ or NAME, argv, runs=40)
    pin_client()
    write_result(NAME, args, bench(args.runs, args.quick))


if __name__ == "__main__":
    main()
