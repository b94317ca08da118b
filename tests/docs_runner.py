"""Find and run the code blocks of README.md and docs/*.md (used by tests/test_docs_examples.py).

The conventions a docs writer relies on:

- Every fenced block tagged ``python``, ``bash``, ``sh`` or ``console`` is an example and is run
  against a sandbox; other tags (``text``, none) are output or diagrams and are not.
- The line before a block may be a marker: ``<!-- example: skip, needs a proxy -->`` leaves the
  block out. The words after ``skip,`` say why and are required (a bare ``skip`` is an error).
- A python block runs as a script in a fresh interpreter, with the ``IMPROVADO_*`` variables that
  ``improvado sandbox`` prints set for the runner's sandbox, so ``AsyncImprovado()`` and
  ``Improvado()`` reach it. A block with a top-level ``await``, ``async with`` or ``async for``
  runs as the body of a coroutine under ``asyncio.run`` (as in ``python -m asyncio``).
- A shell block runs in ``bash -e`` with the same variables. In a ``console`` block only ``$ ``
  lines are commands (the rest is output). Lines starting with one of ``NEVER_RUN`` (installs,
  CI, the benchmarks, servers that run until Ctrl-C) are not run; a block made only of such
  lines counts as skipped.
"""

from __future__ import annotations

import ast
import asyncio
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN_LANGUAGES = {"python": "python", "bash": "shell", "sh": "shell", "console": "shell"}
MARKER = re.compile(r"^<!--\s*example:\s*(?P<body>.*?)\s*-->$")
FENCE = re.compile(r"^(?P<fence>```+)\s*(?P<lang>[\w+-]*)")
# Commands a reader runs once by hand: installing, CI, benchmarks, long-running servers.
NEVER_RUN = (
    "pip ",
    "pip3 ",
    "nox",
    "bash .ci/run",
    "pytest",
    "python -m benchmarks",
    "improvado sandbox",
    "python -m improvado_async.sandbox",
)


@dataclass(frozen=True)
class Block:
    """One fenced code block of a Markdown page."""

    path: Path
    line: int  # of the opening fence, 1-based
    language: str
    code: str
    skip_reason: str | None

    @property
    def id(self) -> str:
        """``README.md:31``: the page relative to the repository root and the fence's line."""
        return f"{self.path.relative_to(ROOT).as_posix()}:{self.line}"

    @property
    def kind(self) -> str:
        """``python`` or ``shell``."""
        return RUN_LANGUAGES[self.language]


def pages() -> list[Path]:
    """README.md and every docs page (the generated reference pages hold no examples)."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def blocks(path: Path) -> list[Block]:
    """The runnable-language blocks of one page, in order."""
    found: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index].strip())
        if opening is None:
            index += 1
            continue
        end = _closing_fence(lines, index, opening["fence"])
        language = opening["lang"].lower()
        if language in RUN_LANGUAGES:
            previous = lines[index - 1].strip() if index else ""
            found.append(
                Block(
                    path=path,
                    line=index + 1,
                    language=language,
                    code="\n".join(lines[index + 1 : end]) + "\n",
                    skip_reason=_skip_reason(previous, path, index + 1),
                )
            )
        index = end + 1
    return found


def _closing_fence(lines: list[str], start: int, fence: str) -> int:
    for index in range(start + 1, len(lines)):
        if lines[index].strip() == fence:
            return index
    raise ValueError(f"unclosed code block at line {start + 1}")


def _skip_reason(previous_line: str, path: Path, line: int) -> str | None:
    marker = MARKER.match(previous_line)
    if marker is None:
        return None
    verb, _, reason = marker["body"].partition(",")
    if verb.strip() != "skip" or not reason.strip():
        raise ValueError(
            f"{path.name}:{line}: an example marker must read "
            f"'<!-- example: skip, <why> -->', not {previous_line!r}"
        )
    return reason.strip()


def shell_script(block: Block) -> tuple[str, list[str]]:
    """The script to run for a shell block, and the command lines left out by ``NEVER_RUN``."""
    script: list[str] = []
    left_out: list[str] = []
    for raw in block.code.splitlines():
        line = raw.strip()
        if block.language == "console":
            if not line.startswith("$ "):
                continue
            line = line[2:]
        if not line or line.startswith("#"):
            continue
        if line.startswith(NEVER_RUN):
            left_out.append(line)
            continue
        script.append(line)
    return "\n".join(script) + "\n", left_out


def run_python_file(path: str) -> None:
    """Run a block's script; top-level ``await`` makes it the body of a coroutine."""
    # As `python FILE` would: the block's directory first on sys.path, not tests/.
    sys.path[0] = str(Path(path).resolve().parent)
    source = Path(path).read_text(encoding="utf-8")
    code = compile(source, path, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    namespace = {"__name__": "__main__", "__file__": path}
    result = eval(code, namespace)
    if asyncio.iscoroutine(result):
        asyncio.run(result)


if __name__ == "__main__":
    run_python_file(sys.argv[1])
