"""``Paginator``: the blocking counterpart of :class:`improvado_async.AsyncPaginator`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

from improvado_async.models.common import Page
from improvado_async.pagination import AsyncPaginator

from ._runner import Runner

__all__ = ["Paginator"]

T = TypeVar("T")


class Paginator(Generic[T]):
    """Lazy access to a paginated list from blocking code.

    ``paginator.first_page()`` gives the first :class:`Page`; ``for item in paginator`` yields every
    item; :meth:`pages` yields pages; :meth:`to_list` collects. Breaking out of a loop closes the
    underlying async iteration.
    """

    def __init__(self, runner: Runner, paginator: AsyncPaginator[T]) -> None:
        self._runner = runner
        self._async = paginator

    def __repr__(self) -> str:
        return repr(self._async).replace("AsyncPaginator", "Paginator")

    def first_page(self) -> Page[T]:
        """The first requested page (fetched once, then cached)."""
        return self._runner.run(self._async.first_page())

    def __iter__(self) -> Iterator[T]:
        return self._runner.iterate(self._async.__aiter__())

    def pages(self) -> Iterator[Page[T]]:
        """Yield every page from the first to the last."""
        return self._runner.iterate(self._async.pages())

    def to_list(self, limit: int | None = None) -> list[T]:
        """Collect items into a list, stopping after ``limit`` items when given."""
        return self._runner.run(self._async.to_list(limit))
