"""Connections by id (the data source need not be known)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config import Timeout
from ._base import Service, declare, extra_of

__all__ = ["Connections"]

DELETE = declare("connections.delete", "DELETE", "/api/v3/connections/{connection_id}")


class Connections(Service):
    """The ``connections`` area (workspace scope: Bearer token or cookie).

    Accounts of a connection live in the ``accounts`` area.
    """

    async def delete(
        self,
        connection_id: int,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> None:
        """Delete a connection by id: its accounts become inactive and its extracts are paused.

        ``DELETE /api/v3/connections/{connection_id}``

        The response is undocumented (expected 204); any body is ignored.

        Raises:
            ValidationError: ``connection_id`` is not an integer.
            NotFoundError: no such connection in the workspace.
        """
        await self._call(
            DELETE,
            path={"connection_id": connection_id},
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )
