"""The ``improvado`` command as a new user meets it (issue 17): each test runs the real entry point
in a subprocess against a sandbox served from a thread."""

from __future__ import annotations

import argparse
import json
import os
import pty
import re
import select
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence

import pytest

from improvado_async._cli_text import DocText
from improvado_async._cli_values import coerce_json
from improvado_async._version import __version__
from improvado_async.cli import build_parser, render, service_operations
from improvado_async.models.connections import AccountSelection
from improvado_async.models.loads import Load
from improvado_async.models.webhooks import WebhookEndpoint
from improvado_async.sandbox.journal import RecordedRequest
from improvado_async.testing import SandboxThread

from .cli_support import improvado_command, run_cli, sandbox_env

#: Each test runs real subprocesses (seconds apiece): deselect with -m "not slow".
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served() -> Iterator[SandboxThread]:
    with SandboxThread(time_scale=0.01) as thread:
        yield thread


def _last_request(served: SandboxThread, method: str, path: str) -> RecordedRequest:
    return served.sync(
        lambda: [r for r in served.sandbox.requests if (r.method, r.path) == (method, path)][-1]
    )


# --- Global options, --version, --help ---------------------------------------------------------


def test_global_options_work_after_the_command(served: SandboxThread) -> None:
    run = ("loads", "run", "3001", "--date-from", "2026-01-01", "--date-to", "2026-01-31")
    result = run_cli(served, *run, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["id"] == 3001
    # --base-url after the command wins over a wrong IMPROVADO_BASE_URL.
    env = sandbox_env(served, IMPROVADO_BASE_URL="http://127.0.0.1:9")
    got = run_cli(served, "loads", "get", "3001", "--base-url", served.base_url, "--json", env=env)
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["id"] == 3001


def test_global_option_before_the_command_is_kept(served: SandboxThread) -> None:
    result = run_cli(served, "--json", "loads", "get", "3001")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["id"] == 3001


def test_version() -> None:
    result = run_cli(None, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"improvado-sdk {__version__}"


_TOOLS = {"demo", "doctor", "sandbox"}  # the commands that are not client services


def test_help_lists_every_command() -> None:
    result = run_cli(None, "--help")
    assert result.returncode == 0
    listed = set(re.findall(r"^ {4}(\w+)", result.stdout, re.MULTILINE))
    assert listed == {*_TOOLS, *service_operations()}


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The sub-commands of a parser, each once (kebab-case aliases share the parser)."""
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found.setdefault(sub.prog, sub)
    return found


def test_help_has_no_markup_or_reference_jargon() -> None:
    top = build_parser()
    texts = {"improvado": top.format_help()}
    for service in _commands(top).values():
        texts[service.prog] = service.format_help()
        texts.update((op.prog, op.format_help()) for op in _commands(service).values())
    operations = sum(len(ops) + 1 for ops in service_operations().values())
    assert len(texts) == 1 + len(_TOOLS) + operations
    for command, text in texts.items():
        for unwanted in ("`", ":class:", ":meth:", ":attr:", "PROPOSAL", "INFERRED"):
            assert unwanted not in text, (command, unwanted)
        assert "undocumented" not in text.lower(), command
        assert "NOT_GIVEN" not in text, command
        assert "Raises:" not in text, command


def test_doc_text_strips_markup_and_reference_notes() -> None:
    text = DocText({"Workspaces.enable_recipe": "improvado workspaces enable_recipe"})
    doc = (
        'Sends ``{"id"}`` (the reference\'s PROPOSAL; the body is undocumented). '
        "Pagination is INFERRED; a plain array is one page. See :class:`~improvado_async.Load` "
        "and :meth:`Workspaces.enable_recipe`."
    )
    assert text.plain(doc) == ('Sends {"id"}. See Load and improvado workspaces enable_recipe.')
    assert text.plain("the new value, ``None`` to clear it, or ``NOT_GIVEN`` to leave it.") == (
        "the new value, none to clear it."
    )


def test_option_help_comes_from_the_docstring() -> None:
    result = run_cli(None, "accounts", "bulk_update", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "--accounts JSON" in text
    assert '{"1": true}' in text  # how to write the keys on the command line
    assert "CONNECTION_ID the data-source connection." in text
    assert "PROPOSAL" not in text and "``" not in text


# --- Names and values --------------------------------------------------------------------------


def test_kebab_case_commands_and_operations(served: SandboxThread) -> None:
    kebab = run_cli(served, "data-tables", "list", "--json")
    snake = run_cli(served, "data_tables", "list", "--json")
    assert kebab.returncode == snake.returncode == 0, kebab.stderr
    assert json.loads(kebab.stdout) == json.loads(snake.stdout) != []
    assert run_cli(served, "webhook-event-types", "list").returncode == 0


@pytest.mark.parametrize(
    "options",
    [
        ["--datasource-name", "facebook,reddit"],
        ["--datasource-name", "facebook", "--datasource-name", "reddit"],
        ["--datasource-name", "facebook, reddit"],
    ],
)
def test_list_option_comma_separated_or_repeated(served: SandboxThread, options: list[str]) -> None:
    result = run_cli(served, "extracts", "list", *options, "--json")
    assert result.returncode == 0, result.stderr
    request = _last_request(served, "GET", "/api/v3/extracts")
    assert request.query["datasource_name"] == "facebook,reddit"
    sources = {extract["datasource_name"] for extract in json.loads(result.stdout)}
    assert sources and sources <= {"facebook", "reddit"}


def test_integer_list_option_mixes_both_forms(served: SandboxThread) -> None:
    result = run_cli(
        served, "extracts", "list", "--data-table-id", "1001,1002", "--data-table-id", "1003"
    )
    assert result.returncode == 0, result.stderr
    request = _last_request(served, "GET", "/api/v3/extracts")
    assert request.query["data_table_id"] == "1001,1002,1003"
    bad = run_cli(served, "extracts", "list", "--data-table-id", "1001,x")
    assert bad.returncode == 2
    assert "expected integers separated by commas" in bad.stderr


@pytest.mark.parametrize(
    "accounts",
    [
        '{"5001": false, "5002": true}',
        '[{"id": 5001, "enabled_for_embedded_extraction": false},'
        ' {"id": 5002, "enabled_for_embedded_extraction": true}]',
    ],
)
def test_bulk_update_takes_json_with_string_keys(served: SandboxThread, accounts: str) -> None:
    result = run_cli(served, "accounts", "bulk-update", "4001", "--accounts", accounts, "--json")
    assert result.returncode == 0, result.stderr
    request = _last_request(served, "PATCH", "/api/v3/connections/4001/accounts")
    assert request.json == {
        "accounts": [
            {"id": 5001, "enabled_for_embedded_extraction": False},
            {"id": 5002, "enabled_for_embedded_extraction": True},
        ]
    }
    updated = {a["id"]: a["enabled_for_embedded_extraction"] for a in json.loads(result.stdout)}
    assert updated == {5001: False, 5002: True}


def test_json_keys_and_models_follow_the_type_hint() -> None:
    hint = Mapping[int, bool] | Sequence[AccountSelection]
    assert coerce_json({"7": True}, hint) == {7: True}
    selection = AccountSelection(id=7, enabled_for_embedded_extraction=False)
    assert coerce_json([{"id": 7, "enabled_for_embedded_extraction": False}], hint) == [selection]
    assert coerce_json({"layer": ["CREATE"]}, Mapping[str, Sequence[str]]) == {"layer": ["CREATE"]}
    with pytest.raises(ValueError, match="item 2: expected a string"):
        coerce_json({"layer": ["CREATE", 1]}, Mapping[str, Sequence[str]])


@pytest.mark.parametrize(
    ("accounts", "message"),
    [
        ('{"x": true}', "key 'x' is not an integer"),
        ('{"5001": "yes"}', "value of '5001': expected true or false"),
        ('[{"id": 5001}]', "missing enabled_for_embedded_extraction"),
        ("5", "expected a JSON object or a JSON array, got 5"),
        ("{", "not valid JSON"),
    ],
)
def test_bad_json_option_is_a_usage_error(
    served: SandboxThread, accounts: str, message: str
) -> None:
    result = run_cli(served, "accounts", "bulk_update", "4001", "--accounts", accounts)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


# --- Exit statuses -----------------------------------------------------------------------------


def test_exit_status_0_1_2(served: SandboxThread) -> None:
    assert run_cli(served, "loads", "get", "3001").returncode == 0
    assert run_cli(served, "loads", "get", "999999").returncode == 1  # HTTP 404
    assert run_cli(served, "loads", "get").returncode == 2  # argument missing
    assert run_cli(served, "loads", "frobnicate").returncode == 2
    invalid = run_cli(served, "loads", "run", "3001", "--date-from", "2026-02-01")
    assert invalid.returncode == 2  # ValidationError: nothing sent
    assert "date_to" in invalid.stderr


def test_exit_status_3_when_the_api_refuses_the_credentials(served: SandboxThread) -> None:
    wrong = run_cli(served, "loads", "list", env=sandbox_env(served, IMPROVADO_PASSWORD="nope"))
    assert wrong.returncode == 3
    assert wrong.stderr.startswith("error: HTTP 401: ")
    forbidden = run_cli(served, "roles", "list")  # roles need the agency chief
    assert forbidden.returncode == 3
    assert forbidden.stderr.startswith("error: HTTP 403: ")


@pytest.mark.parametrize(
    ("unset", "command", "missing"),
    [
        ("IMPROVADO_WORKSPACE_ID", ("loads", "list"), "IMPROVADO_WORKSPACE_ID"),
        ("IMPROVADO_PASSWORD", ("workspaces", "list"), "IMPROVADO_PASSWORD"),
    ],
)
def test_missing_credentials_name_the_variables_and_flags(
    served: SandboxThread, unset: str, command: tuple[str, ...], missing: str
) -> None:
    result = run_cli(served, *command, env=sandbox_env(served, **{unset: None}))
    assert result.returncode == 2
    first = result.stderr.splitlines()[0]
    assert f"improvado {' '.join(command)}" in first and missing in first
    for variable in ("USERNAME", "PASSWORD", "WORKSPACE_ID", "TOKEN", "BASE_URL"):
        assert f"IMPROVADO_{variable}" in result.stderr
    assert "--base-url" in result.stderr
    assert "username=" not in result.stderr and "Traceback" not in result.stderr


def test_no_credentials_at_all(served: SandboxThread) -> None:
    result = run_cli(None, "loads", "list")
    assert result.returncode == 2
    assert "IMPROVADO_USERNAME, IMPROVADO_PASSWORD, IMPROVADO_WORKSPACE_ID not set" in result.stderr


def _default_sigint() -> None:
    # A suite run as a background job ignores SIGINT, and children inherit that.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_exits_130_without_traceback(served: SandboxThread) -> None:
    rule = served.sync(
        lambda: served.sandbox.add_fault("GET", "/api/v3/loads/3001", status=None, latency=30)
    )
    try:
        process = subprocess.Popen(
            [*improvado_command(), "loads", "wait", "3001"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=sandbox_env(served),
            preexec_fn=_default_sigint,
        )
        deadline = time.monotonic() + 30
        while served.sync(lambda: rule.hits) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)  # until the command is blocked in the slow poll
        assert rule.hits == 1
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        served.sync(served.sandbox.clear_faults)
    assert process.returncode == 130
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    assert stderr.strip() == "interrupted" and stdout == ""


def test_closed_stdout_exits_quietly(served: SandboxThread) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written, as after `head -1`
    try:
        result = subprocess.run(
            [*improvado_command(), "loads", "list"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env=sandbox_env(served),
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 141
    assert result.stderr == ""


def test_pipe_into_head(served: SandboxThread) -> None:
    command = " ".join(improvado_command()) + " loads list | head -1"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        capture_output=True,
        text=True,
        env=sandbox_env(served),
        timeout=60,
        check=False,
    )
    assert result.stdout.split()[0] == "id"
    assert result.stderr == ""
    assert result.returncode in (0, 141)  # 141 only when head exits before the output is written


# --- Output ------------------------------------------------------------------------------------


def _value_of(table: str, key: str) -> str:
    line = next(line for line in table.splitlines() if line.split()[:1] == [key])
    return line.split(None, 1)[1].strip()


def _stored_secret(served: SandboxThread, endpoint_id: int) -> str:
    rows = served.sandbox.state.webhook_endpoint_rows
    endpoint = served.sync(lambda: rows.get(served.workspace_id, endpoint_id))
    assert endpoint is not None
    return str(endpoint.secret)


def test_new_webhook_secret_is_printed_whole(served: SandboxThread) -> None:
    created = run_cli(
        served,
        "webhook_endpoints",
        "create",
        "--url",
        "http://127.0.0.1:9/hook",
        "--event-types",
        "load_completed,extract_completed",
    )
    assert created.returncode == 0, created.stderr
    endpoint_id = int(_value_of(created.stdout, "id"))
    secret = _stored_secret(served, endpoint_id)
    assert _value_of(created.stdout, "secret") == secret
    assert len(secret) > 40  # longer than a table cell
    regenerated = run_cli(served, "webhook_endpoints", "regenerate_secret", str(endpoint_id))
    assert regenerated.returncode == 0, regenerated.stderr
    fresh = _stored_secret(served, endpoint_id)
    assert _value_of(regenerated.stdout, "secret") == fresh != secret


def test_tables_never_cut_secrets_or_links() -> None:
    secret, url = "s" * 64, "https://hooks.example/" + "x" * 60
    endpoint = WebhookEndpoint(id=1, url=url, event_types=["load_completed"], secret=secret)
    table = render([endpoint, endpoint], as_json=False)
    assert table.count(secret) == table.count(url) == 2
    detail = render(endpoint, as_json=False)
    assert secret in detail and url in detail
    long_text = Load(id=1, error_text="e" * 80)
    assert "e" * 80 in render(long_text, as_json=False)  # one object: plain values whole
    assert "e" * 80 not in render([long_text], as_json=False)  # a table cuts long cells


def _read_all(fd: int, process: subprocess.Popen[str]) -> bytes:
    chunks = []
    while True:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        elif process.poll() is not None:
            break
    return b"".join(chunks)


def test_wait_shows_progress_on_a_terminal(served: SandboxThread) -> None:
    assert run_cli(served, "loads", "run", "3001").returncode == 0
    master, slave = pty.openpty()
    try:
        process = subprocess.Popen(
            [*improvado_command(), "loads", "wait", "3001", "--poll-interval", "0.05"],
            stdout=subprocess.PIPE,
            stderr=slave,
            text=True,
            env=sandbox_env(served),
        )
        os.close(slave)
        progress = _read_all(master, process).decode()
        stdout, _ = process.communicate(timeout=30)
    finally:
        os.close(master)
    assert process.returncode == 0
    assert "load 3001: success" in progress
    assert progress.endswith("\n")  # the status line is finished before anything else prints
    assert _value_of(stdout, "status") == "success"


def test_wait_prints_no_progress_when_stderr_is_not_a_terminal(served: SandboxThread) -> None:
    assert run_cli(served, "loads", "run", "3001").returncode == 0
    result = run_cli(served, "loads", "wait", "3001", "--poll-interval", "0.05")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


# --- The sandbox banner ------------------------------------------------------------------------


def test_sandbox_banner_exports_paste_into_a_shell() -> None:
    process = subprocess.Popen(
        [*improvado_command(), "sandbox", "--port", "0", "--time-scale", "0.01"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=sandbox_env(None),
        preexec_fn=_default_sigint,
    )
    try:
        assert process.stdout is not None
        banner = []
        for line in process.stdout:
            banner.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        exports = [line for line in banner if line.startswith("export IMPROVADO_")]
        names = {line.split("=", 1)[0].removeprefix("export ") for line in exports}
        assert names == {
            "IMPROVADO_BASE_URL",
            "IMPROVADO_USERNAME",
            "IMPROVADO_PASSWORD",
            "IMPROVADO_WORKSPACE_ID",
        }
        script = "".join(exports) + " ".join(improvado_command()) + " workspaces list --json"
        shell = subprocess.run(
            ["bash", "-c", script],
            capture_output=True,
            text=True,
            env=sandbox_env(None),
            timeout=60,
            check=False,
        )
        assert shell.returncode == 0, shell.stderr
        assert json.loads(shell.stdout)
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
    assert process.returncode == 0  # Ctrl-C is how the sandbox is meant to stop
