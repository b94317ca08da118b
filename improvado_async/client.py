"""``AsyncImprovado``: configuration, auth, transport and the services, in one object."""

from __future__ import annotations

import functools
from types import TracebackType
from typing import TYPE_CHECKING

import attrs

from ._transport.auth import Authenticator
from ._transport.logging import configure_from_env
from ._transport.pipeline import Pipeline
from ._transport.retry import RetryPolicy
from ._transport.session import SessionHolder
from ._version import __version__
from .config import (
    DEFAULT_MAX_RESPONSE_BYTES,
    Credentials,
    Timeout,
    resolve_base_url,
    resolve_credentials,
)
from .errors import ConfigurationError

if TYPE_CHECKING:
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
        sessions = SessionHolder(max_connections=max_connections)
        self._owner = True
        self._credentials = credentials
        self._pipeline = Pipeline(
            base_url=resolve_base_url(base_url),
            sessions=sessions,
            auth=Authenticator(credentials),
            retry=_retry_policy(retry),
            timeout=_timeout(timeout),
            user_agent=USER_AGENT,
            max_response_bytes=max_response_bytes,
        )

    def _view(self, credentials: Credentials, pipeline: Pipeline) -> AsyncImprovado:
        view = object.__new__(type(self))
        view._owner = False
        view._credentials = credentials
        view._pipeline = pipeline
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
        return self._view(creds, self._pipeline.derive(auth=Authenticator(creds)))

    def with_options(
        self,
        *,
        timeout: Timeout | float | None = None,
        retry: RetryPolicy | int | None = None,
    ) -> AsyncImprovado:
        """A client sharing session, pool and token, with other timeout or retry defaults."""
        pipeline = self._pipeline.derive(
            retry=None if retry is None else _retry_policy(retry),
            timeout=None if timeout is None else _timeout(timeout),
        )
        return self._view(self._credentials, pipeline)

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

        return Auth(self._pipeline)

    @functools.cached_property
    def loads(self) -> Loads:
        """Loads: data table to destination connection."""
        from .resources.loads import Loads

        return Loads(self._pipeline)

    @functools.cached_property
    def workspaces(self) -> Workspaces:
        """Workspaces, their dashboards and enabled recipes (agency scope)."""
        from .resources.workspaces import Workspaces

        return Workspaces(self._pipeline)

    @functools.cached_property
    def iframe(self) -> Iframe:
        """URLs of the embeddable Improvado UI (agency scope)."""
        from .resources.iframe import Iframe

        return Iframe(self._pipeline)

    @functools.cached_property
    def recipes(self) -> Recipes:
        """Agency recipes (agency scope)."""
        from .resources.recipes import Recipes

        return Recipes(self._pipeline)

    @functools.cached_property
    def datasources(self) -> Datasources:
        """The catalog of data sources."""
        from .resources.datasources import Datasources

        return Datasources(self._pipeline)

    @functools.cached_property
    def datasource_connections(self) -> DatasourceConnections:
        """Connections of a data source in the workspace."""
        from .resources.datasource_connections import DatasourceConnections

        return DatasourceConnections(self._pipeline)

    @functools.cached_property
    def external_auth_links(self) -> ExternalAuthLinks:
        """Links that ask an external user to authorize a data source."""
        from .resources.external_auth_links import ExternalAuthLinks

        return ExternalAuthLinks(self._pipeline)

    @functools.cached_property
    def connections(self) -> Connections:
        """Data-source connections by id."""
        from .resources.connections import Connections

        return Connections(self._pipeline)

    @functools.cached_property
    def accounts(self) -> Accounts:
        """Accounts of a connection and their selection for extraction."""
        from .resources.accounts import Accounts

        return Accounts(self._pipeline)

    @functools.cached_property
    def extract_templates(self) -> ExtractTemplates:
        """Extract templates: preview, validation, custom settings."""
        from .resources.extract_templates import ExtractTemplates

        return ExtractTemplates(self._pipeline)

    @functools.cached_property
    def extracts(self) -> Extracts:
        """Extracts (extraction orders) and their runs."""
        from .resources.extracts import Extracts

        return Extracts(self._pipeline)

    @functools.cached_property
    def destinations(self) -> Destinations:
        """The catalog of destinations."""
        from .resources.destinations import Destinations

        return Destinations(self._pipeline)

    @functools.cached_property
    def destination_connections(self) -> DestinationConnections:
        """Connections to destinations."""
        from .resources.destination_connections import DestinationConnections

        return DestinationConnections(self._pipeline)

    @functools.cached_property
    def data_tables(self) -> DataTables:
        """Data tables produced by extracts."""
        from .resources.data_tables import DataTables

        return DataTables(self._pipeline)

    @functools.cached_property
    def automated_recipe_templates(self) -> AutomatedRecipeTemplates:
        """Templates of automated recipes."""
        from .resources.automated_recipe_templates import AutomatedRecipeTemplates

        return AutomatedRecipeTemplates(self._pipeline)

    @functools.cached_property
    def automated_recipes(self) -> AutomatedRecipes:
        """Automated recipes in the workspace."""
        from .resources.automated_recipes import AutomatedRecipes

        return AutomatedRecipes(self._pipeline)

    @functools.cached_property
    def webhook_endpoints(self) -> WebhookEndpoints:
        """Webhook endpoints: registration, verification, secrets."""
        from .resources.webhook_endpoints import WebhookEndpoints

        return WebhookEndpoints(self._pipeline)

    @functools.cached_property
    def webhook_event_types(self) -> WebhookEventTypes:
        """The webhook event types available."""
        from .resources.webhook_event_types import WebhookEventTypes

        return WebhookEventTypes(self._pipeline)

    @functools.cached_property
    def roles(self) -> Roles:
        """Roles and permissions (agency chief Basic credentials)."""
        from .resources.roles import Roles

        return Roles(self._pipeline)

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
        # Never touch the event loop here: it may be closed or belong to another thread.
        if getattr(self, "_owner", False):
            self._pipeline.sessions.warn_if_open(self)


def _timeout(value: Timeout | float | None) -> Timeout:
    if value is None:
        return Timeout()
    if isinstance(value, Timeout):
        return value
    return Timeout(total=float(value))


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
