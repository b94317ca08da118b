"""External authentication links: ask an external user to authorize a data source."""

from __future__ import annotations

import builtins  # `list` is a method name here, so the builtin type is spelled in full
from collections.abc import Mapping, Sequence
from typing import Any

from .._transport.query import compact
from ..config import Timeout
from ..errors import ResponseDecodeError, ValidationError
from ..models.external_auth_links import ExternalAuthLink
from ..pagination import AsyncPaginator
from ._base import Service, declare, extra_of

__all__ = ["ExternalAuthLinks"]

CREATE = declare(
    "external_auth_links.create",
    "POST",
    "/api/v3/datasources/{datasource_name}/external-auth-links",
)
LIST = declare(
    "external_auth_links.list",
    "GET",
    "/api/v3/datasources/{datasource_name}/external-auth-links",
    paginated=True,
)
REVOKE = declare(
    "external_auth_links.revoke",
    "POST",
    "/api/v3/datasources/{datasource_name}/external-auth-links/{external_auth_link_id}/revoke",
)


def _send_email(value: object) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise ValidationError("send_email", f"must be a boolean, got {type(value).__name__}")
    return value


def _emails(value: object) -> list[str] | None:
    """One address or a sequence of addresses (one link is generated per address)."""
    if value is None:
        return None
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple, set, frozenset)):
        raise ValidationError("emails", f"must be an address or a sequence, got {value!r}")
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise ValidationError("emails", f"contains an invalid address {item!r}")
    return list(items)


def _link_items(data: Any) -> list[Any]:
    """The created links: a JSON array, a page, or a single link object (shape undocumented)."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        return list(data["results"])
    return [data]


class ExternalAuthLinks(Service):
    """The ``external_auth_links`` area (workspace scope: Bearer token or cookie).

    Links are single-use and expire after 14 days. The agency needs the external-auth feature:
    without it every operation fails with ``PermissionDeniedError`` (403).
    """

    async def create(
        self,
        datasource_name: str,
        *,
        send_email: bool | None = None,
        emails: str | Sequence[str] | None = None,
        idempotent: bool = False,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> builtins.list[ExternalAuthLink]:
        """Generate external authentication links for a data source.

        ``POST /api/v3/datasources/{datasource_name}/external-auth-links``

        ``send_email`` is documented; the recipients key ``emails`` is the reference's PROPOSAL.
        Whether the API answers with one link or a list is undocumented: both are read and a
        list is always returned (one link per recipient).

        Args:
            datasource_name: the data source to authorize (e.g. ``facebook``).
            send_email: ``False`` to deliver the links yourself instead of Improvado emailing
                them.
            emails: the recipient address, or a sequence of addresses.
            idempotent: allow retrying this POST on timeouts and 5xx (may create duplicates).
            timeout: overrides the client's timeout.

        Raises:
            ValidationError: empty ``datasource_name``, a non-boolean ``send_email`` or an
                invalid address (nothing is sent).
            PermissionDeniedError: the agency lacks the external-auth feature.
            BadRequestError: the API rejected the values.
        """
        body = compact({"send_email": _send_email(send_email), "emails": _emails(emails)})
        data = await self._call(
            CREATE,
            path={"datasource_name": datasource_name},
            json=body,
            idempotent=idempotent,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
            require_answer=True,
        )
        return [self._structure(item, ExternalAuthLink) for item in _link_items(data)]

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
    ) -> AsyncPaginator[ExternalAuthLink]:
        """List the external authentication links of a data source.

        ``GET /api/v3/datasources/{datasource_name}/external-auth-links``

        Pagination is inferred; a plain JSON array is read as one complete page.

        Args:
            datasource_name: the data source (e.g. ``facebook``).
            page: first page to fetch (1-based).
            page_size: items per page (1 to 100).
            concurrency: pages fetched at once when iterating past the first page.
            timeout: overrides the client's timeout for each page request.

        Raises:
            ValidationError: empty ``datasource_name``, or ``page``/``page_size`` out of range.
            PermissionDeniedError: the agency lacks the external-auth feature.
        """
        return self._paginate(
            LIST,
            ExternalAuthLink,
            path={"datasource_name": datasource_name},
            page=page,
            size=page_size,
            concurrency=concurrency,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def revoke(
        self,
        datasource_name: str,
        external_auth_link_id: int,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ExternalAuthLink:
        """Revoke a pending link so it can no longer be used.

        ``POST /api/v3/datasources/{datasource_name}/external-auth-links/{external_auth_link_id}/revoke``

        The response is undocumented: the revoked link is expected; if the API answers without
        one (e.g. 204), the link is read back from the link list.

        Raises:
            ValidationError: empty ``datasource_name`` or a non-integer
                ``external_auth_link_id``.
            NotFoundError: no such link for this data source.
            BadRequestError: the link was already used, expired or revoked.
            PermissionDeniedError: the agency lacks the external-auth feature.
        """  # noqa: E501 -- the literal path line above is longer than the limit
        path = {"datasource_name": datasource_name, "external_auth_link_id": external_auth_link_id}
        return await self._call_model(
            REVOKE,
            ExternalAuthLink,
            path=path,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
            read_back=lambda: self._find(datasource_name, external_auth_link_id, timeout),
        )

    async def _find(
        self, datasource_name: str, external_auth_link_id: int, timeout: Timeout | None
    ) -> ExternalAuthLink:
        async for link in self.list(datasource_name, timeout=timeout):
            if link.id == external_auth_link_id:
                return link
        raise ResponseDecodeError(
            f"revoking link {external_auth_link_id} returned no link, and it is not listed"
        )
