"""Run the benchmarks: all of them, or those named on the command line.

``python -m benchmarks.run [--quick] [NAME ...]`` (or ``nox -s bench -- [--quick] [NAME ...]``).
Each benchmark runs in its own interpreter (so imports, threads and memory of one never affect
another), one after the other, and writes ``benchmarks/results/<name>.json``. The exit status is
non-zero only when a benchmark fails to run; a missed target is reported, never an error.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from ._harness import RESULTS, ROOT

#: Name -> module, in the order they run.
BENCHMARKS = {
    "client_overhead": "benchmarks.client_overhead",
    "client_instructions": "benchmarks.client_instructions",
    "async_throughput": "benchmarks.async_throughput",
    "sync_throughput": "benchmarks.sync_throughput",
    "sync_facade": "benchmarks.sync_facade",
    "sync_instructions": "benchmarks.sync_instructions",
    "list_pagination": "benchmarks.list_pagination",
    "import_time": "benchmarks.import_time",
    "token_single_flight": "benchmarks.token_single_flight",
    "redis_limiter": "benchmarks.redis_limiter",
}


def main(argv: list[str] | None = None) -> int:
    """Run the selected benchmarks and print every target verdict at the end."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(BENCHMARKS))
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    names = args.names or list(BENCHMARKS)
    failed: list[str] = []
    started = time.perf_counter()
    for name in names:
        print(f"\n=== {name} ===", flush=True)
        command = [sys.executable, "-m", BENCHMARKS[name], *(["--quick"] if args.quick else [])]
        if subprocess.run(command, cwd=ROOT).returncode != 0:
            failed.append(name)
    print(f"\n=== targets ({time.perf_counter() - started:.0f} s) ===")
    for name in names:
        path = RESULTS / f"{name}.json"
        if name in failed or not path.exists():
            print(f"  {name}: FAILED TO RUN")
            continue
        for c in json.loads(path.read_text()).get("checks", []):
            verdict = "met" if c["met"] else "MISSED"
            print(
                f"  {name}: {c['label']}: {c['value']}{c['unit']} "
                f"(target {c['op']} {c['target']}{c['unit']}) {verdict}"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
