"""Raw responses: any operation's status, headers, timing and bytes, with the model on demand.

``client.with_raw_response.loads.get(3001)`` runs ``client.loads.get(3001)`` while the pipeline
records every answer of the call, and returns the operation's own answer as a
:class:`RawResponse`. When the body does not parse into the model, the raw response still comes
back (that is what it is for); :meth:`RawResponse.parse` then raises the parsing error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from ._transport.response import Response, capture_responses
from .errors import ImprovadoError, ResponseDecodeError

if TYPE_CHECKING:
    from .client import AsyncImprovado

__all__ = ["RawResponse", "RawResponses", "RawService"]


class RawResponse:
    """What the API answered to one operation, before (or instead of) the model.

    Attributes:
        status: the HTTP status.
        headers: the response headers (``Set-Cookie`` values redacted).
        elapsed: seconds from the first attempt to the final answer.
        attempts: attempts made, retries included.
        content: the body bytes (after gzip/deflate decoding).
    """

    __slots__ = ("_error", "_result", "attempts", "content", "elapsed", "headers", "status")

    def __init__(self, response: Response, result: Any, error: ResponseDecodeError | None) -> None:
        self.status: int = response.status
        self.headers: Mapping[str, str] = response.headers
        self.elapsed: float = response.elapsed
        self.attempts: int = response.attempts
        self.content: bytes = response.content
        self._result = result
        self._error = error

    def __repr__(self) -> str:
        return f"<RawResponse {self.status} ({len(self.content)} bytes)>"

    def parse(self) -> Any:
        """What the plain call returns (for a list: the first page).

        Raises:
            ResponseDecodeError: the body does not parse into the operation's model.
        """
        if self._error is not None:
            raise self._error
        return self._result


class RawService:
    """One service whose operations answer :class:`RawResponse`."""

    def __init__(self, service: Any, name: str) -> None:
        self._service = service
        self._name = name

    def __repr__(self) -> str:
        return f"<raw {self._name} service>"

    def __getattr__(self, operation: str) -> Callable[..., Awaitable[RawResponse]]:
        method = getattr(self._service, operation)
        if operation.startswith("_") or not callable(method):
            raise AttributeError(operation)
        name = f"{self._name}.{operation}"

        async def call(*args: Any, **kwargs: Any) -> RawResponse:
            return await _raw_call(name, method, args, kwargs)

        call.__name__ = operation
        call.__doc__ = f"``{name}`` answering a :class:`RawResponse`."
        return call


class RawResponses:
    """The services of a client, each answering :class:`RawResponse` (``with_raw_response``)."""

    def __init__(self, client: AsyncImprovado) -> None:
        self._client = client

    def __repr__(self) -> str:
        return "<raw responses>"

    def __getattr__(self, service: str) -> RawService:
        if service.startswith("_"):
            raise AttributeError(service)
        return RawService(getattr(self._client, service), service)


async def _raw_call(
    name: str, method: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> RawResponse:
    from .pagination import AsyncPaginator

    result: Any = None
    error: ResponseDecodeError | None = None
    with capture_responses() as captured:
        try:
            outcome = method(*args, **kwargs)
            if isinstance(outcome, AsyncPaginator):
                result = await outcome.first_page()
            else:
                result = await outcome
        except ResponseDecodeError as exc:  # the raw answer is exactly what helps here
            error = exc
    own = [response for response in captured if response.operation == name]
    candidates = own or captured
    if not candidates:
        if error is not None:
            raise error
        raise ImprovadoError(f"{name} made no request to answer with")
    return RawResponse(candidates[0], result, error)
