"""OpenTelemetry spans and metrics for every call: ``AsyncImprovado(tracing=True)``.

Needs the ``otel`` extra (opentelemetry-api >= 1.20); the core never imports this
module, so a client without tracing never loads OpenTelemetry. Spans and metrics go to the
global providers your application configures (``opentelemetry-sdk``, an exporter); without them
the OpenTelemetry API is a no-op and so is this observer.

Per logical call (every retry of it included) the observer records:

- one ``CLIENT`` span named ``improvado <operation>`` (``improvado loads.get``) with the HTTP
  semantic-convention attributes, a ``retry`` event per retry, and status ``ERROR`` when the
  call raises;
- a ``traceparent`` header (through the configured propagators) on every attempt, so the server
  side of the call joins the trace;
- the ``http.client.request.duration`` histogram, and the ``improvado.client.retries`` and
  ``improvado.client.rate_limited`` counters.

Nothing recorded carries a credential: the :class:`Request` an observer sees holds none, URLs
are recorded without their query, and the SDK's exception messages name no secret.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import urlsplit

try:
    from opentelemetry import metrics, propagate, trace
    from opentelemetry.trace import Span, SpanKind, Status, StatusCode
except ImportError as exc:  # pragma: no cover - exercised by a test that hides the package
    raise ImportError(
        "improvado_async.contrib.otel (tracing=True) needs OpenTelemetry, the 'otel' extra: "
        "pip install 'opentelemetry-api>=1.20'"
    ) from exc

from .._transport.observe import CallTrace
from .._transport.request import Request
from .._version import __version__

__all__ = ["OpenTelemetryObserver"]

logger = logging.getLogger("improvado.otel")

_SCOPE = "improvado_async"
# The stable HTTP conventions (http.request.method, url.full, ...) this module follows.
_SCHEMA_URL = "https://opentelemetry.io/schemas/1.26.0"
# The buckets the HTTP semantic conventions advise for http.client.request.duration.
_DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10)
# ``client.request`` calls are named ``request`` and carry a concrete path, not a template: it
# would make url.template lie and the metrics' cardinality unbounded.
_UNTEMPLATED = "request"
_CACHE_LIMIT = 512
_DEFAULT_PORTS = {"http": 80, "https": 443}

_Attributes = dict[str, Any]


class OpenTelemetryObserver:
    """Follows every call of a client with an OpenTelemetry span and metrics.

    ``AsyncImprovado(tracing=True)`` creates one with the global tracer and meter providers
    (the ``improvado_async`` instrumentation scope). Pass ``tracer_provider`` or
    ``meter_provider`` to record somewhere else (tests, a second pipeline). The observer never
    breaks a call: a failure of its own is logged on ``improvado.otel`` and the call goes on.

    Args:
        tracer_provider: where spans go (default: the global provider).
        meter_provider: where metrics go (default: the global provider).
    """

    __slots__ = ("_attributes", "_duration", "_rate_limited", "_retries", "_tracer")

    def __init__(
        self,
        *,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
    ) -> None:
        self._tracer = trace.get_tracer(
            _SCOPE, __version__, tracer_provider, schema_url=_SCHEMA_URL
        )
        meter = metrics.get_meter(_SCOPE, __version__, meter_provider, schema_url=_SCHEMA_URL)
        self._duration = _duration_histogram(meter)
        self._retries = meter.create_counter(
            "improvado.client.retries",
            unit="{retry}",
            description="Attempts sent again after a failed attempt (after the back-off).",
        )
        self._rate_limited = meter.create_counter(
            "improvado.client.rate_limited",
            unit="{response}",
            description="Attempts answered 429 Too Many Requests.",
        )
        # (operation, method, path template, origin) -> the call's fixed attributes
        self._attributes: dict[tuple[str, str, str, str], tuple[_Attributes, str]] = {}

    def start(self, request: Request) -> CallTrace:
        """Open the span of one logical call (a child of the caller's current span)."""
        try:
            attributes, origin = self._fixed_attributes(request)
            url = request.url
            span = self._tracer.start_span(
                f"improvado {request.operation}",
                kind=SpanKind.CLIENT,
                attributes={**attributes, "url.full": origin + url[_path_start(url) :]},
            )
        except Exception:
            logger.exception("cannot start the span of %s; the call goes on", request.operation)
            return _NO_TRACE
        return CallSpan(self, span, attributes)

    def _fixed_attributes(self, request: Request) -> tuple[_Attributes, str]:
        """The attributes every call of this operation on this server shares, and the origin
        without user info (both cached: they are the same for every call)."""
        url = request.url
        raw_origin = url[: _path_start(url)]
        key = (request.operation, request.method, request.path_template, raw_origin)
        cached = self._attributes.get(key)
        if cached is None:
            if len(self._attributes) >= _CACHE_LIMIT:
                self._attributes.clear()
            cached = self._attributes[key] = _attributes_of(request, raw_origin)
        return cached


class CallSpan:
    """The span of one logical call, as the pipeline reports attempts, retries and the end."""

    __slots__ = ("_attempts", "_attributes", "_ended", "_observer", "_span", "_started", "headers")

    def __init__(
        self, observer: OpenTelemetryObserver, span: Span, attributes: _Attributes
    ) -> None:
        self._observer = observer
        self._span = span
        self._attributes = attributes
        self._attempts = 0
        self._ended = False
        self._started = time.perf_counter()
        #: The trace headers (``traceparent``) every attempt carries: the call's span's.
        self.headers = _propagation_headers(span)

    def attempt(self, number: int, request: Request) -> None:
        """Note the attempt's number (the resend count)."""
        self._attempts = number

    def answered(self, number: int, status: int, elapsed: float) -> None:
        """Count a 429 answer."""
        if status == 429:
            try:
                self._observer._rate_limited.add(1, self._attributes)
            except Exception:
                logger.exception("cannot count a rate-limited answer; the call goes on")

    def retrying(self, number: int, reason: str, delay: float) -> None:
        """A ``retry`` event on the span, and one more retry counted."""
        try:
            self._span.add_event("retry", {"attempt": number, "reason": reason, "delay": delay})
            self._observer._retries.add(1, {**self._attributes, "improvado.retry.reason": reason})
        except Exception:
            logger.exception("cannot record a retry; the call goes on")

    def finished(self, status: int | None, error: BaseException | None) -> None:
        """End the span (always, whatever else fails) and record the call's duration."""
        if self._ended:
            return
        self._ended = True
        duration = time.perf_counter() - self._started
        outcome: _Attributes = {}
        try:
            outcome = _outcome(status, error)
            self._describe(outcome, error)
        except Exception:
            logger.exception("cannot describe the outcome of a call on its span")
        finally:
            self._span.end()
        try:
            self._observer._duration.record(duration, {**self._attributes, **outcome})
        except Exception:
            logger.exception("cannot record the duration of a call")

    def _describe(self, outcome: _Attributes, error: BaseException | None) -> None:
        span = self._span
        if not span.is_recording():
            return
        span.set_attributes(outcome)
        if self._attempts > 1:
            span.set_attribute("http.request.resend_count", self._attempts - 1)
        if error is not None:
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, type(error).__name__))


class _NoTrace:
    """Follows nothing: stands in for a span that could not be started."""

    __slots__ = ()

    headers = None

    def attempt(self, number: int, request: Request) -> None:
        return None

    def answered(self, number: int, status: int, elapsed: float) -> None:
        return None

    def retrying(self, number: int, reason: str, delay: float) -> None:
        return None

    def finished(self, status: int | None, error: BaseException | None) -> None:
        return None


_NO_TRACE = _NoTrace()


def _duration_histogram(meter: metrics.Meter) -> metrics.Histogram:
    name, unit = "http.client.request.duration", "s"
    description = "Duration of logical calls to the Improvado API, retries included."
    try:
        return meter.create_histogram(
            name, unit, description, explicit_bucket_boundaries_advisory=_DURATION_BUCKETS
        )
    except TypeError:  # opentelemetry-api < 1.23 takes no bucket advice
        return meter.create_histogram(name, unit, description)


def _propagation_headers(span: Span) -> dict[str, str] | None:
    """The configured propagators' headers for ``span`` (``None`` if they add none)."""
    try:
        carrier: dict[str, str] = {}
        propagate.inject(carrier, context=trace.set_span_in_context(span))
    except Exception:
        logger.exception("cannot inject the trace context; the call goes without it")
        return None
    return carrier or None


def _path_start(url: str) -> int:
    """Index of the path in an absolute URL (its length when there is none)."""
    index = url.find("/", url.find("//") + 2)
    return len(url) if index < 0 else index


def _attributes_of(request: Request, raw_origin: str) -> tuple[_Attributes, str]:
    parts = urlsplit(raw_origin)
    host = parts.hostname or ""
    port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
    # user info never goes into a span: url.full must not carry credentials
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    attributes: _Attributes = {
        "http.request.method": request.method,
        "server.address": host,
        "improvado.operation": request.operation,
    }
    if port is not None:
        attributes["server.port"] = port
    if request.operation != _UNTEMPLATED:
        attributes["url.template"] = request.path_template
    return attributes, f"{parts.scheme}://{netloc}"


def _outcome(status: int | None, error: BaseException | None) -> _Attributes:
    """``http.response.status_code`` and ``error.type`` of a finished call."""
    outcome: _Attributes = {}
    if status is not None:
        outcome["http.response.status_code"] = status
    if error is not None:
        # The HTTP conventions name an HTTP failure by its status code, others by their class.
        failed_status = status is not None and status >= 400
        outcome["error.type"] = str(status) if failed_status else type(error).__name__
    return outcome
