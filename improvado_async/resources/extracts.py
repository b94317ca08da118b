"""Extracts (UI: extraction orders): create, change, run, pause and migrate to wide reports."""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .._transport.query import compact
from ..config import Timeout
from ..models._base import NOT_GIVEN, NotGiven
from ..models.extracts import EXTRACT_DONE, EXTRACT_FAILED, Extract, MigrateWideResult
from ..pagination import AsyncPaginator
from ._base import Extra, Operation, Service, declare, extra_of
from ._validate import csv_values, date_range, int_id, int_ids, iso_date, strings, text
from ._waiter import poll_until_terminal

__all__ = ["Extracts"]

LIST = declare("extracts.list", "GET", "/api/v3/extracts", paginated=True)
CREATE = declare("extracts.create", "POST", "/api/v3.1/extracts/")
GET = declare("extracts.get", "GET", "/api/v3/extracts/{extract_id}")
UPDATE = declare("extracts.update", "PUT", "/api/v3/extracts/{extract_id}")
PARTIAL_UPDATE = declare("extracts.partial_update", "PATCH", "/api/v3/extracts/{extract_id}")
RUN = declare("extracts.run", "POST", "/api/v3/extracts/{extract_id}/run")
PAUSE = declare("extracts.pause", "POST", "/api/v3/extracts/{extract_id}/pause")
UNPAUSE = declare("extracts.unpause", "POST", "/api/v3/extracts/{extract_id}/unpause")
MIGRATE_WIDE = declare("extracts.migrate_wide", "POST", "/api/v3/extracts/migrate-wide")


def _settings_body(
    fields: Sequence[str] | None,
    additional_params: Mapping[str, Any] | None,
    sync_historical_data: dt.date | str | NotGiven | None,
    schedules: Sequence[Mapping[str, Any]] | None,
) -> dict[str, Any]:
    body = compact(
        {
            "fields": None if fields is None else strings(fields, "fields"),
            "additional_params": additional_params,
            "schedules": None if schedules is None else list(schedules),
        }
    )
    # None is a real value here (JSON null clears the backfill date); only NOT_GIVEN omits it.
    if not isinstance(sync_historical_data, NotGiven):
        body["sync_historical_data"] = iso_date(sync_historical_data, "sync_historical_data")
    return body


class Extracts(Service):
    """The ``extracts`` area (workspace scope: Bearer token or cookie).

    The SDK names every id parameter ``<resource>_id`` (here ``extract_id``), whatever the
    API's reference calls it; creation is the API's only ``/api/v3.1/`` route.
    """

    def list(
        self,
        *,
        connection_id: int | str | Sequence[int] | None = None,
        datasource_name: str | Sequence[str] | None = None,
        data_table_id: int | str | Sequence[int] | None = None,
        page: int = 1,
        page_size: int | None = None,
        concurrency: int = 1,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncPaginator[Extract]:
        """List extracts, optionally filtered; each filter takes one value or a sequence.

        ``GET /api/v3/extracts``

        A filter may also be the API's own comma-separated string (``"reddit,facebook"``),
        sent as given.

        Args:
            connection_id: only extracts of these connections (sent comma-separated).
            datasource_name: only extracts of these data sources, e.g. ``["reddit", "facebook"]``.
            data_table_id: only extracts writing into these data tables.
            page: first page to fetch (1-based).
            page_size: items per page (1 to 100).
            concurrency: pages fetched at once when iterating past the first page.
            timeout: overrides the client's timeout for each page request.

        Raises:
            ValidationError: an empty or malformed filter, ``page`` or ``page_size`` out of
                range.
            APIStatusError: the API rejected a page request.
        """
        return self._paginate(
            LIST,
            Extract,
            params={
                "connection_id": csv_values(connection_id, "connection_id"),
                "datasource_name": csv_values(datasource_name, "datasource_name"),
                "data_table_id": csv_values(data_table_id, "data_table_id"),
            },
            page=page,
            size=page_size,
            concurrency=concurrency,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def create(
        self,
        *,
        data_table_title: str,
        template_id: int,
        accounts: Sequence[int],
        template_settings: Mapping[str, Any] | None = None,
        idempotent: bool = False,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> builtins.list[Extract]:  # the builtin: this class has a ``list`` method
        """Create extracts of a template for accounts of one connection, into a new data table.

        ``POST /api/v3.1/extracts/``

        The response shape is undocumented (one extract, or one per account): it is always
        returned as a list.

        Args:
            data_table_title: title of the data table that stores the results.
            template_id: the extraction template.
            accounts: embedded account ids (``Account.id``), at least one, all of one
                connection.
            template_settings: fields, custom settings and dynamic fields (the key name
                ``template_settings`` is the reference's PROPOSAL).
            idempotent: allow retrying this POST on timeouts and 5xx (may create duplicates).
            timeout: overrides the client's timeout.

        Raises:
            ValidationError: empty ``data_table_title`` or ``accounts``, non-integer ids
                (nothing is sent).
            BadRequestError: accounts of several connections, unknown accounts, or a template
                of another data source.
            NotFoundError: no such template.
        """
        body = compact(
            {
                "data_table_title": text(data_table_title, "data_table_title"),
                "template_id": int_id(template_id, "template_id"),
                "template_settings": template_settings,
                "accounts": int_ids(accounts, "accounts"),
            }
        )
        data = await self._call(
            CREATE,
            json=body,
            idempotent=idempotent,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
            require_answer=True,
        )
        return self._extract_list(data)

    async def get(
        self,
        extract_id: int,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Extract:
        """Get one extract.

        ``GET /api/v3/extracts/{extract_id}``

        Raises:
            ValidationError: non-integer ``extract_id``.
            NotFoundError: no such extract in this workspace.
        """
        return await self._call_model(
            GET,
            Extract,
            path={"extract_id": extract_id},
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def update(
        self,
        extract_id: int,
        *,
        fields: Sequence[str] | None = None,
        additional_params: Mapping[str, Any] | None = None,
        sync_historical_data: dt.date | str | NotGiven | None = NOT_GIVEN,
        schedules: Sequence[Mapping[str, Any]] | None = None,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Extract:
        """Replace an extract's fields, additional parameters, backfill date and schedules.

        ``PUT /api/v3/extracts/{extract_id}``

        Arguments left at their default are not sent. ``sync_historical_data=None`` is sent as
        JSON ``null`` (clears the backfill date); leave it at ``NOT_GIVEN`` to omit it.

        Args:
            extract_id: the extract id.
            fields: field names to extract.
            additional_params: extra settings, e.g. ``{"time_granularity": ...}``.
            sync_historical_data: backfill start (``date`` or ``YYYY-MM-DD``), ``None`` to
                clear it, or ``NOT_GIVEN`` to leave it out.
            schedules: extraction schedules (the key name ``schedules`` is undocumented).
            timeout: overrides the client's timeout.

        Raises:
            ValidationError: empty ``fields``, a malformed date or non-integer ``extract_id``
                (nothing is sent).
            NotFoundError: no such extract in this workspace.
            BadRequestError: the API rejected the values (e.g. backfill on a lifetime
                template).
        """
        body = _settings_body(fields, additional_params, sync_historical_data, schedules)
        return await self._call_model(
            UPDATE,
            Extract,
            path={"extract_id": extract_id},
            json=body,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
            read_back=lambda: self.get(extract_id, timeout=timeout),
        )

    async def partial_update(
        self,
        extract_id: int,
        *,
        fields: Sequence[str] | None = None,
        additional_params: Mapping[str, Any] | None = None,
        sync_historical_data: dt.date | str | NotGiven | None = NOT_GIVEN,
        schedules: Sequence[Mapping[str, Any]] | None = None,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Extract:
        """Change only the given settings of an extract.

        ``PATCH /api/v3/extracts/{extract_id}``

        Only the arguments given are sent. ``sync_historical_data=None`` is sent as JSON
        ``null`` (clears the backfill date); leave it at ``NOT_GIVEN`` to omit it.

        Args:
            extract_id: the extract id.
            fields: field names to extract.
            additional_params: extra settings, e.g. ``{"time_granularity": ...}``.
            sync_historical_data: backfill start (``date`` or ``YYYY-MM-DD``), ``None`` to
                clear it, or ``NOT_GIVEN`` to leave it unchanged.
            schedules: extraction schedules (the key name ``schedules`` is undocumented).
            timeout: overrides the client's timeout.

        Raises:
            ValidationError: empty ``fields``, a malformed date or non-integer ``extract_id``
                (nothing is sent).
            NotFoundError: no such extract in this workspace.
            BadRequestError: the API rejected the values.
        """
        body = _settings_body(fields, additional_params, sync_historical_data, schedules)
        return await self._call_model(
            PARTIAL_UPDATE,
            Extract,
            path={"extract_id": extract_id},
            json=body,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
            read_back=lambda: self.get(extract_id, timeout=timeout),
        )

    async def run(
        self,
        extract_id: int,
        *,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Extract:
        """Run an extract now, optionally for a date range.

        ``POST /api/v3/extracts/{extract_id}/run``

        The body (``date_from``/``date_to``) and the response are undocumented (PROPOSAL); when
        the answer is not an extract, the extract is read back.

        Args:
            extract_id: the extract id.
            date_from: first day (``date`` or ``YYYY-MM-DD``); requires ``date_to``.
            date_to: last day; requires ``date_from``.
            timeout: overrides the client's timeout.

        Raises:
            ValidationError: only one of the dates, a malformed date, or ``date_from`` after
                ``date_to`` (nothing is sent).
            NotFoundError: no such extract in this workspace.
        """
        start, end = date_range(date_from, date_to)
        body = {"date_from": start, "date_to": end} if start is not None else None
        extra = extra_of(extra_headers, extra_query, extra_body)
        return await self._state_change(RUN, extract_id, body, timeout, extra)

    async def pause(
        self,
        extract_id: int,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Extract:
        """Pause an extract (it stays paused until unpaused).

        ``POST /api/v3/extracts/{extract_id}/pause``

        Raises:
            ValidationError: non-integer ``extract_id``.
            NotFoundError: no such extract in this workspace.
        """
        extra = extra_of(extra_headers, extra_query, extra_body)
        return await self._state_change(PAUSE, extract_id, None, timeout, extra)

    async def unpause(
        self,
        extract_id: int,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Extract:
        """Resume a paused extract.

        ``POST /api/v3/extracts/{extract_id}/unpause``

        Raises:
            ValidationError: non-integer ``extract_id``.
            NotFoundError: no such extract in this workspace.
        """
        extra = extra_of(extra_headers, extra_query, extra_body)
        return await self._state_change(UNPAUSE, extract_id, None, timeout, extra)

    async def migrate_wide(
        self,
        *,
        extract_id: int,
        fields: Sequence[str] | None = None,
        data_table_title: str | None = None,
        template_settings: Mapping[str, Any] | None = None,
        idempotent: bool = False,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> MigrateWideResult:
        """Change a wide-report extract's dimensions without losing data.

        ``POST /api/v3/extracts/migrate-wide``

        Creates a new extract with a new data table and pauses the source extract, whose data
        stays queryable; settings left out are copied from the source. The body and response
        are undocumented (PROPOSAL): see :class:`MigrateWideResult`.

        Args:
            extract_id: the source extract.
            fields: the new dimension and metric set.
            data_table_title: title of the new data table.
            template_settings: other settings to change.
            idempotent: allow retrying this POST on timeouts and 5xx (may create duplicates).
            timeout: overrides the client's timeout.

        Raises:
            ValidationError: non-integer ``extract_id``, empty ``fields`` or title (nothing
                is sent).
            BadRequestError: not a wide-report extract, or invalid fields.
            NotFoundError: no such extract in this workspace.
        """
        body = compact(
            {
                "extract_id": int_id(extract_id, "extract_id"),
                "fields": None if fields is None else strings(fields, "fields"),
                "data_table_title": (
                    None if data_table_title is None else text(data_table_title, "data_table_title")
                ),
                "template_settings": template_settings,
            }
        )
        data = await self._call(
            MIGRATE_WIDE,
            json=body,
            idempotent=idempotent,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
            require_answer=True,
        )
        return self._migration(data)

    async def wait(
        self,
        extract_id: int,
        *,
        max_wait: float | None = 600.0,
        poll_interval: float = 1.0,
        max_poll_interval: float = 15.0,
        on_progress: Callable[[Extract], object] | None = None,
        timeout: Timeout | None = None,
    ) -> Extract:
        """Poll an extract until its run finishes and return the final extract.

        Polls ``GET /api/v3/extracts/{extract_id}`` with back-off (``poll_interval`` growing by
        half up to ``max_poll_interval``). ``success`` is done; ``error`` and ``paused`` are
        failures; :attr:`Extract.is_terminal` says the same. The status enum is undocumented:
        these are the reference's PROPOSAL values, so call this after :meth:`run` (whose answer
        is ``syncing``).

        Args:
            extract_id: the extract to watch.
            max_wait: seconds to wait in all (``None``: no limit).
            poll_interval: first delay between polls, in seconds.
            max_poll_interval: largest delay between polls.
            on_progress: called with every extract fetched.
            timeout: the time limits of each poll request (as on every method).

        Raises:
            RunFailedError: the run ended in ``error`` (``error_text`` holds the API's text).
            WaitTimeoutError: ``max_wait`` passed first (``last`` holds the last extract seen).
            NotFoundError: no such extract in this workspace.
        """
        return await poll_until_terminal(
            lambda: self.get(extract_id, timeout=timeout),
            status_of=lambda extract: extract.status,
            done=EXTRACT_DONE,
            failed=EXTRACT_FAILED,
            error_text_of=lambda extract: extract.error_text,
            label=f"extract {extract_id}",
            max_wait=max_wait,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            on_progress=on_progress,
        )

    async def _state_change(
        self,
        operation: Operation,
        extract_id: int,
        body: Any,
        timeout: Timeout | None,
        extra: Extra | None,
    ) -> Extract:
        return await self._call_model(
            operation,
            Extract,
            path={"extract_id": extract_id},
            json=body,
            timeout=timeout,
            extra=extra,
            read_back=lambda: self.get(extract_id, timeout=timeout),
        )

    def _extract_list(self, data: Any) -> builtins.list[Extract]:
        # Undocumented: one object, or one extract per account; both become a list.
        items = data if isinstance(data, builtins.list) else [data]
        return [self._structure(item, Extract) for item in items]

    def _migration(self, data: Any) -> MigrateWideResult:
        # Undocumented: {new_extract, source_extract} (PROPOSAL) or the new extract alone.
        if isinstance(data, Mapping) and "new_extract" in data:
            return self._structure(data, MigrateWideResult)
        return MigrateWideResult(new_extract=self._structure(data, Extract))
