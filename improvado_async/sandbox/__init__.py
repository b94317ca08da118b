"""Local stateful fake of the Improvado Embedded API v3.

``python -m improvado_async.sandbox --port 8080`` serves it from the command line; in tests::

    async with Sandbox(time_scale=0.01) as sb:
        ...  # sb.base_url, sb.username / sb.password, sb.workspace_id, sb.requests, ...

Every operation of ``endpoints.tsv`` is served (both trailing-slash forms), with Basic / Bearer /
cookie auth, workspace isolation, pagination, ``{"details": ...}`` errors, simulated runs,
webhook verification and signed deliveries, and fault injection (:meth:`Sandbox.add_fault`).
"""

from __future__ import annotations

from .faults import FaultRule
from .journal import RecordedRequest
from .server import Sandbox
from .webhook_delivery import WebhookDelivery

__all__ = ["FaultRule", "RecordedRequest", "Sandbox", "WebhookDelivery"]
