"""improvado_async: the async-first client of the Improvado Embedded API v3.

Names are imported lazily so that ``import improvado_async`` stays cheap (no aiohttp, no
resource modules) until a client is actually used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from ._transport.retry import (
        RetryPolicy,
    )
    from .client import (
        AsyncImprovado,
    )
    from .config import (
        Credentials,
        Timeout,
    )
    from .errors import (
        APIConnectionError,
        APIError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ConfigurationError,
        ConflictError,
        ImprovadoError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
        ResponseDecodeError,
        ServerError,
        UnprocessableEntityError,
        ValidationError,
        WrongEventLoopError,
    )
    from .models import (
        Load,
        LoadDataTable,
        LoadStatus,
        Model,
        OpenEnum,
        Page,
        RunPolicy,
        Token,
    )
    from .pagination import (
        AsyncPaginator,
    )

_LAZY: dict[str, str] = {
    "RetryPolicy": "._transport.retry",
    "AsyncImprovado": ".client",
    "Credentials": ".config",
    "Timeout": ".config",
    "APIConnectionError": ".errors",
    "APIError": ".errors",
    "APIStatusError": ".errors",
    "APITimeoutError": ".errors",
    "AuthenticationError": ".errors",
    "BadRequestError": ".errors",
    "ConfigurationError": ".errors",
    "ConflictError": ".errors",
    "ImprovadoError": ".errors",
    "NotFoundError": ".errors",
    "PermissionDeniedError": ".errors",
    "RateLimitError": ".errors",
    "ResponseDecodeError": ".errors",
    "ServerError": ".errors",
    "UnprocessableEntityError": ".errors",
    "ValidationError": ".errors",
    "WrongEventLoopError": ".errors",
    "Load": ".models",
    "LoadDataTable": ".models",
    "LoadStatus": ".models",
    "Model": ".models",
    "OpenEnum": ".models",
    "Page": ".models",
    "RunPolicy": ".models",
    "Token": ".models",
    "AsyncPaginator": ".pagination",
}

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncImprovado",
    "AsyncPaginator",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "Credentials",
    "ImprovadoError",
    "Load",
    "LoadDataTable",
    "LoadStatus",
    "Model",
    "NotFoundError",
    "OpenEnum",
    "Page",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseDecodeError",
    "RetryPolicy",
    "RunPolicy",
    "ServerError",
    "Timeout",
    "Token",
    "UnprocessableEntityError",
    "ValidationError",
    "WrongEventLoopError",
    "__version__",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'improvado_async' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
