"""Data tables: the tables extracts fill and loads deliver, and their field selection."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..config import Timeout
from ..models.data_tables import DataTable
from ..pagination import AsyncPaginator
from ._base import Service, declare, extra_of
from ._validate import strings

__all__ = ["DataTables"]

LIST = declare("data_tables.list", "GET", "/api/v3/data-tables", paginated=True)
GET = declare("data_tables.get", "GET", "/api/v3/data-tables/{data_table_id}")
UPDATE = declare("data_tables.update", "PUT", "/api/v3/data-tables/{data_table_id}")


class DataTables(Service):
    """The ``data_tables`` area (workspace scope: Bearer token or cookie).

    A table's schema is its provider fields plus the system fields ``account_id``,
    ``account_name`` and ``__insert_date`` (see :data:`SYSTEM_FIELDS`).
    """

    def list(
        self,
        *,
        page: int = 1,
        page_size: int | None = None,
        concurrency: int = 1,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncPaginator[DataTable]:
        """List the workspace's data tables.

        ``GET /api/v3/data-tables``

        Args:
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
            DataTable,
            page=page,
            size=page_size,
            concurrency=concurrency,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def get(
        self,
        data_table_id: int,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> DataTable:
        """Get a data table with its complete schema, system fields included.

        ``GET /api/v3/data-tables/{data_table_id}``

        Raises:
            ValidationError: non-integer ``data_table_id``.
            NotFoundError: no such data table in this workspace.
        """
        return await self._call_model(
            GET,
            DataTable,
            path={"data_table_id": data_table_id},
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def update(
        self,
        data_table_id: int,
        *,
        selected_fields: Sequence[str],
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> DataTable:
        """Set which fields the table delivers; every field not listed is deselected.

        ``PUT /api/v3/data-tables/{data_table_id}``

        Applies to the table, so to ALL its loads. Dimension fields cannot be deselected.

        Args:
            data_table_id: the data table.
            selected_fields: the full list of field names to deliver, at least one.
            timeout: overrides the client's timeout.

        Raises:
            ValidationError: empty ``selected_fields``, a non-string name or a non-integer
                ``data_table_id`` (nothing is sent).
            BadRequestError: a dimension field would be deselected.
            NotFoundError: no such data table in this workspace.
        """
        body = {"selected_fields": strings(selected_fields, "selected_fields")}
        return await self._call_model(
            UPDATE,
            DataTable,
            path={"data_table_id": data_table_id},
            json=body,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
            read_back=lambda: self.get(data_table_id, timeout=timeout),
        )
