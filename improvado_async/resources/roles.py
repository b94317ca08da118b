"""Roles: agency custom roles, the permission catalog, and who holds a role."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._transport.query import compact
from ..config import Timeout
from ..errors import ValidationError
from ..models.roles import PermissionLayer, Role, RoleDeletion, RoleUser
from ..pagination import AsyncPaginator
from ._base import Scope, Service, declare, extra_of

__all__ = ["Roles"]

# Only the list/create path ends with a slash, as documented.
LIST = declare("roles.list", "GET", "/api/v3/roles/", scope=Scope.BASIC)
CREATE = declare("roles.create", "POST", "/api/v3/roles/", scope=Scope.BASIC)
PERMISSIONS = declare("roles.permissions", "GET", "/api/v3/roles/permissions", scope=Scope.BASIC)
GET = declare("roles.get", "GET", "/api/v3/roles/{role_id}", scope=Scope.BASIC)
UPDATE = declare("roles.update", "PATCH", "/api/v3/roles/{role_id}", scope=Scope.BASIC)
DELETE = declare("roles.delete", "DELETE", "/api/v3/roles/{role_id}", scope=Scope.BASIC)
USERS = declare("roles.users", "GET", "/api/v3/roles/{role_id}/users", scope=Scope.BASIC)


def _title(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("title", "must be a non-empty string")
    return value


def _permissions(value: object) -> dict[str, list[str]]:
    """Permissions grouped by layer: ``{layer_code: [permission_code, ...]}``."""
    if not isinstance(value, Mapping):
        raise ValidationError("permissions", f"must be a mapping, got {type(value).__name__}")
    grouped: dict[str, list[str]] = {}
    for layer, codes in value.items():
        if not isinstance(layer, str) or not layer:
            raise ValidationError("permissions", f"invalid layer code {layer!r}")
        if isinstance(codes, str) or not isinstance(codes, (list, tuple, set, frozenset)):
            raise ValidationError("permissions", f"layer {layer!r}: expected a list of codes")
        if not all(isinstance(code, str) and code for code in codes):
            raise ValidationError("permissions", f"layer {layer!r}: codes must be non-empty")
        grouped[layer] = list(codes)
    return grouped


class Roles(Service):
    """The ``roles`` area (agency scope: HTTP Basic with an agency-chief credential).

    Never the workspace token: roles belong to the agency and the API rejects Bearer here.
    """

    def list(
        self,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncPaginator[Role]:
        """List the visible system roles and all of the agency's custom roles.

        ``GET /api/v3/roles/``

        The response is rendered as a plain list in the docs (no pagination documented); a page
        is read as well.

        Args:
            timeout: overrides the client's timeout for each request.

        Raises:
            AuthenticationError: wrong Basic credentials.
            PermissionDeniedError: not an agency chief, or the agency lacks Embedded API access.
        """
        return self._paginate(
            LIST, Role, timeout=timeout, extra=extra_of(extra_headers, extra_query, extra_body)
        )

    async def create(
        self,
        *,
        title: str,
        permissions: Mapping[str, Sequence[str]],
        description: str | None = None,
        idempotent: bool = False,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Role:
        """Create a custom role for the agency.

        ``POST /api/v3/roles/``

        Args:
            title: the role title (non-empty, unique within the agency).
            permissions: permission codes grouped by product layer, e.g.
                ``{"EXTRACT": ["CREATE"]}``; every pair must exist in :meth:`permissions`.
            description: an optional description.
            idempotent: allow retrying this POST on timeouts and 5xx (may create duplicates).
            timeout: overrides the client's timeout.

        Raises:
            ValidationError: empty ``title`` or malformed ``permissions`` (nothing is sent).
            BadRequestError: duplicate title or a (layer, permission) pair not in the catalog.
            PermissionDeniedError: not an agency chief, or the agency lacks Embedded API access.
        """
        body = compact(
            {
                "title": _title(title),
                "permissions": _permissions(permissions),
                "description": description,
            }
        )
        return await self._call_model(
            CREATE,
            Role,
            json=body,
            idempotent=idempotent,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    def permissions(
        self,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncPaginator[PermissionLayer]:
        """List the permission catalog: the ordered product layers, each with its permissions.

        ``GET /api/v3/roles/permissions``

        The catalog is a list; a page is read as well.

        Args:
            timeout: overrides the client's timeout for each request.

        Raises:
            PermissionDeniedError: not an agency chief, or the agency lacks Embedded API access.
        """
        return self._paginate(
            PERMISSIONS,
            PermissionLayer,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def get(
        self,
        role_id: int,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Role:
        """Get one role.

        ``GET /api/v3/roles/{role_id}``

        Raises:
            ValidationError: ``role_id`` is not an integer.
            NotFoundError: no such role in the agency.
        """
        return await self._call_model(
            GET,
            Role,
            path={"role_id": role_id},
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def update(
        self,
        role_id: int,
        *,
        title: str | None = None,
        description: str | None = None,
        permissions: Mapping[str, Sequence[str]] | None = None,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Role:
        """Change a custom role's title, description or permissions (system roles are read-only).

        ``PATCH /api/v3/roles/{role_id}``

        Only the arguments given are sent; ``permissions`` replaces the role's permission set.

        Raises:
            ValidationError: a non-integer ``role_id``, an empty ``title`` or malformed
                ``permissions`` (nothing is sent).
            BadRequestError: duplicate title, unknown permission, or a system role.
            NotFoundError: no such role in the agency.
        """
        body = compact(
            {
                "title": None if title is None else _title(title),
                "description": description,
                "permissions": None if permissions is None else _permissions(permissions),
            }
        )
        return await self._call_model(
            UPDATE,
            Role,
            path={"role_id": role_id},
            json=body,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
            read_back=lambda: self.get(role_id, timeout=timeout),
        )

    async def delete(
        self,
        role_id: int,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> RoleDeletion:
        """Delete a custom role; its users are moved to the system Viewer role atomically.

        ``DELETE /api/v3/roles/{role_id}``

        Returns how many users were reassigned; ``reassigned_users_count`` is ``None`` if the
        API answers with an empty body (e.g. 204).

        Raises:
            ValidationError: ``role_id`` is not an integer.
            BadRequestError: the role is a system role.
            NotFoundError: no such role in the agency.
        """
        data = await self._call(
            DELETE,
            path={"role_id": role_id},
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )
        return self._structure(data if isinstance(data, dict) else {}, RoleDeletion)

    def users(
        self,
        role_id: int,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncPaginator[RoleUser]:
        """List the users holding a role, each with the workspace of the assignment.

        ``GET /api/v3/roles/{role_id}/users``

        The response shape is undocumented: a plain JSON array or a page are both read.

        Args:
            role_id: the role id.
            timeout: overrides the client's timeout for each request.

        Raises:
            ValidationError: ``role_id`` is not an integer.
            NotFoundError: no such role in the agency.
        """
        return self._paginate(
            USERS,
            RoleUser,
            path={"role_id": role_id},
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )
