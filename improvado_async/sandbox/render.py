"""JSON representations of records, exactly as the API returns them."""

from __future__ import annotations

from typing import Any

from .clock import iso
from .records import Account, Connection, DataTable, DestinationConnection, Load, TableField
from .state import SandboxState

Json = dict[str, Any]


def data_table_summary(table: DataTable) -> Json:
    """The short data-table object nested in loads."""
    return {"id": table.id, "title": table.title, "datasource_name": table.datasource_name}


def table_field(field: TableField) -> Json:
    """One data-table field."""
    return {
        "name": field.name,
        "title": field.title,
        "kind": field.kind,
        "type": field.type,
        "selected": field.selected,
    }


def data_table(table: DataTable) -> Json:
    """Full data-table object (schema including system fields)."""
    return {
        **data_table_summary(table),
        "data_class": table.data_class,
        "created_at": iso(table.created_at),
        "updated_at": iso(table.updated_at),
        "fields": [table_field(field) for field in table.fields],
    }


def destination_connection(connection: DestinationConnection) -> Json:
    """Destination-connection object (connection parameters are never echoed back)."""
    return {
        "id": connection.id,
        "uid": connection.uid,
        "title": connection.title,
        "destination_name": connection.destination_name,
        "status": connection.status,
        "created_at": iso(connection.created_at),
        "updated_at": iso(connection.updated_at),
        "create_load_for_new_tables": connection.create_load_for_new_tables,
    }


def load(state: SandboxState, row: Load) -> Json:
    """Load object; the nested data table is looked up live (it may have been renamed)."""
    table = state.data_table_rows.get(row.workspace_id, row.data_table_id)
    return {
        "id": row.id,
        "data_table": data_table_summary(table) if table is not None else None,
        "data_table_id": row.data_table_id,
        "destination_connection_id": row.destination_connection_id,
        "destination_name": row.destination_name,
        "destination_table": row.destination_table,
        "run_policy": row.run_policy,
        "status": row.status,
        "last_update": iso(row.last_update),
        "error_text": row.error_text,
        "uploaded_rows_count": row.uploaded_rows_count,
        "created_at": iso(row.created_at),
        "schedule": row.schedule,
    }


def connection(state: SandboxState, row: Connection) -> Json:
    """Data-source connection object with live account counters (misspellings verbatim)."""
    accounts = [a for a in state.accounts(row.workspace_id, row.id) if a.is_active]
    return {
        "id": row.id,
        "uid": row.uid,
        "title": row.title,
        "datasource_name": row.datasource_name,
        "status": row.status,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "accounts_number": len(accounts),
        "enabled_for_extraction_accounts_number": sum(
            a.enabled_for_embedded_extraction for a in accounts
        ),
        "accounts_status": "ok" if accounts else "no_accounts",
        "update_accounts_last_successed": iso(row.update_accounts_last_successed),
        "update_accounts_was_successfull": row.update_accounts_was_successfull,
    }


def account(row: Account) -> Json:
    """Account object (``id`` embedded int, ``account_id`` remote string)."""
    return {
        "id": row.id,
        "account_id": row.account_id,
        "title": row.title,
        "currency": row.currency,
        "connection_id": row.connection_id,
        "datasource_name": row.datasource_name,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "is_active": row.is_active,
        "enabled_for_embedded_extraction": row.enabled_for_embedded_extraction,
        "details": {},
    }
