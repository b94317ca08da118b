"""Cross-resource side effects (one place, so every route that triggers them agrees)."""

from __future__ import annotations

import random

from .clock import utc_now
from .fixtures import add_accounts, add_connection
from .records import Connection, ExternalAuthLink
from .state import SandboxState


def delete_connection(state: SandboxState, connection: Connection) -> None:
    """Remove a data-source connection: its accounts become inactive, its extracts pause."""
    now = utc_now()
    for account in state.accounts(connection.workspace_id, connection.id):
        account.is_active = False
        account.enabled_for_embedded_extraction = False
        account.updated_at = now
    for extract in state.extracts(connection.workspace_id):
        if extract.connection_id == connection.id:
            extract.status = "paused"
            extract.run_generation += 1
    state.connection_rows.delete(connection.workspace_id, connection.id)


def complete_external_auth(state: SandboxState, link: ExternalAuthLink, seed: int) -> Connection:
    """Simulate the external user finishing the link: a new connection with 2 accounts."""
    rng = random.Random(f"{seed}:external-auth:{link.id}")
    title = f"{link.datasource_name} via {link.email or 'external link'}"
    connection = add_connection(
        state, link.workspace_id, title, link.datasource_name, rng, created_at=utc_now()
    )
    add_accounts(state, connection, 2, 0, rng)
    link.status = "used"
    link.connection_id = connection.id
    return connection
