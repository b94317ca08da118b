"""Webhook endpoints: HTTPS receivers subscribed to workspace events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._transport.query import compact
from ..config import Timeout
from ..errors import ValidationError
from ..models.webhooks import WebhookEndpoint
from ..pagination import AsyncPaginator
from ._base import Extra, Operation, Service, declare, extra_of
from ._validate import https_url, non_empty

__all__ = ["WebhookEndpoints"]

# Every webhook path ends with a slash, as documented.
LIST = declare("webhook_endpoints.list", "GET", "/api/v3/webhook_endpoints/", paginated=True)
CREATE = declare("webhook_endpoints.create", "POST", "/api/v3/webhook_endpoints/")
GET = declare("webhook_endpoints.get", "GET", "/api/v3/webhook_endpoints/{webhook_endpoint_id}/")
UPDATE = declare(
    "webhook_endpoints.update", "PATCH", "/api/v3/webhook_endpoints/{webhook_endpoint_id}/"
)
DELETE = declare(
    "webhook_endpoints.delete", "DELETE", "/api/v3/webhook_endpoints/{webhook_endpoint_id}/"
)
VERIFY = declare(
    "webhook_endpoints.verify", "POST", "/api/v3/webhook_endpoints/{webhook_endpoint_id}/verify/"
)
REGENERATE_SECRET = declare(
    "webhook_endpoints.regenerate_secret",
    "POST",
    "/api/v3/webhook_endpoints/{webhook_endpoint_id}/regenerate_secret/",
)


def _event_types(value: object) -> list[object]:
    """At least one event name; unknown names are allowed (the API accepts them)."""
    names = non_empty(value, "event_types")
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise ValidationError("event_types", f"contains an invalid event name {name!r}")
    return names


class WebhookEndpoints(Service):
    """The ``webhook_endpoints`` area (workspace scope: Bearer token or cookie)."""

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
    ) -> AsyncPaginator[WebhookEndpoint]:
        """List the workspace's webhook endpoints.

        ``GET /api/v3/webhook_endpoints/``

        Pagination is the reference's PROPOSAL; a plain JSON array is read as one page.

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
            WebhookEndpoint,
            page=page,
            size=page_size,
            concurrency=concurrency,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def create(
        self,
        *,
        url: str,
        event_types: Sequence[str],
        idempotent: bool = False,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> WebhookEndpoint:
        """Create a webhook endpoint; it starts ``unverified`` and carries its signing secret.

        ``POST /api/v3/webhook_endpoints/``

        Keep the returned ``secret``: it signs deliveries, and later reads may not return it.

        Args:
            url: the receiver's ``https://`` URL.
            event_types: at least one event name (see :class:`WebhookEventType`; unknown names
                are accepted by the API but never delivered).
            idempotent: allow retrying this POST on timeouts and 5xx (may create duplicates).
            timeout: overrides the client's timeout.

        Raises:
            ValidationError: ``url`` is not https, or ``event_types`` is empty (nothing is sent).
            BadRequestError: the API rejected the values.
        """
        body = {"url": https_url(url, "url"), "event_types": _event_types(event_types)}
        return await self._call_model(
            CREATE,
            WebhookEndpoint,
            json=compact(body),
            idempotent=idempotent,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def get(
        self,
        webhook_endpoint_id: int,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> WebhookEndpoint:
        """Get one webhook endpoint.

        ``GET /api/v3/webhook_endpoints/{webhook_endpoint_id}/``

        Raises:
            ValidationError: ``webhook_endpoint_id`` is not an integer.
            NotFoundError: no such endpoint in this workspace.
        """
        path = {"webhook_endpoint_id": webhook_endpoint_id}
        return await self._call_model(
            GET,
            WebhookEndpoint,
            path=path,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def update(
        self,
        webhook_endpoint_id: int,
        *,
        url: str | None = None,
        event_types: Sequence[str] | None = None,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> WebhookEndpoint:
        """Change a webhook endpoint's URL or subscribed event types.

        ``PATCH /api/v3/webhook_endpoints/{webhook_endpoint_id}/``

        Only the arguments given are sent. A new URL may need verifying again.

        Raises:
            ValidationError: ``webhook_endpoint_id`` is not an integer, ``url`` is not https,
                or ``event_types`` is empty (nothing is sent).
            NotFoundError: no such endpoint in this workspace.
        """
        body = compact(
            {
                "url": None if url is None else https_url(url, "url"),
                "event_types": None if event_types is None else _event_types(event_types),
            }
        )
        path = {"webhook_endpoint_id": webhook_endpoint_id}
        return await self._call_model(
            UPDATE,
            WebhookEndpoint,
            path=path,
            json=body,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
            read_back=lambda: self.get(webhook_endpoint_id, timeout=timeout),
        )

    async def delete(
        self,
        webhook_endpoint_id: int,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> None:
        """Delete a webhook endpoint.

        ``DELETE /api/v3/webhook_endpoints/{webhook_endpoint_id}/``

        Raises:
            ValidationError: ``webhook_endpoint_id`` is not an integer.
            NotFoundError: no such endpoint in this workspace.
        """
        await self._call(
            DELETE,
            path={"webhook_endpoint_id": webhook_endpoint_id},
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def verify(
        self,
        webhook_endpoint_id: int,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> WebhookEndpoint:
        """Ask Improvado to verify the receiver (challenge request); success makes it active.

        ``POST /api/v3/webhook_endpoints/{webhook_endpoint_id}/verify/``

        Raises:
            ValidationError: ``webhook_endpoint_id`` is not an integer.
            BadRequestError: the receiver did not answer the challenge correctly.
            NotFoundError: no such endpoint in this workspace.
        """
        extra = extra_of(extra_headers, extra_query, extra_body)
        return await self._action(VERIFY, webhook_endpoint_id, timeout, extra)

    async def regenerate_secret(
        self,
        webhook_endpoint_id: int,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> WebhookEndpoint:
        """Replace the signing secret; the old one stops working at once.

        ``POST /api/v3/webhook_endpoints/{webhook_endpoint_id}/regenerate_secret/``

        The endpoint goes back to ``unverified``. The returned endpoint carries the new
        ``secret``.

        Raises:
            ValidationError: ``webhook_endpoint_id`` is not an integer.
            NotFoundError: no such endpoint in this workspace.
        """
        extra = extra_of(extra_headers, extra_query, extra_body)
        return await self._action(REGENERATE_SECRET, webhook_endpoint_id, timeout, extra)

    async def _action(
        self,
        operation: Operation,
        webhook_endpoint_id: int,
        timeout: Timeout | None,
        extra: Extra | None,
    ) -> WebhookEndpoint:
        path = {"webhook_endpoint_id": webhook_endpoint_id}
        data = await self._call(operation, path=path, timeout=timeout, extra=extra)
        if isinstance(data, dict) and "id" in data:
            return self._structure(data, WebhookEndpoint)
        # The response shape is undocumented: it may be empty or carry only some keys (e.g.
        # just the new ``secret``). Read the endpoint back and lay the answer over it, so a
        # secret returned only here is never lost.
        current = await self._call(GET, path=path, timeout=timeout)
        partial = data if isinstance(data, dict) else {}
        merged = {**current, **partial} if isinstance(current, dict) else current
        return self._structure(merged, WebhookEndpoint)
