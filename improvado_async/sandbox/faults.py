"""Fault injection: rules that delay, fail or drop matching requests before auth runs."""

from __future__ import annotations

import asyncio
import fnmatch
import random
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
from aiohttp import web

from .errors import error_response

_DEFAULT_DETAILS = {
    429: "Request was throttled.",
    500: "Internal server error.",
    502: "Bad gateway.",
    503: "Service temporarily unavailable.",
    504: "Gateway timeout.",
}


@attrs.define(eq=False)
class FaultRule:
    """One fault rule; see :meth:`Sandbox.add_fault <improvado_async.sandbox.Sandbox.add_fault>`.

    ``status=None`` with ``drop=False`` means "only add latency, then answer normally".
    ``remaining`` counts down from ``times`` (``None`` = forever); ``hits`` counts firings.
    """

    method: str
    path: str
    status: int | None = 503
    retry_after: float | str | None = None
    body: Any = None
    latency: float = 0.0
    drop: bool = False
    times: int | None = None
    probability: float = 1.0
    hits: int = 0
    remaining: int | None = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.remaining = self.times

    def matches(self, method: str, path: str) -> bool:
        """True when the rule targets this method and path (fnmatch) and has firings left."""
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.method != "*" and self.method.upper() != method.upper():
            return False
        return fnmatch.fnmatchcase(path, self.path)

    def consume(self) -> None:
        """Record one firing."""
        self.hits += 1
        if self.remaining is not None:
            self.remaining -= 1


def _retry_after_header(value: float | str) -> str:
    if isinstance(value, str):
        return value
    return str(int(value)) if float(value).is_integer() else str(value)


def fault_response(rule: FaultRule) -> web.Response:
    """The response a status fault answers with."""
    assert rule.status is not None
    headers: dict[str, str] = {}
    if rule.retry_after is not None:
        headers["Retry-After"] = _retry_after_header(rule.retry_after)
    if rule.body is None:
        details = _DEFAULT_DETAILS.get(rule.status, "Injected fault.")
        return error_response(rule.status, details, headers)
    if isinstance(rule.body, (bytes, str)):
        return web.Response(status=rule.status, body=rule.body, headers=headers)
    return web.json_response(rule.body, status=rule.status, headers=headers)


class FaultInjector:
    """Holds the rules and a seeded RNG (deterministic probabilities) and applies them."""

    def __init__(self, seed: int) -> None:
        self.rules: list[FaultRule] = []
        self._random = random.Random(seed)

    def add(self, rule: FaultRule) -> FaultRule:
        """Register ``rule`` (rules are tried in insertion order)."""
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every rule."""
        self.rules.clear()

    def pick(self, method: str, path: str) -> FaultRule | None:
        """The first matching rule that wins its probability draw, consumed; else ``None``."""
        for rule in self.rules:
            if not rule.matches(method, path):
                continue
            if rule.probability < 1.0 and self._random.random() >= rule.probability:
                continue
            rule.consume()
            return rule
        return None

    @web.middleware
    async def middleware(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        """Apply the first firing rule: sleep, then drop / fail / pass through."""
        rule = self.pick(request.method, request.path)
        if rule is None:
            return await handler(request)
        if rule.latency > 0:
            await asyncio.sleep(rule.latency)
        if rule.drop:
            if request.transport is not None:
                request.transport.abort()
            # Nothing can be written any more; aiohttp discards this response silently.
            return web.Response(status=499)
        if rule.status is None:
            return await handler(request)
        return fault_response(rule)
