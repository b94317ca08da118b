"""Mutable in-memory records of the sandbox state (one attrs class per API object)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import attrs


@attrs.define
class Workspace:
    """An agency workspace."""

    id: int
    title: str
    description: str
    created_at: datetime
    updated_at: datetime
    enabled_recipe_ids: list[int] = attrs.Factory(list)


@attrs.define
class TableField:
    """One column of a data table; ``kind`` is ``dimension``, ``metric`` or ``system``."""

    name: str
    title: str
    kind: str
    type: str
    selected: bool = True


@attrs.define
class DataTable:
    """A data table produced by an extract; the source of loads."""

    id: int
    workspace_id: int
    title: str
    datasource_name: str
    data_class: str
    created_at: datetime
    updated_at: datetime
    fields: list[TableField]


@attrs.define
class DestinationConnection:
    """A configured warehouse destination of a workspace."""

    id: int
    workspace_id: int
    uid: str
    title: str
    destination_name: str
    status: str
    created_at: datetime
    updated_at: datetime
    create_load_for_new_tables: bool = False
    connection_params: dict[str, Any] = attrs.Factory(dict)


@attrs.define
class Load:
    """A load order: data table -> destination connection.

    ``run_generation`` increases on every run / pause so a superseded background run can tell it
    must not overwrite the status.
    """

    id: int
    workspace_id: int
    data_table_id: int
    destination_connection_id: int
    destination_name: str
    destination_table: str
    run_policy: str
    status: str
    created_at: datetime
    last_update: datetime | None = None
    error_text: str | None = None
    uploaded_rows_count: int = 0
    schedule: dict[str, Any] | None = None
    load_historical_data: bool = False
    last_run_range: tuple[date, date] | None = None
    run_generation: int = 0


@attrs.define
class Agency:
    """The single agency all credentials belong to, with its feature flags."""

    title: str = "Sandbox Agency"
    external_auth_enabled: bool = True
    can_use_embedded_api: bool = True


@attrs.define
class Connection:
    """A data-source connection (created in the iframe or by an external auth link)."""

    id: int
    workspace_id: int
    uid: str
    title: str
    datasource_name: str
    status: str
    created_at: datetime
    updated_at: datetime
    update_accounts_last_successed: datetime | None = None
    update_accounts_was_successfull: bool = True


@attrs.define
class Account:
    """An ad-platform account reachable through a connection.

    ``id`` is the embedded (integer) id; ``account_id`` the remote platform id string.
    """

    id: int
    workspace_id: int
    connection_id: int
    account_id: str
    title: str
    currency: str
    datasource_name: str
    created_at: datetime
    updated_at: datetime
    is_active: bool = True
    enabled_for_embedded_extraction: bool = False


@attrs.define
class ExternalAuthLink:
    """A single-use link an external user follows to create a connection."""

    id: int
    workspace_id: int
    datasource_name: str
    url: str
    email: str | None
    send_email: bool
    status: str
    created_at: datetime
    expires_at: datetime
    connection_id: int | None = None


@attrs.define
class TemplateField:
    """A provider field offered by an extract template (never a system field)."""

    name: str
    title: str
    kind: str
    type: str


@attrs.define
class ExtractTemplate:
    """An extract template: global (Improvado) or custom (agency-level, from a global parent)."""

    id: int
    datasource_name: str
    title: str
    description: str
    data_class: str
    sql_name: str
    fields: list[TemplateField]
    created_at: datetime
    updated_at: datetime
    is_global: bool = True
    parent_id: int | None = None
    is_wide_template: bool = False
    allow_to_select_dimensions: bool = False
    is_created_from_wide: bool = False
    custom_settings: dict[str, list[str]] = attrs.Factory(dict)
    schedules: list[Any] = attrs.Factory(list)
    additional_params: dict[str, Any] = attrs.Factory(dict)
    hashed_fields: list[str] = attrs.Factory(list)
    historical_data_depth_limit: int | None = None
    connection_id: int | None = None


@attrs.define
class Extract:
    """An extraction order: one account of a connection, a template, a target data table."""

    id: int
    workspace_id: int
    title: str
    connection_id: int
    account_embedded_id: int
    template_id: int
    data_table_id: int
    datasource_name: str
    status: str
    created_at: datetime
    fields: list[str]
    last_sync: datetime | None = None
    error_text: str | None = None
    schedules_limit: int = 4
    sync_historical_data: date | None = None
    additional_params: dict[str, Any] = attrs.Factory(dict)
    schedules: list[Any] = attrs.Factory(list)
    custom_settings: dict[str, Any] = attrs.Factory(dict)
    last_run_range: tuple[date, date] | None = None
    run_generation: int = 0


@attrs.define
class AutomatedRecipe:
    """An automated recipe instantiated from a template in a workspace.

    ``state`` moves ``draft`` -> ``building`` -> ``built`` (or ``failed``).
    """

    id: int
    workspace_id: int
    template_id: int
    title: str
    state: str
    configuration: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    last_build_at: datetime | None = None
    error_text: str | None = None
    build_generation: int = 0


@attrs.define
class WebhookEndpoint:
    """A workspace's webhook receiver; ``status`` is ``unverified`` or ``active``."""

    id: int
    workspace_id: int
    url: str
    event_types: list[str]
    secret: str
    status: str
    created_at: datetime
    updated_at: datetime


@attrs.define
class Role:
    """A system (read-only) or custom agency role; ``permissions`` maps layer -> codes."""

    id: int
    title: str
    description: str
    permissions: dict[str, list[str]]
    is_system: bool
    created_at: datetime
    updated_at: datetime


@attrs.define
class RoleAssignment:
    """A user holding a role in one workspace."""

    user_id: int
    email: str
    name: str
    workspace_id: int
    role_id: int
