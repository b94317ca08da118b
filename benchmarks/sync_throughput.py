"""(3) Sequential sync throughput: ``improvado_sync`` ``client.loads.get`` vs ``requests.Session``.

One request at a time from the main thread against the minimal aiohttp server (separate
process, other core). ``requests.Session().get(...).json()`` is the reference. The sync client's
CPU includes its event-loop thread (``process_time`` covers every thread of the process).
Target: improvado_sync >= 1.8x the requests.Session throughput.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from improvado_sync import Improvado

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

NAME = "sync_throughput"
REFERENCE = "requests.Session"
SDK = "improvado_sync loads.get"
METRICS = ("ops_per_s", "cpu_us_per_op")
TARGET = 1.8


def bench(runs: int, quick: bool) -> dict[str, Any]:
    """Run both variants interleaved; return the results payload."""
    total = 500 if quick else 2000
    with ServerProcess("minimal") as server, requests.Session() as session:
        base_url, load_id = server["base_url"], server["load_id"]
        url = f"{base_url}/api/v3/loads/{load_id}"
        headers = {"Authorization": "Bearer bench-token"}
        with Improvado(token="bench-token", base_url=base_url) as client:

            def via_requests() -> object:
                return session.get(url, headers=headers).json()

            def sdk() -> object:
                return client.loads.get(load_id)

            calls: dict[str, Callable[[], object]] = {REFERENCE: via_requests, SDK: sdk}
            for call in calls.values():
                for _ in range(200):
                    call()
            segments: list[Segment] = []
            for run, variant in interleaved(runs, list(calls)):
                call = calls[variant]
                with Measure(variant, run, total) as m:
                    for _ in range(total):
                        call()
                assert m.segment is not None
                segments.append(m.segment)
    summary = summarise(segments, REFERENCE, METRICS)
    print_table("sequential sync throughput", summary, METRICS)
    checks = [
        check("improvado_sync / requests req/s", summary["ratios"][SDK]["ops_per_s"], ">=", TARGET)
    ]
    print_checks(checks)
    return {
        "server": "minimal aiohttp.web",
        "requests_per_run": total,
        **summary,
        "checks": checks,
        "segments": segments,
    }


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    args = parse_args(__doc__ or NAME, argv)
    pin_client()
    write_result(NAME, args, bench(args.runs, args.quick))


if __name__ == "__main__":
    main()
