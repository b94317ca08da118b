"""Paginators over the API's page-number lists (``{count, next, previous, results}``)."""

from __future__ import annotations

import asyncio
import collections
import math
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Generator
from typing import Any, Generic, TypeVar

from .errors import ResponseDecodeError
from .models._converter import structure
from .models.common import Page

__all__ = ["AsyncPaginator", "to_page"]

T = TypeVar("T")

PageFetcher = Callable[[int], Awaitable[Any]]


def to_page(data: Any, item_type: type[T], number: int) -> Page[T]:
    """Turn a decoded list response into a :class:`Page`.

    A plain JSON array (some endpoints' shape is undocumented) becomes a single complete page.
    """
    if isinstance(data, list):
        return Page(count=len(data), results=[structure(i, item_type) for i in data], number=number)
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        count = data.get("count")
        results = [structure(i, item_type) for i in data["results"]]
        return Page(
            count=count if isinstance(count, int) else len(results),
            next=_str_or_none(data.get("next")),
            previous=_str_or_none(data.get("previous")),
            results=results,
            number=number,
        )
    raise ResponseDecodeError(
        f"expected a page of {item_type.__name__} (an object with 'results' or a JSON array), "
        f"got {type(data).__name__}"
    )


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


class AsyncPaginator(Generic[T]):
    """Lazy access to a paginated list.

    ``await paginator`` gives the first :class:`Page`; ``async for item in paginator`` yields every
    item, fetching later pages as needed; :meth:`pages` yields pages; :meth:`to_list` collects.
    With ``concurrency > 1`` later pages are fetched concurrently within a window of that many
    requests (page numbers derived from ``count``), items still in order and memory bounded by
    the window.
    """

    def __init__(
        self,
        fetch: PageFetcher,
        item_type: type[T],
        *,
        start_page: int = 1,
        concurrency: int = 1,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._fetch_raw = fetch
        self._item_type = item_type
        self._start = start_page
        self._concurrency = concurrency
        self._first: Page[T] | None = None

    def __repr__(self) -> str:
        return f"<AsyncPaginator of {self._item_type.__name__} from page {self._start}>"

    def __await__(self) -> Generator[Any, None, Page[T]]:
        return self.first_page().__await__()

    async def first_page(self) -> Page[T]:
        """The first requested page (fetched once, then cached)."""
        if self._first is None:
            self._first = await self._fetch(self._start)
        return self._first

    async def _fetch(self, number: int) -> Page[T]:
        return to_page(await self._fetch_raw(number), self._item_type, number)

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    async def _items(self) -> AsyncGenerator[T, None]:
        async for page in self.pages():
            for item in page.results:
                yield item

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Yield every page from the first to the last."""
        page = await self.first_page()
        yield page
        if not page.has_next:
            return
        if self._concurrency > 1 and page.results:
            async for fetched in self._concurrent_pages(page):
                yield fetched
                page = fetched
            if not page.has_next:
                return
        while page.has_next:
            page = await self._fetch(page.number + 1)
            yield page

    async def _concurrent_pages(self, first: Page[T]) -> AsyncIterator[Page[T]]:
        last = first.number - 1 + math.ceil(first.count / len(first.results))
        numbers = iter(range(first.number + 1, last + 1))
        window: collections.deque[asyncio.Task[Page[T]]] = collections.deque()
        try:
            for number in numbers:
                window.append(asyncio.ensure_future(self._fetch(number)))
                if len(window) >= self._concurrency:
                    break
            while window:
                page = await window.popleft()
                next_number = next(numbers, None)
                if next_number is not None:
                    window.append(asyncio.ensure_future(self._fetch(next_number)))
                yield page
        finally:
            for task in window:
                task.cancel()
            if window:
                await asyncio.gather(*window, return_exceptions=True)

    async def to_list(self, limit: int | None = None) -> list[T]:
        """Collect items into a list, stopping after ``limit`` items when given."""
        items: list[T] = []
        if limit is not None and limit <= 0:
            return items
        iterator = self._items()
        try:
            async for item in iterator:
                items.append(item)
                if limit is not None and len(items) >= limit:
                    break
        finally:
            await iterator.aclose()  # release an in-flight page window now, not at GC time
        return items
