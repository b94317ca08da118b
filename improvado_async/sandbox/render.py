"""JSON representations of records, exactly as the API returns them."""

from __future__ import annotations

from typing import Any

from .clock import iso
from .records import DataTable, DestinationConnection, Load, TableField
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
