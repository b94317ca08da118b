"""A string type for credentials on their way to the wire: the value, with a redacted ``repr``.

Header values that carry credentials (``Authorization``, ``Cookie``) and cached tokens are held as
:class:`Secret`. ``repr()`` -- which reprs of dicts, multidicts and exceptions use, and which
tracebacks with ``capture_locals=True`` print for every local -- and ``format()`` show ``'***'``.
``str()`` and concatenation still give the real characters, because that is how aiohttp writes a
header value onto the wire; nothing else in the SDK prints a secret with ``str()``.
"""

from __future__ import annotations

__all__ = ["REDACTED", "Secret"]

REDACTED = "***"


class Secret(str):
    """A credential string whose ``repr`` and ``format`` are redacted."""

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(REDACTED)

    def __format__(self, spec: str) -> str:
        return REDACTED
