"""The ``improvado`` loggers, ``IMPROVADO_LOG`` support and redaction of secrets."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

__all__ = ["configure_from_env", "logger", "redact_headers", "retry_logger", "transport_logger"]

logger = logging.getLogger("improvado")
transport_logger = logging.getLogger("improvado.transport")
retry_logger = logging.getLogger("improvado.retry")

REDACTED = "***"
_SECRET_HEADERS = frozenset(
    {"authorization", "cookie", "set-cookie", "x-improvado-verify-token", "proxy-authorization"}
)
_configured = False


def configure_from_env() -> None:
    """Attach a stderr handler to ``improvado`` when ``IMPROVADO_LOG`` is debug or info (once)."""
    global _configured
    if _configured:
        return
    _configured = True
    level = {"debug": logging.DEBUG, "info": logging.INFO}.get(
        os.environ.get("IMPROVADO_LOG", "").strip().lower()
    )
    if level is None:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``headers`` with credentials replaced by ``***``."""
    return {k: (REDACTED if k.lower() in _SECRET_HEADERS else v) for k, v in headers.items()}
