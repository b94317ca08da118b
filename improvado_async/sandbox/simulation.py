"""Simulated asynchronous work (load runs) driven by background tasks and ``time_scale``."""

from __future__ import annotations

import asyncio
import random
from datetime import date, timedelta

from .clock import utc_now
from .context import SandboxContext
from .records import Load

LOAD_RUN_SECONDS = 2.0
DEFAULT_WINDOW_DAYS = 30


def default_window(today: date | None = None) -> tuple[date, date]:
    """The schedule window a run without dates covers: the last 30 days up to today."""
    end = today or utc_now().date()
    return end - timedelta(days=DEFAULT_WINDOW_DAYS - 1), end


def rows_for_run(seed: int, load_id: int, date_from: date, date_to: date) -> int:
    """Deterministic uploaded-row count: a per-load daily volume times the number of days."""
    days = (date_to - date_from).days + 1
    # String seeds hash deterministically (unlike hash()), so counts are stable across runs.
    daily = random.Random(f"{seed}:load:{load_id}").randint(50, 500)
    return daily * days


def start_load_run(ctx: SandboxContext, load: Load, window: tuple[date, date] | None) -> None:
    """Mark ``load`` running and schedule its completion."""
    load.run_generation += 1
    load.status = "running"
    load.error_text = None
    load.last_run_range = window or default_window()
    ctx.tasks.spawn(_finish_load_run(ctx, load, load.run_generation))


async def _finish_load_run(ctx: SandboxContext, load: Load, generation: int) -> None:
    await asyncio.sleep(ctx.scaled(LOAD_RUN_SECONDS))
    # A newer run, a pause or a delete supersedes this run: leave the load alone.
    if load.run_generation != generation or load.status != "running":
        return
    if ctx.state.load_rows.get(load.workspace_id, load.id) is None:
        return
    assert load.last_run_range is not None
    load.status = "success"
    load.uploaded_rows_count = rows_for_run(ctx.seed, load.id, *load.last_run_range)
    load.last_update = utc_now()
