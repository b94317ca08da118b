"""The outcome of one logical call on the wire, and the capture behind raw responses."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

__all__ = ["Response", "capture_responses"]


class Response(NamedTuple):
    """What the API answered to one call (after its retries and redirects).

    A named tuple, built once per call with ``tuple.__new__`` (see :func:`new_response`).

    Attributes:
        status: the HTTP status.
        headers: the response headers (``Set-Cookie`` values redacted).
        content: the body as received (decoded from gzip/deflate).
        data: the decoded JSON (``None`` for an empty body).
        attempts: attempts made, retries included.
        elapsed: seconds from the first attempt to the final answer.
        operation: the declared operation's name (``loads.get``), or ``request``.
    """

    status: int
    headers: Mapping[str, str]
    content: bytes
    data: Any
    attempts: int
    elapsed: float
    operation: str

    def __repr__(self) -> str:
        return f"<Response {self.operation} {self.status} ({len(self.content)} bytes)>"


#: ``new_response(Response, (status, headers, content, data, attempts, elapsed, operation))``:
#: the tuple's own constructor, without the named tuple's ``__new__`` frame (once per call).
new_response = tuple.__new__


#: Set while a raw-response call runs: every Response of the call is appended to it.
_CAPTURE: contextvars.ContextVar[list[Response] | None] = contextvars.ContextVar(
    "improvado_capture", default=None
)


#: The list a raw-response call is capturing into, or ``None`` (the context variable's ``get``).
capturing = _CAPTURE.get


def record(response: Response) -> None:
    """Keep ``response`` if a raw-response call is capturing (one context lookup otherwise)."""
    captured = _CAPTURE.get()
    if captured is not None:
        captured.append(response)


@contextlib.contextmanager
def capture_responses() -> Iterator[list[Response]]:
    """Collect the responses of the calls made in this context (in order)."""
    captured: list[Response] = []
    token = _CAPTURE.set(captured)
    try:
        yield captured
    finally:
        _CAPTURE.reset(token)
