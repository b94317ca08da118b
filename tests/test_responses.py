"""Response handling: error mapping, decoding failures, models, open enums and extra keys."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator

import pytest
from aioresponses import aioresponses

from improvado_async import (
    AsyncImprovado,
    BadRequestError,
    ConflictError,
    Load,
    LoadStatus,
    NotFoundError,
    PermissionDeniedError,
    ResponseDecodeError,
    UnprocessableEntityError,
)
from improvado_async.errors import APIStatusError, details_text
from improvado_async.models._converter import _parse_datetime_text, parse_datetime, structure

LOAD_URL = re.compile(r"^http://127\.0\.0\.1:1/api/v3/loads/7$")


@pytest.fixture
async def mocked() -> AsyncIterator[AsyncImprovado]:
    async with AsyncImprovado(token="tok", base_url="http://127.0.0.1:1", retry=0) as client:
        yield client


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (418, APIStatusError),
    ],
)
async def test_status_maps_to_error_with_details(
    mocked: AsyncImprovado, status: int, cls: type[APIStatusError]
) -> None:
    with aioresponses() as mock:
        mock.get(LOAD_URL, status=status, payload={"details": "Load not found."})
        with pytest.raises(cls) as info:
            await mocked.loads.get(7)
    assert info.value.status == status
    assert info.value.details == "Load not found."
    assert "Load not found." in str(info.value)
    assert info.value.method == "GET"


async def test_non_json_success_is_decode_error_with_snippet(mocked: AsyncImprovado) -> None:
    with aioresponses() as mock:
        mock.get(LOAD_URL, status=200, body="<html>proxy login</html>", content_type="text/html")
        with pytest.raises(ResponseDecodeError) as info:
            await mocked.loads.get(7)
    assert info.value.snippet.startswith("<html>proxy login")
    assert info.value.status == 200


async def test_malformed_model_is_decode_error(mocked: AsyncImprovado) -> None:
    # The id is one of the values the SDK depends on: unusable, it fails the answer (named).
    with aioresponses() as mock:
        mock.get(LOAD_URL, payload={"id": "not-a-number"})
        with pytest.raises(ResponseDecodeError, match=r"Load\.id: expected an integer"):
            await mocked.loads.get(7)
        mock.get(LOAD_URL, payload={"id": None})
        with pytest.raises(ResponseDecodeError, match=r"Load\.id: required value is null"):
            await mocked.loads.get(7)
        mock.get(LOAD_URL, payload=[1, 2])
        with pytest.raises(ResponseDecodeError, match="expected an object for Load"):
            await mocked.loads.get(7)


async def test_odd_optional_values_are_coerced_or_kept(mocked: AsyncImprovado) -> None:
    # Before the parsing policy each of these failed the whole answer.
    payload = {"id": 7, "last_update": "2026-04-06", "uploaded_rows_count": "12", "status": []}
    with aioresponses() as mock:
        mock.get(LOAD_URL, payload=payload)
        load = await mocked.loads.get(7)
    assert load.last_update == dt.datetime(2026, 4, 6, tzinfo=dt.timezone.utc)
    assert load.uploaded_rows_count == 12
    assert load.status == []


async def test_unknown_fields_and_enum_values_are_kept(mocked: AsyncImprovado) -> None:
    payload = {
        "id": 7,
        "status": "warming_up",
        "run_policy": "after_extraction",
        "brand_new_field": {"nested": True},
        "last_update": "2026-04-06 11:39:46.752000",
    }
    with aioresponses() as mock:
        mock.get(LOAD_URL, payload=payload)
        load = await mocked.loads.get(7)
    assert load.status == "warming_up"
    assert not isinstance(load.status, LoadStatus)
    assert load.run_policy is not None and load.run_policy == "after_extraction"
    assert load.extra == {"brand_new_field": {"nested": True}}
    assert load.last_update == dt.datetime(2026, 4, 6, 11, 39, 46, 752000, tzinfo=dt.timezone.utc)


def test_known_enum_value_becomes_member() -> None:
    load = structure({"id": 1, "status": "success"}, Load)
    assert load.status is LoadStatus.SUCCESS
    assert load.is_terminal


@pytest.mark.parametrize(
    "text",
    ["2026-04-06T11:39:46Z", "2026-04-06T11:39:46.752+00:00", "2026-04-06 11:39:46.752"],
)
def test_datetime_formats(text: str) -> None:
    parsed = parse_datetime(text)
    assert parsed.tzinfo is not None
    assert (parsed.year, parsed.second) == (2026, 46)


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-20T08:15:42.123456+00:00",
        "2026-11-20 08:15:42.123456-05:30",
        "2026-11-20T08:15:42.123456Z",
        "2026-11-20T08:15:42.123456",
        "2026-11-20T08:15:42+02:00",
        "2026-11-20 08:15:42Z",
        "2026-11-20 08:15:42",
    ],
)
def test_common_datetime_shapes_parse_as_the_general_path_does(text: str) -> None:
    """The looked-up shapes the API sends give exactly what the general parser gives."""
    assert parse_datetime(text) == _parse_datetime_text(text)
    assert parse_datetime(text).utcoffset() == _parse_datetime_text(text).utcoffset()


@pytest.mark.parametrize(
    "text",
    [
        "2026-W47-5T08:15:42Z",  # a week date: Python 3.11+'s fromisoformat would take it
        "20261120T081542Z",  # basic format: likewise
        "2026-11-20T08:15:42,123456+00:00",  # a comma fraction: likewise
        "2026-13-20T08:15:42Z",  # the common shape, out of range
        "2026-11-20T08:15:42\ud800",  # a lone surrogate cannot be encoded: still a ValueError
        "2026-11-2٣T08:15:42Z",  # a non-ASCII digit
    ],
)
def test_uncommon_datetime_shapes_fail_alike_on_every_python(text: str) -> None:
    with pytest.raises(ValueError):
        parse_datetime(text)


def test_details_fallbacks() -> None:
    assert details_text({"detail": "drf style"}, 400) == "drf style"
    assert details_text({"details": {"title": ["required"]}}, 400) == "title: required"
    assert details_text("plain text", 502) == "plain text"
    assert details_text(None, 503) == "HTTP 503"
