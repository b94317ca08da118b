"""Every operation of ``tests/data/endpoints.tsv`` has an end-to-end test through both clients.

Two checks, so a new operation without an e2e test fails:

* static: the e2e test modules call ``<client>.<service>.<method>`` for every operation (an AST
  scan - independent of test selection and order);
* dynamic: the recording clients of the ``api`` fixture saw every operation called in both the
  ``async`` and the ``sync`` mode (runs last; skipped unless the whole e2e suite was selected).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from improvado_async import AsyncImprovado
from improvado_sync import Improvado
from tests.helpers import declared_operations

from . import _registry
from .conftest import COVERAGE_LAST_MARK


def _called_in(path: Path) -> set[str]:
    """``service.method`` of every ``x.service.method`` attribute chain in ``path``."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute):
            found.add(f"{node.value.attr}.{node.attr}")
    return found & set(_registry.OPERATIONS)


def _test_modules() -> list[Path]:
    return sorted(p for p in _registry.E2E_DIR.glob("test_*.py") if p.name != Path(__file__).name)


def test_endpoints_table_is_complete() -> None:
    assert set(_registry.OPERATIONS) == set(declared_operations())
    assert len(set(_registry.OPERATIONS)) == len(_registry.OPERATIONS)


def test_both_clients_implement_every_operation() -> None:
    for client_class in (AsyncImprovado, Improvado):
        client = client_class(username="u", password="p", workspace_id=1, base_url="http://x")
        for operation in _registry.OPERATIONS:
            service, method = operation.split(".")
            assert callable(getattr(getattr(client, service), method, None)), (
                f"{client_class.__name__} lacks {operation}"
            )


def test_every_operation_appears_in_an_e2e_test() -> None:
    called: set[str] = set()
    for path in _test_modules():
        called |= _called_in(path)
    missing = [op for op in _registry.OPERATIONS if op not in called]
    assert not missing, f"operations without an e2e test: {missing}"


@pytest.mark.e2e_run_last
def test_every_operation_ran_through_both_clients() -> None:
    assert COVERAGE_LAST_MARK == "e2e_run_last"
    if not _registry.SESSION["complete"] or _registry.SESSION["deselected"]:
        pytest.skip("only meaningful when the whole tests/e2e suite runs")
    for mode in _registry.MODES:
        missing = [op for op in _registry.OPERATIONS if op not in _registry.CALLED[mode]]
        assert not missing, f"operations never called through the {mode} client: {missing}"
