"""E2E: the whole embedded flow, from a token to a finished load, through both clients."""

from __future__ import annotations

import datetime as dt

from improvado_async.models import (
    Account,
    DataTable,
    DestinationConnection,
    Extract,
    ExtractTemplate,
    Load,
    Token,
)

from .conftest import WAIT, Api, assert_basic, assert_bearer

FIELDS = ["date", "campaign_id", "impressions", "clicks", "spend"]


def test_token_to_finished_load(api: Api) -> None:
    # 1. token
    token = api.call(lambda c: c.auth.create_token(workspace_id=api.workspace_id))
    assert isinstance(token, Token)
    client = api.make_client(username=None, password=None, token=token.token)

    # 2. data source
    sources = api.list(lambda c: c.datasources.list(category="advertising"), client=client)
    assert "tiktok_ads" in {s.name for s in sources}

    # 3. connection: an external user authorizes TikTok through a link
    links = api.call(
        lambda c: c.external_auth_links.create("tiktok_ads", send_email=False), client=client
    )
    connection_id = api.state(lambda sb: sb.use_external_auth_link(links[0].id))
    connections = api.list(lambda c: c.datasource_connections.list("tiktok_ads"), client=client)
    assert connection_id in {conn.id for conn in connections}

    # 4. accounts: enable every account for extraction
    accounts = api.list(lambda c: c.accounts.list(connection_id), client=client)
    assert accounts
    assert not any(a.enabled_for_embedded_extraction for a in accounts)
    enabled = api.call(
        lambda c: c.accounts.bulk_update(connection_id, accounts={a.id: True for a in accounts}),
        client=client,
    )
    assert all(isinstance(a, Account) and a.enabled_for_embedded_extraction for a in enabled)
    account_ids = [a.id for a in enabled]

    # 5. template: a custom one derived from the global TikTok template
    templates = api.list(lambda c: c.extract_templates.list("tiktok_ads"), client=client)
    parent = next(t for t in templates if not t.is_wide_template)
    template = api.call(
        lambda c: c.extract_templates.create(
            "tiktok_ads", parent_id=parent.id, title="E2E TikTok pipeline", fields=FIELDS
        ),
        client=client,
    )
    assert isinstance(template, ExtractTemplate)
    assert template.parent_id == parent.id

    # 6. validate
    validation = api.call(
        lambda c: c.extract_templates.validate(
            template.id,
            accounts=account_ids,
            template_settings={"fields": FIELDS, "custom_settings": {"report_level": "campaign"}},
        ),
        client=client,
    )
    assert (validation.valid, list(validation.errors)) == (True, [])

    # 7. create extracts (v3.1): one per account, one new data table
    extracts = api.call(
        lambda c: c.extracts.create(
            data_table_title="E2E TikTok table",
            template_id=template.id,
            accounts=account_ids,
            template_settings={"fields": FIELDS},
        ),
        client=client,
    )
    assert len(extracts) == len(account_ids)
    assert all(isinstance(e, Extract) and e.template_id == template.id for e in extracts)
    table_id = extracts[0].data_table_id

    # 8. run + wait
    for extract in extracts:
        started = api.call(
            lambda c, e=extract: c.extracts.run(e.id, date_from="2024-05-01", date_to="2024-05-07"),
            client=client,
        )
        assert started.status == "syncing"
    for extract in extracts:
        done = api.call(lambda c, e=extract: c.extracts.wait(e.id, **WAIT), client=client)
        assert done.status == "success"
        assert done.last_sync is not None

    # 9. data table
    table = api.call(lambda c: c.data_tables.get(table_id), client=client)
    assert isinstance(table, DataTable)
    assert (table.title, table.datasource_name) == ("E2E TikTok table", "tiktok_ads")
    assert [f.name for f in table.fields if f.kind != "system"] == FIELDS

    # 10. destination connection
    destination = api.call(
        lambda c: c.destination_connections.create(
            "snowflake", title="E2E Snowflake", connections_params={"account": "e2e"}
        ),
        client=client,
    )
    assert isinstance(destination, DestinationConnection)
    assert destination.status == "active"

    # 11. load, run with a date range, wait
    load = api.call(
        lambda c: c.loads.create(
            data_table_id=table_id, destination_connection_id=destination.id, run_policy="manual"
        ),
        client=client,
    )
    assert isinstance(load, Load)
    assert (load.destination_table, load.uploaded_rows_count) == ("e2e_tiktok_table", 0)
    running = api.call(
        lambda c: c.loads.run(load.id, date_from=dt.date(2024, 5, 1), date_to=dt.date(2024, 5, 7)),
        client=client,
    )
    assert running.status == "running"
    finished = api.call(lambda c: c.loads.wait(load.id, **WAIT), client=client)
    assert isinstance(finished, Load)
    assert finished.status == "success"
    assert finished.uploaded_rows_count is not None
    assert finished.uploaded_rows_count > 0
    assert finished.error_text is None

    # The wire: Basic only for the token, the minted Bearer token everywhere else.
    journal = api.requests()
    token_calls = [r for r in journal if r.path == "/api/v3/token"]
    assert len(token_calls) == 1
    assert_basic(token_calls[0])
    for request in journal:
        if request.path != "/api/v3/token":
            assert_bearer(request)
            assert request.header("Authorization") == f"Bearer {token.token}"
    run = api.last_request("PUT", f"/api/v3/loads/{load.id}/run")
    assert run.json == {"date_from": "2024-05-01", "date_to": "2024-05-07"}
    assert api.last_request("POST", "/api/v3.1/extracts/").status == 201
