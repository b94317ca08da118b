"""Models of workspaces and their dashboards (agency scope)."""

from __future__ import annotations

import datetime as dt

import attrs

from ._base import Model

__all__ = ["Dashboard", "Workspace"]


@attrs.frozen(kw_only=True)
class Workspace(Model):
    """A workspace of the agency.

    The API does not document the workspace object: ``title``, ``description``, ``created_at``
    and ``updated_at`` are the reference's PROPOSAL (any other key lands in ``extra``).
    """

    id: int
    title: str | None = None
    description: str | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class Dashboard(Model):
    """A dashboard available in a workspace (documented schema ``Dashboard``).

    ``dashboard_id`` is the dashboard's id, ``data_name`` its data type.
    """

    dashboard_id: int | None = None
    title: str | None = None
    data_name: str | None = None
