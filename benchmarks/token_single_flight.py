"""(7) Single-flight token minting: 1,000 concurrent calls need exactly one token request.

The sandbox runs in a separate process (other core). A client with Basic credentials (it mints
workspace tokens itself) fires 1,000 concurrent ``client.loads.get`` calls in two scenarios:

* ``expired token``: the client already holds a token, which the sandbox then expires
  (``sb.expire_tokens()``): every call gets a 401, and the client must re-mint once, not 1,000
  times;
* ``cold start``: a fresh client without a token: the first calls must share one mint.

``POST /api/v3/token`` requests are counted in the sandbox journal (``sb.requests``, read through
the benchmark server's ``/_bench/journal`` route). Target: exactly 1 token request per scenario,
in every run, and all 1,000 calls succeed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from improvado_async import AsyncImprovado

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

NAME = "token_single_flight"
CALLS = 1000
EXPIRED = "expired token"
COLD = "cold start"
METRICS = ("token_requests", "unauthorized_responses", "wall_ms", "cpu_us_per_op")
TOKEN_KEY = "POST /api/v3/token"


async def bench(runs: int, quick: bool) -> dict[str, Any]:
    """Run both scenarios interleaved; return the results payload."""
    segments: list[Segment] = []
    failures = 0
    with ServerProcess("sandbox") as server:
        base = server["base_url"]
        creds = {
            "username": server["username"],
            "password": server["password"],
            "workspace_id": server["workspace_id"],
            "base_url": base,
        }
        load_id = server["load_id"]
        async with aiohttp.ClientSession() as control:

            async def journal() -> dict[str, int]:
                async with control.get(f"{base}/_bench/journal") as resp:
                    counts: dict[str, int] = await resp.json()
                    return counts

            async def post(action: str) -> None:
                async with control.post(f"{base}/_bench/{action}") as resp:
                    resp.raise_for_status()

            for run, variant in interleaved(runs, [EXPIRED, COLD]):
                async with AsyncImprovado(**creds) as client:
                    if variant == EXPIRED:
                        await client.loads.get(load_id)  # mints the token that will expire
                        await post("expire")
                    await post("clear")
                    with Measure(variant, run, CALLS) as m:
                        results = await asyncio.gather(
                            *(client.loads.get(load_id) for _ in range(CALLS)),
                            return_exceptions=True,
                        )
                    counts = await journal()
                failures += sum(isinstance(r, BaseException) for r in results)
                tokens = sum(n for key, n in counts.items() if key.startswith(TOKEN_KEY))
                unauthorized = sum(
                    n
                    for key, n in counts.items()
                    if key.startswith("GET ") and key.endswith(" 401")
                )
                assert m.segment is not None
                m.segment.extra = {
                    "token_requests": tokens,
                    "unauthorized_responses": unauthorized,
                    "wall_ms": m.segment.wall_s * 1e3,
                }
                segments.append(m.segment)
                print(f"  run {run} {variant:<14} token requests {tokens}, 401s {unauthorized}")
    summary = summarise(segments, COLD, METRICS)
    print_table(f"{CALLS} concurrent calls", summary, METRICS)
    token_counts = {
        v: sorted({int(s.extra["token_requests"]) for s in segments if s.variant == v})
        for v in (EXPIRED, COLD)
    }
    checks = [
        check(
            f"token requests per run, {variant} (max over runs)",
            max(counts),
            "<=",
            1,
        )
        | {"met": counts == [1]}
        for variant, counts in token_counts.items()
    ]
    checks.append(check(f"failed calls out of {CALLS * 2 * runs}", failures, "<=", 0))
    print_checks(checks)
    return {
        "server": "sandbox",
        "calls": CALLS,
        **summary,
        "token_requests_seen": token_counts,
        "failed_calls": failures,
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
