"""E2E: extract templates (preview, validation, custom settings) and extracts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from improvado_async.errors import BadRequestError, NotFoundError
from improvado_async.models import (
    AccountSettingOptions,
    Extract,
    ExtractTemplate,
    MigrateWideResult,
    TemplatePreview,
    TemplateValidation,
)

from .conftest import WAIT, Api, assert_bearer


def _facebook(api: Api) -> dict[str, Any]:
    """Seeded facebook ids: templates, the Agency BM connection and its accounts."""

    def pick(sb: Any) -> dict[str, Any]:
        templates = {t.title: t.id for t in sb.state.templates_of("facebook")}
        connection = next(
            c for c in sb.state.connections(sb.workspace_id) if c.datasource_name == "facebook"
        )
        accounts = sb.state.accounts(sb.workspace_id, connection.id)
        google = next(
            a for a in sb.state.accounts(sb.workspace_id) if a.datasource_name == "google_ads_ql"
        )
        return {
            "standard": templates["Facebook Ads Campaigns"],
            "wide": templates["Facebook Ads Wide Report"],
            "connection": connection.id,
            "accounts": [a.id for a in accounts],
            "remote": [a.account_id for a in accounts],
            "google_account": google.id,
        }

    return api.state(pick)


# -- extract templates -------------------------------------------------------------------------


def test_extract_templates_list_get_create(api: Api) -> None:
    fb = _facebook(api)
    templates = api.list(lambda c: c.extract_templates.list("facebook"))
    assert all(isinstance(t, ExtractTemplate) for t in templates)
    assert [t.id for t in templates] == [fb["standard"], fb["wide"]]
    assert [t.is_wide_template for t in templates] == [False, True]
    assert_bearer(api.last_request("GET", "/api/v3/datasources/facebook/extract-templates"))

    got = api.call(lambda c: c.extract_templates.get("facebook", fb["standard"]))
    assert isinstance(got, ExtractTemplate)
    assert (got.id, got.title, got.datasource_name) == (
        fb["standard"],
        "Facebook Ads Campaigns",
        "facebook",
    )
    assert [f["name"] for f in got.fields][:3] == ["date", "campaign_id", "campaign_name"]

    compact = api.call(lambda c: c.extract_templates.get_by_id(fb["wide"]))
    assert isinstance(compact, ExtractTemplate)
    assert (compact.id, compact.datasource_name, compact.is_wide_template) == (
        fb["wide"],
        "facebook",
        True,
    )
    assert api.last_request("GET", f"/api/v3/extract-template/{fb['wide']}/").status == 200

    custom = api.call(
        lambda c: c.extract_templates.create(
            "facebook",
            parent_id=fb["standard"],
            title="E2E Facebook Slim",
            fields=["date", "campaign_id", "impressions"],
            description="slim",
            hashed_fields=["campaign_id"],
            historical_data_depth_limit=30,
        )
    )
    assert isinstance(custom, ExtractTemplate)
    assert custom.parent_id == fb["standard"]
    assert custom.title == "E2E Facebook Slim"
    assert [f["name"] for f in custom.fields] == ["date", "campaign_id", "impressions"]
    assert (custom.hashed_fields, custom.historical_data_depth_limit) == (["campaign_id"], 30)
    request = api.last_request("POST", "/api/v3/datasources/facebook/extract-templates")
    assert request.status == 201
    assert request.json["parent_id"] == fb["standard"]

    listed = api.list(lambda c: c.extract_templates.list("facebook"))
    assert custom.id in {t.id for t in listed}

    with pytest.raises(BadRequestError):  # title unique in the agency
        api.call(
            lambda c: c.extract_templates.create(
                "facebook", parent_id=fb["standard"], title="e2e facebook slim", fields=["date"]
            )
        )
    with pytest.raises(BadRequestError):  # wide parents need a connection
        api.call(
            lambda c: c.extract_templates.create(
                "facebook", parent_id=fb["wide"], title="E2E wide", fields=["date"]
            )
        )
    with pytest.raises(NotFoundError):
        api.call(lambda c: c.extract_templates.get_by_id(999_999))
    with pytest.raises(NotFoundError):  # a facebook template under another source
        api.call(lambda c: c.extract_templates.get("linkedin_ads", fb["standard"]))


def test_extract_template_preview(api: Api) -> None:
    fb = _facebook(api)
    preview = api.call(
        lambda c: c.extract_templates.preview(
            fb["standard"],
            account_ids=fb["remote"][:1],
            connection_id=fb["connection"],
            template_settings={"fields": ["date", "impressions"]},
            date_from=dt.date(2024, 1, 1),
            date_to="2024-01-03",
        )
    )
    assert isinstance(preview, TemplatePreview)
    assert list(preview.columns) == ["date", "impressions", "account_id"]
    assert preview.rows
    request = api.last_request("POST", f"/api/v3/extract-template/{fb['standard']}/preview/")
    assert (request.json["date_from"], request.json["date_to"]) == ("2024-01-01", "2024-01-03")

    with pytest.raises(BadRequestError):
        api.call(lambda c: c.extract_templates.preview(fb["standard"], account_ids=["act_unknown"]))


def test_extract_template_validate(api: Api) -> None:
    fb = _facebook(api)
    ok = api.call(
        lambda c: c.extract_templates.validate(
            fb["standard"],
            accounts=fb["accounts"][:2],
            template_settings={
                "fields": ["date", "clicks"],
                "custom_settings": {"attribution_window": "7d_click"},
            },
        )
    )
    assert isinstance(ok, TemplateValidation)
    assert (ok.valid, list(ok.errors)) == (True, [])
    request = api.last_request("POST", f"/api/v3/extract-template/{fb['standard']}/validation/")
    assert request.json["accounts"] == fb["accounts"][:2]
    assert_bearer(request)

    bad = api.call(
        lambda c: c.extract_templates.validate(
            fb["standard"], accounts=fb["accounts"][:1], template_settings={"fields": ["nope"]}
        )
    )
    assert bad.valid is False
    assert any("nope" in error for error in bad.errors)

    with pytest.raises(BadRequestError):  # accounts of another data source
        api.call(
            lambda c: c.extract_templates.validate(fb["standard"], accounts=[fb["google_account"]])
        )


def test_custom_setting_options(api: Api) -> None:
    fb = _facebook(api)
    groups = api.list(
        lambda c: c.extract_templates.custom_setting_options(
            "facebook",
            connection_id=fb["connection"],
            account_ids=fb["remote"][:2],
            custom_setting="attribution_window",
            search="click",
        )
    )
    assert all(isinstance(g, AccountSettingOptions) for g in groups)
    assert [g.account_id for g in groups] == fb["remote"][:2]
    assert [o.value for o in groups[0].options] == ["1d_click", "7d_click", "28d_click"]
    assert groups[0].options[0].label == "1D Click"
    request = api.last_request("POST", "/api/v3/datasources/facebook/custom_setting_options/")
    assert request.json["custom_setting"] == "attribution_window"

    with pytest.raises(BadRequestError):
        api.call(
            lambda c: c.extract_templates.custom_setting_options(
                "facebook",
                connection_id=fb["connection"],
                account_ids=fb["remote"][:1],
                custom_setting="no_such_setting",
            ).to_list()
        )


# -- extracts ----------------------------------------------------------------------------------


def _create(api: Api, template_id: int, accounts: list[int], title: str) -> list[Extract]:
    return api.call(
        lambda c: c.extracts.create(
            data_table_title=title,
            template_id=template_id,
            accounts=accounts,
            template_settings={"fields": ["date", "campaign_id", "impressions", "clicks"]},
        )
    )


def test_extracts_lifecycle(api: Api) -> None:
    fb = _facebook(api)
    created = _create(api, fb["standard"], fb["accounts"][:2], "E2E Facebook")
    assert isinstance(created, list)
    assert len(created) == 2
    assert all(isinstance(e, Extract) for e in created)
    assert {e.account_embedded_id for e in created} == set(fb["accounts"][:2])
    assert len({e.data_table_id for e in created}) == 1
    assert all(e.datasource_name == "facebook" and e.status == "active" for e in created)
    assert list(created[0].fields) == ["date", "campaign_id", "impressions", "clicks"]
    request = api.last_request("POST", "/api/v3.1/extracts/")
    assert (request.status, request.json["template_id"]) == (201, fb["standard"])
    assert_bearer(request)
    extract, table_id = created[0], created[0].data_table_id

    by_table = api.list(lambda c: c.extracts.list(data_table_id=table_id))
    assert {e.id for e in by_table} == {e.id for e in created}
    by_source = api.list(
        lambda c: c.extracts.list(datasource_name=["facebook"], connection_id=fb["connection"])
    )
    assert {e.id for e in created} <= {e.id for e in by_source}
    assert api.last_request("GET", "/api/v3/extracts").query["datasource_name"] == "facebook"

    got = api.call(lambda c: c.extracts.get(extract.id))
    assert isinstance(got, Extract)
    assert (got.id, got.template_id, got.data_table_id) == (extract.id, fb["standard"], table_id)

    updated = api.call(
        lambda c: c.extracts.update(
            extract.id,
            fields=["date", "campaign_id", "impressions", "spend"],
            schedules=[{"period": "daily", "time": "05:00"}],
        )
    )
    assert isinstance(updated, Extract)
    assert list(updated.fields) == ["date", "campaign_id", "impressions", "spend"]
    assert list(updated.schedules) == [{"period": "daily", "time": "05:00"}]
    assert api.last_request("PUT", f"/api/v3/extracts/{extract.id}").status == 200

    patched = api.call(
        lambda c: c.extracts.partial_update(extract.id, sync_historical_data="2024-01-01")
    )
    assert isinstance(patched, Extract)
    assert patched.sync_historical_data == dt.date(2024, 1, 1)
    assert list(patched.fields) == ["date", "campaign_id", "impressions", "spend"]
    request = api.last_request("PATCH", f"/api/v3/extracts/{extract.id}")
    assert request.json == {"sync_historical_data": "2024-01-01"}

    running = api.call(
        lambda c: c.extracts.run(extract.id, date_from="2024-01-01", date_to="2024-01-07")
    )
    assert isinstance(running, Extract)
    assert running.status == "syncing"
    request = api.last_request("POST", f"/api/v3/extracts/{extract.id}/run")
    assert request.json == {"date_from": "2024-01-01", "date_to": "2024-01-07"}
    done = api.call(lambda c: c.extracts.wait(extract.id, **WAIT))
    assert (done.status, done.last_sync is not None) == ("success", True)

    paused = api.call(lambda c: c.extracts.pause(extract.id))
    assert isinstance(paused, Extract)
    assert paused.status == "paused"
    with pytest.raises(BadRequestError):
        api.call(lambda c: c.extracts.run(extract.id))
    unpaused = api.call(lambda c: c.extracts.unpause(extract.id))
    assert isinstance(unpaused, Extract)
    assert unpaused.status == "active"
    assert api.last_request("POST", f"/api/v3/extracts/{extract.id}/unpause").status == 200


def test_extracts_migrate_wide(api: Api) -> None:
    fb = _facebook(api)
    source = _create(api, fb["wide"], fb["accounts"][:1], "E2E Wide")[0]
    result = api.call(
        lambda c: c.extracts.migrate_wide(
            extract_id=source.id,
            fields=["date", "campaign_id", "country", "impressions"],
            data_table_title="E2E Wide by country",
        )
    )
    assert isinstance(result, MigrateWideResult)
    assert isinstance(result.new_extract, Extract)
    assert isinstance(result.source_extract, Extract)
    assert result.source_extract.id == source.id
    assert result.source_extract.status == "paused"
    assert result.new_extract.id != source.id
    assert "country" in result.new_extract.fields
    assert result.new_extract.data_table_id != source.data_table_id
    request = api.last_request("POST", "/api/v3/extracts/migrate-wide")
    assert (request.status, request.json["extract_id"]) == (201, source.id)
    titles = api.state(lambda sb: {t.title for t in sb.state.data_tables(sb.workspace_id)})
    assert "E2E Wide by country" in titles


def test_extracts_errors(api: Api) -> None:
    fb = _facebook(api)
    with pytest.raises(NotFoundError):
        api.call(lambda c: c.extracts.get(999_999))
    with pytest.raises(NotFoundError):
        api.call(lambda c: c.extracts.pause(999_999))
    with pytest.raises(BadRequestError):  # an unknown field
        api.call(
            lambda c: c.extracts.create(
                data_table_title="Bad",
                template_id=fb["standard"],
                accounts=fb["accounts"][:1],
                template_settings={"fields": ["nope"]},
            )
        )
    standard = _create(api, fb["standard"], fb["accounts"][:1], "E2E Std")[0]
    with pytest.raises(BadRequestError):  # only wide-report extracts migrate
        api.call(lambda c: c.extracts.migrate_wide(extract_id=standard.id, fields=["date"]))
    with pytest.raises(BadRequestError):  # PUT needs fields
        api.call(lambda c: c.extracts.update(standard.id, schedules=[{"period": "daily"}]))
