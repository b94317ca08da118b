"""The ``improvado`` command in a subprocess against a sandbox, and the demo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from improvado_async.testing import SandboxThread

from .cli_support import run_cli


@pytest.fixture(scope="module")
def served() -> Iterator[SandboxThread]:
    thread = SandboxThread(time_scale=0.01)
    try:
        yield thread
    finally:
        thread.close()


def _cli(served: SandboxThread, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(served, *args)


def test_list_as_json_and_table(served: SandboxThread) -> None:
    table_id = served.sync(lambda: served.sandbox.state.loads(1)[0].data_table_id)
    result = _cli(served, "--json", "loads", "list", "--data-table-id", str(table_id))
    assert result.returncode == 0, result.stderr
    loads = json.loads(result.stdout)
    assert loads and all(load["data_table_id"] == table_id for load in loads)
    table = _cli(served, "loads", "list")
    assert table.returncode == 0
    header = table.stdout.splitlines()[0].split()
    assert header[0] == "id" and "status" in header


def test_get_and_run(served: SandboxThread) -> None:
    got = _cli(served, "--json", "loads", "get", "3001")
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["id"] == 3001
    ran = _cli(
        served,
        "--json",
        "loads",
        "run",
        "3001",
        "--date-from",
        "2026-01-01",
        "--date-to",
        "2026-01-31",
    )
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["status"] == "running"
    run_request = served.sync(
        lambda: [r for r in served.sandbox.requests if r.path == "/api/v3/loads/3001/run"][-1]
    )
    assert run_request.json == {"date_from": "2026-01-01", "date_to": "2026-01-31"}


def test_api_error_is_one_line(served: SandboxThread) -> None:
    result = _cli(served, "loads", "get", "999999")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: HTTP 404: ")
    assert "Traceback" not in result.stderr


def test_invalid_arguments_exit_2(served: SandboxThread) -> None:
    result = _cli(served, "loads", "run", "3001", "--date-from", "2026-01-01")
    assert result.returncode == 2
    assert "date_to" in result.stderr and "Traceback" not in result.stderr


def test_help_lists_services_and_operations(served: SandboxThread) -> None:
    top = _cli(served, "--help")
    assert top.returncode == 0
    for service in ("loads", "extracts", "webhook_endpoints", "roles", "sandbox"):
        assert service in top.stdout
    sub = _cli(served, "extracts", "--help")
    for operation in ("migrate_wide", "partial_update", "run", "wait"):
        assert operation in sub.stdout
    run_help = _cli(served, "loads", "run", "--help")
    assert "--date-from" in run_help.stdout and "--date-to" in run_help.stdout


def test_demo_runs_the_whole_pipeline() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMPROVADO_")}
    result = subprocess.run(
        [sys.executable, "-m", "improvado_async", "demo", "--time-scale", "0.05"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    summary = result.stdout.split("Summary", 1)[1]
    rows = int(summary.split("rows loaded:")[1].split()[0])
    assert rows > 0
    assert "webhook event:    load_completed" in summary
    assert "signed webhook received: load_completed" in result.stdout
