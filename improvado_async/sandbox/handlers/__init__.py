"""HTTP handlers, one module per API area; :data:`ALL_ROUTES` lists every route."""

from __future__ import annotations

from ..routing import Route
from . import auth, connections, data_tables, destinations, external_auth, loads, workspaces

ALL_ROUTES: tuple[Route, ...] = (
    *auth.ROUTES,
    *connections.ROUTES,
    *data_tables.ROUTES,
    *destinations.ROUTES,
    *external_auth.ROUTES,
    *loads.ROUTES,
    *workspaces.ROUTES,
)
