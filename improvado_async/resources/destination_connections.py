"""Destination connections: credentials and target settings for one destination."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._transport.query import compact
from ..config import Timeout
from ..errors import ValidationError
from ..models.destinations import DestinationConnection
from ..pagination import AsyncPaginator
from ._base import Service, declare, extra_of

__all__ = ["DestinationConnections"]

LIST = declare(
    "destination_connections.list",
    "GET",
    "/api/v3/destinations/{destination_name}/connections",
    paginated=True,
)
CREATE = declare(
    "destination_connections.create", "POST", "/api/v3/destinations/{destination_name}/connections"
)
GET = declare(
    "destination_connections.get",
    "GET",
    "/api/v3/destinations/{destination_name}/connections/{destination_connection_id}",
)
UPDATE = declare(
    "destination_connections.update",
    "PATCH",
    "/api/v3/destinations/{destination_name}/connections/{destination_connection_id}",
)
REAUTHORIZE = declare(
    "destination_connections.reauthorize",
    "PUT",
    "/api/v3/destinations/{destination_name}/connections/{destination_connection_id}",
)
RECHECK = declare(
    "destination_connections.recheck",
    "PUT",
    "/api/v3/destinations/{destination_name}/connections/{destination_connection_id}/recheck",
)


def _path(destination_name: str, destination_connection_id: int) -> dict[str, object]:
    return {
        "destination_name": destination_name,
        "destination_connection_id": destination_connection_id,
    }


def _params(value: object, name: str) -> Mapping[str, Any]:
    """Connection parameters must be a JSON object (destination-specific keys)."""
    if not isinstance(value, Mapping):
        raise ValidationError(name, f"must be a mapping, got {type(value).__name__}")
    return value


class DestinationConnections(Service):
    """The ``destination_connections`` area (workspace scope: Bearer token or cookie)."""

    def list(
        self,
        destination_name: str,
        *,
        page: int = 1,
        page_size: int | None = None,
        concurrency: int = 1,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncPaginator[DestinationConnection]:
        """List the workspace's connections to one destination.

        ``GET /api/v3/destinations/{destination_name}/connections``

        Args:
            destination_name: the destination type (e.g. ``bigquery``).
            page: first page to fetch (1-based).
            page_size: items per page (1 to 100).
            concurrency: pages fetched at once when iterating past the first page.
            timeout: overrides the client's timeout for each page request.

        Raises:
            ValidationError: empty ``destination_name``, or ``page``/``page_size`` out of range.
            APIStatusError: the API rejected a page request.
        """
        return self._paginate(
            LIST,
            DestinationConnection,
            path={"destination_name": destination_name},
            page=page,
            size=page_size,
            concurrency=concurrency,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def create(
        self,
        destination_name: str,
        *,
        title: str,
        connections_params: Mapping[str, Any],
        create_load_for_new_tables: bool | None = None,
        idempotent: bool = False,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> DestinationConnection:
        """Create a connection to a destination.

        ``POST /api/v3/destinations/{destination_name}/connections``

        The API spells the parameters key ``conenctions_params`` (sic); the SDK sends that
        spelling, and repeats ``destination_name`` in the body as documented.

        Args:
            destination_name: the destination type (e.g. ``bigquery``).
            title: the connection title.
            connections_params: destination-specific connection parameters and credentials.
            create_load_for_new_tables: create a load for every new data table automatically.
            idempotent: allow retrying this POST on timeouts and 5xx (may create duplicates).
            timeout: overrides the client's timeout.

        Raises:
            ValidationError: empty ``destination_name`` or ``title``, or ``connections_params``
                not a mapping (nothing is sent).
            BadRequestError: the API rejected the parameters (or the destination limit is hit).
        """
        body = compact(
            {
                "title": _title(title),
                "create_load_for_new_tables": create_load_for_new_tables,
                "destination_name": destination_name,
                "conenctions_params": _params(connections_params, "connections_params"),
            }
        )
        return await self._call_model(
            CREATE,
            DestinationConnection,
            path={"destination_name": destination_name},
            json=body,
            idempotent=idempotent,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def get(
        self,
        destination_name: str,
        destination_connection_id: int,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> DestinationConnection:
        """Get one destination connection.

        ``GET /api/v3/destinations/{destination_name}/connections/{destination_connection_id}``

        Raises:
            ValidationError: empty ``destination_name`` or a non-integer
                ``destination_connection_id``.
            NotFoundError: no such destination connection in this workspace.
        """
        path = _path(destination_name, destination_connection_id)
        return await self._call_model(
            GET,
            DestinationConnection,
            path=path,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def update(
        self,
        destination_name: str,
        destination_connection_id: int,
        *,
        title: str | None = None,
        create_load_for_new_tables: bool | None = None,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> DestinationConnection:
        """Rename a destination connection or change its automated-load setting.

        ``PATCH /api/v3/destinations/{destination_name}/connections/{destination_connection_id}``

        The body is undocumented: ``title`` and ``create_load_for_new_tables`` are the
        reference's PROPOSAL; only the arguments given are sent.

        Raises:
            ValidationError: empty ``destination_name`` or ``title``, or a non-integer
                ``destination_connection_id``.
            NotFoundError: no such destination connection in this workspace.
        """
        body = compact(
            {
                "title": None if title is None else _title(title),
                "create_load_for_new_tables": create_load_for_new_tables,
            }
        )
        path = _path(destination_name, destination_connection_id)
        return await self._call_model(
            UPDATE,
            DestinationConnection,
            path=path,
            json=body,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
            read_back=lambda: self.get(
                destination_name, destination_connection_id, timeout=timeout
            ),
        )

    async def reauthorize(
        self,
        destination_name: str,
        destination_connection_id: int,
        *,
        title: str,
        connection_params: Mapping[str, Any],
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> DestinationConnection:
        """Re-authorize a destination connection with new connection parameters.

        ``PUT /api/v3/destinations/{destination_name}/connections/{destination_connection_id}``

        Unlike ``create``, this operation spells the key ``connection_params`` correctly.

        Args:
            destination_name: the destination type (e.g. ``bigquery``).
            destination_connection_id: the destination connection id.
            title: the connection title (documented as part of the body; send the current one
                to keep it).
            connection_params: destination-specific connection parameters and credentials.
            timeout: overrides the client's timeout.

        Raises:
            ValidationError: empty ``destination_name`` or ``title``, a non-integer
                ``destination_connection_id``, or ``connection_params`` not a mapping (nothing
                is sent).
            NotFoundError: no such destination connection in this workspace.
            BadRequestError: the API rejected the parameters.
        """
        body = compact(
            {
                "title": _title(title),
                "connection_params": _params(connection_params, "connection_params"),
            }
        )
        path = _path(destination_name, destination_connection_id)
        return await self._call_model(
            REAUTHORIZE,
            DestinationConnection,
            path=path,
            json=body,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
            read_back=lambda: self.get(
                destination_name, destination_connection_id, timeout=timeout
            ),
        )

    async def recheck(
        self,
        destination_name: str,
        destination_connection_id: int,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> DestinationConnection:
        """Check a destination connection again and return it with its refreshed status.

        ``PUT /api/v3/destinations/{destination_name}/connections/{destination_connection_id}/recheck``

        Raises:
            ValidationError: empty ``destination_name`` or a non-integer
                ``destination_connection_id``.
            NotFoundError: no such destination connection in this workspace.
        """  # noqa: E501 -- the literal path line above is longer than the limit
        path = _path(destination_name, destination_connection_id)
        return await self._call_model(
            RECHECK,
            DestinationConnection,
            path=path,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
            read_back=lambda: self.get(
                destination_name, destination_connection_id, timeout=timeout
            ),
        )


def _title(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("title", "must be a non-empty string")
    return value
