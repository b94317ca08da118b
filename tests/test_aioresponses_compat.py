"""aioresponses works on the installed aiohttp (3.14 included), through our plugin and the docs."""

from __future__ import annotations

import re
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses
from aioresponses import core as aioresponses_core

from improvado_async import AsyncImprovado, Load
from tests import aioresponses_compat

pytest_plugins = ["pytester"]

BASE_URL = "http://127.0.0.1:1"
TESTING_DOC = Path(__file__).parent.parent / "docs" / "testing.md"
# Past twice aioresponses' 64 KiB reader limit, where aiohttp 3.14 tries to pause reading.
LARGE_BODY_LOADS = 3000


@pytest.fixture
async def mocked() -> AsyncIterator[AsyncImprovado]:
    async with AsyncImprovado(token="tok", base_url=BASE_URL, retry=0) as client:
        yield client


async def test_mocked_call_returns_the_model(mocked: AsyncImprovado) -> None:
    with aioresponses() as mock:
        mock.get(f"{BASE_URL}/api/v3/loads/7", payload={"id": 7, "status": "finished"})
        load = await mocked.loads.get(7)
    assert isinstance(load, Load)
    assert load.id == 7
    mock.assert_called_once()


async def test_mocked_body_past_the_reader_limit_is_read_whole(mocked: AsyncImprovado) -> None:
    loads = [{"id": i, "destination_name": "x" * 40} for i in range(LARGE_BODY_LOADS)]
    payload = {"count": len(loads), "next": None, "previous": None, "results": loads}
    with aioresponses() as mock:
        mock.get(re.compile(rf"^{re.escape(BASE_URL)}/api/v3/loads\b.*"), payload=payload)
        page = await mocked.loads.list()
    assert len(str(payload)) > 2 * 2**16
    assert [load.id for load in page.results] == list(range(LARGE_BODY_LOADS))


class _TaggedResponse(aiohttp.ClientResponse):
    """A caller's own response class, which aioresponses must still construct."""


async def test_a_custom_response_class_is_kept() -> None:
    with aioresponses() as mock:
        mock.get(f"{BASE_URL}/x", body=b"ok", response_class=_TaggedResponse)
        async with aiohttp.ClientSession() as session, session.get(f"{BASE_URL}/x") as response:
            body = await response.read()
    assert type(response) is _TaggedResponse
    assert body == b"ok"


def test_a_stream_writer_passed_by_aioresponses_is_kept() -> None:
    received: dict[str, Any] = {}

    class Recorder:
        def __init__(self, method: str, url: str, **kwargs: Any) -> None:
            received.update(kwargs, method=method, url=url)

    own_writer = object()
    construct = aioresponses_compat._with_stream_writer(Recorder)  # type: ignore[arg-type]
    construct("GET", "http://h/", stream_writer=own_writer, session=None)
    assert received == {
        "method": "GET",
        "url": "http://h/",
        "stream_writer": own_writer,
        "session": None,
    }
    construct("GET", "http://h/")
    assert received["stream_writer"].output_size == 0


def test_install_patches_only_what_this_aiohttp_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    build_response = aioresponses_core.RequestMatch.__dict__["_build_response"]
    reader_factory = aioresponses_core.stream_reader_factory

    monkeypatch.setattr(aioresponses_compat, "needs_stream_writer", lambda: False)
    monkeypatch.setattr(aioresponses_compat, "pauses_need_a_parser", lambda: False)
    uninstall = aioresponses_compat.install()
    assert aioresponses_core.RequestMatch.__dict__["_build_response"] is build_response
    assert aioresponses_core.stream_reader_factory is reader_factory
    uninstall()

    monkeypatch.setattr(aioresponses_compat, "needs_stream_writer", lambda: True)
    monkeypatch.setattr(aioresponses_compat, "pauses_need_a_parser", lambda: True)
    uninstall = aioresponses_compat.install()
    assert aioresponses_core.RequestMatch.__dict__["_build_response"] is not build_response
    assert aioresponses_core.stream_reader_factory is not reader_factory
    uninstall()
    assert aioresponses_core.RequestMatch.__dict__["_build_response"] is build_response
    assert aioresponses_core.stream_reader_factory is reader_factory


def test_detection_matches_the_installed_aiohttp() -> None:
    major_minor = tuple(int(part) for part in aiohttp.__version__.split(".")[:2])
    assert aioresponses_compat.needs_stream_writer() is (major_minor >= (3, 14))
    assert aioresponses_compat.pauses_need_a_parser() is (major_minor >= (3, 14))


def _aioresponses_doc_blocks() -> list[str]:
    """The python code blocks of docs/testing.md's aioresponses section, in order."""
    text = TESTING_DOC.read_text()
    section = text.split("\n## aioresponses\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


@pytest.mark.slow
def test_the_docs_recipe_works_without_our_plugin(pytester: pytest.Pytester) -> None:
    example, recipe = _aioresponses_doc_blocks()
    pytester.makeconftest(recipe)
    large_body = textwrap.dedent(
        """
        import aiohttp
        from aioresponses import aioresponses


        async def test_large_body():
            with aioresponses() as mock:
                mock.get("http://127.0.0.1:1/big", body=b"x" * 300_000)
                async with aiohttp.ClientSession() as session:
                    async with session.get("http://127.0.0.1:1/big") as response:
                        assert len(await response.read()) == 300_000
        """
    )
    pytester.makepyfile(test_example=example, test_large_body=large_body)
    # A fresh interpreter: this suite's own plugin must not be what makes the recipe pass.
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-o", "asyncio_mode=auto")
    result.assert_outcomes(passed=2)
