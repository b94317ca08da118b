"""The SDK's pytest plugin: ``improvado_sandbox`` and ``improvado_sandbox_thread`` fixtures.

Registered through the ``pytest11`` entry point when the SDK is installed, so tests use the
fixtures without a ``pytest_plugins`` line (see :mod:`improvado_async.testing`). pytest is
imported here only, so :mod:`improvado_async.testing` works without it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pytest

from .testing import DEFAULT_TIME_SCALE, SandboxThread

if TYPE_CHECKING:
    from .sandbox import Sandbox

__all__ = ["improvado_sandbox", "improvado_sandbox_thread"]

F = TypeVar("F", bound=Callable[..., Any])


def _async_fixture_decorator() -> Callable[[F], F] | None:
    try:
        import pytest_asyncio
    except ImportError:
        return None
    return cast("Callable[[F], F]", pytest_asyncio.fixture)


_asyncio_fixture = _async_fixture_decorator()

if _asyncio_fixture is not None:

    @_asyncio_fixture
    async def improvado_sandbox() -> AsyncIterator[Sandbox]:
        """A started sandbox (``time_scale=0.01``) on the test's event loop; needs pytest-asyncio.

        Stopped (simulated work cancelled, port closed) when the test ends.
        """
        from .sandbox import Sandbox

        async with Sandbox(time_scale=DEFAULT_TIME_SCALE) as sandbox:
            yield sandbox

else:

    @pytest.fixture
    def improvado_sandbox() -> Iterator[Sandbox]:
        """Unavailable without pytest-asyncio: fails the test with an install hint."""
        pytest.fail(
            "the improvado_sandbox fixture requires pytest-asyncio "
            "(pip install pytest-asyncio); blocking tests can use improvado_sandbox_thread",
            pytrace=False,
        )
        yield  # pragma: no cover - unreachable, keeps this a generator fixture


@pytest.fixture
def improvado_sandbox_thread() -> Iterator[SandboxThread]:
    """A started sandbox (``time_scale=0.01``) on its own loop thread, for blocking clients.

    Closed when the test ends. Works without pytest-asyncio.
    """
    with SandboxThread(time_scale=DEFAULT_TIME_SCALE) as sandbox_thread:
        yield sandbox_thread
