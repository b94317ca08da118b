"""Seeded system roles and users of the agency."""

from __future__ import annotations

from .catalog import PERMISSION_CATALOG
from .clock import SEEDED_AT
from .records import Role, RoleAssignment
from .state import SandboxState

VIEWER_ROLE_ID = 3


def _all(*layers: str, only: tuple[str, ...] | None = None) -> dict[str, list[str]]:
    chosen = [layer for layer in PERMISSION_CATALOG if not layers or layer.code in layers]
    return {
        layer.code: [p.code for p in layer.permissions if only is None or p.code in only]
        for layer in chosen
    }


def _system_roles() -> list[tuple[str, str, dict[str, list[str]]]]:
    return [
        ("Workspace Admin", "Full access to the workspace.", _all()),
        ("Editor", "Create and change everything except users.", _all(
            "EXTRACT", "LOAD", "TRANSFORM", "DATA_EXPLORER", "DASHBOARDS", "NAMING_CONVENTION"
        )),
        ("Viewer", "Read-only access.", _all(only=("VIEW",))),
        ("Data Manager", "Manage connections and extracts.", _all("EXTRACT", "DATA_EXPLORER")),
        ("Data Load Manager", "Manage destinations and loads.", _all("LOAD", "DATA_EXPLORER")),
        ("Data Analyst", "Explore data and dashboards.", _all("DATA_EXPLORER", "DASHBOARDS")),
    ]  # fmt: skip


#: (email, name, workspace index, role id) of the seeded users.
_USERS = (
    ("admin@client-a.example", "Alice Admin", 0, 1),
    ("editor@client-a.example", "Eddie Editor", 0, 2),
    ("viewer@client-a.example", "Vera Viewer", 0, 3),
    ("analyst@client-a.example", "Ann Analyst", 0, 6),
    ("admin@client-b.example", "Bob Admin", 1, 1),
    ("loads@client-b.example", "Lou Loads", 1, 5),
)


def seed_roles(state: SandboxState) -> None:
    """System roles (ids 1-6, Viewer is 3) and users assigned in the seeded workspaces."""
    for title, description, permissions in _system_roles():
        role_id = state.role_ids.next()
        state.roles[role_id] = Role(
            role_id, title, description, permissions, True, SEEDED_AT, SEEDED_AT
        )
    workspace_ids = sorted(state.workspaces)
    for user_id, (email, name, index, role_id) in enumerate(_USERS, start=12001):
        state.role_assignments.append(
            RoleAssignment(user_id, email, name, workspace_ids[index], role_id)
        )
