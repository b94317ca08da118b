"""Paginators over the API's page-number lists (``{count, next, previous, results}``)."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import math
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Generator,
)
from typing import Any, Generic, TypeVar

from .errors import NotFoundError, PaginationError, ResponseDecodeError
from .models._converter import lax_int, structure_items
from .models._shape import COERCED, ShapeReport
from .models.common import Page

__all__ = ["AsyncPaginator", "PaginationError", "to_page"]

T = TypeVar("T")

PageFetcher = Callable[[int], Awaitable[Any]]


def to_page(
    data: Any,
    item_type: type[T],
    number: int,
    *,
    strict: bool = False,
    report: ShapeReport | None = None,
) -> Page[T]:
    """Turn a decoded list response into a :class:`Page`.

    A plain JSON array (some endpoints' shape is undocumented) becomes a single complete page.
    Items are structured one by one (docs/parsing.md): an item that cannot be made into
    ``item_type`` is kept as received, or with ``strict`` raises :class:`ResponseDecodeError`
    naming it (``results[3].status``). The envelope is strict: ``results`` must be a list, and
    ``count``, when present, an integer (a page without ``count`` counts its own items).
    """
    if isinstance(data, list):
        results = structure_items(data, item_type, strict=strict, report=report)
        return Page(count=len(results), results=results, number=number)
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        results = structure_items(data["results"], item_type, strict=strict, report=report)
        return Page(
            count=_page_count(data.get("count"), len(results), item_type, report),
            next=_str_or_none(data.get("next")),
            previous=_str_or_none(data.get("previous")),
            results=results,
            number=number,
        )
    got = "an object without a 'results' list" if isinstance(data, dict) else type(data).__name__
    raise ResponseDecodeError(
        f"expected a page of {item_type.__name__} (an object with 'results' or a JSON array), "
        f"got {got}"
    )


def _page_count(value: Any, size: int, item_type: type[Any], report: ShapeReport | None) -> int:
    """The page's ``count``: the walk plans from it, so a value that is no count raises."""
    if type(value) is int:
        return value
    if value is None:
        return size  # no count: the walk follows ``next`` links one page at a time
    count = lax_int(value)
    if count is None:
        raise ResponseDecodeError(
            f"expected a page of {item_type.__name__}: count must be an integer, "
            f"got {type(value).__name__}"
        )
    if report is not None:
        report.record([("Page.count", COERCED, f"{type(value).__name__} to integer")])
    return count


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _is_last(page: Page[Any]) -> bool:
    """An empty page or one without ``next`` ends the list, whatever ``count`` claims."""
    return not page.results or page.next is None


class _Plan:
    """The last page number the latest ``count`` allows, for scheduling and for the bound.

    Page numbers are absolute, so the last page is ``ceil(count / page_size)`` whatever page the
    walk started at; ``page_size`` is the first page's length (a page that links a next one is
    full). A first page whose ``count`` does not exceed its own items although it links a next
    page has no usable count (a missing ``count`` becomes ``len(results)``): then nothing is
    planned, no count bound applies, and ``next`` is followed one page at a time.
    """

    def __init__(self, first: Page[Any]) -> None:
        self.page_size = len(first.results)
        self.counted = first.count > self.page_size
        self.last = first.number
        self.update(first)

    def allowed(self, count: int) -> int:
        """The last page number ``count`` items fill."""
        return math.ceil(count / self.page_size)

    def update(self, page: Page[Any]) -> None:
        """Re-plan from ``page``'s count: lists grow and shrink while they are walked."""
        if self.counted:
            self.last = self.allowed(page.count)


def _check_progress(previous: Page[Any], page: Page[Any], plan: _Plan) -> None:
    """Raise :class:`PaginationError` when ``page`` shows the list would never end."""
    if not page.results:
        return  # an empty page ends the list whatever it links to
    number = page.number
    if page.next is not None and page.next == previous.next:
        raise PaginationError(
            f"page {number} links the same next page as page {previous.number}: "
            "the server keeps answering the same page",
            page=number,
            reason="repeated_next",
        )
    if _same_items(page, previous):
        raise PaginationError(
            f"page {number} holds the same items as page {previous.number}: "
            "the server seems to ignore the page number",
            page=number,
            reason="repeated_items",
        )
    if plan.counted and page.next is not None and number > plan.allowed(page.count):
        raise PaginationError(
            f"page {number} links a next page, but count={page.count} allows only "
            f"{plan.allowed(page.count)} pages of {plan.page_size} items",
            page=number,
            reason="beyond_count",
        )


def _same_items(page: Page[Any], previous: Page[Any]) -> bool:
    # Distinct pages differ at their first item, so an honest list pays one comparison a page.
    if len(page.results) != len(previous.results):
        return False
    return all(a == b for a, b in zip(page.results, previous.results, strict=True))


class _Window(Generic[T]):
    """Page requests in flight, oldest first; ``next_number`` is the next page to request."""

    def __init__(
        self, fetch: Callable[[int], Coroutine[Any, Any, Page[T]]], next_number: int
    ) -> None:
        self._fetch = fetch
        self.next_number = next_number
        self._tasks: collections.deque[asyncio.Task[Page[T]]] = collections.deque()

    def __len__(self) -> int:
        return len(self._tasks)

    def add(self) -> None:
        """Request the next page."""
        self._tasks.append(asyncio.ensure_future(self._fetch(self.next_number)))
        self.next_number += 1

    def fill(self, size: int, last: int) -> None:
        """Keep ``size`` requests in flight, never for a page past ``last``."""
        while len(self._tasks) < size and self.next_number <= last:
            self.add()

    async def pop(self) -> Page[T] | None:
        """The oldest requested page, or ``None`` when the API says it is past the end (404)."""
        try:
            return await self._tasks.popleft()
        except NotFoundError:
            return None

    async def close(self) -> None:
        """Discard every request still in flight (pages past the end, or a stopped walk)."""
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()


class AsyncPaginator(Generic[T]):
    """Lazy access to a paginated list.

    ``await paginator`` gives the first :class:`Page`; ``async for item in paginator`` yields every
    item, fetching later pages as needed; :meth:`pages` yields pages; :meth:`to_list` collects.
    With ``concurrency > 1`` later pages are fetched concurrently within a window of that many
    requests, planned from the latest page's ``count``; items still come in order and memory is
    bounded by the window.

    The list ends at the first page that is empty or has no ``next`` link, or when a page after
    the first answers 404. A page that repeats the previous one, or that lies past what ``count``
    allows and still links a next page, raises :class:`PaginationError`.
    """

    def __init__(
        self,
        fetch: PageFetcher,
        item_type: type[T],
        *,
        start_page: int = 1,
        concurrency: int = 1,
        strict: bool = False,
        report: ShapeReport | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._fetch_raw = fetch
        self._item_type = item_type
        self._strict = strict  # items that do not fit raise (see to_page)
        self._report = report  # counts the lenient events of every page
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
        data = await self._fetch_raw(number)
        return to_page(data, self._item_type, number, strict=self._strict, report=self._report)

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    async def _items(self) -> AsyncGenerator[T, None]:
        # aclosing: closing the items closes the walk (and its window) now, not at GC time.
        async with contextlib.aclosing(self._walk()) as pages:
            async for page in pages:
                for item in page.results:
                    yield item

    def pages(self) -> AsyncIterator[Page[T]]:
        """Yield every page from the first to the last (see the class docstring for the end)."""
        return self._walk()

    async def _walk(self) -> AsyncGenerator[Page[T], None]:
        page = await self.first_page()
        yield page
        if _is_last(page):
            return
        plan = _Plan(page)
        window = _Window(self._fetch, page.number + 1)
        try:
            self._fill(window, plan)
            while True:
                if not window:
                    # Sequential, or one page past what count allows because `next` says so.
                    window.add()
                following = await window.pop()
                if following is None:
                    return
                _check_progress(page, following, plan)
                page = following
                if not _is_last(page):
                    plan.update(page)
                    # Before handing the page over, so the window stays full while it is used.
                    self._fill(window, plan)
                yield page
                if _is_last(page):
                    return
        finally:
            await window.close()

    def _fill(self, window: _Window[T], plan: _Plan) -> None:
        if self._concurrency > 1:
            window.fill(self._concurrency, plan.last)

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
