"""E2E: data sources, their connections, external auth links, connections and accounts."""

from __future__ import annotations

import pytest

from improvado_async.errors import BadRequestError, NotFoundError, PermissionDeniedError
from improvado_async.models import Account, Connection, DataSource, ExternalAuthLink

from .conftest import Api, assert_bearer


def _facebook_connections(api: Api) -> list[int]:
    return api.state(
        lambda sb: [
            c.id for c in sb.state.connections(sb.workspace_id) if c.datasource_name == "facebook"
        ]
    )


# -- datasources -------------------------------------------------------------------------------


def test_datasources_list(api: Api) -> None:
    sources = api.list(lambda c: c.datasources.list())
    assert all(isinstance(s, DataSource) for s in sources)
    names = [s.name for s in sources]
    assert {"facebook", "google_ads_ql", "hubspot"} <= set(names)
    assert len(names) == len(set(names))
    assert_bearer(api.last_request("GET", "/api/v3/datasources"))

    crm = api.list(lambda c: c.datasources.list(category="crm"))
    assert {s.name for s in crm} == {"hubspot", "salesforce"}
    assert all("crm" in s.categories for s in crm)
    assert api.last_request("GET", "/api/v3/datasources").query["category"] == "crm"


# -- datasource connections --------------------------------------------------------------------


def test_datasource_connections_list_and_delete(api: Api) -> None:
    listed = api.list(lambda c: c.datasource_connections.list("facebook"))
    assert all(isinstance(conn, Connection) for conn in listed)
    assert [conn.id for conn in listed] == _facebook_connections(api)
    assert [conn.title for conn in listed] == ["Facebook - Agency BM", "Facebook - Client BM"]
    agency_bm = listed[0]
    assert agency_bm.datasource_name == "facebook"
    assert (agency_bm.accounts_number, agency_bm.enabled_for_extraction_accounts_number) == (3, 2)

    assert api.call(lambda c: c.datasource_connections.delete("facebook", agency_bm.id)) is None
    request = api.last_request("DELETE", f"/api/v3/datasources/facebook/connections/{agency_bm.id}")
    assert (request.status, request.body) == (204, b"")
    assert_bearer(request)
    assert [conn.id for conn in api.list(lambda c: c.datasource_connections.list("facebook"))] == [
        listed[1].id
    ]


def test_datasource_connections_errors(api: Api) -> None:
    with pytest.raises(NotFoundError):
        api.call(lambda c: c.datasource_connections.list("no_such_source").to_list())
    google = api.state(
        lambda sb: next(
            c.id for c in sb.state.connections(sb.workspace_id) if c.datasource_name != "facebook"
        )
    )
    with pytest.raises(NotFoundError):  # a connection of another data source
        api.call(lambda c: c.datasource_connections.delete("facebook", google))
    with pytest.raises(NotFoundError):
        api.call(lambda c: c.datasource_connections.delete("facebook", 999_999))


# -- external auth links -----------------------------------------------------------------------


def test_external_auth_links_lifecycle(api: Api) -> None:
    single = api.call(lambda c: c.external_auth_links.create("facebook", send_email=False))
    assert isinstance(single, list)
    assert len(single) == 1
    link = single[0]
    assert isinstance(link, ExternalAuthLink)
    assert (link.datasource_name, link.status, link.email, link.send_email) == (
        "facebook",
        "pending",
        None,
        False,
    )
    assert link.url.startswith(api.sandbox.base_url + "/embedded/external-auth/")
    request = api.last_request("POST", "/api/v3/datasources/facebook/external-auth-links")
    assert_bearer(request)
    assert request.status == 201

    mailed = api.call(
        lambda c: c.external_auth_links.create(
            "facebook", send_email=True, emails=["a@client.example", "b@client.example"]
        )
    )
    assert [m.email for m in mailed] == ["a@client.example", "b@client.example"]
    assert all(m.send_email and m.status == "pending" for m in mailed)

    listed = api.list(lambda c: c.external_auth_links.list("facebook"))
    assert all(isinstance(item, ExternalAuthLink) for item in listed)
    assert [item.id for item in listed] == [link.id, mailed[0].id, mailed[1].id]

    revoked = api.call(lambda c: c.external_auth_links.revoke("facebook", mailed[1].id))
    assert isinstance(revoked, ExternalAuthLink)
    assert (revoked.id, revoked.status) == (mailed[1].id, "revoked")

    # The external user completes the first link: a connection appears.
    connection_id = api.state(lambda sb: sb.use_external_auth_link(link.id))
    listed = api.list(lambda c: c.external_auth_links.list("facebook"))
    used = next(item for item in listed if item.id == link.id)
    assert (used.status, used.connection_id) == ("used", connection_id)
    connections = api.list(lambda c: c.datasource_connections.list("facebook"))
    assert connection_id in {conn.id for conn in connections}

    with pytest.raises(BadRequestError):  # a used link cannot be revoked
        api.call(lambda c: c.external_auth_links.revoke("facebook", link.id))
    with pytest.raises(BadRequestError):  # nor an already revoked one
        api.call(lambda c: c.external_auth_links.revoke("facebook", mailed[1].id))


def test_external_auth_links_errors(api: Api) -> None:
    with pytest.raises(BadRequestError):  # send_email without any address
        api.call(lambda c: c.external_auth_links.create("facebook", send_email=True))
    with pytest.raises(NotFoundError):
        api.call(lambda c: c.external_auth_links.revoke("facebook", 999_999))
    with pytest.raises(NotFoundError):
        api.call(lambda c: c.external_auth_links.create("no_such_source", send_email=False))


def test_external_auth_links_feature_flag_off(api: Api) -> None:
    links = api.call(lambda c: c.external_auth_links.create("facebook", send_email=False))
    api.state(lambda sb: setattr(sb.state.agency, "external_auth_enabled", False))
    with pytest.raises(PermissionDeniedError) as info:
        api.call(lambda c: c.external_auth_links.create("facebook", send_email=False))
    assert info.value.status == 403
    assert "not enabled" in str(info.value)
    with pytest.raises(PermissionDeniedError):
        api.call(lambda c: c.external_auth_links.list("facebook").to_list())
    with pytest.raises(PermissionDeniedError):
        api.call(lambda c: c.external_auth_links.revoke("facebook", links[0].id))
    assert api.requests()[-1].status == 403


# -- connections and accounts ------------------------------------------------------------------


def test_connection_delete(api: Api) -> None:
    connection_id = _facebook_connections(api)[1]
    assert api.call(lambda c: c.connections.delete(connection_id)) is None
    request = api.last_request("DELETE", f"/api/v3/connections/{connection_id}")
    assert request.status == 204
    assert_bearer(request)
    assert connection_id not in api.state(
        lambda sb: {c.id for c in sb.state.connections(sb.workspace_id)}
    )
    with pytest.raises(NotFoundError):
        api.call(lambda c: c.connections.delete(connection_id))


def test_accounts_list_and_update(api: Api) -> None:
    connection_id = _facebook_connections(api)[0]
    accounts = api.list(lambda c: c.accounts.list(connection_id))
    assert len(accounts) == 3
    assert all(isinstance(a, Account) for a in accounts)
    assert all(a.connection_id == connection_id for a in accounts)
    assert all(a.account_id.startswith("act_") for a in accounts)
    assert [a.enabled_for_embedded_extraction for a in accounts] == [True, True, False]
    assert_bearer(api.last_request("GET", f"/api/v3/connections/{connection_id}/accounts"))

    # bulk_update accepts a {id: enabled} mapping
    changed = api.call(
        lambda c: c.accounts.bulk_update(
            connection_id, accounts={accounts[0].id: False, accounts[2].id: True}
        )
    )
    assert isinstance(changed, list)
    assert all(isinstance(a, Account) for a in changed)
    assert [(a.id, a.enabled_for_embedded_extraction) for a in changed] == [
        (accounts[0].id, False),
        (accounts[2].id, True),
    ]
    request = api.last_request("PATCH", f"/api/v3/connections/{connection_id}/accounts")
    assert request.json == {
        "accounts": [
            {"id": accounts[0].id, "enabled_for_embedded_extraction": False},
            {"id": accounts[2].id, "enabled_for_embedded_extraction": True},
        ]
    }

    one = api.call(
        lambda c: c.accounts.update(
            connection_id, accounts[1].id, enabled_for_embedded_extraction=False
        )
    )
    assert isinstance(one, Account)
    assert (one.id, one.enabled_for_embedded_extraction) == (accounts[1].id, False)
    request = api.last_request(
        "PATCH", f"/api/v3/connections/{connection_id}/accounts/{accounts[1].id}"
    )
    assert request.json == {"enabled_for_embedded_extraction": False}

    flags = [
        a.enabled_for_embedded_extraction
        for a in api.list(lambda c: c.accounts.list(connection_id))
    ]
    assert flags == [False, False, True]


def test_accounts_errors(api: Api) -> None:
    first, second = _facebook_connections(api)[:2]
    foreign = api.state(lambda sb: sb.state.accounts(sb.workspace_id, second)[0].id)
    with pytest.raises(NotFoundError):
        api.call(lambda c: c.accounts.list(999_999).to_list())
    with pytest.raises(BadRequestError) as info:  # an account of another connection
        api.call(lambda c: c.accounts.bulk_update(first, accounts={foreign: True}))
    assert "does not exist" in str(info.value)
    with pytest.raises(NotFoundError):
        api.call(lambda c: c.accounts.update(first, foreign, enabled_for_embedded_extraction=True))
    # nothing changed
    assert not api.state(
        lambda sb: (
            sb.state.account_rows.get(sb.workspace_id, foreign).enabled_for_embedded_extraction
        )
    )
