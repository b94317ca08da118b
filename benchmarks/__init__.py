"""Benchmarks of the SDK (``nox -s bench``); see docs/performance.md. Never part of the tests."""
