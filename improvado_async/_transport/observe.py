"""Observers of calls: what hooks and tracing attach to, at no cost when there are none.

The pipeline asks each observer for a :class:`CallTrace` when a logical call starts and reports
each attempt, answer, retry and the end of the call to it. An observer may add headers to each
attempt (a tracing ``traceparent``). Observers never see credentials: the :class:`Request` holds
none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from .request import Request

__all__ = ["CallTrace", "Observer"]


class CallTrace(Protocol):
    """One logical call as an observer follows it."""

    async def attempt(self, number: int, path: str) -> Mapping[str, str] | None:
        """Attempt ``number`` is about to be sent to ``path``; headers to add, if any."""

    async def answered(self, number: int, status: int, elapsed: float) -> None:
        """Attempt ``number`` was answered with ``status`` after ``elapsed`` seconds."""

    async def retrying(self, number: int, reason: str, delay: float) -> None:
        """Attempt ``number`` follows a back-off of ``delay`` seconds after ``reason``."""

    async def finished(self, status: int | None, error: BaseException | None) -> None:
        """The call ended, with its final status or the error it raises."""


class Observer(Protocol):
    """Something that follows calls (hooks, OpenTelemetry)."""

    def start(self, request: Request) -> CallTrace:
        """A trace for the logical call of ``request``."""
