"""Token minting: exchange agency Basic credentials for a workspace-scoped token."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._transport.auth import CREATE_TOKEN, token_fields
from ..config import Timeout
from ..errors import ValidationError
from ..models.common import Token
from ._base import Service, extra_of

__all__ = ["Auth"]


class Auth(Service):
    """The ``auth`` area (agency scope: HTTP Basic)."""

    async def create_token(
        self,
        *,
        workspace_id: int,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Token:
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
            CREATE_TOKEN,
            json={"workspace_id": workspace_id},
            idempotent=True,  # minting twice is harmless: both tokens are valid
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )
        return self._structure(token_fields(data), Token)
