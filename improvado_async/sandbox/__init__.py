"""Local stateful fake of the Improvado Embedded API v3 (``python -m improvado_async.sandbox``)."""

from __future__ import annotations

from .faults import FaultRule
from .journal import RecordedRequest
from .server import Sandbox

__all__ = ["FaultRule", "RecordedRequest", "Sandbox"]
