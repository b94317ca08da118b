"""Models of webhook endpoints (the management API) and the event types they subscribe to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ._base import Model, OpenEnum, enum_field

__all__ = ["EventTypeInfo", "WebhookEndpoint", "WebhookEndpointStatus", "WebhookEventType"]


class WebhookEndpointStatus(OpenEnum):
    """Webhook endpoint status: the two documented values (others are kept as strings)."""

    UNVERIFIED = "unverified"
    ACTIVE = "active"


class WebhookEventType(OpenEnum):
    """Known webhook event identifiers.

    The list is open (read ``client.webhook_event_types.list()`` for the current one): unknown
    names are kept as plain strings.
    """

    LOAD_STARTED = "load_started"
    LOAD_COMPLETED = "load_completed"
    TRANSFORMATION_STARTED = "transformation_started"
    TRANSFORMATION_COMPLETED = "transformation_completed"
    EXTRACTION_CREATED = "extraction_created"
    EXTRACTION_PAUSED = "extraction_paused"


def _event_types(value: Any) -> Any:
    """Known event names become :class:`WebhookEventType` members, unknown ones stay strings.

    Any other value (``None``, a string, an object, a number) is kept as it is: a string read
    item by item would become a list of its characters.
    """
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        return value
    return [WebhookEventType.coerce(item) for item in value]


def _secret_repr(value: object) -> str:
    return "'***'" if value else "None"


@attrs.frozen(kw_only=True)
class WebhookEndpoint(Model):
    """A webhook endpoint of the workspace.

    ``secret`` (the signing secret) is returned on create and on secret regeneration; whether
    get/list return it is undocumented. It is hidden from ``repr``. ``created_at`` and
    ``updated_at`` are the reference's PROPOSAL. ``status`` is an open enum.
    """

    id: int
    url: str | None = None
    event_types: list[str] | None = attrs.field(default=None, converter=_event_types)
    secret: str | None = attrs.field(default=None, repr=_secret_repr)
    status: str | None = enum_field(WebhookEndpointStatus)
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None

    @property
    def is_active(self) -> bool:
        """True once the endpoint passed verification."""
        return self.status == WebhookEndpointStatus.ACTIVE


@attrs.frozen(kw_only=True)
class EventTypeInfo(Model):
    """One available webhook event type.

    The item shape is undocumented: ``{name, description}`` is the reference's PROPOSAL. A bare
    string item is read as ``name``. ``name`` is an open enum of :class:`WebhookEventType`.
    """

    name: str | None = enum_field(WebhookEventType)
    description: str | None = None
