"""(4b) Client instructions per sequential ``loads.get``: the sync facade and what it is made of.

The deterministic companion of ``sync_facade``: on this shared VM a call's time moves by 10-50%
between stretches of a run, while the tens of µs the facade adds are what is being compared. Each
variant runs in a child process under ``valgrind --tool=cachegrind --cache-sim=no`` with a small
and a large number of sequential calls against the minimal server; the difference of the two
instruction totals divided by the difference of the call counts is the per-call figure. The
variants are those of ``sync_facade``: the async call (reference), the sync facade, the runner it
had before issue 18 (a loop thread), one ``run_until_complete`` per call, and the floor (one
stepped task per call, without the runner's protocol). User-space instructions only: the system
calls (the thread hop's futex waits and pipe writes, the facade's signal-handler swap) are not
counted. Informational: the target is ``sync_facade``'s wall time. Skipped without valgrind.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ._harness import (
    ServerProcess,
    count_instructions,
    counted_main,
)
from .sync_facade import REFERENCE, VARIANTS

NAME = "sync_instructions"


def _worker(variant: str, calls_count: int, base_url: str, load_id: int) -> None:
    """Make ``calls_count`` sequential calls the ``variant`` way, after warming up every variant."""
    from improvado_async import AsyncImprovado
    from improvado_sync import Improvado

    from ._thread_runner import LoopThreadRunner
    from .sync_facade import call_loops

    loop = asyncio.new_event_loop()
    aclient = AsyncImprovado(token="bench-token", base_url=base_url)
    client = Improvado(token="bench-token", base_url=base_url)
    old = Improvado(token="bench-token", base_url=base_url)
    old._runner = LoopThreadRunner()  # type: ignore[assignment]  # before its services exist

    calls = call_loops(loop, aclient, client, old, load_id)
    for call in calls.values():  # every variant warmed up in every child, counted or not
        call(100)
    calls[variant](calls_count)
    client.close()
    old.close()
    loop.run_until_complete(aclient.aclose())
    loop.close()


def _instructions(args: tuple[str, int, str, int]) -> int:
    variant, calls, base_url, load_id = args
    return count_instructions(
        "benchmarks.sync_instructions", variant, str(calls), base_url, str(load_id)
    )


def bench(quick: bool) -> dict[str, Any]:
    """Count instructions per call for every variant."""
    small, large = (100, 600) if quick else (300, 1500)
    with ServerProcess("minimal") as server:
        base_url, load_id = server["base_url"], server["load_id"]
        jobs = [(v, n, base_url, load_id) for v in VARIANTS for n in (small, large)]
        with ThreadPoolExecutor(2) as pool:  # counts do not depend on contention
            totals = dict(zip(jobs, pool.map(_instructions, jobs), strict=True))
    per_call = {
        v: (totals[(v, large, base_url, load_id)] - totals[(v, small, base_url, load_id)])
        / (large - small)
        for v in VARIANTS
    }
    reference = per_call[REFERENCE]
    print("\ninstructions per sequential loads.get")
    for label, value in per_call.items():
        print(f"  {label:34s} {value:10,.0f}  {value - reference:+9,.0f}")
    return {
        "server": "minimal aiohttp.web",
        "tool": "valgrind cachegrind",
        "calls": [small, large],
        "instructions_per_call": per_call,
        "over_async": {v: per_call[v] - reference for v in VARIANTS},
        "checks": [],  # informational: see sync_facade for the target
    }


def _run_worker(args: list[str]) -> None:
    variant, calls, base_url, load_id = args
    _worker(variant, int(calls), base_url, int(load_id))


def main(argv: list[str] | None = None) -> None:
    """Command line entry point (``--worker ...`` is the child process run under valgrind)."""
    counted_main(NAME, __doc__ or NAME, argv, _run_worker, bench)


if __name__ == "__main__":
    main()
