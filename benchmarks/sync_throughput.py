"""(3) Sync throughput: ``improvado_sync`` ``client.loads.get`` vs ``requests.Session``.

Against the minimal aiohttp server (separate process, other core), in two parts:

* **sequential**: one request at a time from the main thread, each run taken as ``SHORT_RUNS``
  short ones. ``requests.Session().get(...).json()`` is the reference. Target: improvado_sync
  >= 2.5x the requests.Session throughput.
  The async client, awaited on a loop in the main thread, runs beside them as the *ceiling*: a
  sync facade runs the same coroutine and can only add to it, so its ratio to requests is the
  most any sync variant can reach on the machine at hand (``ceiling`` in the results, with the
  share of it the sync client reaches, paired per run).
* **16 threads**: 16 threads sharing one ``Improvado`` client, against 16 threads with one
  ``requests.Session`` each (the reference), each thread making the same number of requests.
  Target: >= 1.5x the requests throughput.

Both parts also run the sync client on the runner it had before issue 18, which hands every call
to a private loop thread (``benchmarks/_thread_runner.py``), for comparison. The sync client's CPU
includes every thread of the process (``process_time``), and so do the voluntary context switches
per request (``vcsw_per_op``, from ``getrusage``).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import requests

from improvado_async import AsyncImprovado
from improvado_sync import Improvado

from ._harness import (
    Segment,
    ServerProcess,
    check,
    drive,
    paired_ratio,
    parse_args,
    pin_client,
    print_checks,
    print_table,
    summarise,
    timed_segments,
    write_result,
)
from ._thread_runner import LoopThreadRunner

NAME = "sync_throughput"
REFERENCE = "requests.Session"
SDK = "improvado_sync loads.get"
SDK_OLD = "improvado_sync, loop-thread runner"
CEILING = "async loads.get (ceiling)"
THREADS = 16
REFERENCE_THREADS = f"{THREADS} threads, requests.Session each"
SDK_THREADS = f"{THREADS} threads, one improvado_sync"
SDK_OLD_THREADS = f"{THREADS} threads, one sync (loop thread)"
METRICS = ("ops_per_s", "cpu_us_per_op", "vcsw_per_op")
TARGET = 2.5
TARGET_THREADS = 1.5
#: The sequential part splits each run into this many short runs: a call costs 450-2,400 µs here
#: depending on the stretch of time, and the median of many paired ratios is steadier than
#: that of a few (as in ``sync_facade``).
SHORT_RUNS = 8


def _in_threads(calls: list[Callable[[], object]], each: int) -> None:
    """Run ``each`` calls in each of ``len(calls)`` threads, released together; wait for all."""
    start = threading.Barrier(len(calls) + 1)
    errors: list[BaseException] = []

    def work(call: Callable[[], object]) -> None:
        start.wait()
        try:
            for _ in range(each):
                call()
        except BaseException as exc:  # reported below: a failed call must not pass as fast
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    start.wait()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def _sequential(
    loop: asyncio.AbstractEventLoop,
    aclient: AsyncImprovado,
    load_id: int,
    calls: dict[str, Callable[[], object]],
) -> dict[str, Callable[[int], None]]:
    """For each sequential variant, a function making ``n`` calls one after the other; the async
    ceiling awaits its ``n`` calls in one ``run_until_complete`` on ``loop``."""

    def repeat(call: Callable[[], object]) -> Callable[[int], None]:
        def calls_of(n: int) -> None:
            for _ in range(n):
                call()

        return calls_of

    return {
        **{variant: repeat(call) for variant, call in calls.items()},
        CEILING: lambda n: loop.run_until_complete(drive(lambda: aclient.loads.get(load_id), n, 1)),
    }


def bench(runs: int, quick: bool) -> dict[str, Any]:
    """Run the sequential and the threaded variants interleaved; return the results payload."""
    total = 500 if quick else 2000
    each = (1000 if quick else 4000) // THREADS
    old_runner = LoopThreadRunner()
    sessions = [requests.Session() for _ in range(THREADS)]
    loop = asyncio.new_event_loop()
    try:
        with ServerProcess("minimal") as server:
            base_url, load_id = server["base_url"], server["load_id"]
            url = f"{base_url}/api/v3/loads/{load_id}"
            headers = {"Authorization": "Bearer bench-token"}
            aclient = AsyncImprovado(token="bench-token", base_url=base_url)
            old = Improvado(token="bench-token", base_url=base_url)
            old._runner = old_runner  # type: ignore[assignment]  # before its services are created
            with Improvado(token="bench-token", base_url=base_url) as client, old:

                def via(session: requests.Session) -> Callable[[], object]:
                    return lambda: session.get(url, headers=headers).json()

                calls: dict[str, Callable[[], object]] = {
                    REFERENCE: via(sessions[0]),
                    SDK: lambda: client.loads.get(load_id),
                    SDK_OLD: lambda: old.loads.get(load_id),
                }
                sequential = _sequential(loop, aclient, load_id, calls)
                threaded: dict[str, list[Callable[[], object]]] = {
                    REFERENCE_THREADS: [via(session) for session in sessions],
                    SDK_THREADS: [calls[SDK]] * THREADS,
                    SDK_OLD_THREADS: [calls[SDK_OLD]] * THREADS,
                }
                for many in sequential.values():
                    many(200)
                for group in threaded.values():
                    _in_threads(group, 20)

                short = total // SHORT_RUNS
                segments = timed_segments(
                    runs * SHORT_RUNS,
                    {variant: partial(many, short) for variant, many in sequential.items()},
                    short,
                )
                threaded_segments = timed_segments(
                    runs,
                    {
                        variant: partial(_in_threads, group, each)
                        for variant, group in threaded.items()
                    },
                    each * THREADS,
                )
            loop.run_until_complete(aclient.aclose())
    finally:
        for session in sessions:
            session.close()
        old_runner.close()
        loop.close()

    summary = summarise(segments, REFERENCE, METRICS)
    print_table("sequential sync throughput", summary, METRICS)
    threads_summary = summarise(threaded_segments, REFERENCE_THREADS, METRICS)
    print_table(f"{THREADS} threads", threads_summary, METRICS)
    checks = [
        check("improvado_sync / requests req/s", summary["ratios"][SDK]["ops_per_s"], ">=", TARGET),
        check(
            f"{THREADS} threads sharing improvado_sync / requests.Session each, req/s",
            threads_summary["ratios"][SDK_THREADS]["ops_per_s"],
            ">=",
            TARGET_THREADS,
        ),
    ]
    print_checks(checks)
    ceiling = _ceiling(segments, summary)
    print(
        f"  ceiling: the async client makes x{ceiling['async_vs_requests']:.2f} requests' req/s "
        f"(paired); the sync client reaches {ceiling['sync_share_of_async']:.1%} of it"
    )
    return {
        "server": "minimal aiohttp.web",
        "requests_per_run": total // SHORT_RUNS,
        **summary,
        "ceiling": ceiling,
        "threads": {
            "threads": THREADS,
            "requests_per_thread": each,
            **threads_summary,
            "segments": threaded_segments,
        },
        "checks": checks,
        "segments": segments,
    }


def _ceiling(segments: list[Segment], summary: dict[str, Any]) -> dict[str, float]:
    """The async client's paired ratio to requests (the most a sync facade can reach) and the
    sync client's paired share of the async client's req/s."""
    share = paired_ratio(segments, SDK, CEILING, "ops_per_s")
    assert share is not None, "every run times every variant"
    return {
        "async_vs_requests": summary["paired"][CEILING]["ops_per_s"],
        "sync_share_of_async": share,
    }


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    args = parse_args(__doc__ or NAME, argv)
    pin_client()
    write_result(NAME, args, bench(args.runs, args.quick))


if __name__ == "__main__":
    main()
