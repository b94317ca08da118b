"""Secrets never reach repr, logs or exception messages."""

from __future__ import annotations

import logging

import pytest

from improvado_async import AsyncImprovado, AuthenticationError
from improvado_async.config import Credentials
from improvado_async.sandbox import Sandbox
from improvado_sync import Improvado


async def test_no_secret_in_repr_logs_or_errors(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="improvado")
    async with AsyncImprovado(
        username=sandbox.username,
        password=sandbox.password,
        workspace_id=sandbox.workspace_id,
        base_url=sandbox.base_url,
        retry=0,
    ) as client:
        await client.loads.list()
        token = client._pipeline.auth._token
        assert token
        sandbox.add_fault("GET", "/api/v3/loads/*", status=500, times=1)
        texts = [repr(client), str(client), repr(client.loads), repr(client._pipeline.auth)]
        with pytest.raises(Exception) as info:
            await client.loads.get(3001)
        texts.append(str(info.value))
        texts.append(repr(info.value))
    async with AsyncImprovado(
        username=sandbox.username,
        password="Sup3r-Secret!",
        workspace_id=1,
        base_url=sandbox.base_url,
    ) as bad:
        with pytest.raises(AuthenticationError) as auth_info:
            await bad.loads.list()
        texts += [str(auth_info.value), repr(bad)]
    texts += [record.getMessage() for record in caplog.records]
    assert caplog.records, "debug logging produced nothing to scan"
    for text in texts:
        assert sandbox.password not in text
        assert "Sup3r-Secret!" not in text
        assert token not in text


def test_credentials_repr_hides_secrets() -> None:
    creds = Credentials(username="u", password="pw-123", token="tok-456", session_id="sess-789")
    text = repr(creds)
    assert "pw-123" not in text and "tok-456" not in text and "sess-789" not in text
    assert "'u'" in text


def test_sync_client_repr_hides_secrets() -> None:
    client = Improvado(
        username="u", password="pw-123", token="tok-456", base_url="http://127.0.0.1:1"
    )
    try:
        assert "pw-123" not in repr(client) and "tok-456" not in repr(client)
    finally:
        client.close()
