"""(1b) Client instructions per request: ``client.loads.get`` (also with one no-op hook) vs raw
aiohttp GET + ``json.loads``.

The deterministic companion of ``client_overhead``: on a shared VM, CPU time per request moves by
10-30% from one run to the next, while the number of instructions the client executes does not.
Each variant runs in a child process under ``valgrind --tool=cachegrind --cache-sim=no`` twice,
with a small and a large number of requests; the difference of the two instruction totals divided
by the difference of the request counts is the per-request figure (start-up, imports and warm-up
cancel out). User-space instructions only: the kernel's share of a request (the socket system
calls, the same for both variants) is not counted, so this ratio is larger than the CPU ratio.
Informational (the issue's target is the CPU ratio of ``client_overhead``), so it has no target
verdict. Skipped when valgrind is not installed.
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
from .client_overhead import HOOK_TARGET, HOOKED, REFERENCE, SDK, TARGET

NAME = "client_instructions"
VARIANTS = (REFERENCE, SDK, HOOKED)


async def _worker(
    variant: str, concurrency: int, requests: int, base_url: str, load_id: int
) -> None:
    import aiohttp

    from improvado_async import AsyncImprovado, Hooks

    from ._harness import drive
    from .client_overhead import _no_op, variants

    async with (
        aiohttp.ClientSession() as session,
        AsyncImprovado(token="bench-token", base_url=base_url) as client,
        AsyncImprovado(
            token="bench-token", base_url=base_url, hooks=Hooks(on_response=_no_op)
        ) as hooked,
    ):
        calls = variants(session, client, base_url, load_id)
        calls[HOOKED] = lambda: hooked.loads.get(load_id)
        for call in calls.values():  # both warmed up in every child, timed or not
            await drive(call, 100, concurrency)
        await drive(calls[variant], requests, concurrency)


def _instructions(args: tuple[str, int, int, str, int]) -> int:
    variant, concurrency, requests, base_url, load_id = args
    return count_instructions(
        "benchmarks.client_instructions",
        variant,
        str(concurrency),
        str(requests),
        base_url,
        str(load_id),
    )


def bench(quick: bool) -> dict[str, Any]:
    """Count instructions per request for both variants at concurrency 1 and 64."""
    small, large = (100, 600) if quick else (200, 1200)
    cases: list[dict[str, Any]] = []
    with ServerProcess("minimal") as server:
        base_url, load_id = server["base_url"], server["load_id"]
        jobs = [
            (variant, concurrency, requests, base_url, load_id)
            for concurrency in (1, 64)
            for variant in VARIANTS
            for requests in (small, large)
        ]
        with ThreadPoolExecutor(2) as pool:  # counts do not depend on contention
            totals = dict(zip(jobs, pool.map(_instructions, jobs), strict=True))
    for concurrency in (1, 64):
        per_request = {
            label: (
                totals[(label, concurrency, large, base_url, load_id)]
                - totals[(label, concurrency, small, base_url, load_id)]
            )
            / (large - small)
            for label in VARIANTS
        }
        ratio = per_request[SDK] / per_request[REFERENCE]
        hooked_ratio = per_request[HOOKED] / per_request[REFERENCE]
        print(f"\ninstructions per request, concurrency {concurrency}")
        for label, value in per_request.items():
            print(f"  {label:30s} {value:10,.0f}  x{value / per_request[REFERENCE]:.3f}")
        print(f"  (client_overhead's CPU targets: x{TARGET}; with one no-op hook x{HOOK_TARGET})")
        cases.append(
            {
                "concurrency": concurrency,
                "requests": [small, large],
                "instructions_per_request": per_request,
                "ratio": ratio,
                "hooked_ratio": hooked_ratio,
            }
        )
    return {
        "server": "minimal aiohttp.web",
        "tool": "valgrind cachegrind",
        "cases": cases,
        "checks": [],  # informational: see client_overhead for the target
    }


def _run_worker(args: list[str]) -> None:
    variant, concurrency, requests, base_url, load_id = args
    asyncio.run(_worker(variant, int(concurrency), int(requests), base_url, int(load_id)))


def main(argv: list[str] | None = None) -> None:
    """Command line entry point (``--worker ...`` is the child process run under valgrind)."""
    counted_main(NAME, __doc__ or NAME, argv, _run_worker, bench)


if __name__ == "__main__":
    main()
