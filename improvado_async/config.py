"""Client configuration: timeouts, credentials and their resolution from the environment."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

import attrs

from .errors import ConfigurationError

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "Credentials",
    "Timeout",
    "resolve_credentials",
]

DEFAULT_BASE_URL = "https://embedded.improvado.io"
#: The default cap on a decoded response body (``max_response_bytes``): 32 MiB.
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024

ENV_USERNAME = "IMPROVADO_USERNAME"
ENV_PASSWORD = "IMPROVADO_PASSWORD"
ENV_WORKSPACE = "IMPROVADO_WORKSPACE_ID"
ENV_TOKEN = "IMPROVADO_TOKEN"
ENV_BASE_URL = "IMPROVADO_BASE_URL"


@attrs.frozen(kw_only=True)
class Timeout:
    """Time limits in seconds; ``None`` means no limit.

    ``connect`` bounds establishing a connection; ``read`` the wait for the response headers
    (from the start of the attempt, connecting included) and then every pause between body
    chunks (a pause mid-body is noticed within ``read / 4``);
    ``total`` the whole call including every retry and back-off wait; ``pool`` the wait for a
    free connection of the client's pool (``max_connections``) before an attempt starts -- an
    attempt that times out there was never sent, so even a POST is retried.
    """

    connect: float | None = 10.0
    read: float | None = 60.0
    total: float | None = None
    pool: float | None = None

    def __attrs_post_init__(self) -> None:
        for name in ("connect", "read", "total", "pool"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ConfigurationError(f"Timeout.{name} must be positive, got {value!r}")


def _secret_repr(value: object) -> str:
    return "None" if value is None else "'***'"


@attrs.frozen(kw_only=True)
class Credentials:
    """Everything needed to authenticate. Secrets are hidden from ``repr``."""

    username: str | None = None
    password: str | None = attrs.field(default=None, repr=_secret_repr)
    workspace_id: int | None = None
    token: str | None = attrs.field(default=None, repr=_secret_repr)
    session_id: str | None = attrs.field(default=None, repr=_secret_repr)

    @property
    def has_basic(self) -> bool:
        """True when username and password are both known."""
        return bool(self.username) and bool(self.password)

    def require_basic(self) -> tuple[str, str]:
        """Return (username, password) or raise :class:`ConfigurationError` naming every source."""
        if self.username and self.password:
            return self.username, self.password
        missing = [
            n for n, v in (("username", self.username), ("password", self.password)) if not v
        ]
        raise ConfigurationError(
            f"Missing {' and '.join(missing)} for HTTP Basic authentication. Supply them as "
            f"AsyncImprovado(username=..., password=...) / Improvado(username=..., password=...), "
            f"or set the environment variables {ENV_USERNAME} and {ENV_PASSWORD}."
        )

    def require_workspace(self) -> int:
        """Return the workspace id or raise :class:`ConfigurationError` naming every source."""
        if self.workspace_id is not None:
            return self.workspace_id
        raise ConfigurationError(
            "No workspace selected for a workspace-scoped operation. Supply it as "
            "AsyncImprovado(workspace_id=...), call client.for_workspace(id), or set the "
            f"environment variable {ENV_WORKSPACE}. A pre-minted token (token=... or {ENV_TOKEN}) "
            "or a cookie session (session_id=... with workspace_id=...) also work."
        )


def _workspace_from(value: int | str | None, source: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ConfigurationError(f"{source} must be an integer workspace id, got {value!r}")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ConfigurationError(
            f"{source} must be an integer workspace id, got {value!r}"
        ) from None


def resolve_credentials(
    *,
    username: str | None,
    password: str | None,
    workspace_id: int | str | None,
    token: str | None,
    session_id: str | None,
    environ: Mapping[str, str] | None = None,
) -> Credentials:
    """Merge keyword arguments with ``IMPROVADO_*`` environment variables (arguments win)."""
    env = os.environ if environ is None else environ
    if workspace_id is not None:
        ws = _workspace_from(workspace_id, "workspace_id")
    else:
        ws = _workspace_from(env.get(ENV_WORKSPACE), ENV_WORKSPACE)
    creds = Credentials(
        username=username if username is not None else env.get(ENV_USERNAME) or None,
        password=password if password is not None else env.get(ENV_PASSWORD) or None,
        workspace_id=ws,
        token=token if token is not None else env.get(ENV_TOKEN) or None,
        session_id=session_id,
    )
    _check_credential_text(creds)
    if not (creds.has_basic or creds.token or creds.session_id):
        raise ConfigurationError(
            "No Improvado credentials found. Supply one of: username= and password= (HTTP Basic; "
            "the SDK mints workspace tokens itself), token= (a pre-minted workspace token), or "
            "session_id= with workspace_id= (the dts_session_id cookie); or set the environment "
            f"variables {ENV_USERNAME} and {ENV_PASSWORD}, or {ENV_TOKEN}."
        )
    if creds.session_id and creds.workspace_id is None:
        raise ConfigurationError(
            "session_id (cookie dts_session_id) needs workspace_id= too: the API requires the "
            f"X-IM-WORKSPACE-ID header with it (or set {ENV_WORKSPACE})."
        )
    return creds


# Characters a cookie value may hold (RFC 6265 cookie-octet): no space, quote, comma, semicolon or
# backslash, so a session id can never add a cookie or an attribute of its own.
_COOKIE_OCTETS = re.compile(r"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]+")
# A bearer token (RFC 6750 b64token, plus the URL-safe alphabets): printable, no white space.
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9\-._~+/=:]+")


def _check_credential_text(creds: Credentials) -> None:
    """Refuse values that would break or change the headers they go into (nothing is sent).

    The messages name the setting, never its value.
    """
    for name in ("username", "password"):
        value = getattr(creds, name)
        if value is not None and not value.isprintable():
            raise ConfigurationError(f"{name} contains a control character (CR, LF, tab, ...)")
    if creds.username is not None and ":" in creds.username:
        raise ConfigurationError(
            "username must not contain ':' (HTTP Basic separates username and password with it)"
        )
    if creds.token is not None and not _TOKEN_CHARS.fullmatch(creds.token):
        raise ConfigurationError(
            "token must be printable ASCII without spaces or control characters"
        )
    if creds.session_id is not None and not _COOKIE_OCTETS.fullmatch(creds.session_id):
        raise ConfigurationError(
            "session_id must be a plain cookie value: printable ASCII without spaces, quotes, "
            "commas, semicolons or backslashes"
        )


def resolve_base_url(base_url: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The API root without trailing slash: argument, ``IMPROVADO_BASE_URL``, or the default."""
    env = os.environ if environ is None else environ
    url = base_url or env.get(ENV_BASE_URL) or DEFAULT_BASE_URL
    if not url.startswith(("http://", "https://")):
        raise ConfigurationError(f"base_url must start with http:// or https://, got {url!r}")
    return url.rstrip("/")
