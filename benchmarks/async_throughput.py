"""(2) Async throughput at concurrency 64: ``client.loads.get`` vs ``httpx.AsyncClient``.

All variants fetch the same ~600-byte Load object from the minimal aiohttp server (separate
process, other core) with 64 requests in flight. ``httpx.AsyncClient`` (default limits: 100
connections) is the reference; raw aiohttp is shown for context. Target: SDK >= 10x httpx.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import httpx

from improvado_async import AsyncImprovado

from ._harness import (
    Measure,
    Segment,
    ServerProcess,
    check,
    drive,
    interleaved,
    parse_args,
    pin_client,
    print_checks,
    print_table,
    summarise,
    write_result,
)

NAME = "async_throughput"
REFERENCE = "httpx.AsyncClient"
SDK = "sdk loads.get"
RAW = "aiohttp + json.loads"
METRICS = ("ops_per_s", "cpu_us_per_op")
CONCURRENCY = 64
TARGET = 10.0


async def bench(runs: int, quick: bool) -> dict[str, Any]:
    """Run the three variants interleaved; return the results payload."""
    total = 1000 if quick else 3000
    with ServerProcess("minimal") as server:
        base_url, load_id = server["base_url"], server["load_id"]
        url = f"{base_url}/api/v3/loads/{load_id}"
        headers = {"Authorization": "Bearer bench-token"}
        async with (
            httpx.AsyncClient() as hx,
            aiohttp.ClientSession() as session,
            AsyncImprovado(token="bench-token", base_url=base_url) as client,
        ):

            async def via_httpx() -> object:
                resp = await hx.get(url, headers=headers)
                return resp.json()

            async def raw() -> object:
                async with session.get(url, headers=headers) as resp:
                    return json.loads(await resp.read())

            async def sdk() -> object:
                return await client.loads.get(load_id)

            calls: dict[str, Callable[[], Awaitable[object]]] = {
                REFERENCE: via_httpx,
                RAW: raw,
                SDK: sdk,
            }
            for call in calls.values():
                await drive(call, 4 * CONCURRENCY, CONCURRENCY)
            segments: list[Segment] = []
            for run, variant in interleaved(runs, list(calls)):
                with Measure(variant, run, total) as m:
                    await drive(calls[variant], total, CONCURRENCY)
                assert m.segment is not None
                segments.append(m.segment)
    summary = summarise(segments, REFERENCE, METRICS)
    print_table(f"throughput at concurrency {CONCURRENCY}", summary, METRICS)
    checks = [check("SDK / httpx req/s", summary["ratios"][SDK]["ops_per_s"], ">=", TARGET)]
    print_checks(checks)
    return {
        "server": "minimal aiohttp.web",
        "concurrency": CONCURRENCY,
        "requests_per_run": total,
        **summary,
        "checks": checks,
        "segments": segments,
    }


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    args = parse_args(__doc__ or NAME, argv)
    pin_client()
    payload = asyncio.run(bench(args.runs, args.quick))
    write_result(NAME, args, payload)


if __name__ == "__main__":
    main()
