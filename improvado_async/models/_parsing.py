"""A client's parsing options: strict or lenient, and the report that counts lenient events."""

from __future__ import annotations

import attrs

from ._shape import ShapeReport

__all__ = ["Parsing"]


@attrs.frozen
class Parsing:
    """How a client's services structure answers (shared by a client and its views)."""

    strict: bool = False
    report: ShapeReport = attrs.field(factory=ShapeReport)
