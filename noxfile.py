"""Developer sessions: tests, lint, typecheck, generate, bench, and the version matrix.

``nox -s NAME``; the matrix is ``lowest`` (the declared dependency floors), ``newest`` (the newest
release of everything) and ``e2e-3.10`` / ``e2e-3.13`` (the end-to-end tests on both ends of the
supported Python range).
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from pathlib import Path

import nox

try:
    import tomllib
except ModuleNotFoundError:  # nox itself may run on Python 3.10, which has no tomllib
    import tomli as tomllib

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True

ROOT = Path(__file__).parent
LOWEST_PYTHON = "3.10"
E2E_PYTHONS = ("3.10", "3.13")
# Logged by the matrix sessions, so a log says which versions a run actually tested.
REPORTED_DISTRIBUTIONS = ("aiohttp", "attrs", "cattrs", "tenacity", "yarl", "multidict")


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (the same command as the README and CI)."""
    session.install("-e", ".[test]")
    session.run("pytest", "-q", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over both packages."""
    session.install("-e", ".[test]")
    session.run("mypy", "--strict", "improvado_async", "improvado_sync")


@nox.session
def generate(session: nox.Session) -> None:
    """Regenerate the sync facade from the async client."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "improvado_sync._codegen")


@nox.session
def bench(session: nox.Session) -> None:
    """Run the benchmarks (``nox -s bench -- [--quick] [NAME ...]``); see docs/performance.md."""
    session.install("-e", ".[bench]")
    session.run("python", "-m", "benchmarks.run", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site strictly and check every public name is in the reference."""
    # The reference check imports every public module: the pytest plugin needs pytest, the
    # contrib modules their extras. The test extra has them all, as CI's venv does.
    session.install("-e", ".[docs,test]")
    session.env["NO_MKDOCS_2_WARNING"] = "1"
    session.run("mkdocs", "build", "--strict", "--site-dir", "site")
    session.run("python", "docs/check_reference.py", "site")


def declared_floors(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """``name==floor`` for each runtime dependency, from its ``>=`` bound in pyproject.toml."""
    dependencies = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    pins = []
    for requirement in dependencies:
        match = re.fullmatch(r"\s*([A-Za-z0-9._-]+)\s*>=\s*([^,;\s]+)\s*(,[^;]*)?", requirement)
        if match is None:
            raise ValueError(
                f"runtime dependency {requirement!r} has no '>=' floor for the lowest session"
            )
        pins.append(f"{match[1]}=={match[2]}")
    return pins


@functools.cache
def interpreter(version: str) -> str | None:
    """Path of a working ``python<version>``: on PATH first, else a pyenv install, else None.

    pyenv's shims are on PATH for every installed version but fail for those not selected, so a
    candidate counts only once it has actually started.
    """
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    pyenv_installs = sorted(pyenv_root.glob(f"versions/{version}.*/bin/python{version}"))
    for candidate in (shutil.which(f"python{version}"), *map(str, pyenv_installs)):
        if candidate and _starts(candidate):
            return candidate
    return None


def _starts(python: str) -> bool:
    """Whether ``python`` runs (a pyenv shim for an unselected version exits non-zero)."""
    return subprocess.run([python, "-c", ""], capture_output=True, check=False).returncode == 0


def _skip_without(session: nox.Session, version: str) -> None:
    """Skip, saying why, when this machine has no Python ``version``."""
    if interpreter(version) is None:
        session.skip(f"no Python {version} interpreter (looked on PATH and under pyenv)")


def _report_versions(session: nox.Session) -> None:
    """Log the Python and dependency versions this session runs the tests on."""
    session.run("python", "--version")
    frozen = session.run("python", "-m", "pip", "list", "--format=freeze", silent=True)
    pins = [
        line
        for line in str(frozen).splitlines()
        if line.partition("==")[0].lower() in REPORTED_DISTRIBUTIONS
    ]
    session.log("tested with " + ", ".join(pins))


@nox.session(python=interpreter(LOWEST_PYTHON) or False)
def lowest(session: nox.Session) -> None:
    """The full suite with every runtime dependency at its declared floor, on the oldest Python."""
    _skip_without(session, LOWEST_PYTHON)
    # pip either installs exactly these versions or fails: a test tool that needs a newer
    # runtime dependency than the declared floor breaks this session rather than hiding it.
    session.install("-e", ".[test]", *declared_floors())
    _report_versions(session)
    session.run("pytest", *session.posargs)


@nox.session
def newest(session: nox.Session) -> None:
    """The full suite with the newest release of every dependency, transitive ones too."""
    session.install("--upgrade", "--upgrade-strategy", "eager", "-e", ".[test]")
    _report_versions(session)
    session.run("pytest", *session.posargs)


def _e2e_session(version: str) -> None:
    """Register ``e2e-<version>``: the end-to-end tests on that Python, skipped if it is absent."""

    @nox.session(name=f"e2e-{version}", python=interpreter(version) or False)
    def e2e(session: nox.Session) -> None:
        _skip_without(session, version)
        session.install("-e", ".[test]")
        _report_versions(session)
        session.run("pytest", "tests/e2e", *session.posargs)

    e2e.__doc__ = f"The end-to-end tests (tests/e2e) on Python {version}."


for _version in E2E_PYTHONS:
    _e2e_session(_version)
