"""Wire tests of extraction templates (paths with and without slashes, bodies, models)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest
from aioresponses import aioresponses

from improvado_async import AsyncImprovado, Page, ValidationError
from improvado_async.models.extract_templates import (
    AccountSettingOptions,
    CustomSettingOption,
    DataClass,
    ExtractTemplate,
    TemplatePreview,
    TemplateValidation,
)

from ..wire import call_once, make_client

TEMPLATE = {"id": 11, "title": "Ads daily", "data_class": "daily", "sql_name": "ads_daily"}


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


async def test_list() -> None:
    page = {"count": 1, "next": None, "previous": None, "results": [TEMPLATE]}
    result, sent = await call_once(
        lambda c: c.extract_templates.list("facebook", page=2, page_size=10).first_page(),
        method="GET",
        response=page,
    )
    assert isinstance(result, Page) and isinstance(result.results[0], ExtractTemplate)
    assert (sent.method, sent.path, sent.auth) == (
        "GET",
        "/api/v3/datasources/facebook/extract-templates",
        "bearer",
    )
    assert sent.query == {"page": "2", "page_size": "10"}


async def test_create_sends_documented_body() -> None:
    result, sent = await call_once(
        lambda c: c.extract_templates.create(
            "facebook",
            parent_id=3,
            title="My template",
            fields=["date", "clicks"],
            schedules=[{"period": "daily"}],
            additional_params={"time_granularity": "day"},
            hashed_fields=["email"],
            historical_data_depth_limit=90,
            connection_id=8,
        ),
        method="POST",
        status=201,
        response=TEMPLATE,
    )
    assert isinstance(result, ExtractTemplate) and result.data_class is DataClass.DAILY
    assert (sent.method, sent.path, sent.auth) == (
        "POST",
        "/api/v3/datasources/facebook/extract-templates",
        "bearer",
    )
    assert sent.json == {
        "parent_id": 3,
        "title": "My template",
        "description": "",
        "fields": ["date", "clicks"],
        "schedules": [{"period": "daily"}],
        "additional_params": {"time_granularity": "day"},
        "hashed_fields": ["email"],
        "historical_data_depth_limit": 90,
        "connection_id": 8,
    }


async def test_create_minimal_body_omits_optional_keys() -> None:
    _, sent = await call_once(
        lambda c: c.extract_templates.create(
            "facebook", parent_id=3, title="T", fields=["date"], description="d"
        ),
        method="POST",
        response=TEMPLATE,
    )
    assert sent.json == {"parent_id": 3, "title": "T", "description": "d", "fields": ["date"]}


async def test_get() -> None:
    result, sent = await call_once(
        lambda c: c.extract_templates.get("facebook", 11), method="GET", response=TEMPLATE
    )
    assert isinstance(result, ExtractTemplate) and result.sql_name == "ads_daily"
    assert (sent.method, sent.path, sent.auth, sent.json) == (
        "GET",
        "/api/v3/datasources/facebook/extract-templates/11",
        "bearer",
        None,
    )


async def test_get_by_id_compact() -> None:
    compact = {"id": 11, "datasource_name": "facebook", "is_wide_template": True}
    result, sent = await call_once(
        lambda c: c.extract_templates.get_by_id(11), method="GET", response=compact
    )
    assert isinstance(result, ExtractTemplate)
    assert (result.datasource_name, result.is_wide_template) == ("facebook", True)
    assert (sent.method, sent.path, sent.auth) == ("GET", "/api/v3/extract-template/11/", "bearer")


async def test_preview_columns_and_rows() -> None:
    response = {"columns": ["date", "clicks"], "rows": [["2026-01-01", 3]], "limit": 10}
    result, sent = await call_once(
        lambda c: c.extract_templates.preview(
            11,
            account_ids=["act_1"],
            connection_id=8,
            template_settings={"fields": ["date", "clicks"]},
            date_from="2026-01-01",
            date_to="2026-01-07",
        ),
        method="POST",
        response=response,
    )
    assert isinstance(result, TemplatePreview)
    assert result.columns == ["date", "clicks"] and result.rows == [["2026-01-01", 3]]
    assert result.extra == {"limit": 10}
    assert (sent.method, sent.path, sent.auth) == (
        "POST",
        "/api/v3/extract-template/11/preview/",
        "bearer",
    )
    assert sent.json == {
        "account_ids": ["act_1"],
        "connection_id": 8,
        "template_settings": {"fields": ["date", "clicks"]},
        "date_from": "2026-01-01",
        "date_to": "2026-01-07",
    }


async def test_preview_plain_list_becomes_rows() -> None:
    rows = [{"date": "2026-01-01", "clicks": 3}]
    result, sent = await call_once(
        lambda c: c.extract_templates.preview(11, account_ids=["act_1"]),
        method="POST",
        response=rows,
    )
    assert isinstance(result, TemplatePreview) and result.rows == rows and result.columns is None
    assert sent.json == {"account_ids": ["act_1"]}


async def test_validate() -> None:
    result, sent = await call_once(
        lambda c: c.extract_templates.validate(
            11, accounts=[1, 2], template_settings={"fields": ["date"]}
        ),
        method="POST",
        response={"valid": True, "errors": []},
    )
    assert isinstance(result, TemplateValidation) and result.valid is True
    assert (sent.method, sent.path, sent.auth) == (
        "POST",
        "/api/v3/extract-template/11/validation/",
        "bearer",
    )
    assert sent.json == {"accounts": [1, 2], "template_settings": {"fields": ["date"]}}


async def test_validate_empty_success_body_means_valid() -> None:
    result, sent = await call_once(
        lambda c: c.extract_templates.validate(11, accounts=[1]), method="POST", status=204
    )
    assert isinstance(result, TemplateValidation) and result.valid is True
    assert sent.json == {"accounts": [1]}


async def test_custom_setting_options_is_a_paginated_post() -> None:
    page = {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [{"account_id": "act_1", "options": [{"value": "v1", "label": "One"}]}],
    }
    result, sent = await call_once(
        lambda c: c.extract_templates.custom_setting_options(
            "facebook",
            connection_id=8,
            account_ids=["act_1", "act_2"],
            custom_setting="campaign",
            search="spring",
            page_size=20,
        ).first_page(),
        method="POST",
        response=page,
    )
    assert isinstance(result, Page) and isinstance(result.results[0], AccountSettingOptions)
    options = result.results[0].options
    assert options is not None and isinstance(options[0], CustomSettingOption)
    assert options[0].label == "One"
    assert (sent.method, sent.path, sent.auth) == (
        "POST",
        "/api/v3/datasources/facebook/custom_setting_options/",
        "bearer",
    )
    assert sent.query == {"page": "1", "page_size": "20"}
    assert sent.json == {
        "connection_id": 8,
        "account_ids": ["act_1", "act_2"],
        "custom_setting": "campaign",
        "search": "spring",
    }


async def test_unknown_data_class_is_kept() -> None:
    result, _ = await call_once(
        lambda c: c.extract_templates.get_by_id(11),
        method="GET",
        response={"id": 11, "data_class": "hourly"},
    )
    assert result.data_class == "hourly" and not isinstance(result.data_class, DataClass)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.extract_templates.validate(11, accounts=[]), "accounts"),
        (lambda c: c.extract_templates.validate(11, accounts=["1"]), "accounts"),
        (lambda c: c.extract_templates.validate("11", accounts=[1]), "template_id"),
        (lambda c: c.extract_templates.preview(11, account_ids=[]), "account_ids"),
        (lambda c: c.extract_templates.preview(11, account_ids=[5]), "account_ids"),
        (
            lambda c: c.extract_templates.preview(11, account_ids=["a"], date_from="2026-01-01"),
            "date_to",
        ),
        (
            lambda c: c.extract_templates.preview(11, account_ids=["a"], date_to="2026-01-01"),
            "date_from",
        ),
        (lambda c: c.extract_templates.list(""), "datasource_name"),
        (lambda c: c.extract_templates.list("facebook", page_size=101), "page_size"),
        (lambda c: c.extract_templates.get("facebook", "11"), "template_id"),
        (lambda c: c.extract_templates.get_by_id(None), "template_id"),
        (
            lambda c: c.extract_templates.create("fb", parent_id=1, title=" ", fields=["a"]),
            "title",
        ),
        (lambda c: c.extract_templates.create("fb", parent_id=1, title="T", fields=[]), "fields"),
        (
            lambda c: c.extract_templates.create("fb", parent_id="1", title="T", fields=["a"]),
            "parent_id",
        ),
        (
            lambda c: c.extract_templates.custom_setting_options(
                "fb", connection_id=1, account_ids=[]
            ),
            "account_ids",
        ),
        (
            lambda c: c.extract_templates.custom_setting_options(
                "fb", connection_id="1", account_ids=["a"]
            ),
            "connection_id",
        ),
    ],
)
async def test_validation_errors_send_nothing(
    call: Callable[[AsyncImprovado], Any], field: str
) -> None:
    await _rejected(call, field)
