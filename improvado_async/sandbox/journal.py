"""Request journal: every incoming request is recorded, in arrival order."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
from aiohttp import web


@attrs.frozen
class RecordedRequest:
    """One request as the sandbox saw it; ``status`` is ``None`` when the connection was dropped
    (or while the request is still being handled)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    status: int | None = None

    @property
    def json(self) -> Any:
        """The body decoded as JSON, or ``None`` when the body is empty."""
        if not self.body.strip():
            return None
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        """Case-insensitive header lookup."""
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return None


def _connection_gone(request: web.Request) -> bool:
    """True when the connection was closed before a response could be sent (dropped)."""
    transport = request.transport
    return transport is None or transport.is_closing()


class Journal:
    """Ordered list of :class:`RecordedRequest`; entries are replaced when the status is known."""

    def __init__(self) -> None:
        self.entries: list[RecordedRequest] = []

    def clear(self) -> None:
        """Forget every recorded request."""
        self.entries.clear()

    def _complete(self, entry: RecordedRequest, status: int | None) -> None:
        # Replace by identity so the arrival order survives concurrent requests; an entry removed
        # by clear() in the meantime is simply not re-added.
        for index, existing in enumerate(self.entries):
            if existing is entry:
                self.entries[index] = attrs.evolve(entry, status=status)
                return

    @web.middleware
    async def middleware(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        """Record the request before handling it and its status afterwards."""
        body = await request.read()  # cached by aiohttp, so handlers can read it again
        entry = RecordedRequest(
            method=request.method,
            path=request.path,
            query=dict(request.query),
            headers=dict(request.headers),
            body=body,
        )
        self.entries.append(entry)
        status: int | None = None
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            self._complete(entry, None if _connection_gone(request) else status)
