"""Webhook event types: the event names a webhook endpoint can subscribe to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config import Timeout
from ..models.webhooks import EventTypeInfo
from ..pagination import AsyncPaginator
from ._base import Service, declare, extra_of

__all__ = ["WebhookEventTypes"]

LIST = declare("webhook_event_types.list", "GET", "/api/v3/webhook_event_types/")


def _as_objects(data: Any) -> Any:
    """Read bare-string items (``["load_completed", ...]``) as ``{"name": ...}`` objects."""
    if isinstance(data, list):
        return [_as_object(item) for item in data]
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        return {**data, "results": [_as_object(item) for item in data["results"]]}
    return data


def _as_object(item: Any) -> Any:
    return {"name": item} if isinstance(item, str) else item


class WebhookEventTypes(Service):
    """The ``webhook_event_types`` area (workspace scope: Bearer token or cookie)."""

    def list(
        self,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncPaginator[EventTypeInfo]:
        """List the event types webhook endpoints can subscribe to.

        ``GET /api/v3/webhook_event_types/``

        The response shape is undocumented: a plain JSON array or a page are both read, and
        bare event names are read as items with only ``name``.

        Args:
            timeout: overrides the client's timeout for each request.

        Raises:
            APIStatusError: the API rejected the request.
        """
        extra = extra_of(extra_headers, extra_query, extra_body)
        # As ``_paginate`` does: a bad timeout or extra fails here, not at the first page.
        self._pipeline.build(LIST, timeout=timeout, extra=extra)

        async def fetch(number: int) -> Any:
            # Like ``_paginate`` of an operation not declared paginated: no page parameter
            # until a page links onwards.
            params = None if number == 1 else {"page": number}
            data = await self._call(LIST, params=params, timeout=timeout, extra=extra)
            return _as_objects(data)

        parsing = self._parsing
        return AsyncPaginator(fetch, EventTypeInfo, strict=parsing.strict, report=parsing.report)
