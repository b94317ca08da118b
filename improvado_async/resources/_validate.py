"""Checks of documented request constraints, done before anything is sent."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from .._transport.operation import path_id, path_name
from ..errors import ValidationError

__all__ = [
    "csv_values",
    "date_range",
    "https_url",
    "int_id",
    "int_ids",
    "iso_date",
    "non_empty",
    "optional_int_id",
    "page_size",
    "path_id",
    "path_name",
    "strings",
    "text",
]

MAX_PAGE_SIZE = 100


def csv_values(value: object, name: str) -> list[str] | None:
    """A filter that takes one value or a sequence, rendered later as a comma-separated list.

    A string is sent as given, so the comma-separated form the API's changelog documents
    (``datasource_name="reddit,facebook"``) works as well as a sequence.
    """
    if value is None:
        return None
    items = [value] if isinstance(value, (str, int)) else value
    if not isinstance(items, (list, tuple, set, frozenset)):
        raise ValidationError(name, f"must be a value or a sequence of values, got {value!r}")
    rendered = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (str, int)) or str(item) == "":
            raise ValidationError(name, f"contains an invalid value {item!r}")
        rendered.append(str(item))
    if not rendered:
        raise ValidationError(name, "must not be empty")
    return rendered


def non_empty(value: object, name: str) -> list[object]:
    """A required list argument that must have at least one element."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, set, frozenset)):
        raise ValidationError(name, f"must be a list, got {type(value).__name__}")
    if not value:
        raise ValidationError(name, "must not be empty")
    return list(value)


_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def https_url(value: object, name: str) -> str:
    """An absolute ``https://`` URL with a host and no user info (webhook receivers must use TLS).

    Plain ``http://`` is accepted only when the host really is a loopback address, so local
    receivers (tests, the demo, the sandbox) work; the real API will still insist on HTTPS.
    The URL is parsed, not matched by prefix: in ``http://127.0.0.1:80@evil.example/`` the host
    is ``evil.example``.
    """
    if isinstance(value, str) and value.isprintable():
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError:
            parts = None
        if parts is not None and parts.hostname and "@" not in parts.netloc:
            scheme = parts.scheme.lower()
            if scheme == "https" or (scheme == "http" and parts.hostname in _LOOPBACK_HOSTS):
                return value
    raise ValidationError(name, f"must be an https:// URL, got {value!r}")


def page_size(value: int | None, maximum: int = MAX_PAGE_SIZE) -> int | None:
    """Validate ``page_size`` against the documented maximum."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise ValidationError("page_size", f"must be an integer from 1 to {maximum}, got {value!r}")
    return value


def page_number(value: int) -> int:
    """Validate a 1-based page number."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError("page", f"must be an integer >= 1, got {value!r}")
    return value


def iso_date(value: dt.date | str | None, name: str) -> str | None:
    """A date argument as ``YYYY-MM-DD`` (accepts ``date`` or a string in that form)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise ValidationError(name, f"must be a date or a 'YYYY-MM-DD' string, got {value!r}")


def date_range(
    date_from: dt.date | str | None, date_to: dt.date | str | None
) -> tuple[str | None, str | None]:
    """Both dates or neither, ``date_from`` not after ``date_to``."""
    start, end = iso_date(date_from, "date_from"), iso_date(date_to, "date_to")
    if (start is None) != (end is None):
        missing = "date_to" if end is None else "date_from"
        raise ValidationError(missing, "date_from and date_to must be given together (or neither)")
    if start is not None and end is not None and start > end:
        raise ValidationError("date_from", f"{start} is after date_to {end}")
    return start, end


def int_id(value: object, name: str) -> int:
    """A body field holding an integer id (validated like a path id)."""
    return int(path_id(value, name))


def optional_int_id(value: object, name: str) -> int | None:
    """An optional body field holding an integer id (``None``: not sent)."""
    return None if value is None else int_id(value, name)


def int_ids(value: object, name: str) -> list[int]:
    """A required non-empty list of integer ids (e.g. embedded ``Account.id`` values)."""
    ids: list[int] = []
    for item in non_empty(value, name):
        if isinstance(item, bool) or not isinstance(item, int):
            raise ValidationError(name, f"must contain integer ids, got {item!r}")
        ids.append(item)
    return ids


def strings(value: object, name: str) -> list[str]:
    """A required non-empty list of non-empty strings (field names, remote account ids)."""
    values: list[str] = []
    for item in non_empty(value, name):
        if not isinstance(item, str) or not item:
            raise ValidationError(name, f"must contain non-empty strings, got {item!r}")
        values.append(item)
    return values


def text(value: object, name: str) -> str:
    """A required non-empty string body field (e.g. a title)."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(name, "must be a non-empty string")
    return value
