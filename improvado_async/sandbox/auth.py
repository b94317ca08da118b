"""Authentication: Basic users, workspace-bound Bearer tokens (sliding TTL) and cookie sessions."""

from __future__ import annotations

import base64
import binascii
import math
import secrets
import time
from collections.abc import Callable

import attrs
from aiohttp import web

from .errors import forbidden, unauthorized

SESSION_COOKIE = "dts_session_id"
WORKSPACE_HEADER = "X-IM-WORKSPACE-ID"
INVALID_TOKEN = "Invalid or expired token."
NO_CREDENTIALS = "Authentication credentials were not provided."


@attrs.frozen
class User:
    """A Basic-auth user of the agency."""

    username: str
    password: str
    is_agency_chief: bool = False


@attrs.define
class _Token:
    workspace_id: int
    expires_at: float


def _new_secret() -> str:
    """A random 40-hex opaque value (tokens and sessions)."""
    return secrets.token_hex(20)


class TokenStore:
    """Bearer tokens bound to one workspace, with a sliding TTL renewed on every successful use."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._tokens: dict[str, _Token] = {}

    def mint(self, workspace_id: int) -> str:
        """Create a token for ``workspace_id``."""
        token = _new_secret()
        self._tokens[token] = _Token(workspace_id, self._clock() + self.ttl)
        return token

    def use(self, token: str) -> int | None:
        """Workspace of a live ``token`` (renewing its expiry), or ``None`` if unknown/expired."""
        entry = self._tokens.get(token)
        now = self._clock()
        if entry is None or entry.expires_at <= now:
            return None
        entry.expires_at = now + self.ttl
        return entry.workspace_id

    def expire_all(self) -> None:
        """Make every minted token expired."""
        for entry in self._tokens.values():
            entry.expires_at = -math.inf


class SessionStore:
    """``dts_session_id`` cookie sessions, each bound to one workspace (they do not expire)."""

    def __init__(self) -> None:
        self._sessions: dict[str, int] = {}

    def create(self, workspace_id: int) -> str:
        """Mint a session value for ``workspace_id``."""
        session = _new_secret()
        self._sessions[session] = workspace_id
        return session

    def workspace_of(self, session: str) -> int | None:
        """Workspace a session belongs to, or ``None``."""
        return self._sessions.get(session)


def _decode_basic(encoded: str) -> tuple[str, str] | None:
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, password = decoded.partition(":")
    return (username, password) if sep else None


class Authenticator:
    """Checks a request's credentials against users, tokens and sessions."""

    def __init__(self, users: list[User], tokens: TokenStore, sessions: SessionStore) -> None:
        self.users = users
        self.tokens = tokens
        self.sessions = sessions

    def basic_user(self, request: web.Request) -> User:
        """The Basic-auth user of ``request``; raises 401 for anything else."""
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic":
            details = NO_CREDENTIALS if not scheme else "Basic authentication required."
            raise unauthorized(details, basic_challenge=True)
        credentials = _decode_basic(value)
        for user in self.users:
            if credentials is not None and (user.username, user.password) == credentials:
                return user
        raise unauthorized("Invalid username/password.", basic_challenge=True)

    def agency_chief(self, request: web.Request) -> User:
        """A Basic user who is an agency chief; 403 for other valid users."""
        user = self.basic_user(request)
        if not user.is_agency_chief:
            raise forbidden("You do not have permission to perform this action.")
        return user

    def workspace(self, request: web.Request) -> int:
        """Workspace id authorised by a Bearer token or a session cookie + workspace header."""
        authorization = request.headers.get("Authorization")
        if authorization is not None:
            return self._bearer_workspace(authorization)
        session = request.cookies.get(SESSION_COOKIE)
        if session is not None:
            return self._session_workspace(session, request.headers.get(WORKSPACE_HEADER))
        raise unauthorized(NO_CREDENTIALS)

    def _bearer_workspace(self, authorization: str) -> int:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer":
            raise unauthorized("Bearer token or session cookie required.")
        workspace_id = self.tokens.use(token.strip())
        if workspace_id is None:
            raise unauthorized(INVALID_TOKEN)
        return workspace_id

    def _session_workspace(self, session: str, header: str | None) -> int:
        workspace_id = self.sessions.workspace_of(session)
        if workspace_id is None:
            raise unauthorized("Invalid or expired session.")
        if header is None or not header.strip():
            raise unauthorized(f"{WORKSPACE_HEADER} header is required with session auth.")
        if header.strip() != str(workspace_id):
            raise forbidden("You do not have access to this workspace.")
        return workspace_id
