"""Any status, content type and body yields a model or a typed ImprovadoError, nothing else."""

from __future__ import annotations

import asyncio
import json
import re

from aioresponses import aioresponses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from improvado_async import AsyncImprovado, ImprovadoError, Load, Page

LOAD_URL = re.compile(r"^http://127\.0\.0\.1:1/api/v3/loads(/7)?(\?.*)?$")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["id", "status", "count", "results", "next", "details", "last_update"]),
            children,
            max_size=5,
        )
    ),
    max_leaves=10,
)
bodies = st.one_of(
    json_values.map(lambda v: json.dumps(v).encode()),
    json_values.map(lambda v: json.dumps(v).encode()[:-1]),  # truncated JSON
    st.just(b"<html><body>502 Bad Gateway</body></html>"),
    st.just(b""),
    st.binary(max_size=40),
)


async def _call(status: int, content_type: str, body: bytes, listing: bool) -> object:
    async with AsyncImprovado(token="t", base_url="http://127.0.0.1:1", retry=0) as client:
        with aioresponses() as mock:
            mock.get(LOAD_URL, status=status, body=body, content_type=content_type)
            if listing:
                return await client.loads.list().first_page()
            return await client.loads.get(7)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    status=st.sampled_from([200, 201, 204, 301, 400, 401, 403, 404, 409, 418, 422, 429, 500, 503]),
    content_type=st.sampled_from(["application/json", "text/html", "text/plain", ""]),
    body=bodies,
    listing=st.booleans(),
)
def test_response_handling_never_leaks_untyped_errors(
    status: int, content_type: str, body: bytes, listing: bool
) -> None:
    try:
        result = asyncio.run(_call(status, content_type, body, listing))
    except ImprovadoError:
        assert not _must_decode(status, content_type, body, listing)
        return
    if not listing:
        assert isinstance(result, Load)


def _must_decode(status: int, content_type: str, body: bytes, listing: bool) -> bool:
    """Whether the parsing policy accepts this answer whatever its odd values.

    A Load needs only an integer ``id``; a page needs a ``results`` list (or to be a list) and
    an integer or no ``count``: odd values and odd items are kept, never fatal.
    """
    if status != 200 or content_type != "application/json":
        return False
    try:
        data = json.loads(body)
    except ValueError:
        return False
    if not listing:
        return isinstance(data, dict) and type(data.get("id")) is int
    if isinstance(data, list):
        return True
    return (
        isinstance(data, dict)
        and isinstance(data.get("results"), list)
        and (data.get("count") is None or type(data.get("count")) is int)
    )


LOAD_KEYS = ["data_table", "status", "last_update", "uploaded_rows_count", "schedule", "new_key"]
odd_loads = st.builds(
    lambda load_id, values: {**values, "id": load_id},
    st.integers(min_value=1, max_value=10**9),
    st.dictionaries(st.sampled_from(LOAD_KEYS), json_values, max_size=4),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer=odd_loads)
def test_odd_values_never_fail_a_load_with_a_usable_id(answer: dict[str, object]) -> None:
    load = asyncio.run(_call(200, "application/json", json.dumps(answer).encode(), False))
    assert isinstance(load, Load) and load.id == answer["id"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=st.lists(odd_loads | json_values, max_size=5))
def test_odd_items_never_fail_a_page(items: list[object]) -> None:
    body = json.dumps({"count": len(items), "next": None, "results": items}).encode()
    page = asyncio.run(_call(200, "application/json", body, True))
    assert isinstance(page, Page) and len(page.results) == len(items)
    for item, raw in zip(page.results, items, strict=True):
        assert isinstance(item, Load) or item == raw  # structured, or kept as received
