"""Any status, content type and body yields a model or a typed ImprovadoError, nothing else."""

from __future__ import annotations

import asyncio
import json
import re

from aioresponses import aioresponses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from improvado_async import AsyncImprovado, ImprovadoError, Load

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
        return
    if not listing:
        assert isinstance(result, Load)
