"""The ``improvado`` loggers and ``IMPROVADO_LOG`` support."""

from __future__ import annotations

import logging
import os

__all__ = ["configure_from_env", "logger", "retry_logger", "transport_logger"]

logger = logging.getLogger("improvado")
transport_logger = logging.getLogger("improvado.transport")
retry_logger = logging.getLogger("improvado.retry")

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
