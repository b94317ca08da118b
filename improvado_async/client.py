"""``AsyncImprovado``: configuration, auth, transport and the services, in one object."""

from __future__ import annotations

import functools
import hashlib
import ssl
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

import attrs

from ._raw import RawResponses
from ._transport.auth import Authenticator
from ._transport.logging import configure_from_env
from ._transport.observe import Observer
from ._transport.operation import OPERATIONS, custom_operation
from ._transport.pipeline import Pipeline
from ._transport.ratelimit import RateLimiter
from ._transport.request import extra_of
from ._transport.retry import RetryPolicy
from ._transport.session import NetworkOptions, SessionHolder
from ._transport.token_cache import TokenCache
from ._version import __version__
from .config import (
    DEFAULT_MAX_RESPONSE_BYTES,
    Credentials,
    Timeout,
    resolve_base_url,
    resolve_credentials,
)
from .errors import ConfigurationError
from .hooks import Hooks, HooksObserver
from .models._parsing import Parsing

if TYPE_CHECKING:
    import aiohttp

    from .resources.accounts import Accounts
    from .resources.auth import Auth
    from .resources.automated_recipe_templates import AutomatedRecipeTemplates
    from .resources.automated_recipes import AutomatedRecipes
    from .resources.connections import Connections
    from .resources.data_tables import DataTables
    from .resources.datasource_connections import DatasourceConnections
    from .resources.datasources import Datasources
    from .resources.destination_connections import DestinationConnections
    from .resources.destinations import Destinations
    from .resources.external_auth_links import ExternalAuthLinks
    from .resources.extract_templates import ExtractTemplates
    from .resources.extracts import Extracts
    from .resources.iframe import Iframe
    from .resources.loads import Loads
    from .resources.recipes import Recipes
    from .resources.roles import Roles
    from .resources.webhook_endpoints import WebhookEndpoints
    from .resources.webhook_event_types import WebhookEventTypes
    from .resources.workspaces import Workspaces

__all__ = ["AsyncImprovado"]

USER_AGENT = f"improvado-sdk-python/{__version__}"


class AsyncImprovado:
    """Async client of the Improvado Embedded API v3.

    Credentials come from the arguments or the ``IMPROVADO_*`` environment variables: username and
    password (HTTP Basic; workspace tokens are then minted, cached and refreshed automatically),
    a pre-minted ``token``, or a ``session_id`` cookie with ``workspace_id``. Use it as
    ``async with AsyncImprovado(...) as client:`` or call :meth:`aclose`. One client serves one
    event loop; it is safe for any number of concurrent tasks on that loop.

    Args:
        username: agency API username (``IMPROVADO_USERNAME``).
        password: agency API password (``IMPROVADO_PASSWORD``).
        workspace_id: the workspace for workspace-scoped calls (``IMPROVADO_WORKSPACE_ID``).
        token: a pre-minted workspace token (``IMPROVADO_TOKEN``).
        session_id: a ``dts_session_id`` cookie value (needs ``workspace_id``).
        base_url: API root (``IMPROVADO_BASE_URL``; default ``https://embedded.improvado.io``).
        timeout: a :class:`Timeout`, or seconds for the whole call.
        retry: a :class:`RetryPolicy`, or the number of retries.
        max_connections: connection pool size (``Timeout.pool`` bounds the wait for a free one).
        max_response_bytes: the largest response body accepted, counted on the decoded bytes as
            they are read (default 32 MiB); a larger one raises :class:`ResponseTooLargeError`.
        strict_responses: raise :class:`ResponseDecodeError` for an answer that differs from
            the models, instead of keeping the differing values as received (docs/parsing.md).
        proxy: an HTTP proxy URL, optionally with credentials (never logged).
        trust_env: read ``HTTP_PROXY``/``HTTPS_PROXY``/``NO_PROXY`` and ``~/.netrc`` as aiohttp
            does (off by default: the environment of a server process is rarely meant for it).
        ssl: an ``ssl.SSLContext`` (e.g. trusting a corporate certificate authority), or
            ``False`` to skip certificate verification (warned about once).
        limit_per_host: connections per host (default: ``max_connections``).
        session: an ``aiohttp.ClientSession`` of yours to send through; the client never closes
            it, and the other network options do not apply to it.
        hooks: :class:`Hooks` called on every request, response, retry and failed call.
        rate_limiter: a :class:`RateLimiter` every attempt takes a permit from (e.g.
            :class:`LocalRateLimiter`, or a Redis one shared by a fleet); a 429 with
            ``Retry-After`` pauses it for everyone sharing it.
        operation_rate_limiters: more limiters for some operations, by name
            (``{"loads.run": LocalRateLimiter(1, 1)}``), taken after ``rate_limiter``.
        token_cache: where minted workspace tokens are kept; a shared one (e.g. Redis) makes
            every process of a fleet use one token per workspace (docs/scaling.md).
        tracing: OpenTelemetry spans and metrics for every call (needs the ``otel`` extra,
            opentelemetry-api >= 1.20: docs/observability.md).

    Raises:
        ConfigurationError: no usable credentials, or a malformed setting.
    """

    def __init__(
        self,
        *,
        username: str | None = None,
        password: str | None = None,
        workspace_id: int | None = None,
        token: str | None = None,
        session_id: str | None = None,
        base_url: str | None = None,
        timeout: Timeout | float | None = None,
        retry: RetryPolicy | int | None = None,
        max_connections: int = 100,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        strict_responses: bool = False,
        proxy: str | None = None,
        trust_env: bool = False,
        ssl: ssl.SSLContext | bool | None = None,
        limit_per_host: int | None = None,
        session: aiohttp.ClientSession | None = None,
        hooks: Hooks | None = None,
        tracing: bool = False,
        rate_limiter: RateLimiter | None = None,
        operation_rate_limiters: Mapping[str, RateLimiter] | None = None,
        token_cache: TokenCache | None = None,
    ) -> None:
        configure_from_env()
        credentials = resolve_credentials(
            username=username,
            password=password,
            workspace_id=workspace_id,
            token=token,
            session_id=session_id,
        )
        _positive_int(max_response_bytes, "max_response_bytes")
        network = _network_options(proxy, trust_env, ssl, limit_per_host, session)
        observers = _observers(hooks, tracing)
        root = resolve_base_url(base_url)
        sessions = SessionHolder(max_connections=max_connections, network=network, base_url=root)
        self._owner = True
        self._credentials = credentials
        self._parsing = Parsing(strict=bool(strict_responses))
        if token_cache is not None and not isinstance(token_cache, TokenCache):
            raise ConfigurationError(
                "token_cache must be a TokenCache (get, set, invalidate, lock)"
            )
        self._token_cache = token_cache
        self._pipeline = Pipeline(
            base_url=root,
            sessions=sessions,
            auth=self._authenticator(credentials, root),
            retry=_retry_policy(retry),
            timeout=_timeout(timeout),
            user_agent=USER_AGENT,
            max_response_bytes=max_response_bytes,
            observers=observers,
            rate_limiter=_limiter(rate_limiter, "rate_limiter"),
            operation_limiters=_operation_limiters(operation_rate_limiters),
        )

    def _authenticator(self, credentials: Credentials, base_url: str) -> Authenticator:
        key = hashlib.sha256(
            f"{base_url}\0{credentials.username}\0{credentials.workspace_id}".encode()
        ).hexdigest()
        return Authenticator(credentials, cache=self._token_cache, cache_key=key)

    def _view(self, credentials: Credentials, pipeline: Pipeline) -> AsyncImprovado:
        view = object.__new__(type(self))
        view._owner = False
        view._credentials = credentials
        view._pipeline = pipeline
        view._parsing = self._parsing
        view._token_cache = self._token_cache
        return view

    def for_workspace(self, workspace_id: int) -> AsyncImprovado:
        """A client for another workspace sharing this one's connection pool and settings.

        It mints its own token; closing it never closes this client.
        """
        creds = attrs.evolve(
            self._credentials,
            workspace_id=int(workspace_id),
            token=None if self._credentials.has_basic else self._credentials.token,
        )
        auth = self._authenticator(creds, self._pipeline.base_url)
        return self._view(creds, self._pipeline.derive(auth=auth))

    def with_options(
        self,
        *,
        timeout: Timeout | float | None = None,
        retry: RetryPolicy | int | None = None,
        hooks: Hooks | None = None,
    ) -> AsyncImprovado:
        """A client sharing session, pool and token, with other timeout, retry or hooks.

        ``hooks`` replace this client's hooks in the view (its tracing stays).
        """
        observers = None
        if hooks is not None:
            kept = [o for o in self._pipeline.observers if not isinstance(o, HooksObserver)]
            observers = (*kept, *_observers(hooks, False))
        pipeline = self._pipeline.derive(
            retry=None if retry is None else _retry_policy(retry),
            timeout=None if timeout is None else _timeout(timeout),
            observers=observers,
        )
        return self._view(self._credentials, pipeline)

    def shape_report(self) -> dict[str, dict[str, int]]:
        """How often answers differed from the models, per ``Model.field`` and kind.

        Kinds: ``coerced`` (a lax coercion such as ``1`` to ``True``), ``kept_raw`` (a value
        kept as received) and ``unknown_field`` (a key the model does not declare). Shared with
        the views of this client. See docs/parsing.md.
        """
        return self._parsing.report.counts()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        scope: str = "workspace",
        cast_to: type[Any] | None = None,
        idempotent: bool | None = None,
        timeout: Timeout | None = None,
    ) -> Any:
        """Call any API path with this client's auth, retries, timeouts and errors.

        For an operation the SDK does not declare yet, or one whose answer its models do not
        fit. ``path`` is relative to ``base_url`` (``/api/v3/...``); ``scope`` is
        ``"workspace"`` (token or cookie), ``"agency"`` (HTTP Basic) or ``"none"``.
        ``cast_to`` structures the answer into a model; ``None`` returns the decoded JSON.

        Raises:
            ValidationError: a malformed method, path or scope (nothing is sent).
            APIStatusError: the API answered with an error status.
        """
        pipeline = self._pipeline
        request = pipeline.build(
            custom_operation(method, path, scope),
            params=params,
            json=json,
            idempotent=idempotent,
            timeout=timeout,
            extra=extra_of(headers, None, None),
        )
        data = (await pipeline.send(request)).data
        if cast_to is None:
            return data
        from .models._converter import structure  # not at import: the converter is heavy

        parsing = self._parsing
        return structure(data, cast_to, strict=parsing.strict, report=parsing.report)

    @property
    def with_raw_response(self) -> RawResponses:
        """Every operation, answering a :class:`RawResponse` instead of its model.

        ``client.with_raw_response.loads.get(3001)`` (awaited on the async client) gives the
        status, headers, elapsed time, attempts and body bytes; ``.parse()`` gives what
        ``client.loads.get(3001)`` returns (for a list, its first page).
        """
        return RawResponses(self)

    @property
    def base_url(self) -> str:
        """The API root this client talks to."""
        return self._pipeline.base_url

    @property
    def workspace_id(self) -> int | None:
        """The workspace of workspace-scoped calls."""
        return self._credentials.workspace_id

    @property
    def timeout(self) -> Timeout:
        """The default timeout of this client."""
        return self._pipeline.timeout

    @property
    def retry(self) -> RetryPolicy:
        """The default retry policy of this client."""
        return self._pipeline.retry

    def __repr__(self) -> str:
        return (
            f"<AsyncImprovado base_url={self.base_url!r} workspace_id={self.workspace_id!r} "
            f"username={self._credentials.username!r}>"
        )

    @functools.cached_property
    def auth(self) -> Auth:
        """Token minting (``POST /api/v3/token``)."""
        from .resources.auth import Auth

        return Auth(self._pipeline, self._parsing)

    @functools.cached_property
    def loads(self) -> Loads:
        """Loads: data table to destination connection."""
        from .resources.loads import Loads

        return Loads(self._pipeline, self._parsing)

    @functools.cached_property
    def workspaces(self) -> Workspaces:
        """Workspaces, their dashboards and enabled recipes (agency scope)."""
        from .resources.workspaces import Workspaces

        return Workspaces(self._pipeline, self._parsing)

    @functools.cached_property
    def iframe(self) -> Iframe:
        """URLs of the embeddable Improvado UI (agency scope)."""
        from .resources.iframe import Iframe

        return Iframe(self._pipeline, self._parsing)

    @functools.cached_property
    def recipes(self) -> Recipes:
        """Agency recipes (agency scope)."""
        from .resources.recipes import Recipes

        return Recipes(self._pipeline, self._parsing)

    @functools.cached_property
    def datasources(self) -> Datasources:
        """The catalog of data sources."""
        from .resources.datasources import Datasources

        return Datasources(self._pipeline, self._parsing)

    @functools.cached_property
    def datasource_connections(self) -> DatasourceConnections:
        """Connections of a data source in the workspace."""
        from .resources.datasource_connections import DatasourceConnections

        return DatasourceConnections(self._pipeline, self._parsing)

    @functools.cached_property
    def external_auth_links(self) -> ExternalAuthLinks:
        """Links that ask an external user to authorize a data source."""
        from .resources.external_auth_links import ExternalAuthLinks

        return ExternalAuthLinks(self._pipeline, self._parsing)

    @functools.cached_property
    def connections(self) -> Connections:
        """Data-source connections by id."""
        from .resources.connections import Connections

        return Connections(self._pipeline, self._parsing)

    @functools.cached_property
    def accounts(self) -> Accounts:
        """Accounts of a connection and their selection for extraction."""
        from .resources.accounts import Accounts

        return Accounts(self._pipeline, self._parsing)

    @functools.cached_property
    def extract_templates(self) -> ExtractTemplates:
        """Extract templates: preview, validation, custom settings."""
        from .resources.extract_templates import ExtractTemplates

        return ExtractTemplates(self._pipeline, self._parsing)

    @functools.cached_property
    def extracts(self) -> Extracts:
        """Extracts (extraction orders) and their runs."""
        from .resources.extracts import Extracts

        return Extracts(self._pipeline, self._parsing)

    @functools.cached_property
    def destinations(self) -> Destinations:
        """The catalog of destinations."""
        from .resources.destinations import Destinations

        return Destinations(self._pipeline, self._parsing)

    @functools.cached_property
    def destination_connections(self) -> DestinationConnections:
        """Connections to destinations."""
        from .resources.destination_connections import DestinationConnections

        return DestinationConnections(self._pipeline, self._parsing)

    @functools.cached_property
    def data_tables(self) -> DataTables:
        """Data tables produced by extracts."""
        from .resources.data_tables import DataTables

        return DataTables(self._pipeline, self._parsing)

    @functools.cached_property
    def automated_recipe_templates(self) -> AutomatedRecipeTemplates:
        """Templates of automated recipes."""
        from .resources.automated_recipe_templates import AutomatedRecipeTemplates

        return AutomatedRecipeTemplates(self._pipeline, self._parsing)

    @functools.cached_property
    def automated_recipes(self) -> AutomatedRecipes:
        """Automated recipes in the workspace."""
        from .resources.automated_recipes import AutomatedRecipes

        return AutomatedRecipes(self._pipeline, self._parsing)

    @functools.cached_property
    def webhook_endpoints(self) -> WebhookEndpoints:
        """Webhook endpoints: registration, verification, secrets."""
        from .resources.webhook_endpoints import WebhookEndpoints

        return WebhookEndpoints(self._pipeline, self._parsing)

    @functools.cached_property
    def webhook_event_types(self) -> WebhookEventTypes:
        """The webhook event types available."""
        from .resources.webhook_event_types import WebhookEventTypes

        return WebhookEventTypes(self._pipeline, self._parsing)

    @functools.cached_property
    def roles(self) -> Roles:
        """Roles and permissions (agency chief Basic credentials)."""
        from .resources.roles import Roles

        return Roles(self._pipeline, self._parsing)

    async def aclose(self) -> None:
        """Close the connection pool (idempotent). A view created by :meth:`for_workspace` or
        :meth:`with_options` closes nothing: the client it came from owns the pool."""
        if self._owner:
            await self._pipeline.sessions.aclose()

    async def __aenter__(self) -> AsyncImprovado:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __del__(self) -> None:
        # Never touch the event loop here: it may be closed or belong to another thread. A
        # constructor that raised leaves no pipeline behind.
        pipeline = getattr(self, "_pipeline", None)
        if pipeline is not None and getattr(self, "_owner", False):
            pipeline.sessions.warn_if_open(self)


def _timeout(value: Timeout | float | None) -> Timeout:
    if value is None:
        return Timeout()
    if isinstance(value, Timeout):
        return value
    return Timeout(total=float(value))


def _network_options(
    proxy: str | None,
    trust_env: bool,
    ssl_option: ssl.SSLContext | bool | None,
    limit_per_host: int | None,
    session: aiohttp.ClientSession | None,
) -> NetworkOptions:
    if proxy is not None and (
        not isinstance(proxy, str) or not proxy.startswith(("http://", "https://"))
    ):
        # The message never repeats the value: it may hold the proxy's credentials.
        raise ConfigurationError("proxy must be an http:// or https:// URL")
    if not (ssl_option is None or ssl_option is False or isinstance(ssl_option, ssl.SSLContext)):
        raise ConfigurationError("ssl must be an ssl.SSLContext, False, or None")
    if limit_per_host is not None:
        _positive_int(limit_per_host, "limit_per_host")
    if session is not None:
        if not all(hasattr(session, a) for a in ("request", "closed")):
            raise ConfigurationError("session must be an aiohttp.ClientSession")
        given = {
            "proxy": proxy is not None,
            "trust_env": bool(trust_env),
            "ssl": ssl_option is not None,
            "limit_per_host": limit_per_host is not None,
        }
        ignored = [name for name, is_given in given.items() if is_given]
        if ignored:
            raise ConfigurationError(
                f"{', '.join(ignored)} cannot be combined with session=: configure your "
                "aiohttp session (its connector, trust_env) instead"
            )
    return NetworkOptions(
        proxy=proxy,
        trust_env=bool(trust_env),
        ssl=ssl_option,
        limit_per_host=limit_per_host,
        session=session,
    )


def _observers(hooks: Hooks | None, tracing: bool) -> tuple[Observer, ...]:
    observers: list[Observer] = []
    if tracing:  # first, so that its span ends before any hook of the user's runs
        from .contrib.otel import OpenTelemetryObserver  # only now: the extra is optional

        observers.append(OpenTelemetryObserver())
    if hooks is not None:
        if not isinstance(hooks, Hooks):
            raise ConfigurationError("hooks must be an improvado_async.Hooks")
        observers.append(HooksObserver(hooks))
    return tuple(observers)


def _limiter(value: RateLimiter | None, name: str) -> RateLimiter | None:
    if value is not None and not isinstance(value, RateLimiter):
        raise ConfigurationError(f"{name} must be a RateLimiter (acquire() and pause())")
    return value


def _operation_limiters(
    limiters: Mapping[str, RateLimiter] | None,
) -> dict[str, RateLimiter]:
    checked: dict[str, RateLimiter] = {}
    if not limiters:
        return checked
    known = _declared_operations()
    for name, limiter in limiters.items():
        if name not in known:
            raise ConfigurationError(
                f"operation_rate_limiters: unknown operation {name!r} (names are 'loads.run', ...)"
            )
        if _limiter(limiter, f"operation_rate_limiters[{name!r}]") is None:
            raise ConfigurationError(f"operation_rate_limiters[{name!r}] must not be None")
        checked[name] = limiter
    return checked


def _declared_operations() -> frozenset[str]:
    """Every declared operation's name (importing the resource modules declares them)."""
    import importlib
    import pkgutil

    from . import resources

    for module in pkgutil.iter_modules(resources.__path__):
        importlib.import_module(f"{resources.__name__}.{module.name}")
    return frozenset(OPERATIONS)


def _positive_int(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"{name} must be a positive integer, got {value!r}")
    return value


def _retry_policy(value: RetryPolicy | int | None) -> RetryPolicy:
    if value is None:
        return RetryPolicy()
    if isinstance(value, RetryPolicy):
        return value
    return RetryPolicy(max_retries=int(value))
