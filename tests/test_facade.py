"""The generated sync facade mirrors the async client, and the generator reports no drift."""

from __future__ import annotations

import asyncio
import inspect
import subprocess
import sys

import pytest

import improvado_async
import improvado_sync
from improvado_async import AsyncImprovado, WrongEventLoopError
from improvado_sync import Improvado


def _services(client: object) -> dict[str, type]:
    names = [
        name
        for name, member in inspect.getmembers(type(client))
        if getattr(member, "func", None) is not None and not name.startswith("_")
    ]
    return {name: type(getattr(client, name)) for name in names}


def _clean(sig: inspect.Signature) -> str:
    return str(sig).replace("AsyncPaginator", "Paginator").replace("AsyncImprovado", "Improvado")


def test_every_service_method_has_identical_signature() -> None:
    options = {"token": "t", "base_url": "http://127.0.0.1:1"}
    sync_client = Improvado(**options)  # type: ignore[arg-type]
    async_services = _services(sync_client.async_client)
    sync_services = _services(sync_client)
    sync_client.close()
    assert set(async_services) == set(sync_services) >= {"auth", "loads"}
    for name, async_cls in async_services.items():
        sync_cls = sync_services[name]
        public = [m for m in vars(async_cls) if not m.startswith("_")]
        for method in public:
            a, s = getattr(async_cls, method), getattr(sync_cls, method)
            assert _clean(inspect.signature(a)) == _clean(inspect.signature(s)), (name, method)
            assert inspect.getdoc(a) == inspect.getdoc(s)


def test_client_constructor_matches() -> None:
    assert str(inspect.signature(AsyncImprovado)) == str(inspect.signature(Improvado))


def test_codegen_reports_no_drift() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "improvado_sync._codegen", "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_is_lazy() -> None:
    code = (
        "import sys, improvado_async; "
        "bad = [m for m in ('aiohttp', 'improvado_async.resources.loads', 'tenacity') "
        "if m in sys.modules]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_names_exported() -> None:
    for name in improvado_async.__all__:
        assert getattr(improvado_async, name) is not None
    for name in improvado_sync.__all__:
        assert getattr(improvado_sync, name) is not None


def test_async_client_from_second_loop_raises(unused_tcp_port: int) -> None:
    from improvado_async.sandbox import Sandbox

    async def scenario() -> None:
        async with Sandbox() as sb:
            client = AsyncImprovado(token=sb.mint_token(), base_url=sb.base_url)
            await client.loads.list()

            def other_loop() -> None:
                async def call() -> None:
                    with pytest.raises(WrongEventLoopError, match="event loop"):
                        await client.loads.list()

                asyncio.run(call())

            await asyncio.to_thread(other_loop)
            await client.aclose()

    asyncio.run(scenario())
