"""HTTP handlers, one module per API area; :data:`ALL_ROUTES` lists every route."""

from __future__ import annotations

from ..routing import Route
from . import (
    auth,
    automated_recipes,
    connections,
    data_tables,
    destinations,
    external_auth,
    extract_templates,
    extracts,
    loads,
    roles,
    webhooks,
    workspaces,
)

ALL_ROUTES: tuple[Route, ...] = (
    *auth.ROUTES,
    *automated_recipes.ROUTES,
    *connections.ROUTES,
    *data_tables.ROUTES,
    *destinations.ROUTES,
    *external_auth.ROUTES,
    *extract_templates.ROUTES,
    *extracts.ROUTES,
    *loads.ROUTES,
    *roles.ROUTES,
    *webhooks.ROUTES,
    *workspaces.ROUTES,
)
