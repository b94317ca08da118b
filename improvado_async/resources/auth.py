"""Token minting: exchange agency Basic credentials for a workspace-scoped token."""

from __future__ import annotations

from typing import Any

from ..config import Timeout
from ..errors import ValidationError
from ..models._converter import structure
from ..models.common import Token
from ._base import Scope, Service

__all__ = ["Auth"]

_TOKEN_KEYS = ("token", "access_token", "key")


class Auth(Service):
    """The ``auth`` area (agency scope: HTTP Basic)."""

    async def create_token(self, *, workspace_id: int, timeout: Timeout | None = None) -> Token:
        """Mint a token for one workspace (30-minute sliding lifetime).

        ``POST /api/v3/token``

        The client mints and refreshes tokens by itself; call this only to hand a token to
        another system.

        Args:
            workspace_id: the workspace the token is scoped to.
            timeout: overrides the client's timeout.

        Raises:
            ValidationError: ``workspace_id`` is not an integer.
            AuthenticationError: wrong Basic credentials.
            NotFoundError: unknown workspace.
        """
        if isinstance(workspace_id, bool) or not isinstance(workspace_id, int):
            raise ValidationError("workspace_id", "must be an integer")
        data = await self._call(
            "POST",
            "/api/v3/token",
            json={"workspace_id": workspace_id},
            scope=Scope.BASIC,
            idempotent=True,  # minting twice is harmless: both tokens are valid
            timeout=timeout,
        )
        return structure(_normalise(data), Token)


def _normalise(data: Any) -> Any:
    """Accept the undocumented token field under any of its plausible names."""
    if isinstance(data, dict) and "token" not in data:
        for key in _TOKEN_KEYS[1:]:
            if key in data:
                return {"token": data[key], **{k: v for k, v in data.items() if k != key}}
    return data
