"""Raw responses for the blocking client: the async ``with_raw_response`` run on the runner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from improvado_async._raw import RawResponse
from improvado_async._raw import RawResponses as AsyncRawResponses
from improvado_sync._runner import Runner

__all__ = ["RawResponses", "RawService"]


class RawService:
    """One service whose operations answer :class:`RawResponse` (blocking)."""

    def __init__(self, service: Any, runner: Runner) -> None:
        self._service = service
        self._runner = runner

    def __repr__(self) -> str:
        return repr(self._service).replace("raw", "raw sync", 1)

    def __getattr__(self, operation: str) -> Callable[..., RawResponse]:
        call = getattr(self._service, operation)
        runner = self._runner

        def run(*args: Any, **kwargs: Any) -> RawResponse:
            result: RawResponse = runner.run(call(*args, **kwargs))
            return result

        run.__name__ = operation
        run.__doc__ = call.__doc__
        return run


class RawResponses:
    """The services of a blocking client, each answering :class:`RawResponse`."""

    def __init__(self, raw: AsyncRawResponses, runner: Runner) -> None:
        self._raw = raw
        self._runner = runner

    def __repr__(self) -> str:
        return "<raw responses (sync)>"

    def __getattr__(self, service: str) -> RawService:
        return RawService(getattr(self._raw, service), self._runner)
