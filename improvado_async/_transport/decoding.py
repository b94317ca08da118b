"""JSON decoding of response bodies: the standard library's C scanner, without its wrappers.

``json.loads(body)`` spends about a fifth of its time outside the C scanner on a small answer:
sniffing the encoding of the bytes, two regular-expression calls for the surrounding whitespace
and three Python frames (measured with ``valgrind``: 59,000 instructions for a 614-byte Load,
46,000 this way). A body that is UTF-8 with a value starting at its first byte and ending at its
last byte (what the API sends) goes straight to the scanner; anything else (whitespace, a BOM,
UTF-16, malformed JSON) takes ``json.loads``, so results and errors are exactly the standard
library's.
"""

from __future__ import annotations

import json
import json.scanner
from typing import Any

__all__ = ["NestingTooDeepError", "decode_json"]

# None on an interpreter without the C accelerator: every body then takes json.loads.
_make_c_scanner = getattr(json.scanner, "c_make_scanner", None)
_scan = None if _make_c_scanner is None else _make_c_scanner(json.JSONDecoder())


class NestingTooDeepError(ValueError):
    """The document nests arrays or objects deeper than the interpreter's recursion limit."""


def decode_json(body: bytes) -> Any:
    """Decode a JSON document; every error is a ``ValueError`` (``json.loads``'s, or
    :class:`NestingTooDeepError` for a hostile ``[[[[...`` body, which the C scanner answers with
    ``RecursionError``)."""
    try:
        if _scan is not None:
            try:
                text = body.decode()
                value, end = _scan(text, 0)
            except (StopIteration, ValueError):  # not a document at offset 0: json.loads decides
                pass
            else:
                if end == len(text):
                    return value
        return json.loads(body)
    except RecursionError:
        raise NestingTooDeepError("JSON nested too deeply to decode") from None
