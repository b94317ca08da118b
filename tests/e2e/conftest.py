"""End-to-end fixtures: one ``api`` adapter giving the same interface over both clients.

Every e2e test takes the ``api`` fixture, parametrized over ``["async", "sync"]``:

* ``async``: a :class:`Sandbox` (``time_scale=0.01``) and an :class:`AsyncImprovado` served on the
  same private event loop (owned by the adapter);
* ``sync``: a :class:`SandboxThread` (sandbox on its own loop thread) and the blocking
  :class:`improvado_sync.Improvado`, called directly from the test thread.

Test bodies are plain functions written once for both modes::

    load = api.call(lambda c: c.loads.get(load_id))      # awaited (async) / called (sync)
    loads = api.list(lambda c: c.loads.list())            # a Python list in both modes
    api.state(lambda sb: sb.state.loads(sb.workspace_id))  # runs on the sandbox's loop

Clients handed to the lambdas are recording proxies: every ``service.method`` called through
them is noted in :mod:`tests.e2e._registry`, which ``test_coverage.py`` checks against
``tests/data/endpoints.tsv``.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from improvado_async import AsyncImprovado
from improvado_async.sandbox import Sandbox
from improvado_async.sandbox.journal import RecordedRequest
from improvado_async.testing import SandboxThread, client_kwargs
from improvado_sync import Improvado

from . import _registry

T = TypeVar("T")

TIME_SCALE = 0.01
#: Poll settings for ``client.extracts.wait`` / ``client.loads.wait`` (keep the suite fast).
WAIT = {"max_wait": 10.0, "poll_interval": 0.01, "max_poll_interval": 0.05}

COVERAGE_LAST_MARK = "e2e_run_last"


# -- recording proxies -------------------------------------------------------------------------


class _RecordingService:
    """Wraps one service (``client.loads``...) and records each method called on it."""

    def __init__(self, service: Any, name: str, mode: str) -> None:
        self._service = service
        self._name = name
        self._mode = mode

    def __getattr__(self, attr: str) -> Any:
        value = getattr(self._service, attr)
        if not callable(value):
            return value
        operation = f"{self._name}.{attr}"
        mode = self._mode

        @functools.wraps(value)
        def recorded(*args: Any, **kwargs: Any) -> Any:
            _registry.record(mode, operation)
            return value(*args, **kwargs)

        return recorded


class RecordingClient:
    """A client whose services record the operations called through them."""

    def __init__(self, client: Any, mode: str) -> None:
        self.raw = client
        self._mode = mode

    def __getattr__(self, name: str) -> Any:
        value = getattr(self.raw, name)
        if name in _registry.SERVICES:
            return _RecordingService(value, name, self._mode)
        return value


# -- the adapter -------------------------------------------------------------------------------


async def _await(awaitable: Awaitable[T]) -> T:
    return await awaitable


class LoopRunner:
    """A private event loop that runs one coroutine at a time (``asyncio.Runner`` is 3.11+).

    The loop is never installed as the thread's current loop.
    """

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` to completion on the private loop."""
        return self._loop.run_until_complete(coro)

    def close(self) -> None:
        """Close async generators, then the loop."""
        try:
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
        finally:
            self._loop.close()


class Api:
    """Same interface for the async and the sync client (see the module docstring)."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self._clients: list[RecordingClient] = []
        self._runner: LoopRunner | None = None
        self._thread: SandboxThread | None = None
        if mode == "async":
            self._runner = LoopRunner()
            self.sandbox = Sandbox(time_scale=TIME_SCALE)
            self._runner.run(self.sandbox.start())
        else:
            self._thread = SandboxThread(time_scale=TIME_SCALE)
            self.sandbox = self._thread.sandbox
        self.workspace_id = self.sandbox.workspace_id
        self.other_workspace_id = self.sandbox.other_workspace_id
        self.client = self.make_client()
        self._chief: RecordingClient | None = None

    # clients ----------------------------------------------------------------------------------

    def make_client(self, **overrides: Any) -> RecordingClient:
        """A new client of this mode bound to the sandbox (``client_kwargs`` + overrides)."""
        kwargs = client_kwargs(self.sandbox, **overrides)
        raw: Any = AsyncImprovado(**kwargs) if self.mode == "async" else Improvado(**kwargs)
        client = RecordingClient(raw, self.mode)
        self._clients.append(client)
        return client

    @property
    def chief(self) -> RecordingClient:
        """A client with the agency chief's Basic credentials (needed for roles)."""
        if self._chief is None:
            self._chief = self.make_client(
                username=self.sandbox.chief_username, password=self.sandbox.chief_password
            )
        return self._chief

    # calling ----------------------------------------------------------------------------------

    def call(self, fn: Callable[[Any], Any], client: RecordingClient | None = None) -> Any:
        """``fn(client)``, awaited in async mode (on the sandbox's loop), returned in sync mode."""
        result = fn(client or self.client)
        if self.mode == "async" and inspect.isawaitable(result):
            assert self._runner is not None
            return self._runner.run(_await(result))
        return result

    def list(self, fn: Callable[[Any], Any], client: RecordingClient | None = None) -> list[Any]:
        """Every item of the paginator ``fn(client)`` returns, as a Python list."""
        items = self.call(lambda c: fn(c).to_list(), client)
        assert isinstance(items, list)
        return items

    def page(self, fn: Callable[[Any], Any], client: RecordingClient | None = None) -> Any:
        """The first :class:`Page` of the paginator ``fn(client)`` returns."""
        return self.call(lambda c: fn(c).first_page(), client)

    def sleep(self, seconds: float) -> None:
        """Let simulated work progress (the async sandbox only runs while its loop does)."""
        if self._runner is not None:
            self._runner.run(asyncio.sleep(seconds))
        else:
            time.sleep(seconds)

    def poll(
        self,
        fn: Callable[[Any], Any],
        until: Callable[[Any], bool],
        *,
        timeout: float = 5.0,
        interval: float = 0.01,
    ) -> Any:
        """Call ``fn`` until ``until(result)`` holds; the last result."""
        deadline = time.monotonic() + timeout
        while True:
            result = self.call(fn)
            if until(result) or time.monotonic() > deadline:
                return result
            self.sleep(interval)

    # sandbox access ---------------------------------------------------------------------------

    def state(self, fn: Callable[[Sandbox], T]) -> T:
        """``fn(sandbox)`` run on the sandbox's loop (its state is not thread-safe)."""
        if self._thread is not None:
            return self._thread.sync(lambda: fn(self.sandbox))
        return fn(self.sandbox)

    def requests(self) -> list[RecordedRequest]:
        """A snapshot of the sandbox's request journal."""
        return self.state(lambda sb: list(sb.requests))

    def clear_requests(self) -> None:
        """Empty the sandbox's request journal."""
        self.state(lambda sb: sb.clear_requests())

    def last_request(self, method: str, path: str) -> RecordedRequest:
        """The most recent journal entry with this method and exact path."""
        matches = [r for r in self.requests() if r.method == method and r.path == path]
        assert matches, f"no {method} {path} in {[(r.method, r.path) for r in self.requests()]}"
        return matches[-1]

    def close(self) -> None:
        """Close every client, then the sandbox (and its loop)."""
        try:
            for client in reversed(self._clients):
                if self.mode == "async":
                    assert self._runner is not None
                    self._runner.run(client.raw.aclose())
                else:
                    client.raw.close()
        finally:
            if self._runner is not None:
                try:
                    self._runner.run(self.sandbox.stop())
                finally:
                    self._runner.close()
            if self._thread is not None:
                self._thread.close()


def assert_bearer(request: RecordedRequest) -> None:
    """The request was authenticated with a workspace Bearer token."""
    header = request.header("Authorization") or ""
    assert header.startswith("Bearer "), header


def assert_basic(request: RecordedRequest) -> None:
    """The request was authenticated with HTTP Basic credentials."""
    header = request.header("Authorization") or ""
    assert header.startswith("Basic "), header


@pytest.fixture(params=_registry.MODES)
def api(request: pytest.FixtureRequest) -> Iterator[Api]:
    """The e2e adapter for one client mode (``async`` or ``sync``), with a fresh sandbox."""
    adapter = Api(request.param)
    try:
        yield adapter
    finally:
        adapter.close()


# -- collection hooks for the dynamic coverage check ---------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{COVERAGE_LAST_MARK}: run this e2e test after every other test"
    )


def _in_e2e(item: pytest.Item) -> bool:
    return Path(str(item.path)).resolve().parent == _registry.E2E_DIR


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    last = [item for item in items if item.get_closest_marker(COVERAGE_LAST_MARK)]
    if last:
        items[:] = [item for item in items if item not in last] + last


def pytest_deselected(items: list[pytest.Item]) -> None:
    if any(_in_e2e(item) for item in items):
        _registry.SESSION["deselected"] = True


def pytest_collection_finish(session: pytest.Session) -> None:
    collected = {Path(str(item.path)).resolve() for item in session.items if _in_e2e(item)}
    expected = {path.resolve() for path in _registry.E2E_DIR.glob("test_*.py")}
    _registry.SESSION["complete"] = collected == expected
