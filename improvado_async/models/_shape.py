"""Counting the places where an answer's shape differed from the models (see docs/parsing.md)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Final, Literal

__all__ = ["COERCED", "KEPT_RAW", "UNKNOWN_FIELD", "ShapeEvent", "ShapeEventKind", "ShapeReport"]

ShapeEventKind = Literal["coerced", "kept_raw", "unknown_field"]
"""The kinds of lenient events a :class:`ShapeReport` counts."""

COERCED: Final = "coerced"
KEPT_RAW: Final = "kept_raw"
UNKNOWN_FIELD: Final = "unknown_field"

#: One event: where (``"Load.status"``, or ``"Load"`` for a whole page item), its kind, and a
#: description naming types only (never values: answers may carry secrets).
ShapeEvent = tuple[str, ShapeEventKind, str]

logger = logging.getLogger("improvado.shape")


class ShapeReport:
    """Counts of the lenient decoding events seen while structuring answers.

    An event is keyed by where it happened, ``"Model.field"`` (the class that declares the
    field, whatever the nesting), or ``"Model"`` alone for a page item kept as received, and by
    kind: ``coerced`` (a lax coercion, e.g. ``1`` to ``True``), ``kept_raw`` (a value that fits
    neither its type nor a coercion, kept as received) or ``unknown_field`` (a key the model does
    not declare, kept in ``extra``). The first event of each (place, kind) is logged once at
    DEBUG on the ``improvado.shape`` logger, with type names but no values. Safe to share
    between threads.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, dict[str, int]] = {}
        self._logged: set[tuple[str, str]] = set()

    def __repr__(self) -> str:
        return f"<ShapeReport {self.counts()!r}>"

    def counts(self) -> dict[str, dict[str, int]]:
        """A copy of the counts: ``{"Load.status": {"coerced": 2}, "Load": {"kept_raw": 1}}``."""
        with self._lock:
            return {place: dict(kinds) for place, kinds in sorted(self._counts.items())}

    def clear(self) -> None:
        """Forget the counts (an event already logged is not logged again)."""
        with self._lock:
            self._counts.clear()

    def record(self, events: Iterable[ShapeEvent]) -> None:
        """Count ``events`` (called by the converter and the paginator)."""
        first: list[ShapeEvent] = []
        with self._lock:
            for place, kind, detail in events:
                kinds = self._counts.setdefault(place, {})
                kinds[kind] = kinds.get(kind, 0) + 1
                if (place, kind) not in self._logged:
                    self._logged.add((place, kind))
                    first.append((place, kind, detail))
        for place, kind, detail in first:  # outside the lock: handlers may be slow
            logger.debug("response shape: %s %s (%s)", place, kind, detail)
