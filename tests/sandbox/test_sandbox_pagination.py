"""Page/page_size pagination with absolute next/previous links."""

from __future__ import annotations

from .helpers import Api


async def _create_loads(api: Api, count: int) -> None:
    sandbox = api.sandbox
    table = sandbox.state.data_tables(sandbox.workspace_id)[0]
    connection = sandbox.state.destination_connections(sandbox.workspace_id)[0]
    body = {"data_table_id": table.id, "destination_connection_id": connection.id}
    for _ in range(count):
        assert (await api.call("POST", "/api/v3/loads", json=body))[0] == 201


async def test_follow_next_links_preserving_filters(api: Api) -> None:
    await _create_loads(api, 4)  # 5 loads with the seeded one, all on the same table
    table_id = str(api.sandbox.state.data_tables(api.sandbox.workspace_id)[0].id)
    status, page = await api.call(
        "GET", "/api/v3/loads", params={"page_size": "2", "data_table_id": table_id}
    )
    assert status == 200
    assert page["count"] == 5 and page["previous"] is None
    seen = [load["id"] for load in page["results"]]
    pages = 1
    while page["next"] is not None:
        assert page["next"].startswith(api.sandbox.base_url + "/api/v3/loads?")
        assert f"data_table_id={table_id}" in page["next"] and "page_size=2" in page["next"]
        async with api.http.get(
            page["next"], headers={"Authorization": f"Bearer {api.token}"}
        ) as response:
            page = await response.json()
        assert page["previous"].startswith(api.sandbox.base_url)
        seen += [load["id"] for load in page["results"]]
        pages += 1
    assert pages == 3
    assert seen == sorted(seen) and len(set(seen)) == 5


async def test_previous_link_and_last_page(api: Api) -> None:
    await _create_loads(api, 2)
    status, page = await api.call("GET", "/api/v3/loads", params={"page": "2", "page_size": "2"})
    assert status == 200
    assert page["next"] is None
    assert "page=1" in page["previous"]
    assert len(page["results"]) == 1


async def test_invalid_pages(api: Api) -> None:
    assert await api.call("GET", "/api/v3/loads", params={"page": "3"}) == (
        404,
        {"details": "Invalid page."},
    )
    for params in ({"page_size": "101"}, {"page_size": "x"}, {"page": "abc"}, {"page": "0"}):
        status, body = await api.call("GET", "/api/v3/loads", params=params)
        assert status == 400, params
        assert "page" in body["details"]
    assert (await api.call("GET", "/api/v3/loads", params={"page_size": "100"}))[0] == 200


async def test_empty_first_page_is_fine(other_api: Api) -> None:
    status, page = await other_api.call("GET", "/api/v3/loads", params={"destination_name": "x"})
    assert (status, page) == (200, {"count": 0, "next": None, "previous": None, "results": []})
