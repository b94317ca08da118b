"""pytest plugin: aioresponses 0.7.9 builds working responses on aiohttp 3.14 too.

aiohttp 3.14 broke two things aioresponses relies on, and no aioresponses release fixes them yet
(upstream pull requests pnuckowski/aioresponses#288 and #292):

- ``ClientResponse.__init__`` gained a required ``stream_writer`` argument, so every mocked
  response raised ``TypeError: ... missing 1 required keyword-only argument: 'stream_writer'``;
- ``pause_reading()`` asserts the protocol has a parser, and aioresponses' fake protocol has none,
  so a mocked body larger than twice the reader's 64 KiB limit raised ``AssertionError``.

Each patch is applied only when its aiohttp needs it (detected by signature or by behaviour, never
by version number), and the ``stream_writer`` one keeps a value a fixed aioresponses passes itself.
Register it with ``pytest_plugins = ["tests.aioresponses_compat"]``; docs/testing.md shows the
same recipe for a user's own conftest.py.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any
from unittest import mock

import aiohttp
from aiohttp.client_proto import ResponseHandler

try:
    from aioresponses import core as _aioresponses_core
except ImportError:  # aioresponses is a test tool; without it there is nothing to patch.
    _aioresponses_core = None

# aioresponses feeds the whole body in one call, so its reader never needs to push back.
_UNBOUNDED_READER_LIMIT = 2**62


class _SentStreamWriter:
    """Stands in for the request's stream writer; aiohttp reads only ``output_size`` from it."""

    output_size = 0


def needs_stream_writer() -> bool:
    """Whether this aiohttp's ``ClientResponse`` requires the ``stream_writer`` argument."""
    parameters = inspect.signature(aiohttp.ClientResponse.__init__).parameters
    return "stream_writer" in parameters


def pauses_need_a_parser() -> bool:
    """Whether pausing a parser-less protocol fails, as in aioresponses' fake responses."""
    try:
        ResponseHandler(loop=mock.Mock()).pause_reading()
    except AssertionError:
        return True
    return False


def _with_stream_writer(response_class: type[aiohttp.ClientResponse]) -> Callable[..., Any]:
    """Wrap ``response_class`` so its constructor always receives a ``stream_writer``."""

    def build(method: str, url: Any, **kwargs: Any) -> aiohttp.ClientResponse:
        kwargs.setdefault("stream_writer", _SentStreamWriter())
        return response_class(method, url, **kwargs)

    return build


def _patch_build_response(core: Any) -> mock._patch[Any]:
    """Patch ``RequestMatch._build_response`` to construct responses with a stream writer."""
    original = core.RequestMatch._build_response
    signature = inspect.signature(original)

    @functools.wraps(original)
    def build_response(*args: Any, **kwargs: Any) -> aiohttp.ClientResponse:
        bound = signature.bind(*args, **kwargs)
        response_class = bound.arguments.get("response_class") or aiohttp.ClientResponse
        bound.arguments["response_class"] = _with_stream_writer(response_class)
        return original(*bound.args, **bound.kwargs)  # type: ignore[no-any-return]

    return mock.patch.object(core.RequestMatch, "_build_response", build_response)


def _patch_stream_reader(core: Any) -> mock._patch[Any]:
    """Patch aioresponses' body reader so feeding a large body never tries to pause reading."""

    def stream_reader_factory(loop: Any = None) -> aiohttp.StreamReader:
        protocol = ResponseHandler(loop=loop)
        return aiohttp.StreamReader(protocol, limit=_UNBOUNDED_READER_LIMIT, loop=loop)

    return mock.patch.object(core, "stream_reader_factory", stream_reader_factory)


def install() -> Callable[[], None]:
    """Apply the patches this aiohttp needs; return a function that removes them again."""
    if _aioresponses_core is None:
        return lambda: None
    patches = []
    if needs_stream_writer():
        patches.append(_patch_build_response(_aioresponses_core))
    if pauses_need_a_parser():
        patches.append(_patch_stream_reader(_aioresponses_core))
    for patch in patches:
        patch.start()

    def uninstall() -> None:
        for patch in reversed(patches):
            patch.stop()

    return uninstall


_uninstall: Callable[[], None] | None = None


def pytest_configure(config: Any) -> None:
    """Patch aioresponses before any test runs."""
    global _uninstall
    if _uninstall is None:
        _uninstall = install()


def pytest_unconfigure(config: Any) -> None:
    """Leave aioresponses as it was found."""
    global _uninstall
    if _uninstall is not None:
        _uninstall()
        _uninstall = None
