"""Routing: trailing-slash tolerance, JSON 404/405, base_url and the CLI."""

from __future__ import annotations

import pytest

from improvado_async.sandbox import Sandbox
from improvado_async.sandbox.__main__ import banner, parse_args

from .helpers import Api


@pytest.mark.parametrize("path", ["/api/v3/loads", "/api/v3/loads/"])
async def test_both_slash_forms(api: Api, path: str) -> None:
    assert (await api.call("GET", path))[0] == 200


async def test_slash_forms_for_item_routes(api: Api) -> None:
    load_id = api.sandbox.state.loads(api.sandbox.workspace_id)[0].id
    assert (await api.call("GET", f"/api/v3/loads/{load_id}/"))[0] == 200
    assert (await api.call("PUT", f"/api/v3/loads/{load_id}/pause/"))[0] == 200


async def test_unknown_path_and_wrong_method_are_json(api: Api) -> None:
    assert await api.call("GET", "/api/v3/nothing") == (404, {"details": "Not found."})
    assert (await api.call("GET", "/api/v3/loads/abc"))[0] == 404
    status, body = await api.call("DELETE", "/api/v3/loads")
    assert status == 405 and "DELETE" in body["details"]
    status, _ = await api.call("GET", "/api/v3/loads/3001/run")
    assert status == 405


async def test_base_url_and_lifecycle() -> None:
    sandbox = Sandbox()
    with pytest.raises(RuntimeError):
        _ = sandbox.base_url
    await sandbox.start()
    try:
        assert sandbox.base_url == f"http://127.0.0.1:{sandbox.port}"
        assert sandbox.port != 0
        assert sandbox.workspace_id != sandbox.other_workspace_id
    finally:
        await sandbox.stop()
    await sandbox.stop()  # idempotent


def test_cli_args_and_banner() -> None:
    args = parse_args(["--port", "0", "--time-scale", "0.5"])
    assert (args.host, args.port, args.time_scale) == ("127.0.0.1", 0, 0.5)
    sandbox = Sandbox()
    sandbox._base_url = "http://127.0.0.1:1"  # banner only needs the attributes
    text = banner(sandbox)
    assert sandbox.username in text and sandbox.password in text
    assert str(sandbox.other_workspace_id) in text


def test_fixtures_are_deterministic() -> None:
    first, second = Sandbox(seed=3).state, Sandbox(seed=3).state
    ws = 1
    assert [c.uid for c in first.destination_connections(ws)] == [
        c.uid for c in second.destination_connections(ws)
    ]
    tables = first.data_tables(ws)
    assert len(tables) >= 2
    assert [f.name for f in tables[0].fields][-3:] == [
        "account_id",
        "account_name",
        "__insert_date",
    ]
    other_ids = {t.id for t in first.data_tables(2)}
    assert not other_ids & {t.id for t in tables}
