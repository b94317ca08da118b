"""Simulated asynchronous work (load runs) driven by background tasks and ``time_scale``."""

from __future__ import annotations

import asyncio
import random
from datetime import date, timedelta

from .clock import utc_now
from .context import SandboxContext
from .events import emit
from .records import AutomatedRecipe, Extract, Load

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
    emit(ctx, load.workspace_id, "load_started", _load_data(load))
    ctx.tasks.spawn(_finish_load_run(ctx, load, load.run_generation))


def _load_data(load: Load) -> dict[str, str]:
    return {"load_id": str(load.id), "data_table_id": str(load.data_table_id)}


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
    emit(ctx, load.workspace_id, "load_completed", _load_data(load))


EXTRACT_RUN_SECONDS = 3.0


def start_extract_run(
    ctx: SandboxContext, extract: Extract, window: tuple[date, date] | None
) -> None:
    """Mark ``extract`` syncing and schedule its completion (which triggers table loads)."""
    extract.run_generation += 1
    extract.status = "syncing"
    extract.error_text = None
    extract.last_run_range = window or default_window()
    ctx.tasks.spawn(_finish_extract_run(ctx, extract, extract.run_generation))


async def _finish_extract_run(ctx: SandboxContext, extract: Extract, generation: int) -> None:
    await asyncio.sleep(ctx.scaled(EXTRACT_RUN_SECONDS))
    if extract.run_generation != generation or extract.status != "syncing":
        return
    now = utc_now()
    extract.status = "success"
    extract.last_sync = now
    table = ctx.state.data_table_rows.get(extract.workspace_id, extract.data_table_id)
    if table is None:
        return
    table.updated_at = now
    # Loads with the "after_extraction" policy follow every successful extraction.
    for load in ctx.state.loads(extract.workspace_id):
        follows = load.data_table_id == table.id and load.run_policy == "after_extraction"
        if follows and load.status in ("active", "success", "error"):
            start_load_run(ctx, load, extract.last_run_range)


RECIPE_BUILD_SECONDS = 3.0


def start_recipe_build(ctx: SandboxContext, recipe: AutomatedRecipe) -> None:
    """Mark ``recipe`` building and schedule it to become ``built``."""
    recipe.build_generation += 1
    recipe.state = "building"
    recipe.error_text = None
    emit(ctx, recipe.workspace_id, "transformation_started", {"recipe_id": str(recipe.id)})
    ctx.tasks.spawn(_finish_recipe_build(ctx, recipe, recipe.build_generation))


async def _finish_recipe_build(
    ctx: SandboxContext, recipe: AutomatedRecipe, generation: int
) -> None:
    await asyncio.sleep(ctx.scaled(RECIPE_BUILD_SECONDS))
    if recipe.build_generation != generation or recipe.state != "building":
        return
    recipe.state = "built"
    recipe.last_build_at = recipe.updated_at = utc_now()
    emit(ctx, recipe.workspace_id, "transformation_completed", {"recipe_id": str(recipe.id)})
