"""Wire tests of the roles operations: every one uses agency Basic auth, never the token."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest
from aioresponses import aioresponses

from improvado_async import AsyncImprovado, Page, ValidationError
from improvado_async.models.roles import (
    Permission,
    PermissionLayer,
    Role,
    RoleDeletion,
    RoleUser,
    RoleWorkspace,
)

from ..wire import call_once, make_client

ROLE = {
    "id": 21,
    "title": "Loader",
    "description": "Runs loads",
    "permissions": {"LOAD": ["VIEW", "RUN"]},
    "user_count": 2,
}
CATALOG = [
    {
        "code": "EXTRACT",
        "title": "Connections & Extractions",
        "description": "Sources",
        "permissions": [{"code": "CREATE", "title": "Create", "description": "Create extracts"}],
    }
]
USERS = [{"id": 8, "email": "a@example.com", "name": "A", "workspace": {"id": 1, "title": "W"}}]


async def _rejected(call: Callable[[AsyncImprovado], Any], field: str) -> None:
    """The call raises ValidationError on ``field`` and sends nothing."""
    async with make_client() as client:
        with aioresponses() as mock:
            with pytest.raises(ValidationError) as info:
                result = call(client)
                if inspect.iscoroutine(result):  # list operations raise when called
                    await result
            assert not mock.requests
    assert info.value.field == field


@pytest.mark.parametrize(
    "response",
    [[ROLE], {"count": 1, "next": None, "previous": None, "results": [ROLE]}],
    ids=["plain-list", "page"],
)
async def test_list_reads_a_plain_list_or_a_page(response: Any) -> None:
    result, sent = await call_once(
        lambda c: c.roles.list().first_page(), method="GET", response=response
    )
    assert isinstance(result, Page) and isinstance(result.results[0], Role)
    assert result.count == 1 and result.results[0].user_count == 2
    assert (sent.method, sent.path, sent.auth, sent.query) == ("GET", "/api/v3/roles/", "basic", {})


async def test_create() -> None:
    result, sent = await call_once(
        lambda c: c.roles.create(
            title="Loader", permissions={"LOAD": ("VIEW", "RUN")}, description="Runs loads"
        ),
        method="POST",
        status=201,
        response=ROLE,
    )
    assert isinstance(result, Role) and result.permissions == {"LOAD": ["VIEW", "RUN"]}
    assert (sent.method, sent.path, sent.auth) == ("POST", "/api/v3/roles/", "basic")
    assert sent.json == {
        "title": "Loader",
        "permissions": {"LOAD": ["VIEW", "RUN"]},
        "description": "Runs loads",
    }


@pytest.mark.parametrize(
    "response",
    [CATALOG, {"count": 1, "next": None, "previous": None, "results": CATALOG}],
    ids=["plain-list", "page"],
)
async def test_permissions_catalog(response: Any) -> None:
    result, sent = await call_once(
        lambda c: c.roles.permissions().first_page(), method="GET", response=response
    )
    layer = result.results[0]
    assert isinstance(result, Page) and isinstance(layer, PermissionLayer)
    assert layer.permissions is not None and isinstance(layer.permissions[0], Permission)
    assert layer.permissions[0].code == "CREATE"
    assert (sent.method, sent.path, sent.auth, sent.query) == (
        "GET",
        "/api/v3/roles/permissions",
        "basic",
        {},
    )


async def test_get() -> None:
    result, sent = await call_once(lambda c: c.roles.get(21), method="GET", response=ROLE)
    assert isinstance(result, Role) and result.title == "Loader"
    assert (sent.method, sent.path, sent.auth, sent.json) == (
        "GET",
        "/api/v3/roles/21",
        "basic",
        None,
    )


async def test_update() -> None:
    result, sent = await call_once(
        lambda c: c.roles.update(21, description="New", permissions={"LOAD": ["VIEW"]}),
        method="PATCH",
        response=ROLE,
    )
    assert isinstance(result, Role)
    assert (sent.method, sent.path, sent.auth) == ("PATCH", "/api/v3/roles/21", "basic")
    assert sent.json == {"description": "New", "permissions": {"LOAD": ["VIEW"]}}


async def test_delete_returns_the_reassigned_count() -> None:
    result, sent = await call_once(
        lambda c: c.roles.delete(21), method="DELETE", response={"reassigned_users_count": 3}
    )
    assert isinstance(result, RoleDeletion) and result.reassigned_users_count == 3
    assert (sent.method, sent.path, sent.auth) == ("DELETE", "/api/v3/roles/21", "basic")


async def test_delete_with_an_empty_body_has_no_count() -> None:
    result, _ = await call_once(lambda c: c.roles.delete(21), method="DELETE", status=204)
    assert result == RoleDeletion(reassigned_users_count=None)


@pytest.mark.parametrize(
    "response",
    [USERS, {"count": 1, "next": None, "previous": None, "results": USERS}],
    ids=["plain-list", "page"],
)
async def test_users(response: Any) -> None:
    result, sent = await call_once(
        lambda c: c.roles.users(21).first_page(), method="GET", response=response
    )
    user = result.results[0]
    assert isinstance(result, Page) and isinstance(user, RoleUser)
    assert isinstance(user.workspace, RoleWorkspace) and user.workspace.id == 1
    assert (sent.method, sent.path, sent.auth, sent.query) == (
        "GET",
        "/api/v3/roles/21/users",
        "basic",
        {},
    )


async def test_unknown_keys_are_kept() -> None:
    result, _ = await call_once(
        lambda c: c.roles.get(21), method="GET", response={**ROLE, "is_system": True, "code": "X"}
    )
    assert result.is_system is True and result.extra == {"code": "X"}


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.roles.create(title="", permissions={}), "title"),
        (lambda c: c.roles.create(title="   ", permissions={}), "title"),
        (lambda c: c.roles.create(title="R", permissions=["LOAD.VIEW"]), "permissions"),
        (lambda c: c.roles.create(title="R", permissions={"LOAD": "VIEW"}), "permissions"),
        (lambda c: c.roles.update(21, title=""), "title"),
        (lambda c: c.roles.update(21, permissions={"LOAD": [""]}), "permissions"),
        (lambda c: c.roles.get("21"), "role_id"),
        (lambda c: c.roles.delete(None), "role_id"),
        (lambda c: c.roles.users("21"), "role_id"),
    ],
)
async def test_validation_sends_nothing(call: Callable[[AsyncImprovado], Any], field: str) -> None:
    await _rejected(call, field)
