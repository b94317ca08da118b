"""Test helpers: a sandbox served from its own thread, for blocking (sync client) tests."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from improvado_async.sandbox import Sandbox

T = TypeVar("T")


class ThreadedSandbox:
    """Runs a :class:`Sandbox` on a private loop thread so blocking code can call it."""

    def __init__(self, **kwargs: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.sandbox = Sandbox(**kwargs)
        self.call(self.sandbox.start())

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the sandbox's loop."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=30)

    def sync(self, fn: Callable[[], T]) -> T:
        """Run a plain callable on the sandbox's loop (state is not thread-safe)."""

        async def wrapper() -> T:
            return fn()

        return self.call(wrapper())

    def close(self) -> None:
        """Stop the sandbox and its thread."""
        self.call(self.sandbox.stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
