"""``improvado demo``: a whole pipeline through the public client, on the sandbox by default.

Token → data source → connection → accounts → template → validation → extract (v3.1) → run →
data table → destination connection → webhook receiver (verified) → load → run for a date range →
the signed ``load_completed`` event. With IMPROVADO_* credentials and ``--base-url`` the same
steps run against a real account (creating real objects there).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
from collections.abc import AsyncIterator, Sequence
from typing import TextIO

import attrs

from .client import AsyncImprovado
from .errors import ImprovadoError
from .hooks import Hooks, ResponseEvent
from .models.connections import Connection
from .models.loads import Load
from .webhooks import WebhookEvent, WebhookReceiver

__all__ = ["main", "run_demo"]


@attrs.define
class Summary:
    """What the demo did, printed at the end."""

    created: list[str] = attrs.field(factory=list)
    rows_loaded: int = 0
    requests: int = 0
    event: WebhookEvent | None = None
    elapsed: float = 0.0


def _counting_hooks(summary: Summary) -> Hooks:
    """Hooks that count every answered request (retries and token mints included)."""

    def count(event: ResponseEvent) -> None:
        summary.requests += 1

    return Hooks(on_response=count)


class _Printer:
    """Step lines, and a live progress line when writing to a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self._last = ""

    def step(self, text: str) -> None:
        print(f"  ✓ {text}" if self.tty else f"- {text}", file=self.stream, flush=True)

    def progress(self, text: str) -> None:
        if self.tty:
            print(f"\r  … {text:<70}", end="", file=self.stream, flush=True)
        elif text != self._last:  # plain output: one line per change, not per poll
            print(f"  {text}", file=self.stream, flush=True)
        self._last = text

    def end_progress(self) -> None:
        if self.tty:
            print("\r" + " " * 76 + "\r", end="", file=self.stream, flush=True)


@contextlib.asynccontextmanager
async def _serve_receiver(receiver: WebhookReceiver) -> AsyncIterator[str]:
    from aiohttp import web

    runner = web.AppRunner(receiver.app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}{receiver.path}"
    finally:
        await runner.cleanup()


async def _pick_connection(client: AsyncImprovado) -> tuple[str, Connection]:
    async for source in client.datasources.list():
        if not source.name:
            continue
        connections = await client.datasource_connections.list(source.name).to_list(limit=1)
        if connections:
            return source.name, connections[0]
    raise RuntimeError("no data source has a connection in this workspace")


async def run_demo(client: AsyncImprovado, out: _Printer, summary: Summary) -> None:
    """Drive the pipeline through ``client``; fill ``summary`` as objects are created."""
    token = await client.auth.create_token(workspace_id=client.workspace_id or 0)
    out.step(f"minted a workspace token ({len(token.token)} characters, hidden)")

    source, connection = await _pick_connection(client)
    out.step(f"data source {source!r}, connection {connection.id} ({connection.title})")

    accounts = await client.accounts.list(connection.id).to_list(limit=2)
    selected = await client.accounts.bulk_update(
        connection.id, accounts={a.id: True for a in accounts}
    )
    out.step(f"selected {len(selected)} account(s) for extraction")

    templates = [
        t
        async for t in client.extract_templates.list(source)
        if not t.is_wide_template and t.parent_id is None
    ]
    template = templates[0]
    account_ids = [a.id for a in accounts]
    await client.extract_templates.validate(template.id, accounts=account_ids)
    out.step(f"validated template {template.id} ({template.title})")

    title = f"demo_{source}_{int(time.time())}"
    extracts = await client.extracts.create(
        data_table_title=title, template_id=template.id, accounts=account_ids
    )
    summary.created.append(f"{len(extracts)} extract(s)")
    extract = extracts[0]
    await client.extracts.run(extract.id, date_from="2026-01-01", date_to="2026-01-31")
    extract = await client.extracts.wait(
        extract.id,
        max_wait=60,
        poll_interval=0.1,
        on_progress=lambda e: out.progress(f"extract {e.id}: {e.status}"),
    )
    out.end_progress()
    out.step(f"extract {extract.id} ran: {extract.status}")

    if extract.data_table_id is None:
        raise RuntimeError("the extract reports no data table")
    table = await client.data_tables.get(extract.data_table_id)
    summary.created.append(f"data table {table.id}")
    out.step(f"data table {table.id} {table.title!r} with {len(table.fields or [])} fields")

    destination = await client.destination_connections.create(
        "postgresql",
        title=f"{title}_pg",
        connections_params={"host": "db.example", "database": "analytics", "schema": "improvado"},
    )
    summary.created.append(f"destination connection {destination.id}")
    out.step(f"destination connection {destination.id} ({destination.destination_name})")

    await _load_with_webhook(client, table.id, destination.id, out, summary)


async def _load_with_webhook(
    client: AsyncImprovado, table_id: int, destination_id: int, out: _Printer, summary: Summary
) -> None:
    receiver = WebhookReceiver(["not-yet-known"], path="/improvado-hooks")
    arrived: asyncio.Queue[WebhookEvent] = asyncio.Queue()

    @receiver.on("load_completed")
    async def on_load_completed(event: WebhookEvent) -> None:
        await arrived.put(event)

    async with _serve_receiver(receiver) as url:
        endpoint = await client.webhook_endpoints.create(
            url=url, event_types=["load_started", "load_completed"]
        )
        if not endpoint.secret:
            raise ImprovadoError(f"webhook endpoint {endpoint.id} was created without a secret")
        receiver.set_secrets([endpoint.secret])
        endpoint = await client.webhook_endpoints.verify(endpoint.id)
        summary.created.append(f"webhook endpoint {endpoint.id}")
        out.step(f"webhook endpoint {endpoint.id} at {url}: {endpoint.status}")

        load = await client.loads.create(
            data_table_id=table_id, destination_connection_id=destination_id
        )
        summary.created.append(f"load {load.id}")
        await client.loads.run(load.id, date_from="2026-01-01", date_to="2026-01-31")
        out.step(f"load {load.id} started for 2026-01-01..2026-01-31")

        def show(current: Load) -> None:
            out.progress(f"load {current.id}: {current.status}")

        load = await client.loads.wait(load.id, max_wait=60, poll_interval=0.1, on_progress=show)
        out.end_progress()
        summary.rows_loaded = load.uploaded_rows_count or 0
        out.step(f"load {load.id} finished: {summary.rows_loaded} rows uploaded")

        summary.event = await asyncio.wait_for(arrived.get(), timeout=30)
        out.step(
            f"signed webhook received: {summary.event.type} (event {summary.event.id}, "
            f"{len(summary.event.data)} data fields, signature verified)"
        )


def _print_summary(summary: Summary, out: TextIO) -> None:
    print("\nSummary", file=out)
    print(f"  objects created:  {', '.join(summary.created)}", file=out)
    print(f"  rows loaded:      {summary.rows_loaded}", file=out)
    event = summary.event
    print(f"  webhook event:    {event.type if event else 'none'}", file=out)
    print(f"  requests made:    {summary.requests}", file=out)
    print(f"  elapsed:          {summary.elapsed:.1f} s", file=out)


def _has_credentials() -> bool:
    env = os.environ
    return bool(env.get("IMPROVADO_TOKEN") or env.get("IMPROVADO_USERNAME"))


async def _run(args: argparse.Namespace, out: _Printer) -> Summary:
    summary = Summary()
    hooks = _counting_hooks(summary)
    started = time.monotonic()
    if args.base_url and _has_credentials():
        print(f"Running against {args.base_url}", file=out.stream)
        async with AsyncImprovado(base_url=args.base_url, hooks=hooks) as client:
            await run_demo(client, out, summary)
    else:
        from .sandbox import Sandbox

        async with Sandbox(time_scale=args.time_scale) as sandbox:
            print(f"Sandbox serving on {sandbox.base_url}", file=out.stream)
            async with AsyncImprovado(
                username=sandbox.username,
                password=sandbox.password,
                workspace_id=sandbox.workspace_id,
                base_url=sandbox.base_url,
                hooks=hooks,
            ) as client:
                await run_demo(client, out, summary)
    summary.elapsed = time.monotonic() - started
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo; returns the exit status."""
    parser = argparse.ArgumentParser(prog="improvado demo", description=__doc__)
    parser.add_argument("--base-url", help="run against this API with IMPROVADO_* credentials")
    parser.add_argument("--time-scale", type=float, default=0.25, help="sandbox speed factor")
    args = parser.parse_args(list(argv or []))
    out = _Printer(sys.stdout)
    try:
        summary = asyncio.run(_run(args, out))
    except Exception as exc:  # the demo reports any failure in one line
        out.end_progress()
        print(f"demo failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    _print_summary(summary, sys.stdout)
    return 0
