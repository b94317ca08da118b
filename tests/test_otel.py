"""OpenTelemetry tracing (``tracing=True``): spans, trace propagation and metrics per call.

Spans and metrics go to in-memory providers passed explicitly (the global providers are never
set): the client's own ``OpenTelemetryObserver()`` is swapped for one bound to them.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any

import pytest

pytest.importorskip("opentelemetry.sdk", reason="tracing tests need opentelemetry-sdk (test extra)")

from opentelemetry import trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)
from opentelemetry.trace import SpanKind, StatusCode

import improvado_async.contrib.otel as otel
from improvado_async import (
    AsyncImprovado,
    AuthenticationError,
    NotFoundError,
    RetryPolicy,
)
from improvado_async.contrib.otel import OpenTelemetryObserver
from improvado_async.sandbox import Sandbox
from improvado_async.testing import SandboxThread
from improvado_sync import Improvado

FAST_RETRIES = RetryPolicy(max_retries=2, backoff_base=0.01, backoff_max=0.02)


class Telemetry:
    """In-memory span and metric providers, and the observers bound to them."""

    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        self.reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.reader])
        self.observers: list[OpenTelemetryObserver] = []

    def observer(self) -> OpenTelemetryObserver:
        """What ``tracing=True`` builds, bound to these providers."""
        observer = OpenTelemetryObserver(
            tracer_provider=self.tracer_provider, meter_provider=self.meter_provider
        )
        self.observers.append(observer)
        return observer

    def spans(self, name: str) -> list[ReadableSpan]:
        return [span for span in self.exporter.get_finished_spans() if span.name == name]

    def points(self, metric: str) -> list[Any]:
        data = self.reader.get_metrics_data()
        found: list[Any] = []
        for resource in data.resource_metrics if data else ():
            for scope in resource.scope_metrics:
                assert scope.scope.name == "improvado_async"
                for item in scope.metrics:
                    if item.name == metric:
                        found.extend(item.data.data_points)
        return found


@pytest.fixture
def telemetry() -> Telemetry:
    return Telemetry()


def _client(sandbox: Sandbox, **options: Any) -> AsyncImprovado:
    return AsyncImprovado(
        username=sandbox.username,
        password=options.pop("password", sandbox.password),
        workspace_id=sandbox.workspace_id,
        base_url=sandbox.base_url,
        retry=FAST_RETRIES,
        tracing=True,
        **options,
    )


@pytest.fixture
async def traced(
    sandbox: Sandbox, telemetry: Telemetry, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[AsyncImprovado]:
    """A client made with ``tracing=True`` whose observer records into ``telemetry``."""
    monkeypatch.setattr(otel, "OpenTelemetryObserver", telemetry.observer)
    async with _client(sandbox) as client:
        yield client


def _load_id(sandbox: Sandbox) -> int:
    return sandbox.state.loads(sandbox.workspace_id)[0].id


def _traceparent(span: ReadableSpan) -> str:
    context = span.get_span_context()
    assert context is not None
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{context.trace_flags:02x}"


async def test_a_call_retried_after_a_503_is_one_span_with_a_retry_event(
    traced: AsyncImprovado, sandbox: Sandbox, telemetry: Telemetry
) -> None:
    load_id = _load_id(sandbox)
    sandbox.add_fault("GET", "/api/v3/loads/*", status=503, times=1)

    load = await traced.loads.get(load_id)

    assert load.id == load_id
    [span] = telemetry.spans("improvado loads.get")
    assert span.kind is SpanKind.CLIENT
    assert span.status.status_code is StatusCode.UNSET
    port = int(sandbox.base_url.rsplit(":", 1)[1])
    assert dict(span.attributes or {}) == {
        "http.request.method": "GET",
        "server.address": "127.0.0.1",
        "server.port": port,
        "url.full": f"{sandbox.base_url}/api/v3/loads/{load_id}",
        "url.template": "/api/v3/loads/{load_id}",
        "improvado.operation": "loads.get",
        "http.response.status_code": 200,
        "http.request.resend_count": 1,
    }
    [event] = span.events
    assert event.name == "retry"
    assert event.attributes is not None
    assert (event.attributes["attempt"], event.attributes["reason"]) == (2, "HTTP 503")
    assert 0 <= float(event.attributes["delay"]) <= 0.02  # type: ignore[arg-type]

    [retries] = telemetry.points("improvado.client.retries")
    assert retries.value == 1
    assert retries.attributes["improvado.retry.reason"] == "HTTP 503"
    assert retries.attributes["improvado.operation"] == "loads.get"
    calls = [
        point
        for point in telemetry.points("http.client.request.duration")
        if point.attributes["improvado.operation"] == "loads.get"
    ]
    [duration] = calls
    assert duration.count == 1
    assert duration.attributes["http.response.status_code"] == 200
    assert duration.attributes["url.template"] == "/api/v3/loads/{load_id}"
    assert "error.type" not in duration.attributes
    assert telemetry.points("improvado.client.rate_limited") == []


async def test_every_attempt_carries_the_traceparent_of_the_call_span(
    traced: AsyncImprovado, sandbox: Sandbox, telemetry: Telemetry
) -> None:
    load_id = _load_id(sandbox)
    sandbox.add_fault("GET", "/api/v3/loads/*", status=503, times=1)
    tracer = telemetry.tracer_provider.get_tracer("app")

    with tracer.start_as_current_span("handler") as parent:
        await traced.loads.get(load_id)

    [span] = telemetry.spans("improvado loads.get")
    assert span.parent is not None
    assert span.parent.span_id == parent.get_span_context().span_id
    assert span.context is not None
    assert span.context.trace_id == parent.get_span_context().trace_id
    gets = [r for r in sandbox.requests if r.path == f"/api/v3/loads/{load_id}"]
    assert [r.header("traceparent") for r in gets] == [_traceparent(span)] * 2
    # the token mint is a call of its own, in the same trace
    [mint] = telemetry.spans("improvado auth.create_token")
    [token_request] = [r for r in sandbox.requests if r.path == "/api/v3/token"]
    assert token_request.header("traceparent") == _traceparent(mint)
    assert mint.context is not None and mint.context.trace_id == span.context.trace_id


def test_the_sync_client_traces_its_calls_under_the_callers_span(
    threaded_sandbox: SandboxThread, telemetry: Telemetry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(otel, "OpenTelemetryObserver", telemetry.observer)
    sandbox = threaded_sandbox.sandbox
    tracer = telemetry.tracer_provider.get_tracer("app")
    with (
        Improvado(
            username=sandbox.username,
            password=sandbox.password,
            workspace_id=sandbox.workspace_id,
            base_url=sandbox.base_url,
            tracing=True,
        ) as client,
        tracer.start_as_current_span("job") as parent,
    ):
        client.loads.get(_load_id(sandbox))

    [span] = telemetry.spans("improvado loads.get")
    assert span.parent is not None
    assert span.parent.span_id == parent.get_span_context().span_id
    [get] = [r for r in sandbox.requests if r.path.startswith("/api/v3/loads/")]
    assert get.header("traceparent") == _traceparent(span)


async def test_a_404_marks_the_span_as_an_error(
    traced: AsyncImprovado, telemetry: Telemetry
) -> None:
    with pytest.raises(NotFoundError):
        await traced.loads.get(999_999)

    [span] = telemetry.spans("improvado loads.get")
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes is not None
    assert span.attributes["http.response.status_code"] == 404
    assert span.attributes["error.type"] == "404"
    assert "http.request.resend_count" not in span.attributes  # a 404 is not retried
    [exception] = [event for event in span.events if event.name == "exception"]
    assert exception.attributes is not None
    assert str(exception.attributes["exception.type"]).endswith("NotFoundError")
    [duration] = [
        point
        for point in telemetry.points("http.client.request.duration")
        if point.attributes["improvado.operation"] == "loads.get"
    ]
    assert (duration.attributes["error.type"], duration.count) == ("404", 1)


async def test_429_answers_are_counted(
    traced: AsyncImprovado, sandbox: Sandbox, telemetry: Telemetry
) -> None:
    sandbox.add_fault("GET", "/api/v3/loads/*", status=429, retry_after=0, times=1)

    await traced.loads.get(_load_id(sandbox))

    [limited] = telemetry.points("improvado.client.rate_limited")
    assert limited.value == 1
    assert limited.attributes["improvado.operation"] == "loads.get"
    [retries] = telemetry.points("improvado.client.retries")
    assert (retries.value, retries.attributes["improvado.retry.reason"]) == (1, "HTTP 429")
    [span] = telemetry.spans("improvado loads.get")
    assert span.attributes is not None
    assert span.attributes["http.response.status_code"] == 200


async def test_a_call_made_with_client_request_has_no_url_template(
    traced: AsyncImprovado, sandbox: Sandbox, telemetry: Telemetry
) -> None:
    load_id = _load_id(sandbox)

    await traced.request("GET", f"/api/v3/loads/{load_id}")

    # a concrete path is no template: it would make url.template lie and metrics unbounded
    [span] = telemetry.spans("improvado request")
    assert span.attributes is not None
    assert "url.template" not in span.attributes
    assert span.attributes["url.full"] == f"{sandbox.base_url}/api/v3/loads/{load_id}"
    [duration] = [
        point
        for point in telemetry.points("http.client.request.duration")
        if point.attributes["improvado.operation"] == "request"
    ]
    assert "url.template" not in duration.attributes


async def test_a_cancelled_call_still_ends_its_span(
    traced: AsyncImprovado, sandbox: Sandbox, telemetry: Telemetry
) -> None:
    load_id = _load_id(sandbox)
    sandbox.add_fault("GET", "/api/v3/loads/*", status=None, latency=0.5)
    call = asyncio.ensure_future(traced.loads.get(load_id))
    for _ in range(500):
        if any(r.path.startswith("/api/v3/loads/") for r in sandbox.requests):
            break
        await asyncio.sleep(0.01)

    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call

    [span] = telemetry.spans("improvado loads.get")
    assert span.end_time is not None
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes is not None
    assert span.attributes["error.type"] == "CancelledError"


async def test_a_failing_observer_never_breaks_the_call_nor_leaves_its_span_open(
    traced: AsyncImprovado,
    sandbox: Sandbox,
    telemetry: Telemetry,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("exporter is down")

    monkeypatch.setattr(otel, "_outcome", broken)
    [observer] = telemetry.observers
    monkeypatch.setattr(observer._duration, "record", broken)
    load_id = _load_id(sandbox)

    with caplog.at_level(logging.ERROR, logger="improvado.otel"):
        load = await traced.loads.get(load_id)

    assert load.id == load_id
    [span] = telemetry.spans("improvado loads.get")  # exported: it was ended
    assert span.end_time is not None
    messages = [record.getMessage() for record in caplog.records]
    assert "cannot describe the outcome of a call on its span" in messages
    assert "cannot record the duration of a call" in messages


async def test_no_credential_reaches_a_span(
    sandbox: Sandbox, telemetry: Telemetry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(otel, "OpenTelemetryObserver", telemetry.observer)
    async with _client(sandbox) as client:
        await client.loads.get(_load_id(sandbox))
    async with _client(sandbox, password="not-the-password-42") as client:
        with pytest.raises(AuthenticationError):
            await client.loads.get(_load_id(sandbox))

    [token_request, *_] = [r for r in sandbox.requests if r.path == "/api/v3/token"]
    authorization = [
        r.header("Authorization") for r in sandbox.requests if r.path != "/api/v3/token"
    ]
    token = str(authorization[0]).removeprefix("Bearer ")
    exported = json.dumps(
        [json.loads(span.to_json()) for span in telemetry.exporter.get_finished_spans()]
    )
    assert "AuthenticationError" in exported  # the failed mint is recorded...
    for secret in (
        sandbox.password,
        "not-the-password-42",
        token,
        token_request.header("Authorization"),
    ):
        assert secret and secret not in exported  # ...without a credential


async def test_tracing_true_with_the_global_providers_works_untraced(sandbox: Sandbox) -> None:
    if not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        pytest.skip("a global tracer provider is configured in this process")
    async with _client(sandbox) as client:
        load = await client.loads.get(_load_id(sandbox))

    assert load.id == _load_id(sandbox)
    # no SDK configured: the API is a no-op, so nothing is propagated either
    assert all(r.header("traceparent") is None for r in sandbox.requests)


def test_a_missing_opentelemetry_is_named_with_the_extra_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in list(sys.modules):
        if name == "opentelemetry" or name.startswith("opentelemetry."):
            monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "opentelemetry", None)
    monkeypatch.delitem(sys.modules, "improvado_async.contrib.otel")

    with pytest.raises(ImportError, match=r"pip install 'opentelemetry-api>=1\.20'"):
        importlib.import_module("improvado_async.contrib.otel")


def test_the_core_never_imports_opentelemetry() -> None:
    code = (
        "import sys\n"
        "from improvado_async import AsyncImprovado\n"
        "AsyncImprovado(username='u', password='p', workspace_id=1, base_url='http://127.0.0.1:9')\n"
        "print(sorted(m for m in sys.modules if m.startswith('opentelemetry')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
