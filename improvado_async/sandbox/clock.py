"""Wall-clock helpers: one place that renders datetimes the way the API does."""

from __future__ import annotations

from datetime import datetime, timezone


def utc_now() -> datetime:
    """Current time, timezone-aware UTC, truncated to whole seconds."""
    return datetime.now(timezone.utc).replace(microsecond=0)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A fixed UTC datetime (used by the deterministic fixtures)."""
    return datetime(year, month, day, hour, minute, tzinfo=timezone.utc)


def iso(value: datetime | None) -> str | None:
    """Render ``value`` as ISO-8601 with a ``Z`` suffix (``None`` stays ``None``)."""
    if value is None:
        return None
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


#: Creation time of every seeded fixture (deterministic output).
SEEDED_AT = utc(2026, 5, 1, 10, 0)
