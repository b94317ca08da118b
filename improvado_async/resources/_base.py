"""The base of every service: request helpers shared by the resource classes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from .._transport.operation import Operation, Scope, declare
from .._transport.pipeline import Pipeline
from .._transport.request import Extra, Request, extra_of
from .._transport.response import Response
from ..config import Timeout
from ..errors import EmptyResponseError
from ..models._converter import structure
from ..models._parsing import Parsing
from ..pagination import AsyncPaginator
from ._validate import page_number, page_size

__all__ = ["Extra", "Operation", "Parsing", "Scope", "Service", "declare", "extra_of"]

T = TypeVar("T")


class Service:
    """Base of the per-area services; holds the client's request pipeline.

    Each public method is one declared :class:`Operation` of the same name
    (``Loads.get`` is ``loads.get``), or a helper built on them (a waiter).
    """

    def __init__(self, pipeline: Pipeline, parsing: Parsing | None = None) -> None:
        self._pipeline = pipeline
        self._parsing = parsing or Parsing()

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
        extra: Extra | None = None,
        require_answer: bool = False,
    ) -> Any:
        """One call; the decoded answer. ``require_answer`` (a create whose answer is parsed
        by the caller) raises :class:`EmptyResponseError` for an empty one."""
        pipeline = self._pipeline
        request = pipeline.build(
            operation,
            path=path,
            params=params,
            json=json,
            idempotent=idempotent,
            timeout=timeout,
            extra=extra,
        )
        response = await pipeline.send(request)
        if require_answer and _is_empty(response.data):
            raise _empty_answer(operation, request, response)
        return response.data

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
        extra: Extra | None = None,
        read_back: Callable[[], Awaitable[T]] | None = None,
    ) -> T:
        """One call answered with ``model``.

        A call that knows its object (an update or state change of an id) passes ``read_back``:
        an answer that is not the object (204, empty, ``{}``, ``{"detail": "ok"}`` -- several
        such answers are undocumented) is then read back. Otherwise an empty answer raises
        :class:`EmptyResponseError`.
        """
        pipeline = self._pipeline
        request = pipeline.build(
            operation,
            path=path,
            params=params,
            json=json,
            idempotent=idempotent,
            timeout=timeout,
            extra=extra,
        )
        response = await pipeline.send(request)
        data = response.data
        if read_back is not None and not (isinstance(data, dict) and "id" in data):
            return await read_back()
        if not data and _is_empty(data):
            raise _empty_answer(operation, request, response, getattr(model, "__name__", ""))
        parsing = self._parsing  # structured here, not via _structure: one call less per request
        return structure(data, model, strict=parsing.strict, report=parsing.report)

    def _structure(self, data: Any, model: type[T]) -> T:
        """``data`` as ``model`` under the client's parsing policy."""
        parsing = self._parsing
        return structure(data, model, strict=parsing.strict, report=parsing.report)

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
        extra: Extra | None = None,
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
        # Path values and extras are validated now, when the paginator is made, not at page 1.
        pipeline.build(operation, path=path, params=base, json=json, timeout=timeout, extra=extra)

        async def fetch(number: int) -> Any:
            query = base if not paged and number == start == 1 else {**base, "page": number}
            request = pipeline.build(
                operation, path=path, params=query, json=json, timeout=timeout, extra=extra
            )
            return (await pipeline.send(request)).data

        parsing = self._parsing
        return AsyncPaginator(
            fetch,
            item_type,
            start_page=start,
            concurrency=concurrency,
            strict=parsing.strict,
            report=parsing.report,
        )


def _is_empty(data: Any) -> bool:
    """No body, ``{}`` or ``""``: an answer that holds no object."""
    return not data and (data is None or isinstance(data, (dict, str)))


def _empty_answer(
    operation: Operation, request: Request, response: Response, expected: str = "object"
) -> EmptyResponseError:
    return EmptyResponseError(
        f"{operation.name}: {request.method} {operation.path} was accepted with status "
        f"{response.status} but answered no {expected or 'object'}; do not retry it blindly "
        "(it may have taken effect): list or get the object to check",
        status=response.status,
        method=request.method,
        url=request.url,
    )
