"""Every example in README.md and docs/*.md runs (conventions: tests/docs_runner.py).

The blocks run in subprocesses, several at once, each against a sandbox of its own; each test
reports one block (``README.md:31``), so a failure names the example that broke.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from improvado_async.testing import SandboxThread
from tests.docs_runner import Block, blocks, pages, shell_script

#: Each test runs real subprocesses (seconds apiece): deselect with -m "not slow".
pytestmark = pytest.mark.slow

BLOCK_TIMEOUT = 120.0  # generous: a CLI block makes several calls on a loaded machine
PARALLEL = 8
RUNNER = Path(__file__).with_name("docs_runner.py")
ALL_BLOCKS = [block for page in pages() for block in blocks(page)]

Outcome = subprocess.CompletedProcess[str]


def _environment(served: SandboxThread) -> dict[str, str]:
    """What a user's shell holds after pasting the lines `improvado sandbox` prints."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMPROVADO_")}
    env.update(
        IMPROVADO_BASE_URL=served.base_url,
        IMPROVADO_USERNAME=served.username,
        IMPROVADO_PASSWORD=served.password,
        IMPROVADO_WORKSPACE_ID=str(served.workspace_id),
        # The `improvado` command of this interpreter's environment.
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
    )
    return env


def _run(block: Block, workdir: Path) -> Outcome:
    # A sandbox per block: examples change state (runs, updates), and a reader runs each one
    # on a sandbox of their own.
    with SandboxThread(time_scale=0.01) as served:
        return _run_against(block, _environment(served), workdir)


def _run_against(block: Block, env: dict[str, str], workdir: Path) -> Outcome:
    if block.kind == "python":
        script = workdir / f"{block.id.replace('/', '_').replace(':', '_')}.py"
        script.write_text(block.code, encoding="utf-8")
        command = [sys.executable, str(RUNNER), str(script)]
    else:
        command = ["bash", "-e", "-x", "-c", shell_script(block)[0]]
    try:
        return subprocess.run(
            command,
            env=env,
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=BLOCK_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        output = exc.stdout.decode() if isinstance(exc.stdout, bytes) else str(exc.stdout)
        return subprocess.CompletedProcess(command, -1, output, f"timed out: {exc}")


@pytest.fixture(scope="module")
def outcomes(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Future[Outcome]]]:
    """The selected runnable blocks, started PARALLEL at a time, each on a sandbox of its own."""
    selected = [
        item.callspec.params["block"]
        for item in request.session.items
        if "block" in getattr(getattr(item, "callspec", None), "params", {})
    ]
    runnable = [b for b in selected if b.skip_reason is None and _has_commands(b)]
    workdir = tmp_path_factory.mktemp("docs-examples")
    with ThreadPoolExecutor(PARALLEL) as pool:
        futures = {b.id: pool.submit(_run, b, workdir) for b in runnable}
        yield futures
        for future in futures.values():
            future.cancel()


def _has_commands(block: Block) -> bool:
    return block.kind == "python" or bool(shell_script(block)[0].strip())


@pytest.mark.parametrize("block", ALL_BLOCKS, ids=[b.id for b in ALL_BLOCKS])
def test_docs_example_runs(block: Block, outcomes: dict[str, Future[Outcome]]) -> None:
    """The block exits 0; its output is shown when it does not."""
    if block.skip_reason is not None:
        pytest.skip(f"marked: {block.skip_reason}")
    if not _has_commands(block):
        pytest.skip(f"only commands that are never run: {shell_script(block)[1]}")
    outcome = outcomes[block.id].result()
    assert outcome.returncode == 0, (
        f"{block.id} exited {outcome.returncode}\n--- code\n{block.code}"
        f"--- stdout\n{outcome.stdout[-3000:]}\n--- stderr\n{outcome.stderr[-3000:]}"
    )


def test_every_page_is_scanned() -> None:
    """README.md and the docs pages hold examples; a parser regression would find none."""
    assert {b.path.name for b in ALL_BLOCKS} >= {"README.md", "quickstart.md", "index.md"}
