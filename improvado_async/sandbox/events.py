"""Domain events -> webhook deliveries to the workspace's active, subscribed endpoints."""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timezone

from .context import SandboxContext
from .records import Extract
from .webhook_delivery import WebhookDelivery, deliver

#: Aggregate / event class / use case names used in the payload's ``data`` (UI docs style).
_EVENT_CLASSES: dict[str, tuple[str, str, str]] = {
    "load_started": ("Load", "LoadStarted", "RunLoadUseCase"),
    "load_completed": ("Load", "LoadCompleted", "RunLoadUseCase"),
    "transformation_started": ("Transformation", "TransformationStarted", "BuildRecipeUseCase"),
    "transformation_completed": ("Transformation", "TransformationCompleted", "BuildRecipeUseCase"),
    "extraction_created": ("Extraction", "ExtractionCreated", "CreateExtractionUseCase"),
    "extraction_paused": ("Extraction", "ExtractionPaused", "PauseExtractionUseCase"),
}


def _timestamp(now: datetime) -> str:
    # Documented format: space separator, microseconds, no timezone.
    return now.strftime("%Y-%m-%d %H:%M:%S.%f")


def event_body(
    ctx: SandboxContext, workspace_id: int, event_type: str, data: dict[str, str]
) -> tuple[str, bytes]:
    """``(event id, JSON body)`` of one event; every ``data`` value is a string."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    aggregate, event_class, usecase = _EVENT_CLASSES.get(event_type, ("Event", event_type, ""))
    workspace = ctx.state.workspace(workspace_id)
    payload_data = {
        "product_domain_event_inserted_at": _timestamp(now),
        "product_domain_event_aggregate_class": aggregate,
        "product_domain_event_class": event_class,
        "product_domain_event_usecase": usecase,
        "product_domain_event": "",
        "is_action_log": "1",
        "agency_title": ctx.state.agency.title,
        "workspace_title": workspace.title if workspace else "",
        **{key: str(value) for key, value in data.items()},
    }
    event_id = secrets.token_hex(16).upper()
    body = {"id": event_id, "type": event_type, "timestamp": _timestamp(now), "data": payload_data}
    return event_id, json.dumps(body).encode()


def emit(
    ctx: SandboxContext, workspace_id: int, event_type: str, data: dict[str, str] | None = None
) -> list[WebhookDelivery]:
    """Queue deliveries of ``event_type`` to every active endpoint subscribed to it."""
    deliveries = []
    for endpoint in ctx.state.webhook_endpoint_rows.list(workspace_id):
        if endpoint.status != "active" or event_type not in endpoint.event_types:
            continue
        event_id, body = event_body(ctx, workspace_id, event_type, data or {})
        delivery = WebhookDelivery(event_id, event_type, endpoint.id, endpoint.url, body)
        ctx.deliveries.append(delivery)
        deliveries.append(delivery)
        ctx.tasks.spawn(deliver(endpoint, delivery, ctx.scaled))
    return deliveries


def extract_data(extract: Extract) -> dict[str, str]:
    """Event ``data`` identifying an extract."""
    return {
        "extract_id": str(extract.id),
        "dts_order_params_id": str(extract.id),
        "data_table_id": str(extract.data_table_id),
    }
