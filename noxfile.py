"""Developer sessions: tests, lint, typecheck, generate, bench (``nox -s NAME``)."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True


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
    session.install("-e", ".[docs]")
    session.env["NO_MKDOCS_2_WARNING"] = "1"
    session.run("mkdocs", "build", "--strict", "--site-dir", "site")
    session.run("python", "docs/check_reference.py", "site")
