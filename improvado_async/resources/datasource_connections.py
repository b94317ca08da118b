"""Data-source connections: the workspace's authorized connections to one data source."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config import Timeout
from ..models.connections import Connection
from ..pagination import AsyncPaginator
from ._base import Service, declare, extra_of

__all__ = ["DatasourceConnections"]

LIST = declare(
    "datasource_connections.list",
    "GET",
    "/api/v3/datasources/{datasource_name}/connections",
    paginated=True,
)
DELETE = declare(
    "datasource_connections.delete",
    "DELETE",
    "/api/v3/datasources/{datasource_name}/connections/{connection_id}",
)


class DatasourceConnections(Service):
    """The ``datasource_connections`` area (workspace scope: Bearer token or cookie).

    Connections are created by end users in the iframe UI or through external auth links;
    the API has no create operation.
    """

    def list(
        self,
        datasource_name: str,
        *,
        page: int = 1,
        page_size: int | None = None,
        concurrency: int = 1,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncPaginator[Connection]:
        """List the workspace's connections to one data source.

        ``GET /api/v3/datasources/{datasource_name}/connections``

        Args:
            datasource_name: the data source (e.g. ``facebook``).
            page: first page to fetch (1-based).
            page_size: items per page (1 to 100).
            concurrency: pages fetched at once when iterating past the first page.
            timeout: overrides the client's timeout for each page request.

        Raises:
            ValidationError: empty ``datasource_name``, or ``page``/``page_size`` out of range.
            NotFoundError: unknown data source.
        """
        return self._paginate(
            LIST,
            Connection,
            path={"datasource_name": datasource_name},
            page=page,
            size=page_size,
            concurrency=concurrency,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def delete(
        self,
        datasource_name: str,
        connection_id: int,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> None:
        """Delete a connection: its accounts become inactive and its extracts are paused.

        ``DELETE /api/v3/datasources/{datasource_name}/connections/{connection_id}``

        Raises:
            ValidationError: empty ``datasource_name`` or a non-integer ``connection_id``.
            NotFoundError: no such connection of this data source in the workspace.
        """
        path = {"datasource_name": datasource_name, "connection_id": connection_id}
        await self._call(
            DELETE,
            path=path,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )
