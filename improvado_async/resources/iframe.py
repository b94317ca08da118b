"""The iframe URL: Improvado's hosted UI where end users create connections."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._transport.query import compact
from ..config import Timeout
from ..errors import ValidationError
from ..models.iframe import IframeUrl
from ._base import Scope, Service, declare, extra_of
from ._validate import int_id

__all__ = ["Iframe"]

GET_URL = declare("iframe.get_url", "POST", "/api/v3/get_iframe_url", scope=Scope.BASIC)


def _optional_name(value: object, name: str) -> str | None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ValidationError(name, "must be a non-empty string")
    return value


def _as_object(data: Any) -> Any:
    """The response shape is undocumented: a bare URL string is read as ``{"url": ...}``."""
    return {"url": data} if isinstance(data, str) else data


class Iframe(Service):
    """The ``iframe`` area (agency scope: HTTP Basic, as documented)."""

    async def get_url(
        self,
        *,
        workspace_id: int,
        datasource_name: str | None = None,
        destination_name: str | None = None,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> IframeUrl:
        """Get a URL of the hosted UI to embed in an ``<iframe>`` for one workspace.

        ``POST /api/v3/get_iframe_url``

        The body is undocumented: ``workspace_id`` (needed because Basic auth is not
        workspace-scoped) and the optional deep links ``datasource_name`` / ``destination_name``
        are the reference's PROPOSAL. Use :meth:`IframeUrl.with_account_selection` for the
        two-step flow where the user picks accounts.

        Args:
            workspace_id: the workspace the UI works in.
            datasource_name: open the UI on this data source (e.g. ``facebook``).
            destination_name: open the UI on this destination (e.g. ``bigquery``).
            timeout: overrides the client's timeout.

        Raises:
            ValidationError: a non-integer ``workspace_id`` or an empty name (nothing is sent).
            NotFoundError: no such workspace in the agency.
        """
        body = compact(
            {
                "workspace_id": int_id(workspace_id, "workspace_id"),
                "datasource_name": _optional_name(datasource_name, "datasource_name"),
                "destination_name": _optional_name(destination_name, "destination_name"),
            }
        )
        data = await self._call(
            GET_URL,
            json=body,
            idempotent=True,  # only hands out a URL: repeating it changes nothing
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )
        return self._structure(_as_object(data), IframeUrl)
