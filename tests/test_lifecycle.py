"""Client lifecycle: one session, clean close, warnings, loops, threads, forks and faults."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import subprocess
import sys
import textwrap
import threading
import time
import tracemalloc

import pytest

from improvado_async import APITimeoutError, AsyncImprovado, ImprovadoError, RetryPolicy, Timeout
from improvado_async.sandbox import Sandbox
from improvado_async.testing import SandboxThread
from improvado_sync import Improvado


def _run_script(code: str, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *flags, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_unclosed_client_warns_once_and_nothing_else() -> None:
    result = _run_script(
        """
        import asyncio, gc
        from improvado_async import AsyncImprovado
        from improvado_async.sandbox import Sandbox

        async def main():
            async with Sandbox() as sb:
                client = AsyncImprovado(token=sb.mint_token(), base_url=sb.base_url)
                await client.loads.list()
                del client
                gc.collect()

        asyncio.run(main())
        """,
        "-W",
        "always",
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("ResourceWarning") == 1
    assert "aclose()" in result.stderr
    assert "Unclosed" not in result.stderr and "Event loop is closed" not in result.stderr


def test_hundred_clients_under_warnings_as_errors_are_clean() -> None:
    result = _run_script(
        """
        import asyncio
        from improvado_async import AsyncImprovado
        from improvado_async.sandbox import Sandbox

        async def main():
            async with Sandbox() as sb:
                token = sb.mint_token()
                for _ in range(100):
                    async with AsyncImprovado(token=token, base_url=sb.base_url) as client:
                        await client.loads.list()
                    await client.aclose()  # idempotent

        asyncio.run(main())
        print("ok")
        """,
        "-W",
        "error",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
    assert result.stderr == ""


async def test_views_share_one_session_and_never_close_the_parent(sandbox: Sandbox) -> None:
    async with AsyncImprovado(token=sandbox.mint_token(), base_url=sandbox.base_url) as client:
        await client.loads.list()
        session = client._pipeline.sessions.get()
        view = client.with_options(timeout=5.0)
        other = client.for_workspace(sandbox.other_workspace_id)
        assert view._pipeline.sessions is client._pipeline.sessions
        assert other._pipeline.sessions is client._pipeline.sessions
        await view.aclose()
        await other.aclose()
        await client.loads.list()
        assert client._pipeline.sessions.get() is session
    with pytest.raises(ImprovadoError, match="closed"):
        await client.loads.list()


def test_thousand_views_do_not_grow_memory() -> None:
    client = AsyncImprovado(token="t", base_url="http://127.0.0.1:1")

    def churn() -> None:
        for i in range(1000):
            client.for_workspace(i).with_options(timeout=3.0).loads  # noqa: B018

    churn()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    churn()
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    growth = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    assert growth < 64 * 1024, f"grew by {growth} bytes over 1,000 views"


async def test_connection_limit_one_never_blocks_after_faults(sandbox: Sandbox) -> None:
    sandbox.add_fault("GET", "/api/v3/loads/999", status=500)
    sandbox.add_fault("GET", "/api/v3/loads", latency=0.5, status=None)
    async with AsyncImprovado(
        token=sandbox.mint_token(),
        base_url=sandbox.base_url,
        max_connections=1,
        retry=RetryPolicy(max_retries=1, backoff_base=0.001),
    ) as client:
        for i in range(50):
            kind = i % 4
            if kind == 0:
                with pytest.raises(ImprovadoError):
                    await client.loads.get(999)
            elif kind == 1:
                fast = client.with_options(timeout=Timeout(total=0.1))
                with pytest.raises(APITimeoutError):
                    await asyncio.wait_for(fast.loads.list().first_page(), timeout=5)
            elif kind == 2:
                task = asyncio.ensure_future(client.loads.list().first_page())
                await asyncio.sleep(0.01)
                task.cancel()
                with pytest.raises((asyncio.CancelledError, ImprovadoError)):
                    await task
            else:
                await asyncio.wait_for(client.loads.get(3001), timeout=5)


async def test_wrong_loop_error_names_both_loops(sandbox: Sandbox) -> None:
    from improvado_async import WrongEventLoopError

    client = AsyncImprovado(token=sandbox.mint_token(), base_url=sandbox.base_url)
    await client.loads.list()
    owner = repr(asyncio.get_running_loop())

    def elsewhere() -> str:
        async def call() -> str:
            try:
                await client.loads.list()
            except WrongEventLoopError as exc:
                return str(exc) + "|" + repr(asyncio.get_running_loop())
            return "no error"

        return asyncio.run(call())

    message, other = (await asyncio.to_thread(elsewhere)).split("|")
    assert owner in message and other in message
    await client.aclose()


def test_sync_client_is_thread_safe(
    sync_client: Improvado, threaded_sandbox: SandboxThread
) -> None:
    errors: list[BaseException] = []
    done = []

    def worker() -> None:
        try:
            for _ in range(20):
                sync_client.loads.get(3001)
                done.append(1)
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and len(done) == 640


def test_sync_inside_running_loop_warns_once(sync_client: Improvado) -> None:
    async def from_coroutine() -> None:
        with pytest.warns(RuntimeWarning, match="improvado_async"):
            sync_client.loads.get(3001)
        sync_client.loads.get(3001)

    import warnings

    sync_client._runner._warned_running_loop = False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        asyncio.run(from_coroutine())
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]


def test_sync_call_from_runner_thread_raises(sync_client: Improvado) -> None:
    async def nested() -> None:
        sync_client.loads.get(3001)

    with pytest.raises(RuntimeError, match="deadlock"):
        sync_client._runner.run(nested())


def test_breaking_out_of_sync_paginator_closes_it(sync_client: Improvado) -> None:
    iterator = iter(sync_client.loads.list(page_size=1))
    first = next(iterator)
    assert first.id
    iterator.close()  # what a `break` does when the loop's iterator is collected
    assert sync_client.loads.get(first.id).id == first.id


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_forked_child_can_call(sync_client: Improvado, threaded_sandbox: SandboxThread) -> None:
    sync_client.loads.get(3001)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        try:
            ok = sync_client.loads.get(3001).id == 3001
            os.write(write, b"ok" if ok else b"bad")
        except BaseException as exc:  # reported to the parent through the pipe
            os.write(write, repr(exc).encode()[:200])
        finally:
            os._exit(0)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    answer = os.read(read, 300)
    os.close(read)
    assert answer == b"ok" and status == 0
    assert sync_client.loads.get(3001).id == 3001


@pytest.mark.slow
async def test_post_with_read_timeout_is_sent_once(sandbox: Sandbox) -> None:
    sandbox.add_fault("POST", "/api/v3/loads", latency=1.0, status=None)
    table = sandbox.state.data_tables(sandbox.workspace_id)[0].id
    destination = sandbox.state.destination_connections(sandbox.workspace_id)[0].id
    async with AsyncImprovado(
        token=sandbox.mint_token(),
        base_url=sandbox.base_url,
        timeout=Timeout(read=0.2),
        retry=RetryPolicy(backoff_base=0.01),
    ) as client:
        with pytest.raises(APITimeoutError):
            await client.loads.create(data_table_id=table, destination_connection_id=destination)
        await asyncio.sleep(1.1)
        posts = [r for r in sandbox.requests if r.method == "POST" and r.path == "/api/v3/loads"]
        assert len(posts) == 1
        sandbox.clear_requests()
        with pytest.raises(APITimeoutError):
            await client.loads.create(
                data_table_id=table, destination_connection_id=destination, idempotent=True
            )
        await asyncio.sleep(1.1)
        posts = [r for r in sandbox.requests if r.method == "POST" and r.path == "/api/v3/loads"]
        assert len(posts) == 3


async def test_each_retry_wait_is_logged_at_info(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="improvado.retry")
    sandbox.add_fault("GET", "/api/v3/loads", status=503, retry_after=0.05, times=2)
    async with AsyncImprovado(token=sandbox.mint_token(), base_url=sandbox.base_url) as client:
        await client.loads.list()
    waits = [r.getMessage() for r in caplog.records if r.name == "improvado.retry"]
    assert len(waits) == 2
    assert all("HTTP 503" in w and "0.05s" in w for w in waits)


async def test_total_deadline_is_kept(sandbox: Sandbox) -> None:
    sandbox.add_fault("GET", "/api/v3/loads", status=503)
    async with AsyncImprovado(
        token=sandbox.mint_token(),
        base_url=sandbox.base_url,
        timeout=Timeout(total=2.0),
        retry=RetryPolicy(max_retries=50, backoff_base=0.3, backoff_max=0.6),
    ) as client:
        started = time.monotonic()
        with pytest.raises(ImprovadoError):
            await client.loads.list()
        elapsed = time.monotonic() - started
    assert elapsed <= 2.2
