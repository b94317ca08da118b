"""Models of agency roles, the permission catalog, and role assignments."""

from __future__ import annotations

import attrs

from ._base import Model

__all__ = ["Permission", "PermissionLayer", "Role", "RoleDeletion", "RoleUser", "RoleWorkspace"]


@attrs.frozen(kw_only=True)
class Role(Model):
    """A role (system or agency custom role).

    ``permissions`` maps a product-layer code to its permission codes (e.g.
    ``{"EXTRACT": ["CREATE"]}``): the shape is the reference's PROPOSAL. ``user_count`` comes
    with list items; ``is_system`` (system roles are read-only) is the reference's PROPOSAL.
    """

    id: int
    title: str | None = None
    description: str | None = None
    permissions: dict[str, list[str]] | None = None
    user_count: int | None = None
    is_system: bool | None = None


@attrs.frozen(kw_only=True)
class Permission(Model):
    """One permission of a product layer in the catalog (shape: the reference's PROPOSAL)."""

    code: str | None = None
    title: str | None = None
    description: str | None = None


@attrs.frozen(kw_only=True)
class PermissionLayer(Model):
    """One product layer of the permission catalog, with its permissions.

    The catalog is documented as a stable ordered list of layers whose entries carry a
    human-readable ``title`` and ``description``; the key names are the reference's PROPOSAL.
    """

    code: str | None = None
    title: str | None = None
    description: str | None = None
    permissions: list[Permission] | None = None


@attrs.frozen(kw_only=True)
class RoleWorkspace(Model):
    """The workspace in which a user holds a role (shape: the reference's PROPOSAL)."""

    id: int | None = None
    title: str | None = None


@attrs.frozen(kw_only=True)
class RoleUser(Model):
    """A user assigned to a role, with the workspace of the assignment.

    The item shape is undocumented: every field is the reference's PROPOSAL.
    """

    id: int | None = None
    email: str | None = None
    name: str | None = None
    workspace: RoleWorkspace | None = None


@attrs.frozen(kw_only=True)
class RoleDeletion(Model):
    """The result of deleting a role: how many users were moved to the system Viewer role.

    ``reassigned_users_count`` is ``None`` when the API answered with an empty body (e.g. 204).
    """

    reassigned_users_count: int | None = None
