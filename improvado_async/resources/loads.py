"""Loads: move a data table into a destination connection, on a schedule or on demand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from .._transport.query import compact
from ..config import Timeout
from ..models._base import NOT_GIVEN, NotGiven
from ..models.loads import LOAD_DONE, LOAD_FAILED, Load
from ..pagination import AsyncPaginator
from ._base import Extra, Operation, Service, declare, extra_of
from ._validate import date_range
from ._waiter import poll_until_terminal

__all__ = ["Loads"]

LIST = declare("loads.list", "GET", "/api/v3/loads", paginated=True)
CREATE = declare("loads.create", "POST", "/api/v3/loads")
GET = declare("loads.get", "GET", "/api/v3/loads/{load_id}")
UPDATE = declare("loads.update", "PUT", "/api/v3/loads/{load_id}")
DELETE = declare("loads.delete", "DELETE", "/api/v3/loads/{load_id}")
PAUSE = declare("loads.pause", "PUT", "/api/v3/loads/{load_id}/pause")
UNPAUSE = declare("loads.unpause", "PUT", "/api/v3/loads/{load_id}/unpause")
RUN = declare("loads.run", "PUT", "/api/v3/loads/{load_id}/run")


class Loads(Service):
    """The ``loads`` area (workspace scope: Bearer token or cookie)."""

    def list(
        self,
        *,
        data_table_id: int | None = None,
        destination_connection_id: int | None = None,
        destination_name: str | None = None,
        page: int = 1,
        page_size: int | None = None,
        concurrency: int = 1,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncPaginator[Load]:
        """List loads, optionally filtered.

        ``GET /api/v3/loads``

        Args:
            data_table_id: only loads of this data table.
            destination_connection_id: only loads into this destination connection.
            destination_name: only loads into this destination type (e.g. ``bigquery``).
            page: first page to fetch (1-based).
            page_size: items per page (1 to 100).
            concurrency: pages fetched at once when iterating past the first page.
            timeout: overrides the client's timeout for each page request.

        Raises:
            ValidationError: ``page`` or ``page_size`` out of range.
            APIStatusError: the API rejected a page request.
        """
        return self._paginate(
            LIST,
            Load,
            params={
                "data_table_id": data_table_id,
                "destination_connection_id": destination_connection_id,
                "destination_name": destination_name,
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
        data_table_id: int,
        destination_connection_id: int,
        destination_table: str | None = None,
        run_policy: str | None = None,
        load_historical_data: bool | None = None,
        idempotent: bool = False,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Load:
        """Create a load from a data table into a destination connection.

        ``POST /api/v3/loads``

        Args:
            data_table_id: the source data table.
            destination_connection_id: the target destination connection.
            destination_table: table name in the destination.
            run_policy: when the load runs (undocumented enum; see :class:`RunPolicy`).
            load_historical_data: load existing history on the first run (type undocumented;
                sent as a boolean).
            idempotent: allow retrying this POST on timeouts and 5xx (may create duplicates).
            timeout: overrides the client's timeout.

        Raises:
            BadRequestError: unknown data table or destination connection.
        """
        body = compact(
            {
                "data_table_id": data_table_id,
                "destination_connection_id": destination_connection_id,
                "destination_table": destination_table,
                "run_policy": run_policy,
                "load_historical_data": load_historical_data,
            }
        )
        return await self._call_model(
            CREATE,
            Load,
            json=body,
            idempotent=idempotent,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def get(
        self,
        load_id: int,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Load:
        """Get one load.

        ``GET /api/v3/loads/{load_id}``

        Raises:
            NotFoundError: no such load in this workspace.
        """
        return await self._call_model(
            GET,
            Load,
            path={"load_id": load_id},
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def update(
        self,
        load_id: int,
        *,
        run_policy: str | None = None,
        schedule: Mapping[str, Any] | NotGiven | None = NOT_GIVEN,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Load:
        """Update a load's run policy or schedule (body fields are the reference's PROPOSAL).

        ``PUT /api/v3/loads/{load_id}``

        Arguments left at their default are not sent. ``schedule=None`` is sent as JSON
        ``null`` and clears the load's schedule; leave it at ``NOT_GIVEN`` to keep it unchanged.

        Args:
            load_id: the load id.
            run_policy: when the load runs (undocumented enum; see :class:`RunPolicy`); ``None``
                leaves it unchanged.
            schedule: the new schedule (a JSON object, e.g. ``{"period": "daily", "time":
                "04:00"}``), ``None`` to clear it, or ``NOT_GIVEN`` to leave it unchanged.
            timeout: overrides the client's timeout.

        Raises:
            NotFoundError: no such load in this workspace.
            BadRequestError: the API rejected the values.
        """
        body = compact({"run_policy": run_policy})
        # None is a real value here (JSON null clears the schedule); only NOT_GIVEN omits it.
        if not isinstance(schedule, NotGiven):
            body["schedule"] = schedule
        return await self._call_model(
            UPDATE,
            Load,
            path={"load_id": load_id},
            json=body,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
            read_back=lambda: self.get(load_id, timeout=timeout),
        )

    async def delete(
        self,
        load_id: int,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> None:
        """Delete a load.

        ``DELETE /api/v3/loads/{load_id}``

        Raises:
            NotFoundError: no such load in this workspace.
        """
        await self._call(
            DELETE,
            path={"load_id": load_id},
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def pause(
        self,
        load_id: int,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Load:
        """Pause a load.

        ``PUT /api/v3/loads/{load_id}/pause``

        Raises:
            NotFoundError: no such load in this workspace.
        """
        extra = extra_of(extra_headers, extra_query, extra_body)
        return await self._state_change(PAUSE, load_id, None, timeout, extra)

    async def unpause(
        self,
        load_id: int,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Load:
        """Resume a paused load.

        ``PUT /api/v3/loads/{load_id}/unpause``

        Raises:
            NotFoundError: no such load in this workspace.
        """
        extra = extra_of(extra_headers, extra_query, extra_body)
        return await self._state_change(UNPAUSE, load_id, None, timeout, extra)

    async def run(
        self,
        load_id: int,
        *,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Load:
        """Run a load now, optionally for a date range (ignored by loads "by accounts").

        ``PUT /api/v3/loads/{load_id}/run``

        Args:
            load_id: the load id.
            date_from: first day (``date`` or ``YYYY-MM-DD``); requires ``date_to``.
            date_to: last day; requires ``date_from``.
            timeout: overrides the client's timeout.

        Raises:
            ValidationError: only one of the dates, a malformed date, or ``date_from`` after
                ``date_to`` (nothing is sent).
            NotFoundError: no such load in this workspace.
        """
        start, end = date_range(date_from, date_to)
        body = {"date_from": start, "date_to": end} if start is not None else None
        extra = extra_of(extra_headers, extra_query, extra_body)
        return await self._state_change(RUN, load_id, body, timeout, extra)

    async def wait(
        self,
        load_id: int,
        *,
        max_wait: float | None = 600.0,
        poll_interval: float = 1.0,
        max_poll_interval: float = 15.0,
        on_progress: Callable[[Load], object] | None = None,
        timeout: Timeout | None = None,
    ) -> Load:
        """Poll a load until its run finishes and return the final load.

        Polls ``GET /api/v3/loads/{load_id}`` with back-off (``poll_interval`` growing by half up
        to ``max_poll_interval``). ``success`` is done; ``error`` and ``paused`` are failures (a
        paused load does not finish its run); :attr:`Load.is_terminal` says the same. The status
        enum is undocumented: these are the reference's PROPOSAL values.

        Args:
            load_id: the load to watch.
            max_wait: seconds to wait in all (``None``: no limit).
            poll_interval: first delay between polls, in seconds.
            max_poll_interval: largest delay between polls.
            on_progress: called with every load fetched (e.g. to print progress).
            timeout: the time limits of each poll request (as on every method).

        Raises:
            RunFailedError: the run ended in ``error`` (``error_text`` holds the API's text).
            WaitTimeoutError: ``max_wait`` passed first (``last`` holds the last load seen).
            NotFoundError: no such load in this workspace.
        """
        return await poll_until_terminal(
            lambda: self.get(load_id, timeout=timeout),
            status_of=lambda load: load.status,
            done=LOAD_DONE,
            failed=LOAD_FAILED,
            error_text_of=lambda load: load.error_text,
            label=f"load {load_id}",
            max_wait=max_wait,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            on_progress=on_progress,
        )

    async def _state_change(
        self,
        operation: Operation,
        load_id: int,
        body: Any,
        timeout: Timeout | None,
        extra: Extra | None,
    ) -> Load:
        return await self._call_model(
            operation,
            Load,
            path={"load_id": load_id},
            json=body,
            timeout=timeout,
            extra=extra,
            read_back=lambda: self.get(load_id, timeout=timeout),
        )
