"""Testing helpers: the local :mod:`improvado_async.sandbox` served to your tests.

:class:`SandboxThread` serves a sandbox from its own thread (for blocking code; no pytest
needed), and :func:`client_kwargs` gives client arguments for a sandbox. With pytest installed,
the SDK's pytest plugin (:mod:`improvado_async.pytest_plugin`, registered through the ``pytest11``
entry point, so no ``pytest_plugins`` line is needed) adds two fixtures::

    from improvado_async import AsyncImprovado
    from improvado_async.testing import client_kwargs
    from improvado_sync import Improvado

    async def test_loads(improvado_sandbox):
        async with AsyncImprovado(**client_kwargs(improvado_sandbox)) as client:
            page = await client.loads.list()

    def test_loads_blocking(improvado_sandbox_thread):
        with Improvado(**client_kwargs(improvado_sandbox_thread)) as client:
            page = client.loads.list().first_page()

The :func:`client_kwargs` helper gives the client arguments for either fixture. Where plugin
autoloading is off (``PYTEST_DISABLE_PLUGIN_AUTOLOAD``), pass ``-p improvado_async.pytest_plugin``.

Fixtures:

``improvado_sandbox``
    An *async* fixture yielding a started :class:`~improvado_async.sandbox.Sandbox` with
    ``time_scale=0.01``, served on the test's own event loop. It **requires pytest-asyncio**
    (``pip install pytest-asyncio``) and works in both its ``auto`` and ``strict`` modes; in
    strict mode mark the test itself with ``@pytest.mark.asyncio``.

``improvado_sandbox_thread``
    A *sync* fixture yielding a :class:`SandboxThread`: a sandbox served on a private event-loop
    thread, for tests of the blocking client :class:`improvado_sync.Improvado` (no
    pytest-asyncio needed). Use :meth:`SandboxThread.call` / :meth:`SandboxThread.sync` to touch
    the sandbox (``add_fault``, ``state``, ``requests``...) from the test thread.

Importing this module is cheap and needs no pytest: neither aiohttp nor the sandbox is imported
until a :class:`SandboxThread` is actually used.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .sandbox import Sandbox

__all__ = ["DEFAULT_TIME_SCALE", "SandboxThread", "client_kwargs"]

T = TypeVar("T")

DEFAULT_TIME_SCALE = 0.01
"""Simulated-time multiplier of the fixtures' sandboxes (a load run takes ~20 ms)."""

_CALL_TIMEOUT = 30.0


class SandboxThread:
    """A :class:`~improvado_async.sandbox.Sandbox` served from its own event-loop thread.

    Blocking code (the sync client, ``requests``, ...) can talk to it while the test thread
    blocks. Keyword arguments go to :class:`~improvado_async.sandbox.Sandbox`; the sandbox is
    started on construction and stopped by :meth:`close` (or leaving a ``with`` block).
    The sandbox state is not thread-safe: inspect or mutate it through :meth:`call` or
    :meth:`sync`, which run on the sandbox's loop.
    """

    def __init__(self, **kwargs: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="improvado-sandbox", daemon=True
        )
        self._thread.start()
        self._closed = False
        try:
            self.sandbox: Sandbox = self.call(_started_sandbox(kwargs))
        except BaseException:
            self._stop_loop()
            raise

    # -- conveniences mirroring the sandbox ------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` of the running sandbox (no trailing slash)."""
        return self.sandbox.base_url

    @property
    def username(self) -> str:
        """Basic username of the sandbox's regular agency user."""
        return self.sandbox.username

    @property
    def password(self) -> str:
        """Basic password of the sandbox's regular agency user."""
        return self.sandbox.password

    @property
    def workspace_id(self) -> int:
        """Id of the sandbox's first seeded workspace."""
        return self.sandbox.workspace_id

    # -- running code on the sandbox loop --------------------------------------------------

    def call(self, coro: Coroutine[Any, Any, T], *, timeout: float = _CALL_TIMEOUT) -> T:
        """Run ``coro`` on the sandbox's loop and return its result (blocks the caller)."""
        if self._closed:
            coro.close()
            raise RuntimeError("SandboxThread is closed")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=timeout)

    def sync(self, fn: Callable[[], T]) -> T:
        """Run the plain callable ``fn`` on the sandbox's loop and return its result."""

        async def wrapper() -> T:
            return fn()

        return self.call(wrapper())

    def close(self) -> None:
        """Stop the sandbox, then its loop and thread (idempotent)."""
        if self._closed:
            return
        try:
            self.call(self.sandbox.stop())
        finally:
            self._stop_loop()

    def _stop_loop(self) -> None:
        self._closed = True
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        if not self._thread.is_alive():
            self._loop.close()

    def __enter__(self) -> SandboxThread:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else self.base_url
        return f"<SandboxThread {state}>"


async def _started_sandbox(kwargs: dict[str, Any]) -> Sandbox:
    # Built and started on the sandbox loop, so every loop-bound object belongs to that loop.
    from .sandbox import Sandbox

    sandbox = Sandbox(**kwargs)
    await sandbox.start()
    return sandbox


def client_kwargs(target: Sandbox | SandboxThread, **overrides: Any) -> dict[str, Any]:
    """Keyword arguments for ``AsyncImprovado`` / ``Improvado`` bound to ``target``.

    Gives ``username``, ``password``, ``workspace_id`` and ``base_url`` of the sandbox (or
    :class:`SandboxThread`) plus ``retry=0`` so that injected faults surface immediately;
    ``overrides`` replace or extend them, e.g. ``client_kwargs(sb, retry=3)``.
    """
    kwargs: dict[str, Any] = {
        "username": target.username,
        "password": target.password,
        "workspace_id": target.workspace_id,
        "base_url": target.base_url,
        "retry": 0,
    }
    kwargs.update(overrides)
    return kwargs
