"""Loopback servers for the benchmarks, each run in its own process by :class:`ServerProcess`.

``python -m benchmarks._servers minimal [--list-items N ...] [--list-latency S]``
    A bare aiohttp.web server answering ``GET /api/v3/loads/{id}`` with a fixed ~600-byte Load
    JSON object: no auth, no routing tables, no middleware, so nearly all the time measured in
    the client process is client overhead. ``GET /api/v3/loads?destination_name=bench-N`` lists
    ``N`` such loads (ids 1..N) with the API's page semantics (``page``, ``page_size`` up to 100,
    ``{count, next, previous, results}`` with absolute links, 404 past the end) after sleeping
    ``S`` seconds.

``python -m benchmarks._servers sandbox [--list-items N ...] [--list-latency S]``
    The SDK's :class:`~improvado_async.sandbox.Sandbox`, optionally holding ``N`` extra loads
    (``destination_name == f"bench-{N}"``, so a list filtered on it has exactly ``N`` items) and
    adding ``S`` seconds of latency to ``GET /api/v3/loads``. Control routes for the benchmarks:
    ``GET /_bench/journal`` (request counts by method and path from ``sb.requests``),
    ``POST /_bench/clear`` (empty the journal) and ``POST /_bench/expire`` (expire all tokens).

Each prints one JSON line (``base_url`` and what a client needs), then serves until SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import signal
import socket
import sys
from typing import Any

from aiohttp import web

#: A Load as the API renders it (key order and value shapes like the sandbox's), ~600 bytes.
LOAD: dict[str, Any] = {
    "id": 3001,
    "data_table": {
        "id": 1001,
        "title": "Facebook Ads Daily - Campaign Performance",
        "datasource_name": "facebook",
    },
    "data_table_id": 1001,
    "destination_connection_id": 2001,
    "destination_name": "bigquery",
    "destination_table": "facebook_ads_daily_campaign_performance",
    "run_policy": "after_extraction",
    "status": "success",
    "last_update": "2026-11-20T08:15:42.123456+00:00",
    "error_text": None,
    "uploaded_rows_count": 1284331,
    "created_at": "2026-10-01T12:00:00.000000+00:00",
    "schedule": {
        "type": "daily",
        "time": "04:30",
        "timezone": "Europe/Berlin",
        "days_of_week": [1, 2, 3, 4, 5],
        "enabled": True,
    },
}
LOAD_BODY = json.dumps(LOAD, separators=(", ", ": ")).encode()


async def _serve(app: web.Application, ready: dict[str, Any]) -> None:
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    sock = socket.create_server(("127.0.0.1", 0))
    site = web.SockSite(runner, sock)
    await site.start()
    port = sock.getsockname()[1]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    print(json.dumps({"base_url": f"http://127.0.0.1:{port}", **ready}), flush=True)
    await stop.wait()
    await runner.cleanup()


async def minimal(list_items: list[int], list_latency: float) -> None:
    """Serve the fixed Load object and page lists of it (see the module docstring)."""
    rows = [{**LOAD, "id": n} for n in range(1, max(list_items, default=0) + 1)]

    async def get_load(request: web.Request) -> web.Response:
        return web.Response(body=LOAD_BODY, content_type="application/json")

    async def list_loads(request: web.Request) -> web.Response:
        if list_latency > 0:
            await asyncio.sleep(list_latency)
        name = request.query.get("destination_name", "")
        count = int(name.removeprefix("bench-")) if name.startswith("bench-") else 0
        if count not in list_items:
            count = 0
        page = int(request.query.get("page", "1"))
        size = min(int(request.query.get("page_size", "100")), 100)
        start = (page - 1) * size
        if page < 1 or size < 1 or (page > 1 and start >= count):
            return web.json_response({"details": "Invalid page."}, status=404)
        payload = {
            "count": count,
            "next": (
                str(request.url.update_query(page=str(page + 1))) if start + size < count else None
            ),
            "previous": str(request.url.update_query(page=str(page - 1))) if page > 1 else None,
            "results": rows[start : min(start + size, count)],
        }
        return web.json_response(payload)

    app = web.Application()
    app.router.add_get(r"/api/v3/loads/{load_id:\d+}", get_load)
    app.router.add_get("/api/v3/loads", list_loads)
    await _serve(app, {"load_id": LOAD["id"], "body_bytes": len(LOAD_BODY)})


async def sandbox(list_items: list[int], list_latency: float) -> None:
    """Serve the SDK's sandbox with extra loads and control routes (see the module docstring)."""
    from improvado_async.sandbox import Sandbox
    from improvado_async.sandbox.clock import utc_now
    from improvado_async.sandbox.records import Load

    class BenchSandbox(Sandbox):
        def build_app(self) -> web.Application:
            app = super().build_app()
            app.router.add_get("/_bench/journal", journal)
            app.router.add_post("/_bench/clear", clear)
            app.router.add_post("/_bench/expire", expire)
            return app

    sb = BenchSandbox(time_scale=0.01, seed=0)

    async def journal(request: web.Request) -> web.Response:
        counts = collections.Counter(
            f"{r.method} {r.path} {r.status}" for r in sb.requests if not r.path.startswith("/_")
        )
        return web.json_response(dict(counts))

    async def clear(request: web.Request) -> web.Response:
        sb.clear_requests()
        return web.json_response({})

    async def expire(request: web.Request) -> web.Response:
        sb.expire_tokens()
        return web.json_response({})

    state = sb.state
    table = state.data_tables(sb.workspace_id)[0]
    connection = state.destination_connections(sb.workspace_id)[0]
    for total in list_items:
        for n in range(total):
            state.load_rows.add(
                Load(
                    id=state.load_rows.ids.next(),
                    workspace_id=sb.workspace_id,
                    data_table_id=table.id,
                    destination_connection_id=connection.id,
                    destination_name=f"bench-{total}",
                    destination_table=f"{table.title.lower().replace(' ', '_')}_{n}",
                    run_policy="after_extraction",
                    status="active",
                    created_at=utc_now(),
                )
            )
    if list_latency > 0:
        sb.add_fault("GET", "/api/v3/loads", status=None, latency=list_latency)
    await sb.start()
    ready = {
        "username": sb.username,
        "password": sb.password,
        "workspace_id": sb.workspace_id,
        "token": sb.mint_token(),
        "load_id": state.loads(sb.workspace_id)[0].id,
    }
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    print(json.dumps({"base_url": sb.base_url, **ready}), flush=True)
    await stop.wait()
    await sb.stop()


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kind", choices=["minimal", "sandbox"])
    parser.add_argument("--list-items", type=int, nargs="*", default=[])
    parser.add_argument("--list-latency", type=float, default=0.0)
    args = parser.parse_args(argv)
    if args.kind == "minimal":
        asyncio.run(minimal(args.list_items, args.list_latency))
    else:
        asyncio.run(sandbox(args.list_items, args.list_latency))
    sys.exit(0)


if __name__ == "__main__":
    main()
