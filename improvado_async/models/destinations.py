"""Models of destinations and destination connections (where loads deliver data)."""

from __future__ import annotations

import datetime as dt

import attrs

from ._base import Model, OpenEnum, enum_field

__all__ = ["Destination", "DestinationConnection", "DestinationConnectionStatus"]


class DestinationConnectionStatus(OpenEnum):
    """Destination connection status. Undocumented by the API: the UI's states (PROPOSAL)."""

    ACTIVE = "active"
    INITIALIZING = "initializing"
    ERROR = "error"


@attrs.frozen(kw_only=True)
class Destination(Model):
    """A destination type (e.g. BigQuery, Snowflake, S3).

    The item shape is undocumented: ``name`` and ``title`` are the reference's PROPOSAL. ``name``
    is the ``destination_name`` used in the destination-connection paths.
    """

    name: str | None = None
    title: str | None = None


@attrs.frozen(kw_only=True)
class DestinationConnection(Model):
    """A destination connection: credentials and target settings for one destination.

    The API documents this object with the data-source connection schema (a copy/paste in the
    docs); the fields here are the reference's PROPOSAL, and any other key lands in ``extra``.
    ``status`` is an open enum (unknown values kept).
    """

    id: int
    uid: str | None = None
    title: str | None = None
    destination_name: str | None = None
    status: str | None = enum_field(DestinationConnectionStatus)
    create_load_for_new_tables: bool | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None

    @property
    def is_active(self) -> bool:
        """True when loads can be set up for this connection (the UI allows only active ones)."""
        return self.status == DestinationConnectionStatus.ACTIVE
