"""Shared helpers for the sandbox tests (auth headers, a small JSON client)."""

from __future__ import annotations

import base64
from typing import Any

import aiohttp

from improvado_async.sandbox import Sandbox


def basic(username: str, password: str) -> dict[str, str]:
    """Authorization header for Basic credentials."""
    encoded = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


def bearer(token: str) -> dict[str, str]:
    """Authorization header for a Bearer token."""
    return {"Authorization": f"Bearer {token}"}


class Api:
    """Tiny helper: JSON requests against the sandbox with a default token."""

    def __init__(self, sandbox: Sandbox, http: aiohttp.ClientSession, token: str) -> None:
        self.sandbox = sandbox
        self.http = http
        self.token = token

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """Send a request; returns ``(status, decoded JSON body or None)``."""
        merged = {**bearer(self.token), **(headers or {})}
        async with self.http.request(
            method,
            self.sandbox.base_url + path,
            json=json,
            data=data,
            headers=merged,
            params=params,
        ) as response:
            raw = await response.read()
            assert response.content_type == "application/json" or not raw
            return response.status, (await response.json() if raw else None)
