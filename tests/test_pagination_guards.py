"""Paginator guards against servers whose lists misbehave (issue 14 item 4).

Each test serves ``GET /api/v3/loads`` from a small loopback aiohttp.web server whose pages come
from a per-test function, walks it through the real client (token auth, no retries), and counts
the requests the server saw. A runaway walk fails fast instead of hanging the suite: past
:data:`REQUEST_CAP` requests the server answers 400, and every walk runs under
:data:`WALK_BOUND`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from aiohttp import web

from improvado_async import AsyncImprovado
from improvado_async.errors import NotFoundError
from improvado_async.models.common import Page
from improvado_async.pagination import AsyncPaginator, PaginationError

#: Overall bound on one walk: generous, far above an honest walk, far below a runaway one.
WALK_BOUND = 10.0
#: Requests a server answers before it refuses (no test here needs more than a few dozen).
REQUEST_CAP = 100
HUGE_COUNT = 10**9
PAGE_SIZE = 2

Answer = Callable[[int, "ListServer"], "tuple[int, Mapping[str, Any]]"]


class ListServer:
    """A loopback ``/api/v3/loads`` whose answer to page ``n`` is ``answer(n, self)``."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.pages: list[int] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.delay = 0.0
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    def link(self, page: int) -> str:
        """The absolute ``next`` link of a page, as a DRF server would build it."""
        return f"{self.base_url}/api/v3/loads?page={page}&page_size={PAGE_SIZE}"

    async def _handle(self, request: web.Request) -> web.Response:
        page = int(request.query.get("page", "1"))
        self.pages.append(page)
        if len(self.pages) > REQUEST_CAP:
            return web.json_response({"details": "runaway walk"}, status=400)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            status, body = self.answer(page, self)
        finally:
            self.in_flight -= 1
        return web.json_response(body, status=status)

    async def __aenter__(self) -> ListServer:
        app = web.Application()
        app.router.add_get("/api/v3/loads", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()


def page_of(
    server: ListServer, page: int, ids: list[int], *, count: int | None = None, more: bool
) -> tuple[int, dict[str, Any]]:
    """A 200 page carrying ``ids`` and a ``next`` link when ``more``."""
    return 200, {
        "count": len(ids) if count is None else count,
        "next": server.link(page + 1) if more else None,
        "previous": server.link(page - 1) if page > 1 else None,
        "results": [{"id": i} for i in ids],
    }


def honest(items: list[int], *, count: int | None = None, always_next: bool = False) -> Answer:
    """Pages of ``items``; past the end an empty page (``next`` kept when ``always_next``)."""

    def answer(page: int, server: ListServer) -> tuple[int, Mapping[str, Any]]:
        ids = items[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        more = always_next or page * PAGE_SIZE < len(items)
        return page_of(server, page, ids, count=len(items) if count is None else count, more=more)

    return answer


def not_found() -> tuple[int, Mapping[str, Any]]:
    """The API's answer to a page number past the end."""
    return 404, {"details": "Invalid page."}


async def walk(pages: AsyncPaginator[Any], how: str) -> list[int]:
    """Every item id, collected the way a user would with ``how``."""
    if how == "async for":
        return [load.id async for load in pages]
    if how == "pages":
        return [load.id async for page in pages.pages() for load in page.results]
    return [load.id for load in await pages.to_list()]


async def walk_ids(
    answer: Answer, concurrency: int, how: str, *, page: int = 1
) -> tuple[list[int], ListServer]:
    """Walk a fresh server with ``answer`` within :data:`WALK_BOUND`; the ids and the server."""
    async with (
        ListServer(answer) as server,
        AsyncImprovado(token="pagination-test-token", base_url=server.base_url, retry=0) as bound,
    ):
        pages = bound.loads.list(page=page, page_size=PAGE_SIZE, concurrency=concurrency)
        ids = await asyncio.wait_for(walk(pages, how), WALK_BOUND)
    return ids, server


async def walk_error(
    answer: Answer, concurrency: int, how: str
) -> tuple[BaseException, ListServer]:
    """Walk a fresh server expected to fail; the error raised and the server."""
    async with (
        ListServer(answer) as server,
        AsyncImprovado(token="pagination-test-token", base_url=server.base_url, retry=0) as bound,
    ):
        pages = bound.loads.list(page_size=PAGE_SIZE, concurrency=concurrency)
        with pytest.raises(Exception) as info:
            await asyncio.wait_for(walk(pages, how), WALK_BOUND)
    return info.value, server


CONCURRENCY = pytest.mark.parametrize("concurrency", [1, 8])
HOW = pytest.mark.parametrize("how", ["async for", "pages", "to_list"])


@CONCURRENCY
@HOW
async def test_lying_count_walk_stops_at_the_real_end(concurrency: int, how: str) -> None:
    # count says 10^9; the real list is 5 items and every later page is empty with next: null.
    ids, server = await walk_ids(honest([1, 2, 3, 4, 5], count=HUGE_COUNT), concurrency, how)
    assert ids == [1, 2, 3, 4, 5]
    # The 3 real pages, plus at most one window planned from the lying count (it slides by one
    # page per page that still links a next one).
    assert server.pages[:3] == [1, 2, 3]
    assert len(server.pages) <= 3 + concurrency - 1


@CONCURRENCY
@HOW
async def test_empty_pages_that_keep_a_next_link_end_the_list(concurrency: int, how: str) -> None:
    ids, server = await walk_ids(honest([1, 2, 3, 4, 5], always_next=True), concurrency, how)
    assert ids == [1, 2, 3, 4, 5]
    # Pages 1-3 hold the items; page 4 is the first empty one and nothing follows it.
    assert sorted(server.pages) == [1, 2, 3, 4]


@CONCURRENCY
async def test_next_always_set_and_a_lying_count_stop_at_the_first_empty_page(
    concurrency: int,
) -> None:
    answer = honest([1, 2, 3], count=HUGE_COUNT, always_next=True)
    ids, server = await walk_ids(answer, concurrency, "async for")
    assert ids == [1, 2, 3]
    assert len(server.pages) <= 2 + concurrency


def shrinking(initial: int, after: int) -> Answer:
    """A list of ``initial`` items that drops to ``after`` items once page 1 was served."""

    def answer(page: int, server: ListServer) -> tuple[int, Mapping[str, Any]]:
        size = initial if server.pages == [1] else after
        if page > 1 and (page - 1) * PAGE_SIZE >= size:
            return not_found()
        return honest(list(range(1, size + 1)))(page, server)

    return answer


@CONCURRENCY
@HOW
async def test_a_list_that_shrinks_during_the_walk_completes(concurrency: int, how: str) -> None:
    # 20 items (10 pages) when page 1 is served, then 3: pages past 2 answer 404.
    ids, server = await walk_ids(shrinking(20, 3), concurrency, how)
    assert ids == [1, 2, 3]
    assert len(server.pages) <= 1 + concurrency


def gone_after(last_page: int, items: int) -> Answer:
    """Pages up to ``last_page`` link a next page (the list claims ``items``); later ones 404."""

    def answer(page: int, server: ListServer) -> tuple[int, Mapping[str, Any]]:
        if page > last_page:
            return not_found()
        return honest(list(range(1, items + 1)))(page, server)

    return answer


@CONCURRENCY
@HOW
async def test_a_404_past_the_end_ends_the_list(concurrency: int, how: str) -> None:
    # count=10 and page 2 links page 3, but page 3 is gone by the time it is asked for.
    ids, server = await walk_ids(gone_after(2, 10), concurrency, how)
    assert ids == [1, 2, 3, 4]
    # Sequentially page 3 is the 404; concurrently count=10 plans pages 2-5, and no more.
    assert server.pages[:3] == [1, 2, 3] and set(server.pages) <= {1, 2, 3, 4, 5}


async def test_a_404_on_the_first_requested_page_is_still_an_error() -> None:
    # The first page's 404 may mean the listed parent does not exist: never silently empty.
    error, server = await walk_error(lambda page, server: not_found(), 8, "async for")
    assert isinstance(error, NotFoundError)
    assert server.pages == [1]


def same_page_forever(page: int, server: ListServer) -> tuple[int, Mapping[str, Any]]:
    """A server that ignores ``page``: page 1, with its link to page 2, every time."""
    return page_of(server, 1, [1, 2], count=10, more=True)


def same_items_forever(page: int, server: ListServer) -> tuple[int, Mapping[str, Any]]:
    """A server that builds ``next`` from the request but always returns the first items."""
    return page_of(server, page, [1, 2], count=10, more=True)


@CONCURRENCY
@HOW
@pytest.mark.parametrize(
    ("answer", "reason"),
    [(same_page_forever, "repeated_next"), (same_items_forever, "repeated_items")],
    ids=["same next link", "same items"],
)
async def test_a_server_repeating_a_page_forever_is_an_error(
    concurrency: int, how: str, answer: Answer, reason: str
) -> None:
    error, server = await walk_error(answer, concurrency, how)
    assert isinstance(error, PaginationError)
    assert (error.page, error.reason) == (2, reason)
    assert "page 2" in str(error)
    assert len(server.pages) <= 1 + concurrency


def more_than_count(page: int, server: ListServer) -> tuple[int, Mapping[str, Any]]:
    """count=6 (3 pages of 2) but every page is full, new, and links a next one."""
    return page_of(server, page, [2 * page - 1, 2 * page], count=6, more=True)


@CONCURRENCY
@HOW
async def test_more_pages_than_count_allows_is_an_error(concurrency: int, how: str) -> None:
    error, server = await walk_error(more_than_count, concurrency, how)
    assert isinstance(error, PaginationError)
    assert (error.page, error.reason) == (4, "beyond_count")
    assert "page 4" in str(error) and "count=6" in str(error)
    assert sorted(server.pages) == [1, 2, 3, 4]


async def test_items_up_to_the_bad_page_are_yielded_before_the_error() -> None:
    seen: list[int] = []
    async with (
        ListServer(more_than_count) as server,
        AsyncImprovado(token="pagination-test-token", base_url=server.base_url, retry=0) as bound,
    ):

        async def collect() -> None:
            async for load in bound.loads.list(page_size=PAGE_SIZE, concurrency=8):
                seen.append(load.id)

        with pytest.raises(PaginationError):
            await asyncio.wait_for(collect(), WALK_BOUND)
    assert seen == [1, 2, 3, 4, 5, 6]


@CONCURRENCY
async def test_a_count_that_grows_during_the_walk_is_followed(concurrency: int) -> None:
    # Page 1 says 4 items; by page 2 the list holds 7: the latest count plans the walk.
    def answer(page: int, server: ListServer) -> tuple[int, Mapping[str, Any]]:
        items = list(range(1, 5 if page == 1 else 8))
        return honest(items)(page, server)

    ids, server = await walk_ids(answer, concurrency, "async for")
    assert ids == [1, 2, 3, 4, 5, 6, 7]
    assert sorted(server.pages) == [1, 2, 3, 4]


async def test_a_later_start_page_plans_absolute_page_numbers() -> None:
    # 10 items = pages 1-5; starting at page 3 the walk must not ask for pages 6 and 7.
    def answer(page: int, server: ListServer) -> tuple[int, Mapping[str, Any]]:
        if page > 5:
            return 400, {"details": "page past the end was requested"}
        return honest(list(range(1, 11)))(page, server)

    ids, server = await walk_ids(answer, 8, "to_list", page=3)
    assert ids == [5, 6, 7, 8, 9, 10]
    assert sorted(server.pages) == [3, 4, 5]


async def test_an_honest_list_is_still_fetched_through_the_full_window() -> None:
    async with (
        ListServer(honest(list(range(1, 41)))) as server,
        AsyncImprovado(token="pagination-test-token", base_url=server.base_url, retry=0) as bound,
    ):
        server.delay = 0.02  # long enough that a window of 8 is really in flight at once
        pages = bound.loads.list(page_size=PAGE_SIZE, concurrency=8)
        ids = await asyncio.wait_for(walk(pages, "async for"), WALK_BOUND)
    assert ids == list(range(1, 41))
    assert sorted(server.pages) == list(range(1, 21))  # every page once, none past the end
    assert server.max_in_flight == 8


async def test_a_countless_page_with_next_links_is_walked_one_page_at_a_time() -> None:
    # An endpoint whose pages carry no count: the paginator cannot plan, so it follows `next`.
    def answer(page: int, server: ListServer) -> tuple[int, Mapping[str, Any]]:
        _, body = honest([1, 2, 3, 4, 5])(page, server)
        return 200, {key: value for key, value in body.items() if key != "count"}

    ids, server = await walk_ids(answer, 8, "pages")
    assert ids == [1, 2, 3, 4, 5]
    assert server.pages == [1, 2, 3]


async def test_first_page_is_an_unchanged_page() -> None:
    async with (
        ListServer(honest([1, 2, 3], count=HUGE_COUNT)) as server,
        AsyncImprovado(token="pagination-test-token", base_url=server.base_url, retry=0) as bound,
    ):
        first = await bound.loads.list(page_size=PAGE_SIZE, concurrency=8)
    assert isinstance(first, Page)
    assert (first.count, [load.id for load in first.results]) == (HUGE_COUNT, [1, 2])
    assert server.pages == [1]
