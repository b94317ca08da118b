"""The SDK's pytest plugin (autoloaded through its entry point) in an inner pytest run, and
``improvado_async.testing`` without pytest."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytest_plugins = ["pytester"]

_INNER_TESTS = """
import pytest

from improvado_async import AsyncImprovado
from improvado_async.sandbox import Sandbox
from improvado_sync import Improvado
{plugins_line}


@pytest.mark.asyncio
async def test_async_client(improvado_sandbox):
    assert isinstance(improvado_sandbox, Sandbox)
    async with AsyncImprovado(
        username=improvado_sandbox.username,
        password=improvado_sandbox.password,
        workspace_id=improvado_sandbox.workspace_id,
        base_url=improvado_sandbox.base_url,
        retry=0,
    ) as client:
        page = await client.loads.list()
        loads = [load async for load in client.loads.list()]
    expected = [x.id for x in improvado_sandbox.state.loads(improvado_sandbox.workspace_id)]
    assert page.count == len(expected)
    assert sorted(load.id for load in loads) == sorted(expected)
    assert any(r.path == "/api/v3/loads" for r in improvado_sandbox.requests)


@pytest.mark.asyncio
async def test_async_fixture_is_fresh(improvado_sandbox):
    assert improvado_sandbox.time_scale == 0.01
    assert improvado_sandbox.requests == []


def test_sync_client(improvado_sandbox_thread):
    from improvado_async.testing import SandboxThread

    assert isinstance(improvado_sandbox_thread, SandboxThread)
    with Improvado(
        username=improvado_sandbox_thread.username,
        password=improvado_sandbox_thread.password,
        workspace_id=improvado_sandbox_thread.workspace_id,
        base_url=improvado_sandbox_thread.base_url,
        retry=0,
    ) as client:
        loads = client.loads.list().to_list()
        page = client.loads.list().first_page()
    sb = improvado_sandbox_thread.sandbox
    expected = improvado_sandbox_thread.sync(
        lambda: [load.id for load in sb.state.loads(sb.workspace_id)]
    )
    assert sorted(load.id for load in loads) == sorted(expected)
    assert page.count == len(expected)
    paths = improvado_sandbox_thread.sync(lambda: [r.path for r in sb.requests])
    assert "/api/v3/loads" in paths


def test_sync_client_kwargs_and_call(improvado_sandbox_thread):
    from improvado_async.testing import client_kwargs

    improvado_sandbox_thread.sync(
        lambda: improvado_sandbox_thread.sandbox.add_fault("GET", "/api/v3/loads*", times=1)
    )
    with Improvado(**client_kwargs(improvado_sandbox_thread, retry=2)) as client:
        assert client.loads.list().first_page().count >= 0

    async def statuses():
        return [r.status for r in improvado_sandbox_thread.sandbox.requests]

    assert improvado_sandbox_thread.call(statuses())[-2:] == [503, 200]
"""


def _run_inner(pytester: pytest.Pytester, *args: str, plugins_line: str = "") -> pytest.RunResult:
    source = textwrap.dedent(_INNER_TESTS).replace("{plugins_line}", plugins_line)
    pytester.makepyfile(test_inner=source)
    # A clean ini: the outer project's pytest settings must not leak into the inner run.
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error", *args)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["strict", "auto"])
def test_plugin_fixtures_in_inner_run_without_a_plugins_line(
    pytester: pytest.Pytester, mode: str
) -> None:
    result = _run_inner(pytester, "-o", f"asyncio_mode={mode}")
    result.assert_outcomes(passed=4)
    assert result.ret == 0


@pytest.mark.slow
@pytest.mark.parametrize(
    "line",
    [
        'pytest_plugins = ["improvado_async.testing"]',  # what older docs said
        'pytest_plugins = ["improvado_async.pytest_plugin"]',
    ],
)
def test_a_leftover_plugins_line_still_works(pytester: pytest.Pytester, line: str) -> None:
    result = _run_inner(pytester, "-o", "asyncio_mode=strict", plugins_line=line)
    result.assert_outcomes(passed=4)


def test_testing_helpers_work_without_pytest() -> None:
    code = (
        "import sys; sys.modules['pytest'] = None; "
        "from improvado_async.testing import SandboxThread, client_kwargs; "
        "thread = SandboxThread(); kwargs = client_kwargs(thread); thread.close(); "
        "assert kwargs['base_url'].startswith('http://127.0.0.1:')"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_plugin_import_is_lazy() -> None:
    code = (
        "import sys, improvado_async.testing; "
        "assert 'aiohttp' not in sys.modules, 'aiohttp imported'; "
        "assert 'improvado_async.sandbox' not in sys.modules, 'sandbox imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_sandbox_thread_close_is_idempotent() -> None:
    from improvado_async.testing import SandboxThread, client_kwargs

    with SandboxThread(time_scale=0.01) as thread:
        assert thread.base_url.startswith("http://127.0.0.1:")
        kwargs = client_kwargs(thread, retry=1)
        assert kwargs == {
            "username": thread.username,
            "password": thread.password,
            "workspace_id": thread.workspace_id,
            "base_url": thread.base_url,
            "retry": 1,
        }
    thread.close()
    assert "closed" in repr(thread)
    with pytest.raises(RuntimeError):
        thread.sync(lambda: None)
