"""Everything handlers need, stored once on the aiohttp application."""

from __future__ import annotations

import attrs
from aiohttp import web

from .auth import Authenticator
from .state import SandboxState
from .tasks import BackgroundTasks
from .webhook_delivery import WebhookDelivery


@attrs.define
class SandboxContext:
    """Shared sandbox services: state, auth, background tasks and simulation settings."""

    state: SandboxState
    auth: Authenticator
    tasks: BackgroundTasks
    time_scale: float
    seed: int
    deliveries: list[WebhookDelivery] = attrs.Factory(list)

    def scaled(self, seconds: float) -> float:
        """Simulated duration ``seconds`` scaled by ``time_scale``."""
        return seconds * self.time_scale


CONTEXT_KEY = web.AppKey("improvado_sandbox.context", SandboxContext)


def context_of(request: web.Request) -> SandboxContext:
    """The :class:`SandboxContext` of the application serving ``request``."""
    return request.app[CONTEXT_KEY]
