"""Models of extracts (UI: extraction orders)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

# NOT_GIVEN / NotGiven live in ._base (shared by the services); this module was their first
# home, so they stay importable from here (explicit re-exports, not part of __all__).
from ._base import NOT_GIVEN as NOT_GIVEN
from ._base import Model, OpenEnum, enum_field
from ._base import NotGiven as NotGiven

__all__ = ["Extract", "ExtractStatus", "MigrateWideResult"]


class ExtractStatus(OpenEnum):
    """Extract status. Undocumented by the API: the reference's PROPOSAL values (UI states)."""

    ACTIVE = "active"
    SYNCING = "syncing"
    PAUSED = "paused"
    ERROR = "error"
    SUCCESS = "success"


#: Statuses that end a run: ``extracts.wait`` returns on the first, raises on the second.
EXTRACT_DONE = frozenset({ExtractStatus.SUCCESS.value})
#: A paused extract will not restart by itself, so ``paused`` ends a wait as a failure.
EXTRACT_FAILED = frozenset({ExtractStatus.ERROR.value, ExtractStatus.PAUSED.value})


@attrs.frozen(kw_only=True)
class Extract(Model):
    """An extract: connection + account(s) + template + settings + schedule -> a data table.

    Documented: ``id``, ``title``, ``connection_id``, ``account_id`` (string or number on the
    wire, kept as a string), ``account_name``, ``created_at``, ``last_sync``, ``status``,
    ``error_text``, ``schedules_limit``, ``sync_historical_data`` (backfill start date, ``None``
    if not set); ``account_entity_id`` and ``account_embedded_id`` (the embedded ``Account.id``)
    are nullable additions. Undocumented (PROPOSAL/INFERRED): ``data_table_id``,
    ``datasource_name``, ``template_id``, ``fields``, ``additional_params``,
    ``custom_settings``, ``schedules``.
    ``status`` is an open enum whose values are undocumented.
    """

    id: int
    title: str | None = None
    connection_id: int | None = None
    account_id: str | None = None
    account_name: str | None = None
    account_entity_id: str | None = None
    account_embedded_id: int | None = None
    created_at: dt.datetime | None = None
    last_sync: dt.datetime | None = None
    status: str | None = enum_field(ExtractStatus)
    error_text: str | None = None
    schedules_limit: int | None = None
    sync_historical_data: dt.date | None = None
    data_table_id: int | None = None
    datasource_name: str | None = None
    template_id: int | None = None
    fields: list[Any] | None = None
    additional_params: Mapping[str, Any] | None = None
    custom_settings: Any = None
    schedules: Any = None

    @property
    def is_paused(self) -> bool:
        """True when the extract is paused (it will not restart by itself)."""
        return self.status == ExtractStatus.PAUSED

    @property
    def is_terminal(self) -> bool:
        """True when ``extracts.wait`` would stop: ``success``, ``error`` or ``paused``."""
        status = str(self.status)
        return status in EXTRACT_DONE or status in EXTRACT_FAILED


@attrs.frozen(kw_only=True)
class MigrateWideResult(Model):
    """The outcome of a wide-report migration: a new extract (and data table), source paused.

    The response is undocumented: ``{"new_extract": ..., "source_extract": ...}`` is the
    reference's PROPOSAL; when the API answers with the new extract alone, ``source_extract``
    is ``None``.
    """

    new_extract: Extract
    source_extract: Extract | None = None
