"""(6) Import cost: ``python -X importtime -c "import improvado_async"``, cumulative.

Each sample is a fresh interpreter (pinned to the client core); the figure is the cumulative
microseconds ``-X importtime`` reports for the top-level ``improvado_async`` line. Bytecode goes to
a private ``PYTHONPYCACHEPREFIX`` (the source tree is not touched): the first, untimed run fills
it, so the timed runs are the warm-cache case a deployed application sees. ``aiohttp`` and
``httpx`` are imported the same way for context (reference: ``aiohttp``), and one extra sample
per module is taken with bytecode caching disabled (compile from source: the worst case).
Target: ``import improvado_async`` <= 60 ms cumulative (warm cache).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from ._harness import (
    ROOT,
    Segment,
    check,
    interleaved,
    parse_args,
    pin_client,
    print_checks,
    print_table,
    summarise,
    write_result,
)

NAME = "import_time"
REFERENCE = "aiohttp"
MODULES = ("improvado_async", "aiohttp", "httpx")
TARGET_MS = 60.0
PYCACHE = Path(tempfile.gettempdir()) / "improvado-bench-pycache"


def import_time_us(module: str, *, cache: bool) -> tuple[int, bool]:
    """Cumulative ``-X importtime`` µs of ``module`` and whether it pulled in aiohttp."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if cache:
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="improvado-bench-nocache-")
    code = f"import sys, {module}; print('aiohttp' in sys.modules)"
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    for line in proc.stderr.splitlines():
        # "import time:  self [us] | cumulative | imported package"; top level has no indent.
        parts = line.split("|")
        if len(parts) == 3 and parts[2].rstrip() == f" {module}":
            return int(parts[1]), proc.stdout.strip() == "True"
    raise RuntimeError(f"no importtime line for {module}:\n{proc.stderr[-2000:]}")


def bench(runs: int, quick: bool) -> dict[str, Any]:
    """Time the imports interleaved; return the results payload."""
    PYCACHE.mkdir(parents=True, exist_ok=True)
    pulls_aiohttp = {}
    for module in MODULES:  # warm-up: fills the bytecode cache
        _, pulls_aiohttp[module] = import_time_us(module, cache=True)
    segments: list[Segment] = []
    for run, module in interleaved(max(runs, 5), list(MODULES)):
        micros, _ = import_time_us(module, cache=True)
        segments.append(
            Segment(
                module, run, 1, micros / 1e6, micros / 1e6, extra={"cumulative_ms": micros / 1e3}
            )
        )
    summary = summarise(segments, REFERENCE, ("cumulative_ms",))
    print_table("import time, warm bytecode cache", summary, ("cumulative_ms",))
    cold = {m: import_time_us(m, cache=False)[0] / 1e3 for m in MODULES}
    print(
        "  no bytecode cache (one sample): " + ", ".join(f"{m} {v:.1f} ms" for m, v in cold.items())
    )
    print(f"  import improvado_async imports aiohttp: {pulls_aiohttp['improvado_async']}")
    value = summary["variants"]["improvado_async"]["cumulative_ms"]["median"]
    checks = [check("import improvado_async (median)", value, "<=", TARGET_MS, " ms")]
    print_checks(checks)
    return {
        **summary,
        "no_bytecode_cache_ms": cold,
        "improvado_async_imports_aiohttp": pulls_aiohttp["improvado_async"],
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
