"""Request-body parsing and field validation with ``{"details": ...}`` 400s naming the field."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from aiohttp import web

from .errors import bad_request

JsonObject = dict[str, Any]


async def json_body(request: web.Request, *, optional: bool = False) -> JsonObject:
    """The request body as a JSON object; an empty body is ``{}`` when ``optional``."""
    raw = await request.read()
    if not raw.strip():
        if optional:
            return {}
        raise bad_request("Request body is required.")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request(f"Malformed JSON body: {exc}") from None
    except RecursionError:
        # Deeply nested arrays/objects exhaust the decoder's recursion limit.
        raise bad_request("Malformed JSON body: nesting is too deep.") from None
    if data is None and optional:
        return {}
    if not isinstance(data, dict):
        raise bad_request("Request body must be a JSON object.")
    return data


def _missing(name: str) -> Exception:
    return bad_request(f"{name}: This field is required.")


def require_int(body: JsonObject, name: str) -> int:
    """A required integer field (booleans rejected)."""
    if body.get(name) is None:
        raise _missing(name)
    return as_int(body[name], name)


def optional_int(body: JsonObject, name: str) -> int | None:
    """An optional integer field."""
    return None if body.get(name) is None else as_int(body[name], name)


def as_int(value: Any, name: str, *, allow_numeric_string: bool = False) -> int:
    """Coerce ``value`` to int or raise a 400 naming ``name``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if allow_numeric_string and isinstance(value, str):
        digits = value.strip()
        # ASCII only: str.isdigit() accepts "²" and friends, which int() rejects.
        if digits.isascii() and digits.isdigit():
            try:
                return int(digits)
            except ValueError:  # longer than sys.get_int_max_str_digits()
                pass
    raise bad_request(f"{name}: A valid integer is required.")


def require_str(body: JsonObject, name: str) -> str:
    """A required non-empty string field."""
    if body.get(name) is None:
        raise _missing(name)
    return as_str(body[name], name)


def optional_str(body: JsonObject, name: str) -> str | None:
    """An optional non-empty string field."""
    return None if body.get(name) is None else as_str(body[name], name)


def as_str(value: Any, name: str) -> str:
    """``value`` as a non-blank string or a 400 naming ``name``."""
    if not isinstance(value, str):
        raise bad_request(f"{name}: Not a valid string.")
    if not value.strip():
        raise bad_request(f"{name}: This field may not be blank.")
    return value


def optional_bool(body: JsonObject, name: str) -> bool | None:
    """An optional boolean field."""
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise bad_request(f"{name}: Must be a valid boolean.")
    return value


def optional_object(body: JsonObject, name: str) -> JsonObject | None:
    """An optional JSON-object field."""
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_request(f"{name}: Expected a JSON object.")
    return value


def optional_date(body: JsonObject, name: str) -> date | None:
    """An optional ``YYYY-MM-DD`` date field."""
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise bad_request(f"{name}: Date has wrong format. Use YYYY-MM-DD.")


def date_range(body: JsonObject) -> tuple[date, date] | None:
    """Optional ``date_from``/``date_to`` pair: both or neither, ``date_from <= date_to``."""
    date_from = optional_date(body, "date_from")
    date_to = optional_date(body, "date_to")
    if date_from is None and date_to is None:
        return None
    if date_from is None or date_to is None:
        raise bad_request("date_from and date_to must be used together.")
    if date_from > date_to:
        raise bad_request("date_from must be before or equal to date_to.")
    return date_from, date_to


def int_list_query(request: web.Request, name: str) -> list[int] | None:
    """Comma-separated integer query filter (``None`` when absent)."""
    values = str_list_query(request, name)
    if values is None:
        return None
    try:
        return [int(value) for value in values]
    except ValueError:
        raise bad_request(f"{name}: Enter a whole number (or a comma-separated list).") from None


def str_list_query(request: web.Request, name: str) -> list[str] | None:
    """Comma-separated string query filter; repeated parameters are merged."""
    raw = request.query.getall(name, [])
    if not raw:
        return None
    return [part.strip() for value in raw for part in value.split(",") if part.strip()]


def require_str_list(body: JsonObject, name: str, *, allow_empty: bool = True) -> list[str]:
    """A required list of strings."""
    if body.get(name) is None:
        raise _missing(name)
    return as_str_list(body[name], name, allow_empty=allow_empty)


def optional_str_list(body: JsonObject, name: str) -> list[str] | None:
    """An optional list of strings."""
    return None if body.get(name) is None else as_str_list(body[name], name)


def as_str_list(value: Any, name: str, *, allow_empty: bool = True) -> list[str]:
    """``value`` as a list of strings or a 400 naming ``name``."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise bad_request(f"{name}: Expected a list of strings.")
    if not value and not allow_empty:
        raise bad_request(f"{name}: This list may not be empty.")
    return list(value)


def require_int_list(body: JsonObject, name: str, *, allow_empty: bool = False) -> list[int]:
    """A required list of integers (non-empty unless ``allow_empty``)."""
    value = body.get(name)
    if value is None:
        raise _missing(name)
    if not isinstance(value, list) or not all(
        isinstance(item, int) and not isinstance(item, bool) for item in value
    ):
        raise bad_request(f"{name}: Expected a list of integers.")
    if not value and not allow_empty:
        raise bad_request(f"{name}: This list may not be empty.")
    return list(value)
