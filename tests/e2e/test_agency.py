"""E2E: agency-scope areas (Basic auth) - token, workspaces, iframe, recipes, roles."""

from __future__ import annotations

import base64

import pytest

from improvado_async.errors import (
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
)
from improvado_async.models import (
    Dashboard,
    DataTable,
    IframeUrl,
    PermissionLayer,
    Recipe,
    Role,
    RoleDeletion,
    RoleUser,
    Token,
    Workspace,
)

from .conftest import Api, assert_basic, assert_bearer

# -- auth --------------------------------------------------------------------------------------


def test_create_token_and_use_it(api: Api) -> None:
    token = api.call(lambda c: c.auth.create_token(workspace_id=api.workspace_id))
    assert isinstance(token, Token)
    assert token.token

    request = api.last_request("POST", "/api/v3/token")
    assert_basic(request)
    assert request.json == {"workspace_id": api.workspace_id}
    assert request.status == 201

    # A client holding only the minted token works on workspace-scoped endpoints.
    by_token = api.make_client(username=None, password=None, token=token.token)
    tables = api.list(lambda c: c.data_tables.list(), client=by_token)
    assert all(isinstance(table, DataTable) for table in tables)
    assert {t.id for t in tables} == api.state(
        lambda sb: {t.id for t in sb.state.data_tables(sb.workspace_id)}
    )
    request = api.last_request("GET", "/api/v3/data-tables")
    assert request.header("Authorization") == f"Bearer {token.token}"


def test_wrong_password_is_authentication_error(api: Api) -> None:
    wrong = api.make_client(password="not-the-password")
    with pytest.raises(AuthenticationError) as info:
        api.call(lambda c: c.workspaces.get(api.workspace_id), client=wrong)
    assert info.value.status == 401
    # Workspace-scoped calls fail the same way: the token cannot be minted.
    with pytest.raises(AuthenticationError):
        api.call(lambda c: c.auth.create_token(workspace_id=api.workspace_id), client=wrong)
    assert api.last_request("POST", "/api/v3/token").status == 401


def test_create_token_unknown_workspace_is_not_found(api: Api) -> None:
    with pytest.raises(NotFoundError):
        api.call(lambda c: c.auth.create_token(workspace_id=999_999))


# -- workspaces --------------------------------------------------------------------------------


def test_workspaces_lifecycle(api: Api) -> None:
    listed = api.list(lambda c: c.workspaces.list())
    assert all(isinstance(ws, Workspace) for ws in listed)
    assert {api.workspace_id, api.other_workspace_id} <= {ws.id for ws in listed}
    assert_basic(api.last_request("GET", "/api/v3/workspaces"))

    created = api.call(lambda c: c.workspaces.create(title="E2E Client", description="made"))
    assert isinstance(created, Workspace)
    assert (created.title, created.description) == ("E2E Client", "made")
    assert created.id not in {ws.id for ws in listed}

    got = api.call(lambda c: c.workspaces.get(created.id))
    assert isinstance(got, Workspace)
    assert (got.id, got.title) == (created.id, "E2E Client")

    updated = api.call(lambda c: c.workspaces.update(created.id, title="E2E Client 2"))
    assert isinstance(updated, Workspace)
    assert (updated.title, updated.description) == ("E2E Client 2", "made")
    request = api.last_request("PUT", f"/api/v3/workspaces/{created.id}")
    assert_basic(request)
    assert request.json == {"title": "E2E Client 2"}

    dashboards = api.list(lambda c: c.workspaces.list_dashboards(created.id))
    assert dashboards
    assert all(isinstance(d, Dashboard) for d in dashboards)
    assert {d.dashboard_id for d in dashboards} == {11, 12, 13}

    recipe = api.call(lambda c: c.workspaces.enable_recipe(created.id, recipe_id=2))
    assert isinstance(recipe, Recipe)
    assert recipe.id == 2
    assert api.state(lambda sb: sb.state.workspaces[created.id].enabled_recipe_ids) == [2]
    request = api.last_request("POST", f"/api/v3/workspaces/{created.id}/recipes")
    assert request.json == {"recipe_id": 2}

    assert {ws.id for ws in api.list(lambda c: c.workspaces.list())} >= {created.id}


def test_workspaces_errors(api: Api) -> None:
    with pytest.raises(NotFoundError) as info:
        api.call(lambda c: c.workspaces.get(999_999))
    assert info.value.status == 404
    with pytest.raises(NotFoundError):
        api.call(lambda c: c.workspaces.update(999_999, title="x"))
    with pytest.raises(BadRequestError) as bad:
        api.call(lambda c: c.workspaces.enable_recipe(api.workspace_id, recipe_id=999))
    assert bad.value.status == 400
    assert "recipe_id" in str(bad.value)


# -- iframe and recipes ------------------------------------------------------------------------


def test_iframe_url(api: Api) -> None:
    url = api.call(
        lambda c: c.iframe.get_url(workspace_id=api.workspace_id, datasource_name="facebook")
    )
    assert isinstance(url, IframeUrl)
    assert url.url.startswith(api.sandbox.base_url + "/embedded/iframe/")
    assert f"workspace_id={api.workspace_id}" in url.url
    assert "datasource_name=facebook" in url.url
    request = api.last_request("POST", "/api/v3/get_iframe_url")
    assert_basic(request)
    assert request.json["workspace_id"] == api.workspace_id

    with pytest.raises(NotFoundError):
        api.call(lambda c: c.iframe.get_url(workspace_id=999_999))


def test_recipes_list(api: Api) -> None:
    recipes = api.list(lambda c: c.recipes.list())
    assert all(isinstance(r, Recipe) for r in recipes)
    assert [r.id for r in recipes] == [1, 2, 3, 4]
    assert recipes[0].title == "Paid Media Performance"
    page = api.page(lambda c: c.recipes.list(page_size=2))
    assert (page.count, len(page.results)) == (4, 2)
    request = api.last_request("GET", "/api/v3/recipes")
    assert_basic(request)
    assert request.query.get("page_size") == "2"


# -- roles (agency chief) ----------------------------------------------------------------------


def test_roles_lifecycle_with_chief(api: Api) -> None:
    chief = api.chief
    roles = api.list(lambda c: c.roles.list(), client=chief)
    assert all(isinstance(r, Role) for r in roles)
    assert [r.id for r in roles] == [1, 2, 3, 4, 5, 6]
    assert all(r.is_system for r in roles)
    viewer = next(r for r in roles if r.id == 3)
    assert (viewer.title, viewer.user_count) == ("Viewer", 1)
    request = api.last_request("GET", "/api/v3/roles/")
    expected = base64.b64encode(
        f"{api.sandbox.chief_username}:{api.sandbox.chief_password}".encode()
    ).decode()
    assert request.header("Authorization") == f"Basic {expected}"

    layers = api.list(lambda c: c.roles.permissions(), client=chief)
    assert all(isinstance(layer, PermissionLayer) for layer in layers)
    assert layers[0].code == "EXTRACT"
    assert "RUN" in {p.code for p in layers[0].permissions}

    created = api.call(
        lambda c: c.roles.create(
            title="E2E Loader", permissions={"LOAD": ["VIEW", "RUN"]}, description="loads only"
        ),
        client=chief,
    )
    assert isinstance(created, Role)
    assert created.id >= 101
    assert not created.is_system
    assert created.permissions == {"LOAD": ["VIEW", "RUN"]}
    assert (created.title, created.description, created.user_count) == (
        "E2E Loader",
        "loads only",
        0,
    )

    got = api.call(lambda c: c.roles.get(created.id), client=chief)
    assert isinstance(got, Role)
    assert (got.id, got.title) == (created.id, "E2E Loader")

    updated = api.call(
        lambda c: c.roles.update(created.id, title="E2E Loader 2", permissions={"LOAD": ["VIEW"]}),
        client=chief,
    )
    assert isinstance(updated, Role)
    assert (updated.title, updated.permissions) == ("E2E Loader 2", {"LOAD": ["VIEW"]})
    assert updated.description == "loads only"
    assert api.last_request("PATCH", f"/api/v3/roles/{created.id}").status == 200

    users = api.list(lambda c: c.roles.users(3), client=chief)
    assert all(isinstance(u, RoleUser) for u in users)
    assert [u.email for u in users] == ["viewer@client-a.example"]
    assert users[0].workspace is not None
    assert users[0].workspace.id == api.workspace_id

    deleted = api.call(lambda c: c.roles.delete(created.id), client=chief)
    assert isinstance(deleted, RoleDeletion)
    assert deleted.reassigned_users_count == 0
    assert api.last_request("DELETE", f"/api/v3/roles/{created.id}").status == 200
    with pytest.raises(NotFoundError):
        api.call(lambda c: c.roles.get(created.id), client=chief)


def test_roles_need_agency_chief(api: Api) -> None:
    # The regular agency user is authenticated but not allowed.
    with pytest.raises(PermissionDeniedError) as info:
        api.call(lambda c: c.roles.list().to_list())
    assert info.value.status == 403
    assert api.last_request("GET", "/api/v3/roles/").status == 403
    with pytest.raises(PermissionDeniedError):
        api.call(lambda c: c.roles.create(title="Nope", permissions={"LOAD": ["VIEW"]}))


def test_roles_errors_with_chief(api: Api) -> None:
    chief = api.chief
    with pytest.raises(PermissionDeniedError):  # system roles are read-only
        api.call(lambda c: c.roles.update(1, title="Renamed"), client=chief)
    with pytest.raises(PermissionDeniedError):
        api.call(lambda c: c.roles.delete(3), client=chief)
    with pytest.raises(BadRequestError):
        api.call(lambda c: c.roles.create(title="Bad", permissions={"LOAD": ["FLY"]}), client=chief)
    with pytest.raises(BadRequestError):  # titles are unique in the agency
        api.call(
            lambda c: c.roles.create(title="viewer", permissions={"LOAD": ["VIEW"]}),
            client=chief,
        )
    with pytest.raises(NotFoundError):
        api.call(lambda c: c.roles.users(999).to_list(), client=chief)

    api.state(lambda sb: setattr(sb.state.agency, "can_use_embedded_api", False))
    with pytest.raises(PermissionDeniedError):
        api.call(lambda c: c.roles.permissions().to_list(), client=chief)


def test_workspace_token_is_cached(api: Api) -> None:
    api.call(lambda c: c.data_tables.list().to_list())
    api.call(lambda c: c.loads.list().to_list())
    tokens = [r for r in api.requests() if r.path == "/api/v3/token"]
    assert len(tokens) == 1
    assert_bearer(api.last_request("GET", "/api/v3/loads"))
