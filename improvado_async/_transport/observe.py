"""Observers of calls: what hooks and tracing attach to, at no cost when there are none.

The pipeline asks each observer for a :class:`CallTrace` when a logical call starts and reports
each attempt, answer, retry and the end of the call to it. A trace may add headers to every
attempt of its call (a tracing ``traceparent``). Observers never see credentials: the
:class:`Request` holds none.

The reports are plain calls, not coroutines: a trace with asynchronous work to do (an ``async``
hook) returns an awaitable, which the pipeline awaits; one with nothing to await returns
``None``, so following a call costs the pipeline no coroutine per report.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import Protocol

from .request import Request

__all__ = ["CallTrace", "Observer", "Pending"]

#: What a report returns: an awaitable for asynchronous work left, else ``None``.
Pending = Awaitable[None] | None


class CallTrace(Protocol):
    """One logical call as an observer follows it (each report returns :data:`Pending`)."""

    @property
    def headers(self) -> Mapping[str, str] | None:
        """Headers every attempt of the call carries (``traceparent``), or ``None``."""

    def attempt(self, number: int, request: Request) -> Pending:
        """Attempt ``number`` of ``request`` is about to be sent."""

    def answered(self, number: int, status: int, elapsed: float) -> Pending:
        """Attempt ``number`` was answered with ``status`` after ``elapsed`` seconds."""

    def retrying(self, number: int, reason: str, delay: float) -> Pending:
        """Attempt ``number`` follows a back-off of ``delay`` seconds after ``reason``."""

    def finished(self, status: int | None, error: BaseException | None) -> Pending:
        """The call ended, with its final status or the error it raises."""


class Observer(Protocol):
    """Something that follows calls (hooks, OpenTelemetry)."""

    def start(self, request: Request) -> CallTrace:
        """A trace for the logical call of ``request``."""
