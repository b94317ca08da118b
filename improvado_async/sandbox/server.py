"""The :class:`Sandbox`: a local, stateful fake of the Improvado Embedded API v3."""

from __future__ import annotations

import socket
import ssl
from types import TracebackType
from typing import Any

from aiohttp import web

from .auth import Authenticator, SessionStore, TokenStore, User
from .context import CONTEXT_KEY, SandboxContext
from .effects import complete_external_auth, link_status
from .events import emit
from .faults import FaultInjector, FaultRule
from .fixtures import seeded_state
from .handlers import ALL_ROUTES
from .journal import Journal, RecordedRequest
from .middleware import error_middleware
from .routing import register
from .state import SandboxState
from .tasks import BackgroundTasks
from .webhook_delivery import WebhookDelivery

DEFAULT_USERNAME = "sandbox@agency.example"
DEFAULT_PASSWORD = "sandbox-password"
DEFAULT_CHIEF_USERNAME = "chief@agency.example"
DEFAULT_CHIEF_PASSWORD = "chief-password"


class Sandbox:
    """In-memory Improvado API server for tests and local development.

    ``username``/``password`` is a regular agency user (Basic); ``chief_username``/
    ``chief_password`` is an agency chief (needed for the roles endpoints). Both can mint tokens.
    ``time_scale`` multiplies simulated durations (a load run takes ``2.0 * time_scale`` s);
    ``seed`` makes fixtures, fault probabilities and row counts deterministic; ``token_ttl`` is
    the sliding token lifetime in real seconds. ``ssl_context`` (a server-side
    ``ssl.SSLContext`` holding a certificate) serves HTTPS instead of HTTP.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        time_scale: float = 1.0,
        seed: int = 0,
        token_ttl: float = 1800.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.ssl_context = ssl_context
        self.username = DEFAULT_USERNAME
        self.password = DEFAULT_PASSWORD
        self.chief_username = DEFAULT_CHIEF_USERNAME
        self.chief_password = DEFAULT_CHIEF_PASSWORD
        self._journal = Journal()
        self._faults = FaultInjector(seed)
        users = [
            User(self.username, self.password),
            User(self.chief_username, self.chief_password, is_agency_chief=True),
        ]
        self._ctx = SandboxContext(
            state=seeded_state(seed),
            auth=Authenticator(users, TokenStore(token_ttl), SessionStore()),
            tasks=BackgroundTasks(),
            time_scale=time_scale,
            seed=seed,
        )
        workspace_ids = sorted(self._ctx.state.workspaces)
        self.workspace_id: int = workspace_ids[0]
        self.other_workspace_id: int = workspace_ids[1]
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def build_app(self) -> web.Application:
        """The aiohttp application (journal -> error envelope -> faults -> handlers)."""
        app = web.Application(
            middlewares=[self._journal.middleware, error_middleware, self._faults.middleware]
        )
        app[CONTEXT_KEY] = self._ctx
        register(app, ALL_ROUTES)
        return app

    async def start(self) -> None:
        """Start serving; with ``port=0`` a free port is chosen (see :attr:`base_url`)."""
        if self._runner is not None:
            raise RuntimeError("Sandbox already started")
        # Handlers still sleeping in injected latency are cancelled within 50 ms of stop: a fake
        # server owes its clients no graceful drain (aiohttp reads 0 as "no limit").
        runner = web.AppRunner(
            self.build_app(), access_log=None, handle_signals=False, shutdown_timeout=0.05
        )
        await runner.setup()
        sock = socket.create_server((self.host, self.port))
        try:
            await web.SockSite(runner, sock, ssl_context=self.ssl_context).start()
        except BaseException:
            sock.close()
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = sock.getsockname()[1]
        host = f"[{self.host}]" if ":" in self.host else self.host
        scheme = "http" if self.ssl_context is None else "https"
        self._base_url = f"{scheme}://{host}:{self.port}"

    async def stop(self) -> None:
        """Cancel simulated work and stop serving (idempotent)."""
        await self._ctx.tasks.cancel_all()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- inspection ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://host:port`` (``https://`` with ``ssl_context``), no trailing slash.

        Only once started.
        """
        if self._base_url is None:
            raise RuntimeError("Sandbox not started")
        return self._base_url

    @property
    def time_scale(self) -> float:
        """Multiplier for simulated durations (settable while running)."""
        return self._ctx.time_scale

    @time_scale.setter
    def time_scale(self, value: float) -> None:
        self._ctx.time_scale = value

    @property
    def state(self) -> SandboxState:
        """The live in-memory state (read it to pick seeded ids)."""
        return self._ctx.state

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, in arrival order (live list)."""
        return self._journal.entries

    def clear_requests(self) -> None:
        """Empty the request journal."""
        self._journal.clear()

    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        """Every webhook delivery queued so far (live list, updated as attempts happen)."""
        return self._ctx.deliveries

    def emit_event(
        self, workspace_id: int, event_type: str, data: dict[str, str] | None = None
    ) -> list[WebhookDelivery]:
        """Deliver an event to the workspace's active endpoints subscribed to ``event_type``."""
        return emit(self._ctx, workspace_id, event_type, data)

    # -- auth helpers ----------------------------------------------------------------------

    def mint_token(self, workspace_id: int | None = None) -> str:
        """A valid Bearer token for ``workspace_id`` (default: :attr:`workspace_id`)."""
        return self._ctx.auth.tokens.mint(workspace_id or self.workspace_id)

    def create_session(self, workspace_id: int | None = None) -> str:
        """A ``dts_session_id`` cookie value for ``workspace_id`` (default: first workspace)."""
        return self._ctx.auth.sessions.create(workspace_id or self.workspace_id)

    def expire_tokens(self) -> None:
        """Expire every minted token (their next use is a 401)."""
        self._ctx.auth.tokens.expire_all()

    def use_external_auth_link(self, link_id: int) -> int:
        """Simulate an external user completing a pending link; returns the new connection id."""
        for workspace_id in self.state.workspaces:
            link = self.state.external_auth_link_rows.get(workspace_id, link_id)
            if link is not None:
                if link_status(link) != "pending":
                    raise ValueError(f"link {link_id} is {link_status(link)}")
                return complete_external_auth(self.state, link, self._ctx.seed).id
        raise KeyError(link_id)

    # -- faults ----------------------------------------------------------------------------

    def add_fault(
        self,
        method: str = "*",
        path: str = "*",
        *,
        status: int | None = 503,
        retry_after: float | str | None = None,
        body: Any = None,
        latency: float = 0.0,
        drop: bool = False,
        times: int | None = None,
        probability: float = 1.0,
    ) -> FaultRule:
        """Inject a fault for requests matching ``method`` ("*" = any) and fnmatch ``path``.

        The first matching rule fires (before auth): it sleeps ``latency`` real seconds, then
        drops the connection (``drop``), answers ``status`` with ``{"details": ...}`` (or
        ``body``) plus ``Retry-After`` if given, or - with ``status=None`` - answers normally.
        ``times`` limits firings (``None`` = forever); ``probability`` draws from the seeded RNG.
        """
        rule = FaultRule(
            method=method,
            path=path,
            status=status,
            retry_after=retry_after,
            body=body,
            latency=latency,
            drop=drop,
            times=times,
            probability=probability,
        )
        return self._faults.add(rule)

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        self._faults.clear()
