"""E2E: automated recipe templates, automated recipes, webhook endpoints and event types."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from improvado_async.errors import BadRequestError, NotFoundError
from improvado_async.models import (
    AutomatedRecipe,
    AutomatedRecipeTemplate,
    EventTypeInfo,
    WebhookEndpoint,
)

from .conftest import Api, assert_bearer

# -- automated recipe templates and recipes ----------------------------------------------------


def test_automated_recipe_templates(api: Api) -> None:
    templates = api.list(lambda c: c.automated_recipe_templates.list())
    assert all(isinstance(t, AutomatedRecipeTemplate) for t in templates)
    assert [t.id for t in templates] == [9001, 9002, 9003, 9004, 9005]
    assert_bearer(api.last_request("GET", "/api/v3/automated-recipe-templates"))

    search = api.list(lambda c: c.automated_recipe_templates.list(search="search ads"))
    assert [t.id for t in search] == [9002]
    crm = api.list(
        lambda c: c.automated_recipe_templates.list(data_sources=["hubspot", "bing_ads"])
    )
    assert [t.id for t in crm] == [9002, 9005]
    request = api.last_request("GET", "/api/v3/automated-recipe-templates")
    assert request.query["data_sources"] == "hubspot,bing_ads"

    detail = api.call(lambda c: c.automated_recipe_templates.get(9001))
    assert isinstance(detail, AutomatedRecipeTemplate)
    assert (detail.id, detail.title) == (9001, "Paid Social Performance")
    assert list(detail.data_sources) == ["facebook", "tiktok_ads", "linkedin_ads"]
    assert detail.tree is not None
    assert (detail.tree.id, detail.tree.type) == ("recipe:9001", "recipe")
    assert detail.dependencies_count == 7

    with pytest.raises(NotFoundError):
        api.call(lambda c: c.automated_recipe_templates.get(1))


def test_automated_recipes_lifecycle(api: Api) -> None:
    created = api.call(
        lambda c: c.automated_recipes.create(
            template_id=9002, title="E2E Search", configuration={"currency": "USD"}
        )
    )
    assert isinstance(created, AutomatedRecipe)
    assert (created.template_id, created.title, created.state) == (9002, "E2E Search", "draft")
    assert created.configuration == {"currency": "USD"}
    request = api.last_request("POST", "/api/v3/automated-recipes")
    assert (request.status, request.json["template_id"]) == (201, 9002)

    listed = api.list(lambda c: c.automated_recipes.list(template_id=9002))
    assert all(isinstance(r, AutomatedRecipe) for r in listed)
    assert [r.id for r in listed] == [created.id]

    got = api.call(lambda c: c.automated_recipes.get(created.id))
    assert isinstance(got, AutomatedRecipe)
    assert got.id == created.id

    updated = api.call(
        lambda c: c.automated_recipes.update(
            created.id, configuration={"currency": "EUR"}, title="E2E Search EUR"
        )
    )
    assert isinstance(updated, AutomatedRecipe)
    assert (updated.title, updated.configuration) == ("E2E Search EUR", {"currency": "EUR"})

    building = api.call(lambda c: c.automated_recipes.build(created.id))
    assert isinstance(building, AutomatedRecipe)
    assert building.state == "building"
    request = api.last_request("POST", f"/api/v3/automated-recipes/{created.id}/build")
    assert request.status == 202
    with pytest.raises(BadRequestError):  # already building
        api.call(lambda c: c.automated_recipes.build(created.id))

    built = api.poll(
        lambda c: c.automated_recipes.get(created.id), until=lambda r: r.state == "built"
    )
    assert built.state == "built"
    assert built.last_build_at is not None
    by_state = api.list(lambda c: c.automated_recipes.list(state="built"))
    assert [r.id for r in by_state] == [created.id]
    assert api.list(lambda c: c.automated_recipes.list(state="draft")) == []


def test_automated_recipes_errors(api: Api) -> None:
    with pytest.raises(NotFoundError):
        api.call(lambda c: c.automated_recipes.get(999_999))
    with pytest.raises(BadRequestError) as info:
        api.call(lambda c: c.automated_recipes.create(template_id=1))
    assert "template_id" in str(info.value)
    with pytest.raises(NotFoundError):
        api.call(lambda c: c.automated_recipes.build(999_999))


# -- webhooks ----------------------------------------------------------------------------------


class _Receiver(BaseHTTPRequestHandler):
    """Echoes the verification challenge (or refuses, when ``server.echo`` is False)."""

    def do_GET(self) -> None:
        echo = getattr(self.server, "echo", True)
        body = (self.headers.get("X-Improvado-Challenge", "") if echo else "nope").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[ThreadingHTTPServer]:
    """A loopback webhook receiver that passes the sandbox's verification challenge."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_webhook_event_types(api: Api) -> None:
    types = api.list(lambda c: c.webhook_event_types.list())
    assert all(isinstance(t, EventTypeInfo) for t in types)
    assert [t.name for t in types] == [
        "load_started",
        "load_completed",
        "transformation_started",
        "transformation_completed",
        "extraction_created",
        "extraction_paused",
    ]
    assert_bearer(api.last_request("GET", "/api/v3/webhook_event_types/"))


def test_webhook_endpoints_lifecycle(api: Api, receiver: ThreadingHTTPServer) -> None:
    url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    created = api.call(
        lambda c: c.webhook_endpoints.create(url=url, event_types=["load_completed"])
    )
    assert isinstance(created, WebhookEndpoint)
    assert (created.url, list(created.event_types), created.status) == (
        url,
        ["load_completed"],
        "unverified",
    )
    assert created.secret
    request = api.last_request("POST", "/api/v3/webhook_endpoints/")
    assert request.status == 201
    assert request.json == {"url": url, "event_types": ["load_completed"]}

    got = api.call(lambda c: c.webhook_endpoints.get(created.id))
    assert isinstance(got, WebhookEndpoint)
    assert (got.id, got.secret) == (created.id, None)  # the secret is only shown once

    listed = api.list(lambda c: c.webhook_endpoints.list())
    assert [e.id for e in listed] == [created.id]

    updated = api.call(
        lambda c: c.webhook_endpoints.update(
            created.id, event_types=["load_completed", "load_started"]
        )
    )
    assert isinstance(updated, WebhookEndpoint)
    assert list(updated.event_types) == ["load_completed", "load_started"]
    assert api.last_request("PATCH", f"/api/v3/webhook_endpoints/{created.id}/").status == 200

    verified = api.call(lambda c: c.webhook_endpoints.verify(created.id))
    assert isinstance(verified, WebhookEndpoint)
    assert verified.status == "active"

    rotated = api.call(lambda c: c.webhook_endpoints.regenerate_secret(created.id))
    assert isinstance(rotated, WebhookEndpoint)
    assert rotated.secret
    assert rotated.secret != created.secret
    assert rotated.status == "unverified"
    assert (
        api.state(lambda sb: sb.state.webhook_endpoint_rows.get(sb.workspace_id, created.id).secret)
        == rotated.secret
    )

    assert api.call(lambda c: c.webhook_endpoints.delete(created.id)) is None
    request = api.last_request("DELETE", f"/api/v3/webhook_endpoints/{created.id}/")
    assert request.status == 204
    assert_bearer(request)
    with pytest.raises(NotFoundError):
        api.call(lambda c: c.webhook_endpoints.get(created.id))


def test_webhook_endpoints_errors(api: Api, receiver: ThreadingHTTPServer) -> None:
    receiver.echo = False  # type: ignore[attr-defined]
    url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    endpoint = api.call(lambda c: c.webhook_endpoints.create(url=url, event_types=["x"]))
    with pytest.raises(BadRequestError) as info:
        api.call(lambda c: c.webhook_endpoints.verify(endpoint.id))
    assert "Verification failed" in str(info.value)
    assert (
        api.state(
            lambda sb: sb.state.webhook_endpoint_rows.get(sb.workspace_id, endpoint.id).status
        )
        == "unverified"
    )
    with pytest.raises(NotFoundError):
        api.call(lambda c: c.webhook_endpoints.delete(999_999))
    with pytest.raises(NotFoundError):
        api.call(lambda c: c.webhook_endpoints.regenerate_secret(999_999))
