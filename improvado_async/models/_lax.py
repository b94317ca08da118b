"""The lax coercions of the parsing policy (docs/parsing.md), as pure functions.

Each returns the coerced value, or ``None`` when the value does not coerce.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["is_number", "json_type", "lax_bool", "lax_datetime", "lax_int"]

_UTC = dt.timezone.utc
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=_UTC)
#: Larger epoch numbers are milliseconds (as pydantic does): 2e10 seconds is in the year 2603.
_MILLISECONDS_ABOVE = 2e10
_INT_TEXT = re.compile(r"[+-]?[0-9]+")
_NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TRUE_TEXT = frozenset({"true", "1"})
_FALSE_TEXT = frozenset({"false", "0"})


def json_type(value: Any) -> str:
    """The JSON name of ``value``'s type, for messages (never the value: it may be a secret)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (list, tuple)):
        return "list"
    return type(value).__name__


def is_number(value: Any) -> bool:
    """Whether ``value`` is a JSON number (an int or a float, not a boolean)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def lax_int(value: Any) -> int | None:
    """``value`` as an int under the lax rules (numeric string, integral float), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and _INT_TEXT.fullmatch(text := value.strip()):
        try:
            return int(text)
        except ValueError:  # more digits than int() converts
            return None
    return None


def lax_bool(value: Any) -> bool | None:
    """``value`` as a bool: ``0``/``1`` and ``"true"``/``"false"``/``"1"``/``"0"`` (any case)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE_TEXT:
            return True
        if text in _FALSE_TEXT:
            return False
    return None


def _from_epoch(number: float) -> dt.datetime | None:
    """Epoch seconds, or milliseconds above :data:`_MILLISECONDS_ABOVE`, as an aware datetime."""
    try:
        if abs(number) > _MILLISECONDS_ABOVE:
            return _EPOCH + dt.timedelta(milliseconds=number)
        return _EPOCH + dt.timedelta(seconds=number)
    except (OverflowError, ValueError):
        return None


def lax_datetime(value: Any) -> tuple[dt.datetime | None, str]:
    """The moment a value that is not ISO 8601 stands for, and what it was (for the report).

    A date alone is midnight UTC; a number, or a string holding one, is epoch seconds (epoch
    milliseconds above :data:`_MILLISECONDS_ABOVE`). ``(None, ...)`` when it is none of these.
    """
    if is_number(value):
        return _from_epoch(value), f"epoch {json_type(value)}"
    if not isinstance(value, str):
        return None, json_type(value)
    text = value.strip()
    if _DATE_TEXT.fullmatch(text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:  # e.g. month 13
            return None, "string"
        return dt.datetime(day.year, day.month, day.day, tzinfo=_UTC), "date string"
    if _NUMBER_TEXT.fullmatch(text):
        number = int(text) if _INT_TEXT.fullmatch(text) else float(text)
        return _from_epoch(number), "epoch string"
    return None, "string"
