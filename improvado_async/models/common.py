"""Models shared by every API area: pages of results and tokens."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

import attrs

from ._base import Model

__all__ = ["Page", "Token"]

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class Page(Generic[T]):
    """One page of a list endpoint: ``{count, next, previous, results}``.

    ``number`` is the 1-based page number this page was requested with.
    """

    count: int
    next: str | None = None
    previous: str | None = None
    results: Sequence[T] = ()
    number: int = 1

    def __len__(self) -> int:
        return len(self.results)

    @property
    def has_next(self) -> bool:
        """Whether a later page exists."""
        return self.next is not None


def _token_repr(value: object) -> str:
    return "'***'"


@attrs.frozen(kw_only=True)
class Token(Model):
    """A workspace-scoped API token from ``POST /api/v3/token``.

    The response field name is undocumented; ``token`` is the reference's PROPOSAL, and the SDK
    also accepts ``access_token`` or ``key``. Hidden from ``repr``.
    """

    token: str = attrs.field(repr=_token_repr)
