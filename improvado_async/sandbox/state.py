"""The sandbox's in-memory state: workspaces and every workspace-scoped collection."""

from __future__ import annotations

from .records import (
    Account,
    Agency,
    AutomatedRecipe,
    Connection,
    DataTable,
    DestinationConnection,
    ExternalAuthLink,
    Extract,
    ExtractTemplate,
    Load,
    Role,
    RoleAssignment,
    WebhookEndpoint,
    Workspace,
)
from .store import Collection, IdSequence


class SandboxState:
    """All objects the sandbox serves. Tests may read it (e.g. to pick seeded ids).

    Id ranges differ per kind (workspaces 1.., data tables 1001.., destination connections
    2001.., loads 3001.., connections 4001.., accounts 5001.., extract templates 6001..,
    extracts 7001.., external auth links 8001.., recipe templates 9001..,
    automated recipes 10001.., webhook endpoints 11001..) so an id of the wrong kind is never valid.
    """

    def __init__(self) -> None:
        self.agency = Agency()
        self.workspace_ids = IdSequence(1)
        self.workspaces: dict[int, Workspace] = {}
        self.data_table_rows: Collection[DataTable] = Collection(1001)
        self.destination_connection_rows: Collection[DestinationConnection] = Collection(2001)
        self.load_rows: Collection[Load] = Collection(3001)
        self.connection_rows: Collection[Connection] = Collection(4001)
        self.account_rows: Collection[Account] = Collection(5001)
        self.external_auth_link_rows: Collection[ExternalAuthLink] = Collection(8001)
        self.extract_rows: Collection[Extract] = Collection(7001)
        self.automated_recipe_rows: Collection[AutomatedRecipe] = Collection(10001)
        self.webhook_endpoint_rows: Collection[WebhookEndpoint] = Collection(11001)
        #: Agency-level roles: system roles 1..6, custom roles from 101; users from 12001.
        self.role_ids = IdSequence(1)
        self.custom_role_ids = IdSequence(101)
        self.roles: dict[int, Role] = {}
        self.role_assignments: list[RoleAssignment] = []
        #: Agency-level templates (global ones and custom ones), visible in every workspace.
        self.template_ids = IdSequence(6001)
        self.templates: dict[int, ExtractTemplate] = {}

    def workspace(self, workspace_id: int) -> Workspace | None:
        """The workspace with this id, if any."""
        return self.workspaces.get(workspace_id)

    def data_tables(self, workspace_id: int) -> list[DataTable]:
        """Data tables of a workspace, by id."""
        return self.data_table_rows.list(workspace_id)

    def destination_connections(self, workspace_id: int) -> list[DestinationConnection]:
        """Destination connections of a workspace, by id."""
        return self.destination_connection_rows.list(workspace_id)

    def loads(self, workspace_id: int) -> list[Load]:
        """Loads of a workspace, by id."""
        return self.load_rows.list(workspace_id)

    def connections(self, workspace_id: int) -> list[Connection]:
        """Data-source connections of a workspace, by id."""
        return self.connection_rows.list(workspace_id)

    def accounts(self, workspace_id: int, connection_id: int | None = None) -> list[Account]:
        """Accounts of a workspace (optionally of one connection), by id."""
        rows = self.account_rows.list(workspace_id)
        return [a for a in rows if connection_id is None or a.connection_id == connection_id]

    def extracts(self, workspace_id: int) -> list[Extract]:
        """Extracts of a workspace, by id."""
        return self.extract_rows.list(workspace_id)

    def templates_of(self, datasource_name: str) -> list[ExtractTemplate]:
        """Global and custom templates of a data source, by id."""
        rows = (t for t in self.templates.values() if t.datasource_name == datasource_name)
        return sorted(rows, key=lambda template: template.id)
