"""improvado_sync: the blocking client of the Improvado Embedded API v3.

``Improvado`` and its services are generated from :mod:`improvado_async` and run the same
coroutines on a private event loop thread. Models, errors and settings are the async package's own
classes, re-exported here.
"""

from improvado_async._transport.retry import RetryPolicy
from improvado_async._version import __version__
from improvado_async.config import Timeout
from improvado_async.errors import (
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
from improvado_async.models import (
    Load,
    LoadDataTable,
    LoadStatus,
    Model,
    OpenEnum,
    Page,
    RunPolicy,
    Token,
)

from ._generated.client import Improvado
from ._paginator import Paginator

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "Improvado",
    "ImprovadoError",
    "Load",
    "LoadDataTable",
    "LoadStatus",
    "Model",
    "NotFoundError",
    "OpenEnum",
    "Page",
    "Paginator",
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
