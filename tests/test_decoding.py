"""The response decoder's fast path gives exactly what ``json.loads`` gives, errors included."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from improvado_async._transport.decoding import decode_json

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def outcome(decode: Any, body: bytes) -> tuple[object, ...]:
    try:
        return ("value", decode(body))
    except ValueError as exc:
        return ("error", type(exc), str(exc))


@pytest.mark.parametrize(
    "body",
    [
        b'{"id": 1}',
        b' {"id": 1}',  # leading whitespace: not at offset 0
        b'{"id": 1}\n',  # trailing whitespace
        b'{"id": 1} {"id": 2}',  # extra data
        b'\xef\xbb\xbf{"id": 1}',  # UTF-8 byte order mark
        '{"name": "caf\u00e9"}'.encode("utf-16"),  # UTF-16 with its BOM
        b'{"name": "\xff"}',  # not UTF-8
        b'{"id": 1',  # truncated
        b"nul",
        b"NaN",
        b"[1e400]",
    ],
)
def test_edge_bodies_decode_or_fail_like_json_loads(body: bytes) -> None:
    assert outcome(decode_json, body) == outcome(json.loads, body)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES, st.sampled_from(["", " ", "\n", "x", "}"]), st.sampled_from(["", " ", "\t"]))
def test_any_document_with_any_surroundings_matches_json_loads(
    value: object, suffix: str, prefix: str
) -> None:
    body = (prefix + json.dumps(value) + suffix).encode()
    assert outcome(decode_json, body) == outcome(json.loads, body)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64))
def test_arbitrary_bytes_decode_or_fail_like_json_loads(body: bytes) -> None:
    assert outcome(decode_json, body) == outcome(json.loads, body)
