"""A harness for wire tests: call one operation against aioresponses and capture the request."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import attrs
from aioresponses import aioresponses
from yarl import URL

from improvado_async import AsyncImprovado

BASE = "http://127.0.0.1:1"
USERNAME = "agency-user"
PASSWORD = "agency-pass"
TOKEN = "workspace-token-1"
WORKSPACE = 1
BASIC = "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
BEARER = f"Bearer {TOKEN}"


@attrs.frozen
class Sent:
    """The one request that went on the wire."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any

    @property
    def auth(self) -> str:
        """``basic`` or ``bearer`` from the Authorization header."""
        value = self.headers.get("Authorization", "")
        if value == BASIC:
            return "basic"
        if value == BEARER:
            return "bearer"
        return f"other:{value[:10]}"


def make_client() -> AsyncImprovado:
    """A client with Basic credentials and a pre-minted token, so no mint call is made."""
    return AsyncImprovado(
        username=USERNAME,
        password=PASSWORD,
        workspace_id=WORKSPACE,
        token=TOKEN,
        base_url=BASE,
        retry=0,
    )


async def call_once(
    operation: Callable[[AsyncImprovado], Awaitable[Any]],
    *,
    method: str,
    status: int = 200,
    response: Any = None,
) -> tuple[Any, Sent]:
    """Run ``operation`` with one mocked response; return its result and the captured request."""
    async with make_client() as client:
        with aioresponses() as mock:
            body = "" if response is None else json.dumps(response)
            mock.add(
                re.compile(r"^http://127\.0\.0\.1:1/.*$"),
                method=method,
                status=status,
                body=body,
                content_type="application/json",
            )
            result = await operation(client)
            return result, _captured(mock)


def _captured(mock: aioresponses) -> Sent:
    calls = [(key, call) for key, calls in mock.requests.items() for call in calls]
    assert len(calls) == 1, f"expected exactly one request, saw {len(calls)}"
    (method, url), call = calls[0]
    assert isinstance(url, URL)
    kwargs: Mapping[str, Any] = call.kwargs
    data = kwargs.get("data")
    params = {k: str(v) for k, v in (kwargs.get("params") or {}).items()}
    return Sent(
        method=method,
        path=url.path,
        query={**dict(url.query), **params},
        headers=dict(kwargs.get("headers") or {}),
        json=json.loads(data) if data else None,
    )
