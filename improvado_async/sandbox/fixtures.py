"""Deterministic seed data: two workspaces with tables, destinations, loads and connections."""

from __future__ import annotations

import random
import uuid
from datetime import datetime

from .clock import SEEDED_AT
from .records import (
    Account,
    Connection,
    DataTable,
    DestinationConnection,
    Extract,
    Load,
    TableField,
    Workspace,
)
from .role_fixtures import seed_roles
from .state import SandboxState
from .template_fixtures import seed_templates

#: System fields appended to every data table (never to templates).
SYSTEM_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("account_id", "Account ID", "string"),
    ("account_name", "Account Name", "string"),
    ("__insert_date", "Insert Date", "datetime"),
)

_DIMENSIONS = (("date", "Date", "date"), ("campaign_id", "Campaign ID", "string"))
_METRICS = (
    ("impressions", "Impressions", "integer"),
    ("clicks", "Clicks", "integer"),
    ("spend", "Spend", "float"),
)

#: (title, datasource_name, data_class) per seeded workspace, in order.
_TABLES = (
    (
        ("Facebook Ads Daily", "facebook", "daily"),
        ("Google Ads Campaigns", "google_ads_ql", "daily"),
        ("LinkedIn Ads Monthly", "linkedin_ads", "monthly"),
    ),
    (
        ("TikTok Ads Daily", "tiktok_ads", "daily"),
        ("Google Analytics 4 Sessions", "analyticsdata", "daily"),
    ),
)

#: (title, destination_name) per seeded workspace.
_DESTINATIONS = (
    (("Main BigQuery", "bigquery"), ("Snowflake DWH", "snowflake"), ("Postgres", "postgresql")),
    (("Client BigQuery", "bigquery"), ("Reporting ClickHouse", "clickhouse")),
)

#: (title, datasource_name, number of accounts, number enabled) per seeded workspace.
_CONNECTIONS = (
    (
        ("Facebook - Agency BM", "facebook", 3, 2),
        ("Facebook - Client BM", "facebook", 2, 0),
        ("Google Ads MCC", "google_ads_ql", 3, 3),
        ("LinkedIn Campaign Manager", "linkedin_ads", 2, 1),
    ),
    (
        ("TikTok Business Center", "tiktok_ads", 2, 2),
        ("GA4 Property", "analyticsdata", 1, 1),
    ),
)

_CURRENCIES = ("USD", "EUR", "GBP")


def table_fields(
    dimensions: tuple[tuple[str, str, str], ...] = _DIMENSIONS,
    metrics: tuple[tuple[str, str, str], ...] = _METRICS,
) -> list[TableField]:
    """Provider fields followed by the three system fields."""
    return [
        *(TableField(name, title, "dimension", kind) for name, title, kind in dimensions),
        *(TableField(name, title, "metric", kind) for name, title, kind in metrics),
        *(TableField(name, title, "system", kind) for name, title, kind in SYSTEM_FIELDS),
    ]


def destination_table_name(title: str) -> str:
    """Default destination table name derived from a data table title."""
    slug = "".join(ch if ch.isalnum() else "_" for ch in title.lower())
    return "_".join(part for part in slug.split("_") if part) or "data_table"


def seeded_uuid(rng: random.Random) -> str:
    """A UUID4-shaped string drawn from ``rng`` (deterministic per seed)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def remote_account_id(datasource_name: str, rng: random.Random) -> str:
    """A platform-looking remote account id."""
    number = rng.randrange(10**9, 10**10)
    return f"act_{number}" if datasource_name == "facebook" else str(number)


def _seed_tables(state: SandboxState, workspace_id: int, index: int) -> list[DataTable]:
    return [
        state.data_table_rows.add(
            DataTable(
                id=state.data_table_rows.ids.next(),
                workspace_id=workspace_id,
                title=title,
                datasource_name=source,
                data_class=data_class,
                created_at=SEEDED_AT,
                updated_at=SEEDED_AT,
                fields=table_fields(),
            )
        )
        for title, source, data_class in _TABLES[index]
    ]


def _seed_destinations(
    state: SandboxState, workspace_id: int, index: int, rng: random.Random
) -> list[DestinationConnection]:
    return [
        state.destination_connection_rows.add(
            DestinationConnection(
                id=state.destination_connection_rows.ids.next(),
                workspace_id=workspace_id,
                uid=seeded_uuid(rng),
                title=title,
                destination_name=destination,
                status="active",
                created_at=SEEDED_AT,
                updated_at=SEEDED_AT,
            )
        )
        for title, destination in _DESTINATIONS[index]
    ]


def _seed_load(
    state: SandboxState, table: DataTable, connection: DestinationConnection, index: int
) -> None:
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
            created_at=SEEDED_AT,
            last_update=SEEDED_AT,
            uploaded_rows_count=1200 + index * 300,
        )
    )


def add_accounts(
    state: SandboxState, connection: Connection, count: int, enabled: int, rng: random.Random
) -> list[Account]:
    """Attach ``count`` accounts to ``connection``, the first ``enabled`` selected."""
    return [
        state.account_rows.add(
            Account(
                id=state.account_rows.ids.next(),
                workspace_id=connection.workspace_id,
                connection_id=connection.id,
                account_id=remote_account_id(connection.datasource_name, rng),
                title=f"{connection.title} account {number + 1}",
                currency=_CURRENCIES[number % len(_CURRENCIES)],
                datasource_name=connection.datasource_name,
                created_at=connection.created_at,
                updated_at=connection.created_at,
                enabled_for_embedded_extraction=number < enabled,
            )
        )
        for number in range(count)
    ]


def add_connection(
    state: SandboxState,
    workspace_id: int,
    title: str,
    datasource_name: str,
    rng: random.Random,
    *,
    created_at: datetime | None = None,
) -> Connection:
    """Create an active data-source connection (accounts are added separately)."""
    when = created_at or SEEDED_AT
    return state.connection_rows.add(
        Connection(
            id=state.connection_rows.ids.next(),
            workspace_id=workspace_id,
            uid=seeded_uuid(rng),
            title=title,
            datasource_name=datasource_name,
            status="active",
            created_at=when,
            updated_at=when,
            update_accounts_last_successed=when,
        )
    )


def _seed_connections(
    state: SandboxState, workspace_id: int, index: int, rng: random.Random
) -> None:
    for title, source, count, enabled in _CONNECTIONS[index]:
        connection = add_connection(state, workspace_id, title, source, rng)
        add_accounts(state, connection, count, enabled, rng)


def _seed_workspace(state: SandboxState, index: int, rng: random.Random) -> None:
    workspace_id = state.workspace_ids.next()
    title = "Sandbox Workspace" if index == 0 else f"Sandbox Workspace {index + 1}"
    state.workspaces[workspace_id] = Workspace(
        workspace_id, title, f"Seeded workspace #{index + 1}", SEEDED_AT, SEEDED_AT
    )
    tables = _seed_tables(state, workspace_id, index)
    destinations = _seed_destinations(state, workspace_id, index, rng)
    _seed_load(state, tables[0], destinations[0], index)
    _seed_connections(state, workspace_id, index, rng)


def seeded_state(seed: int) -> SandboxState:
    """A fresh :class:`SandboxState` populated deterministically from ``seed``."""
    state = SandboxState()
    rng = random.Random(seed)
    for index in range(len(_TABLES)):
        _seed_workspace(state, index, rng)
    seed_templates(state)
    seed_roles(state)
    for workspace_id in sorted(state.workspaces):
        _seed_extract(state, workspace_id)
    return state


def _seed_extract(state: SandboxState, workspace_id: int) -> None:
    """One active extract feeding the workspace's first data table."""
    table = state.data_tables(workspace_id)[0]
    template = state.templates_of(table.datasource_name)[0]
    account = next(
        a for a in state.accounts(workspace_id) if a.datasource_name == table.datasource_name
    )
    state.extract_rows.add(
        Extract(
            id=state.extract_rows.ids.next(),
            workspace_id=workspace_id,
            title=f"{table.title} - {account.title}",
            connection_id=account.connection_id,
            account_embedded_id=account.id,
            template_id=template.id,
            data_table_id=table.id,
            datasource_name=table.datasource_name,
            status="active",
            created_at=SEEDED_AT,
            fields=[f.name for f in template.fields],
            last_sync=SEEDED_AT,
            schedules=list(template.schedules),
        )
    )
