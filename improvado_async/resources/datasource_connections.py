"""Data-source connections: the workspace's authorized connections to one data source."""

from __future__ import annotations

from ..config import Timeout
from ..models.connections import Connection
from ..pagination import AsyncPaginator
from ._base import Service
from ._validate import path_id, path_name

__all__ = ["DatasourceConnections"]


def _base_path(datasource_name: str) -> str:
    return f"/api/v3/datasources/{path_name(datasource_name, 'datasource_name')}/connections"


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
            _base_path(datasource_name),
            Connection,
            page=page,
            size=page_size,
            concurrency=concurrency,
            timeout=timeout,
        )

    async def delete(
        self, datasource_name: str, id: int, *, timeout: Timeout | None = None
    ) -> None:
        """Delete a connection: its accounts become inactive and its extracts are paused.

        ``DELETE /api/v3/datasources/{datasource_name}/connections/{id}``

        Raises:
            ValidationError: empty ``datasource_name`` or a non-integer ``id``.
            NotFoundError: no such connection of this data source in the workspace.
        """
        path = f"{_base_path(datasource_name)}/{path_id(id, 'id')}"
        await self._call("DELETE", path, timeout=timeout)
