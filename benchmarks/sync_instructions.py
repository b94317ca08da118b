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
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ._harness import ServerProcess, parse_args, write_result
from .client_instructions import _IREFS
from .sync_facade import FLOOR, PER_CALL, REFERENCE, SYNC, SYNC_OLD

NAME = "sync_instructions"
VARIANTS = (REFERENCE, SYNC, SYNC_OLD, PER_CALL, FLOOR)


def _worker(variant: str, calls: int, base_url: str, load_id: int) -> None:
    """Make ``calls`` sequential calls the ``variant`` way, after warming up every variant."""
    from improvado_async import AsyncImprovado
    from improvado_sync import Improvado

    from ._thread_runner import LoopThreadRunner
    from .sync_facade import _stepped

    loop = asyncio.new_event_loop()
    aclient = AsyncImprovado(token="bench-token", base_url=base_url)
    client = Improvado(token="bench-token", base_url=base_url)
    old = Improvado(token="bench-token", base_url=base_url)
    old._runner = LoopThreadRunner()  # type: ignore[assignment]  # before its services exist

    async def async_calls(n: int) -> None:
        for _ in range(n):
            await aclient.loads.get(load_id)

    def run(name: str, n: int) -> None:
        if name == REFERENCE:
            loop.run_until_complete(async_calls(n))
        elif name in (SYNC, SYNC_OLD):
            sync = client if name == SYNC else old
            for _ in range(n):
                sync.loads.get(load_id)
        elif name == PER_CALL:
            for _ in range(n):
                loop.run_until_complete(aclient.loads.get(load_id))
        else:
            for _ in range(n):
                _stepped(loop, aclient.loads.get(load_id))

    for name in VARIANTS:  # every variant warmed up in every child, counted or not
        run(name, 100)
    run(variant, calls)
    client.close()
    old.close()
    loop.run_until_complete(aclient.aclose())
    loop.close()


def _instructions(args: tuple[str, int, str, int]) -> int:
    variant, calls, base_url, load_id = args
    command = [
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=no",
        "--cachegrind-out-file=/dev/null",
        sys.executable,
        "-m",
        "benchmarks.sync_instructions",
        "--worker",
        variant,
        str(calls),
        base_url,
        str(load_id),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    match = _IREFS.search(done.stderr)
    if done.returncode != 0 or match is None:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr[-2000:]}")
    return int(match.group(1).replace(",", ""))


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


def main(argv: list[str] | None = None) -> None:
    """Command line entry point (``--worker ...`` is the child process run under valgrind)."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        variant, calls, base_url, load_id = argv[1:5]
        _worker(variant, int(calls), base_url, int(load_id))
        return
    args = parse_args(__doc__ or NAME, argv)
    if shutil.which("valgrind") is None:
        print("sync_instructions: skipped (valgrind is not installed)")
        write_result(NAME, args, {"skipped": "valgrind is not installed", "checks": []})
        return
    write_result(NAME, args, bench(args.quick))


if __name__ == "__main__":
    main()
