"""The base of every service: request helpers shared by the resource classes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from .._transport.operation import Operation, Scope, declare
from .._transport.pipeline import Pipeline
from ..config import Timeout
from ..models._converter import structure
from ..pagination import AsyncPaginator
from ._validate import page_number, page_size

__all__ = ["Operation", "Scope", "Service", "declare"]

T = TypeVar("T")


class Service:
    """Base of the per-area services; holds the client's request pipeline.

    Each public method is one declared :class:`Operation` of the same name
    (``Loads.get`` is ``loads.get``), or a helper built on them (a waiter).
    """

    def __init__(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline

    def __repr__(self) -> str:
        return f"<{type(self).__name__} service>"

    async def _call(
        self,
        operation: Operation,
        *,
        path: Mapping[str, object] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        timeout: Timeout | None = None,
    ) -> Any:
        return await self._pipeline.request(
            operation, path=path, params=params, json=json, idempotent=idempotent, timeout=timeout
        )

    async def _call_model(
        self,
        operation: Operation,
        model: type[T],
        *,
        path: Mapping[str, object] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        timeout: Timeout | None = None,
    ) -> T:
        data = await self._pipeline.request(  # not via _call: one coroutine less per call
            operation, path=path, params=params, json=json, idempotent=idempotent, timeout=timeout
        )
        return structure(data, model)

    def _paginate(
        self,
        operation: Operation,
        item_type: type[T],
        *,
        path: Mapping[str, object] | None = None,
        params: Mapping[str, Any] | None = None,
        page: int = 1,
        size: int | None = None,
        max_page_size: int = 100,
        concurrency: int = 1,
        timeout: Timeout | None = None,
        json: Any = None,
    ) -> AsyncPaginator[T]:
        """A paginator over ``operation``.

        An operation not declared ``paginated`` has an undocumented shape (plain array or page):
        its first request carries no page parameters, and later pages are requested only if the
        answer turns out to be a page with a ``next`` link.
        """
        base = {**(params or {}), "page_size": page_size(size, max_page_size)}
        start = page_number(page)
        paged = operation.paginated
        pipeline = self._pipeline
        # Path values are validated now, when the paginator is made, not at the first page.
        operation.format_path(path)

        async def fetch(number: int) -> Any:
            query = base if not paged and number == start == 1 else {**base, "page": number}
            return await pipeline.request(
                operation, path=path, params=query, json=json, timeout=timeout
            )

        return AsyncPaginator(fetch, item_type, start_page=start, concurrency=concurrency)

    async def _model_or_read_back(
        self, data: Any, model: type[T], read_back: Callable[[], Awaitable[T]]
    ) -> T:
        """The answer as ``model`` when it is one; otherwise read the object back.

        Several state-changing answers are undocumented and may be empty (204, ``{}``, 202).
        """
        if isinstance(data, dict) and "id" in data:
            return structure(data, model)
        return await read_back()
