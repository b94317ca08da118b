"""Rendering of query parameters and JSON bodies the way the API expects them."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["compact", "render_query", "render_value"]


def render_value(value: Any) -> str:
    """One query value: bools lowercase, dates ISO, sequences comma-joined."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return render_value(value.value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (str, bytes)):
        return value.decode() if isinstance(value, bytes) else value
    if isinstance(value, Iterable):
        return ",".join(render_value(v) for v in value)
    return str(value)


def render_query(params: Mapping[str, Any] | None) -> dict[str, str]:
    """Query parameters with ``None`` dropped and every value rendered to a string."""
    if not params:
        return {}
    return {k: render_value(v) for k, v in params.items() if v is not None}


def compact(body: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON body without the keys whose value is ``None`` (optional arguments not given)."""
    return {k: _jsonable(v) for k, v in body.items() if v is not None}


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value
