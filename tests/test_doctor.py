"""``improvado doctor``: every read-only operation, a clean report for the sandbox, and the field
named when an answer differs (issue 13)."""

from __future__ import annotations

from improvado_async import AsyncImprovado
from improvado_async.doctor import format_report, read_only_operations, run_doctor
from improvado_async.sandbox import Sandbox
from improvado_async.testing import SandboxThread

from .cli_support import run_cli


async def test_the_sandbox_answers_as_modelled(sandbox: Sandbox, client: AsyncImprovado) -> None:
    report = await run_doctor(client)
    checked = {check.operation for check in report.checks}
    assert checked == {op.name for op in read_only_operations()}
    assert all(op.method == "GET" for op in read_only_operations())
    assert [c.operation for c in report.checks if c.shape] == []
    assert {r.method for r in sandbox.requests} == {"GET", "POST"}
    assert [r.path for r in sandbox.requests if r.method == "POST"] == ["/api/v3/token"]
    text = format_report(report)
    assert "0 with shape differences" in text and "never writes" in text


async def test_a_differing_answer_names_its_fields(
    sandbox: Sandbox, client: AsyncImprovado
) -> None:
    odd = {"id": 3001, "status": "success", "uploaded_rows_count": "many", "brand_new": 1}
    sandbox.add_fault("GET", "/api/v3/loads/3001", status=200, body=odd)
    report = await run_doctor(client)
    differing = {c.operation: c.shape for c in report.checks if c.shape}
    assert differing == {
        "loads.get": {
            "Load.uploaded_rows_count": {"kept_raw": 1},
            "Load.brand_new": {"unknown_field": 1},
        }
    }
    text = format_report(report)
    assert "Load.uploaded_rows_count: kept_raw x1" in text
    assert "many" not in text  # names and counts only, never values


def test_doctor_command(threaded_sandbox: SandboxThread) -> None:
    result = run_cli(threaded_sandbox, "doctor")
    assert result.returncode == 0, result.stderr
    assert "loads.get" in result.stdout and "0 with shape differences" in result.stdout
    methods = threaded_sandbox.sync(lambda: {r.method for r in threaded_sandbox.sandbox.requests})
    assert methods == {"GET", "POST"}


def test_doctor_without_credentials_names_the_variables() -> None:
    from .cli_support import sandbox_env

    result = run_cli(None, "doctor", env=sandbox_env(None))
    assert result.returncode == 2
    assert "IMPROVADO_USERNAME" in result.stderr and "doctor" in result.stderr
