"""Models of external authentication links (credentials requested from an external user)."""

from __future__ import annotations

import datetime as dt

import attrs

from ._base import Model, OpenEnum, enum_field

__all__ = ["ExternalAuthLink", "ExternalAuthLinkStatus"]


class ExternalAuthLinkStatus(OpenEnum):
    """Link status. Undocumented by the API: the reference's PROPOSAL values."""

    PENDING = "pending"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"


@attrs.frozen(kw_only=True)
class ExternalAuthLink(Model):
    """A single-use link (valid 14 days) an external user follows to create a connection.

    Only ``send_email`` is documented; every other field is the reference's PROPOSAL and any
    other key lands in ``extra``. ``status`` is an open enum (unknown values kept).
    """

    id: int
    url: str | None = None
    email: str | None = None
    datasource_name: str | None = None
    send_email: bool | None = None
    status: str | None = enum_field(ExternalAuthLinkStatus)
    expires_at: dt.datetime | None = None
    created_at: dt.datetime | None = None
    connection_id: int | None = None
