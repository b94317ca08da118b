"""HTTP handlers, one module per API area; :data:`ALL_ROUTES` lists every route."""

from __future__ import annotations

from ..routing import Route
from . import auth, data_tables, destinations, loads, workspaces

ALL_ROUTES: tuple[Route, ...] = (
    *auth.ROUTES,
    *data_tables.ROUTES,
    *destinations.ROUTES,
    *loads.ROUTES,
    *workspaces.ROUTES,
)
