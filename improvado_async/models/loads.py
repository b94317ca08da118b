"""Models of loads: moving a data table into a destination connection."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from ._base import Model, OpenEnum, enum_field

__all__ = ["LOAD_DONE", "LOAD_FAILED", "Load", "LoadDataTable", "LoadStatus", "RunPolicy"]


class LoadStatus(OpenEnum):
    """Load status. The enum is undocumented: these are the reference's PROPOSAL values."""

    ACTIVE = "active"
    RUNNING = "running"
    PAUSED = "paused"
    ERROR = "error"
    SUCCESS = "success"


#: Statuses that end a run: ``loads.wait`` returns on the first, raises on the second.
LOAD_DONE = frozenset({LoadStatus.SUCCESS.value})
#: A paused load does not finish its run, so ``paused`` ends a wait as a failure.
LOAD_FAILED = frozenset({LoadStatus.ERROR.value, LoadStatus.PAUSED.value})


class RunPolicy(OpenEnum):
    """Load run policy. Undocumented by the API: suggested vocabulary only, any string is sent."""

    AFTER_EXTRACTION = "after_extraction"
    SCHEDULE = "schedule"
    MANUAL = "manual"


@attrs.frozen(kw_only=True)
class LoadDataTable(Model):
    """The data table nested in a load (key name ``data_table`` is the reference's PROPOSAL)."""

    id: int
    title: str | None = None
    datasource_name: str | None = None


@attrs.frozen(kw_only=True)
class Load(Model):
    """A load (UI: load order). Status and run policy are open enums (unknown values kept)."""

    id: int
    data_table: LoadDataTable | None = None
    data_table_id: int | None = None
    destination_connection_id: int | None = None
    destination_name: str | None = None
    destination_table: str | None = None
    run_policy: str | None = enum_field(RunPolicy)
    status: str | None = enum_field(LoadStatus)
    last_update: dt.datetime | None = None
    error_text: str | None = None
    uploaded_rows_count: int | None = None
    created_at: dt.datetime | None = None
    schedule: Any = None

    @property
    def is_terminal(self) -> bool:
        """True when ``loads.wait`` would stop: ``success``, ``error`` or ``paused``."""
        status = str(self.status)
        return status in LOAD_DONE or status in LOAD_FAILED
