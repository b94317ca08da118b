"""Hooks (issue 15): the right events, in order, without credentials; a failing hook is harmless."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest

from improvado_async import (
    AsyncImprovado,
    ErrorEvent,
    Hooks,
    NotFoundError,
    RequestEvent,
    ResponseEvent,
    RetryEvent,
    RetryPolicy,
)
from improvado_async.sandbox import Sandbox
from improvado_async.testing import SandboxThread
from improvado_sync import Improvado

FAST_RETRY = RetryPolicy(max_retries=2, backoff_base=0.01, backoff_max=0.02)


class Recorder:
    """Collects every event; ``asynchronous`` makes the callbacks coroutine functions."""

    def __init__(self, asynchronous: bool = False) -> None:
        self.events: list[Any] = []
        self.asynchronous = asynchronous

    def hooks(self, **options: Any) -> Hooks:
        return Hooks(
            on_request=self._take,
            on_response=self._take,
            on_retry=self._take,
            on_error=self._take,
            **options,
        )

    def _take(self, event: Any) -> Any:
        if not self.asynchronous:
            self.events.append(event)
            return None

        async def later() -> None:
            await asyncio.sleep(0)
            self.events.append(event)

        return later()

    def kinds(self) -> list[str]:
        return [type(e).__name__ for e in self.events]


def client_for(sandbox: Sandbox, hooks: Hooks, **options: Any) -> AsyncImprovado:
    return AsyncImprovado(
        username=sandbox.username,
        password=sandbox.password,
        workspace_id=sandbox.workspace_id,
        base_url=sandbox.base_url,
        hooks=hooks,
        **options,
    )


@pytest.mark.parametrize("asynchronous", [False, True])
async def test_a_call_retried_after_a_503(sandbox: Sandbox, asynchronous: bool) -> None:
    recorder = Recorder(asynchronous)
    async with client_for(sandbox, recorder.hooks(), retry=FAST_RETRY) as client:
        await client.loads.get(3001)  # mints the token first
        recorder.events.clear()
        sandbox.add_fault("GET", "/api/v3/loads/*", status=503, times=1)
        load = await client.loads.get(3001)
    assert load.id == 3001
    assert recorder.kinds() == [
        "RequestEvent",
        "ResponseEvent",
        "RetryEvent",
        "RequestEvent",
        "ResponseEvent",
    ]
    first, answered, retry, second, final = recorder.events
    assert first == RequestEvent(
        operation="loads.get",
        method="GET",
        path_template="/api/v3/loads/{load_id}",
        path="/api/v3/loads/3001",
        attempt=1,
    )
    assert (answered.status, answered.attempt) == (503, 1)
    assert isinstance(retry, RetryEvent)
    assert (retry.attempt, retry.reason) == (2, "HTTP 503") and 0 <= retry.delay <= 0.02
    assert (second.attempt, final.status, final.attempt) == (2, 200, 2)
    assert final.elapsed > 0


async def test_a_call_failing_with_404(sandbox: Sandbox) -> None:
    recorder = Recorder()
    async with client_for(sandbox, recorder.hooks()) as client:
        await client.loads.get(3001)
        recorder.events.clear()
        with pytest.raises(NotFoundError):
            await client.loads.get(999999)
    assert recorder.kinds() == ["RequestEvent", "ResponseEvent", "ErrorEvent"]
    error = recorder.events[-1]
    assert isinstance(error, ErrorEvent)
    assert (error.operation, error.status, error.error_type, error.attempts) == (
        "loads.get",
        404,
        "NotFoundError",
        1,
    )
    assert error.path == "/api/v3/loads/999999" and error.elapsed > 0


async def test_the_token_mint_is_its_own_call(sandbox: Sandbox) -> None:
    recorder = Recorder()
    async with client_for(sandbox, recorder.hooks()) as client:
        await client.loads.get(3001)
    operations = [e.operation for e in recorder.events if isinstance(e, ResponseEvent)]
    assert operations == ["auth.create_token", "loads.get"]


async def test_events_carry_no_credentials_and_bodies_only_on_request(sandbox: Sandbox) -> None:
    plain, with_bodies = Recorder(), Recorder()
    for recorder, options in ((plain, {}), (with_bodies, {"include_bodies": True})):
        async with client_for(sandbox, recorder.hooks(**options)) as client:
            await client.loads.run(3001, date_from="2026-01-01", date_to="2026-01-02")
    token = sandbox.mint_token()
    for event in plain.events + with_bodies.events:
        text = repr(event)
        assert sandbox.password not in text and token not in text and "Basic" not in text
    assert all(getattr(e, "body", None) is None for e in plain.events)
    runs = [
        e
        for e in with_bodies.events
        if isinstance(e, RequestEvent) and e.operation == "loads.run" and e.body
    ]
    assert runs and json.loads(runs[-1].body or b"")["date_from"] == "2026-01-01"
    mint = next(e for e in with_bodies.events if e.operation == "auth.create_token")
    assert sandbox.password not in repr(mint)


async def test_a_failing_hook_is_logged_and_never_breaks_the_call(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(event: Any) -> None:
        raise RuntimeError("hook bug")

    async def broken_async(event: Any) -> None:
        raise ValueError("async hook bug")

    hooks = Hooks(on_request=broken, on_response=broken_async, on_error=broken)
    caplog.set_level(logging.ERROR, logger="improvado.hooks")
    async with client_for(sandbox, hooks) as client:
        assert (await client.loads.get(3001)).id == 3001
        with pytest.raises(NotFoundError):  # the call's own error, not the hook's
            await client.loads.get(999999)
    messages = [r.getMessage() for r in caplog.records]
    assert any("broken" in m and "RequestEvent" in m for m in messages)
    assert any("broken_async" in m for m in messages)


def test_sync_client_hooks(threaded_sandbox: SandboxThread) -> None:
    recorder = Recorder()
    with Improvado(
        username=threaded_sandbox.username,
        password=threaded_sandbox.password,
        workspace_id=threaded_sandbox.workspace_id,
        base_url=threaded_sandbox.base_url,
        hooks=recorder.hooks(),
    ) as client:
        client.loads.get(3001)
    answered = [(e.operation, e.status) for e in recorder.events if isinstance(e, ResponseEvent)]
    assert answered == [("auth.create_token", 201), ("loads.get", 200)]


async def test_structured_log_records_carry_extra_fields(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="improvado")
    async with client_for(sandbox, Hooks(), retry=FAST_RETRY) as client:
        sandbox.add_fault("GET", "/api/v3/loads/*", status=503, times=1)
        await client.loads.get(3001)
    records = [r for r in caplog.records if getattr(r, "improvado_operation", None) == "loads.get"]
    answered = [r for r in records if r.name == "improvado.transport"]
    assert [(r.status, r.attempt) for r in answered] == [(503, 1), (200, 2)]
    assert all(r.elapsed_ms >= 0 and r.url_template == "/api/v3/loads/{load_id}" for r in answered)
    retry = [r for r in records if r.name == "improvado.retry"]
    assert retry and retry[0].status == 503 and retry[0].attempt == 2
    for record in caplog.records:
        assert sandbox.password not in json.dumps(record.__dict__, default=str)


def test_hooks_must_be_hooks() -> None:
    from improvado_async import ConfigurationError

    with pytest.raises(ConfigurationError, match="hooks"):
        AsyncImprovado(token="t", hooks=lambda e: None)  # type: ignore[arg-type]
