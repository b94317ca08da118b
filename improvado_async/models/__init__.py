"""Response models (attrs, frozen) for every API area.

Each area has its own module; every model is also importable from here.
"""

from ._base import NOT_GIVEN, Model, NotGiven, OpenEnum
from .automated_recipes import (
    AutomatedRecipe,
    AutomatedRecipeState,
    AutomatedRecipeTemplate,
    TemplateTreeNode,
)
from .common import Page, Token
from .connections import Account, AccountSelection, AccountsStatus, Connection, ConnectionStatus
from .data_tables import SYSTEM_FIELDS, DataTable, DataTableField, FieldKind
from .datasources import DataSource
from .destinations import Destination, DestinationConnection, DestinationConnectionStatus
from .external_auth_links import ExternalAuthLink, ExternalAuthLinkStatus
from .extract_templates import (
    AccountSettingOptions,
    CustomSettingOption,
    DataClass,
    ExtractTemplate,
    TemplatePreview,
    TemplateValidation,
)
from .extracts import Extract, ExtractStatus, MigrateWideResult
from .iframe import IframeUrl
from .loads import Load, LoadDataTable, LoadStatus, RunPolicy
from .recipes import Recipe
from .roles import Permission, PermissionLayer, Role, RoleDeletion, RoleUser, RoleWorkspace
from .webhooks import EventTypeInfo, WebhookEndpoint, WebhookEndpointStatus, WebhookEventType
from .workspaces import Dashboard, Workspace

__all__ = [
    "NOT_GIVEN",
    "SYSTEM_FIELDS",
    "Account",
    "AccountSelection",
    "AccountSettingOptions",
    "AccountsStatus",
    "AutomatedRecipe",
    "AutomatedRecipeState",
    "AutomatedRecipeTemplate",
    "Connection",
    "ConnectionStatus",
    "CustomSettingOption",
    "Dashboard",
    "DataClass",
    "DataSource",
    "DataTable",
    "DataTableField",
    "Destination",
    "DestinationConnection",
    "DestinationConnectionStatus",
    "EventTypeInfo",
    "ExternalAuthLink",
    "ExternalAuthLinkStatus",
    "Extract",
    "ExtractStatus",
    "ExtractTemplate",
    "FieldKind",
    "IframeUrl",
    "Load",
    "LoadDataTable",
    "LoadStatus",
    "MigrateWideResult",
    "Model",
    "NotGiven",
    "OpenEnum",
    "Page",
    "Permission",
    "PermissionLayer",
    "Recipe",
    "Role",
    "RoleDeletion",
    "RoleUser",
    "RoleWorkspace",
    "RunPolicy",
    "TemplatePreview",
    "TemplateTreeNode",
    "TemplateValidation",
    "Token",
    "WebhookEndpoint",
    "WebhookEndpointStatus",
    "WebhookEventType",
    "Workspace",
]
