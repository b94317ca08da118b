"""(4) Cost of the sync facade per call over the async call it wraps.

Sequential ``client.loads.get`` against the minimal aiohttp server (separate process, other
core), interleaved in one process: the async client awaited on a loop in the main thread
(reference) and ``improvado_sync.Improvado`` (same coroutine, run on the facade's private loop
thread). The facade cost is the difference of the medians, per call, in wall time and in client
CPU. For context the bare hop is also timed: ``Runner.run`` of a coroutine that returns at once
(no I/O). Target: facade wall cost <= 80 µs per call.
"""

from __future__ import annotations

import asyncio
from typing import Any

from improvado_async import AsyncImprovado
from improvado_sync import Improvado
from improvado_sync._runner import default_runner

from ._harness import (
    Measure,
    Segment,
    ServerProcess,
    check,
    interleaved,
    parse_args,
    pin_client,
    print_checks,
    print_table,
    summarise,
    write_result,
)

NAME = "sync_facade"
REFERENCE = "async loads.get"
SYNC = "sync loads.get"
METRICS = ("wall_us_per_op", "cpu_us_per_op", "ops_per_s")
TARGET_US = 80.0


async def _noop() -> None:
    return None


def bench(runs: int, quick: bool) -> dict[str, Any]:
    """Run both variants interleaved, then time the bare hop; return the results payload."""
    total = 500 if quick else 2000
    loop = asyncio.new_event_loop()
    segments: list[Segment] = []
    with ServerProcess("minimal") as server:
        base_url, load_id = server["base_url"], server["load_id"]
        aclient = AsyncImprovado(token="bench-token", base_url=base_url)
        with Improvado(token="bench-token", base_url=base_url) as client:

            async def async_loop(n: int) -> None:
                for _ in range(n):
                    await aclient.loads.get(load_id)

            def sync_loop(n: int) -> None:
                for _ in range(n):
                    client.loads.get(load_id)

            loop.run_until_complete(async_loop(200))
            sync_loop(200)
            for run, variant in interleaved(runs, [REFERENCE, SYNC]):
                with Measure(variant, run, total) as m:
                    if variant == REFERENCE:
                        loop.run_until_complete(async_loop(total))
                    else:
                        sync_loop(total)
                assert m.segment is not None
                segments.append(m.segment)
        loop.run_until_complete(aclient.aclose())
    loop.close()

    summary = summarise(segments, REFERENCE, METRICS)
    print_table("sync facade vs async, sequential", summary, METRICS)
    medians = {v: {m: s[m]["median"] for m in METRICS} for v, s in summary["variants"].items()}
    wall_cost = medians[SYNC]["wall_us_per_op"] - medians[REFERENCE]["wall_us_per_op"]
    cpu_cost = medians[SYNC]["cpu_us_per_op"] - medians[REFERENCE]["cpu_us_per_op"]

    runner = default_runner()
    hop_total = 2000 if quick else 10000
    hops: list[Segment] = []
    for run in range(1, runs + 1):
        with Measure("Runner.run(no-op)", run, hop_total) as m:
            for _ in range(hop_total):
                runner.run(_noop())
        assert m.segment is not None
        hops.append(m.segment)
    hop = summarise(hops, "Runner.run(no-op)", ("wall_us_per_op", "cpu_us_per_op"))
    print_table("bare facade hop (no I/O)", hop, ("wall_us_per_op", "cpu_us_per_op"))
    print(f"  facade cost per call: wall {wall_cost:+.1f} µs, client CPU {cpu_cost:+.1f} µs")
    checks = [check("facade wall cost per call", wall_cost, "<=", TARGET_US, " µs")]
    print_checks(checks)
    return {
        "server": "minimal aiohttp.web",
        "requests_per_run": total,
        **summary,
        "facade_cost_us": {"wall": wall_cost, "cpu": cpu_cost},
        "bare_hop": {**hop, "segments": hops},
        "checks": checks,
        "segments": segments,
    }


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    # 9 runs: the ratio is close to its target and this machine's CPU time varies by 10-30%.
    args = parse_args(__doc__ or NAME, argv, runs=9)
    pin_client()
    write_result(NAME, args, bench(args.runs, args.quick))


if __name__ == "__main__":
    main()
