"""Cross-resource side effects (one place, so every route that triggers them agrees)."""

from __future__ import annotations

import random

from .clock import utc_now
from .fixtures import SYSTEM_FIELDS, add_accounts, add_connection, destination_table_name
from .records import (
    Connection,
    DataTable,
    ExternalAuthLink,
    Extract,
    ExtractTemplate,
    Load,
    TableField,
)
from .state import SandboxState


def delete_connection(state: SandboxState, connection: Connection) -> list[Extract]:
    """Remove a data-source connection: its accounts become inactive, its extracts pause.

    Returns the extracts that were paused (callers emit ``extraction_paused`` for them).
    """
    now = utc_now()
    for account in state.accounts(connection.workspace_id, connection.id):
        account.is_active = False
        account.enabled_for_embedded_extraction = False
        account.updated_at = now
    paused = []
    for extract in state.extracts(connection.workspace_id):
        if extract.connection_id == connection.id and extract.status != "paused":
            extract.status = "paused"
            extract.run_generation += 1
            paused.append(extract)
    state.connection_rows.delete(connection.workspace_id, connection.id)
    return paused


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


def create_data_table(
    state: SandboxState, workspace_id: int, title: str, template: ExtractTemplate, fields: list[str]
) -> DataTable:
    """A new data table for ``fields`` of ``template`` (system fields appended), plus the
    automatic loads of destination connections with ``create_load_for_new_tables``."""
    now = utc_now()
    chosen = [f for f in template.fields if f.name in fields]
    table = state.data_table_rows.add(
        DataTable(
            id=state.data_table_rows.ids.next(),
            workspace_id=workspace_id,
            title=title,
            datasource_name=template.datasource_name,
            data_class=template.data_class,
            created_at=now,
            updated_at=now,
            fields=[
                *(TableField(f.name, f.title, f.kind, f.type) for f in chosen),
                *(
                    TableField(name, title_, "system", type_)
                    for name, title_, type_ in SYSTEM_FIELDS
                ),
            ],
        )
    )
    _auto_loads(state, table)
    return table


def _auto_loads(state: SandboxState, table: DataTable) -> None:
    for connection in state.destination_connections(table.workspace_id):
        if connection.create_load_for_new_tables and connection.status == "active":
            state.load_rows.add(
                Load(
                    id=state.load_rows.ids.next(),
                    workspace_id=table.workspace_id,
                    data_table_id=table.id,
                    destination_connection_id=connection.id,
                    destination_name=connection.destination_name,
                    destination_table=destination_table_name(table.title),
                    run_policy="after_extraction",
                    status="active",
                    created_at=table.created_at,
                )
            )


def add_fields_to_table(table: DataTable, template: ExtractTemplate, fields: list[str]) -> None:
    """Make sure every extract field exists (and is selected) in the data table."""
    existing = {field.name for field in table.fields}
    added = [
        TableField(f.name, f.title, f.kind, f.type)
        for f in template.fields
        if f.name in fields and f.name not in existing
    ]
    if added:
        first_system = next(
            (i for i, f in enumerate(table.fields) if f.kind == "system"), len(table.fields)
        )
        table.fields[first_system:first_system] = added
        table.updated_at = utc_now()


def link_status(link: ExternalAuthLink) -> str:
    """Stored status, except that a pending link past its expiry reads as ``expired``."""
    if link.status == "pending" and utc_now() >= link.expires_at:
        return "expired"
    return link.status
