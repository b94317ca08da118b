"""(1) Client CPU per request: ``client.loads.get`` vs raw aiohttp GET + ``json.loads``.

Both variants fetch the same ~600-byte Load object from the minimal aiohttp server (separate
process, other core) at concurrency 1 and 64. The SDK client uses ``token=`` (no minting); the
raw variant sends the same ``Authorization`` header through a default ``aiohttp.ClientSession``.
Target: SDK client CPU per request <= 1.15x the raw variant's, as the median over the runs of
each run's ratio (every run times all variants back to back, in a rotated order).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from improvado_async import AsyncImprovado, Hooks

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

NAME = "client_overhead"
REFERENCE = "aiohttp + json.loads"
SDK = "sdk loads.get"
HOOKED = "sdk loads.get, one no-op hook"
TRACED = "sdk loads.get, tracing=True"
HOOK_TARGET = 1.20
METRICS = ("cpu_us_per_op", "ops_per_s")
TARGET = 1.15


def variants(
    session: aiohttp.ClientSession, client: AsyncImprovado, base_url: str, load_id: int
) -> dict[str, Callable[[], Awaitable[object]]]:
    """The two compared calls: raw aiohttp GET + ``json.loads``, and ``client.loads.get``."""
    url = f"{base_url}/api/v3/loads/{load_id}"
    headers = {"Authorization": "Bearer bench-token"}

    async def raw() -> object:
        async with session.get(url, headers=headers) as resp:
            return json.loads(await resp.read())

    async def sdk() -> object:
        return await client.loads.get(load_id)

    return {REFERENCE: raw, SDK: sdk}


async def bench(runs: int, quick: bool) -> dict[str, Any]:
    """Run both variants interleaved at concurrency 1 and 64; return the results payload."""
    cases: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []
    with ServerProcess("minimal") as server:
        base_url, load_id = server["base_url"], server["load_id"]
        hooked_client = AsyncImprovado(
            token="bench-token", base_url=base_url, hooks=Hooks(on_response=_no_op)
        )
        traced_client = _traced_client(base_url)
        async with (
            aiohttp.ClientSession() as session,
            AsyncImprovado(token="bench-token", base_url=base_url) as client,
            hooked_client,
        ):
            calls = variants(session, client, base_url, load_id)
            calls[HOOKED] = lambda: hooked_client.loads.get(load_id)
            if traced_client is not None:
                calls[TRACED] = lambda: traced_client.loads.get(load_id)
            for concurrency in (1, 64):
                # Short segments, many runs: each run's ratio is taken within about a second.
                total = (250 if quick else 500) * (2 if concurrency > 1 else 1)
                for call in calls.values():  # warm-up: connections, caches, lazy imports
                    await drive(call, max(200, concurrency * 4), concurrency)
                segments: list[Segment] = []
                for run, variant in interleaved(runs, list(calls)):
                    with Measure(variant, run, total) as m:
                        await drive(calls[variant], total, concurrency)
                    assert m.segment is not None
                    segments.append(m.segment)
                summary = summarise(segments, REFERENCE, METRICS)
                print_table(
                    f"loads.get vs raw aiohttp, concurrency {concurrency}", summary, METRICS
                )
                ratio = summary["paired"][SDK]["cpu_us_per_op"]
                checks.append(check(f"CPU ratio at concurrency {concurrency}", ratio, "<=", TARGET))
                hooked = summary["paired"][HOOKED]["cpu_us_per_op"]
                checks.append(
                    check(
                        f"CPU ratio with one no-op hook at concurrency {concurrency}",
                        hooked,
                        "<=",
                        HOOK_TARGET,
                    )
                )
                cases.append(
                    {
                        "concurrency": concurrency,
                        "requests_per_run": total,
                        **summary,
                        "segments": segments,
                    }
                )
        if traced_client is not None:
            await traced_client.aclose()
    print_checks(checks)
    return {
        "server": "minimal aiohttp.web",
        "body_bytes": server["body_bytes"],
        "cases": cases,
        "checks": checks,
    }


def _no_op(event: object) -> None:
    """The hook of the hooked variant: the cost of calling a hook, nothing else."""


def _traced_client(base_url: str) -> AsyncImprovado | None:
    """A client with tracing on (informational; needs the OpenTelemetry SDK), else ``None``.

    Spans are made by the OpenTelemetry SDK's tracer provider (without an exporter), so the
    figure is what recording spans costs, not a no-op API tracer.
    """
    try:
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider

        trace.set_tracer_provider(TracerProvider())
        return AsyncImprovado(token="bench-token", base_url=base_url, tracing=True)
    except ImportError:
        print("tracing variant skipped: pip install -e '.[bench]'")
        return None


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    # 40 short runs: this machine's speed drifts by 10-30% over seconds to minutes; many short
    # runs, each compared within itself, leave the drift out of the median ratio.
    args = parse_args(__doc__ or NAME, argv, runs=40)
    pin_client()
    payload = asyncio.run(bench(args.runs, args.quick))
    write_result(NAME, args, payload)


if __name__ == "__main__":
    main()
