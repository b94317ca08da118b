"""Shared benchmark machinery: server processes, CPU pinning, repetition, statistics, JSON output.

Every benchmark runs its variants *interleaved* (run 1: A, B; run 2: B, A; ...; with more
variants, in balanced orders) in one process against one loopback server process, so slow drift
of the machine (thermal, other processes) hits every variant alike. Client cost is measured with
:func:`time.process_time` (CPU time of the client process only, all its threads) and
:func:`time.perf_counter` (wall time).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = [
    "ROOT",
    "Measure",
    "Segment",
    "ServerProcess",
    "check",
    "count_instructions",
    "counted_main",
    "drive",
    "interleaved",
    "machine_info",
    "paired_difference",
    "paired_ratio",
    "parse_args",
    "pin_client",
    "print_checks",
    "print_table",
    "summarise",
    "timed_segments",
    "write_result",
]

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
SERVER_CORE = 0
CLIENT_CORE = 1

#: Environment variables that would leak credentials or settings into the SDK clients.
_SDK_ENV = ("IMPROVADO_USERNAME", "IMPROVADO_PASSWORD", "IMPROVADO_TOKEN", "IMPROVADO_WORKSPACE_ID")


def _can_pin() -> bool:
    return shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2


def pin_client() -> int | None:
    """Pin this (client) process to :data:`CLIENT_CORE` when pinning is possible; return the core.

    Also removes ``IMPROVADO_*`` variables so every SDK client uses only its explicit arguments.
    """
    for name in _SDK_ENV:
        os.environ.pop(name, None)
    if not _can_pin() or not hasattr(os, "sched_setaffinity"):
        return None
    os.sched_setaffinity(0, {CLIENT_CORE})
    return CLIENT_CORE


def parse_args(
    description: str, argv: Sequence[str] | None = None, *, runs: int = 5
) -> argparse.Namespace:
    """The common command line: ``--runs N`` (default ``runs``) and ``--quick`` (3 runs)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="fewer runs and smaller segments")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per variant")
    args = parser.parse_args(argv)
    if args.runs is None:
        args.runs = 3 if args.quick else runs
    return args


# -- server process ---------------------------------------------------------------------------


class ServerProcess:
    """A loopback server (``python -m benchmarks._servers KIND ...``) in its own process.

    The child is pinned to :data:`SERVER_CORE` with ``taskset`` when available; it prints one JSON
    line describing itself (``base_url`` and friends), which ``__enter__`` returns.
    """

    def __init__(self, kind: str, *args: str) -> None:
        self.command = [sys.executable, "-m", "benchmarks._servers", kind, *args]
        if _can_pin():
            self.command = ["taskset", "-c", str(SERVER_CORE), *self.command]
        self._proc: subprocess.Popen[str] | None = None
        self.info: dict[str, Any] = {}

    def __enter__(self) -> dict[str, Any]:
        self._proc = subprocess.Popen(
            self.command, cwd=ROOT, stdout=subprocess.PIPE, text=True, env=_server_env()
        )
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            self._proc.wait(timeout=10)
            raise RuntimeError(f"server {self.command} exited with {self._proc.returncode}")
        self.info = json.loads(line)
        return self.info

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def _server_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


# -- measuring --------------------------------------------------------------------------------


@dataclass
class Segment:
    """One timed segment: ``ops`` operations of one variant in one run."""

    variant: str
    run: int
    ops: int
    cpu_s: float
    wall_s: float
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def cpu_us_per_op(self) -> float:
        """Client CPU time per operation, in microseconds."""
        return self.cpu_s / self.ops * 1e6

    @property
    def wall_us_per_op(self) -> float:
        """Wall time per operation, in microseconds (latency for sequential segments)."""
        return self.wall_s / self.ops * 1e6

    @property
    def ops_per_s(self) -> float:
        """Throughput in operations per second."""
        return self.ops / self.wall_s

    def metric(self, name: str) -> float:
        """A derived metric (``cpu_us_per_op``, ``wall_us_per_op``, ``ops_per_s``) or extra."""
        if name in self.extra:
            return self.extra[name]
        value = getattr(self, name)
        assert isinstance(value, float)
        return value

    def as_json(self) -> dict[str, Any]:
        """Raw figures for the results file."""
        return {
            "variant": self.variant,
            "run": self.run,
            "ops": self.ops,
            "cpu_s": round(self.cpu_s, 6),
            "wall_s": round(self.wall_s, 6),
            "cpu_us_per_op": round(self.cpu_us_per_op, 2),
            "wall_us_per_op": round(self.wall_us_per_op, 2),
            "ops_per_s": round(self.ops_per_s, 1),
            **{k: round(v, 3) for k, v in self.extra.items()},
        }


class Measure:
    """Context manager timing a block: CPU of this process and wall time.

    ``gc.collect()`` runs first so one variant's garbage is not collected on another's clock.
    """

    def __init__(self, variant: str, run: int, ops: int) -> None:
        self.variant, self.run, self.ops = variant, run, ops
        self.segment: Segment | None = None
        self._cpu = self._wall = 0.0

    def __enter__(self) -> Measure:
        gc.collect()
        self._cpu = time.process_time()
        self._wall = time.perf_counter()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        wall = time.perf_counter() - self._wall
        cpu = time.process_time() - self._cpu
        self.segment = Segment(self.variant, self.run, self.ops, cpu, wall)


def timed_segments(
    runs: int, variants: Mapping[str, Callable[[], object]], ops: int
) -> list[Segment]:
    """Time each variant's ``ops`` operations (one call of its function) in ``runs`` interleaved
    runs; each segment also records the voluntary context switches per operation of every thread
    of this process (``vcsw_per_op``: 1 per wait for a response, 2 more per hop to another thread
    and back, whatever else the machine runs)."""
    segments: list[Segment] = []
    for run, variant in interleaved(runs, list(variants)):
        switches = _voluntary_switches()
        with Measure(variant, run, ops) as m:
            variants[variant]()
        assert m.segment is not None
        m.segment.extra["vcsw_per_op"] = (_voluntary_switches() - switches) / ops
        segments.append(m.segment)
    return segments


def _voluntary_switches() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_nvcsw


async def drive(call: Callable[[], Awaitable[object]], total: int, concurrency: int) -> None:
    """Await ``call()`` ``total`` times with ``concurrency`` workers pulling from one counter."""
    remaining = total

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await call()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


def interleaved(runs: int, variants: Sequence[str]) -> Iterator[tuple[int, str]]:
    """``(run, variant)`` pairs; each run times every variant once, in the order of a balanced
    Latin square (Williams design).

    Over a full cycle of orders every variant runs in every position equally often and follows
    every other variant equally often, so neither a position nor what ran just before (a
    variant that leaves the heap or the caches in some state) favours one variant. A plain
    rotation would have the same variant precede the reference in every run.
    """
    orders = _balanced_orders(len(variants))
    for run in range(1, runs + 1):
        for index in orders[(run - 1) % len(orders)]:
            yield run, variants[index]


def _balanced_orders(count: int) -> list[list[int]]:
    """Williams' rows for ``count`` variants (``2 * count`` rows when ``count`` is odd)."""
    base: list[int] = []
    low, high = 0, count - 1
    for position in range(count):
        if position % 2 == 0:
            base.append(low)
            low += 1
        else:
            base.append(high)
            high -= 1
    # Relabelled so that the first row is the variants' own order (balance is kept).
    rank = {value: position for position, value in enumerate(base)}
    rows = [[rank[(value + shift) % count] for value in base] for shift in range(count)]
    if count % 2:
        rows += [row[::-1] for row in rows]
    return rows


# -- statistics and output --------------------------------------------------------------------


def _stats(values: Sequence[float]) -> dict[str, float]:
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "n": len(values),
    }


def _ratio(value: float, reference: float) -> float | None:
    return value / reference if reference else None


def summarise(
    segments: Sequence[Segment], reference: str, metrics: Sequence[str]
) -> dict[str, Any]:
    """Median and min-max of each metric per variant, each median's ratio to the reference's
    median (``ratios``), and the median of the per-run ratios (``paired``)."""
    variants: dict[str, list[Segment]] = {reference: []}  # the reference's row first
    for segment in sorted(segments, key=lambda s: s.run):  # then in the order of run 1
        variants.setdefault(segment.variant, []).append(segment)
    table: dict[str, dict[str, dict[str, float]]] = {
        name: {m: _stats([s.metric(m) for s in segs]) for m in metrics}
        for name, segs in variants.items()
    }
    ratios = {
        name: {m: _ratio(row[m]["median"], table[reference][m]["median"]) for m in metrics}
        for name, row in table.items()
    }
    paired = {
        name: {m: paired_ratio(segments, name, reference, m) for m in metrics} for name in table
    }
    return {"reference": reference, "variants": table, "ratios": ratios, "paired": paired}


def paired_ratio(
    segments: Sequence[Segment], variant: str, reference: str, metric: str
) -> float | None:
    """The median over runs of ``variant``'s metric over the reference's in the same run.

    Segments of one run are taken seconds apart, so a slow stretch of the machine (which moves
    a whole run's figures together) cancels out of each run's ratio; the ratio of the medians
    does not have that protection.
    """
    ratios = [
        ratio
        for value, base in _per_run(segments, variant, reference, metric)
        if (ratio := _ratio(value, base)) is not None
    ]
    return statistics.median(ratios) if ratios else None


def paired_difference(
    segments: Sequence[Segment], variant: str, reference: str, metric: str
) -> float | None:
    """The median over runs of ``variant``'s metric minus the reference's in the same run (the
    paired counterpart of the difference of the medians, for costs added per operation)."""
    differences = [value - base for value, base in _per_run(segments, variant, reference, metric)]
    return statistics.median(differences) if differences else None


def _per_run(
    segments: Sequence[Segment], variant: str, reference: str, metric: str
) -> list[tuple[float, float]]:
    """``(variant's value, reference's value)`` of every run that measured both."""
    runs: dict[int, dict[str, float]] = {}
    for segment in segments:
        if segment.variant in (variant, reference):
            runs.setdefault(segment.run, {})[segment.variant] = segment.metric(metric)
    return [
        (values[variant], values[reference])
        for values in runs.values()
        if variant in values and reference in values
    ]


_LABELS = {
    "cpu_us_per_op": ("client CPU µs/req", 1),
    "wall_us_per_op": ("wall µs/req", 1),
    "ops_per_s": ("req/s", 0),
}


def _label(metric: str) -> tuple[str, int]:
    return _LABELS.get(metric, (metric, 3))


def print_table(title: str, summary: dict[str, Any], metrics: Sequence[str]) -> None:
    """Print ``median [min-max] (ratio to reference, paired ratio)`` per variant and metric."""
    print(f"\n{title}  (reference: {summary['reference']})")
    for name, row in summary["variants"].items():
        parts = []
        for metric in metrics:
            label, digits = _label(metric)
            s = row[metric]
            ratio = summary["ratios"][name][metric]
            paired = summary.get("paired", {}).get(name, {}).get(metric)
            shown = "x-" if ratio is None else f"x{ratio:.2f}"
            if paired is not None and name != summary["reference"]:
                shown += f" (paired x{paired:.2f})"
            parts.append(
                f"{label} {s['median']:.{digits}f} [{s['min']:.{digits}f}-{s['max']:.{digits}f}]"
                f" {shown}"
            )
        print(f"  {name:<28} " + " | ".join(parts))


def check(label: str, value: float, op: str, target: float, unit: str = "") -> dict[str, Any]:
    """A target verdict (``op`` is ``"<="`` or ``">="``)."""
    met = value <= target if op == "<=" else value >= target
    return {
        "label": label,
        "value": round(value, 3),
        "op": op,
        "target": target,
        "unit": unit,
        "met": met,
    }


def print_checks(checks: Sequence[dict[str, Any]]) -> None:
    """Print target verdicts."""
    for c in checks:
        verdict = "MET" if c["met"] else "MISSED"
        print(
            f"  target {c['label']}: {c['value']}{c['unit']} {c['op']} {c['target']}{c['unit']}"
            f" -> {verdict}"
        )


def machine_info() -> dict[str, Any]:
    """Where and when the figures were taken."""
    import aiohttp

    cpu_model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = os.getloadavg()
    except OSError:
        load = (0.0, 0.0, 0.0)
    pinned = _can_pin()
    return {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "cpu_model": cpu_model,
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "aiohttp": aiohttp.__version__,
        "pinning": {"server_core": SERVER_CORE, "client_core": CLIENT_CORE} if pinned else None,
        "loadavg_at_end": [round(x, 2) for x in load],
        "network": "loopback (127.0.0.1)",
    }


def write_result(name: str, args: argparse.Namespace, payload: dict[str, Any]) -> Path:
    """Write ``benchmarks/results/<name>.json`` (machine info and settings included)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    document = {
        "benchmark": name,
        "machine": machine_info(),
        "runs": args.runs,
        "quick": args.quick,
        **payload,
    }
    path.write_text(json.dumps(document, indent=2, default=_jsonable) + "\n")
    print(f"  -> {path.relative_to(ROOT)}")
    return path


_IREFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def count_instructions(module: str, *worker_args: str) -> int:
    """User-space instructions of ``python -m <module> --worker <worker_args>`` (valgrind
    cachegrind, no cache simulation); raises ``RuntimeError`` with valgrind's output if it fails."""
    command = [
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=no",
        "--cachegrind-out-file=/dev/null",
        sys.executable,
        "-m",
        module,
        "--worker",
        *worker_args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    match = _IREFS.search(done.stderr)
    if done.returncode != 0 or match is None:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr[-2000:]}")
    return int(match.group(1).replace(",", ""))


def counted_main(
    name: str,
    description: str,
    argv: Sequence[str] | None,
    worker: Callable[[list[str]], None],
    bench: Callable[[bool], dict[str, Any]],
) -> None:
    """Entry point of a benchmark counted under valgrind: ``--worker <args>`` is the child process
    ``count_instructions`` starts (``worker`` gets the args); otherwise ``bench(quick)`` runs and
    its result is written, or a result saying it was skipped when valgrind is not installed."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["--worker"]:
        worker(arguments[1:])
        return
    args = parse_args(description, arguments)
    if shutil.which("valgrind") is None:
        print(f"{name}: skipped (valgrind is not installed)")
        write_result(name, args, {"skipped": "valgrind is not installed", "checks": []})
        return
    write_result(name, args, bench(args.quick))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Segment):
        return value.as_json()
    if isinstance(value, float):
        return round(value, 4)
    raise TypeError(type(value).__name__)
