"""The inventory, the declarations, the service methods and the sandbox routes agree.

Everything here derives from ``improvado_async._transport.operation.OPERATIONS`` and
``tests/data/endpoints.tsv``; nothing counts operations by hand, so an operation added to one place
only fails here.
"""

from __future__ import annotations

import csv
import inspect
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from improvado_async import AsyncImprovado
from improvado_async._transport.operation import Scope
from improvado_async.resources._base import Service
from improvado_async.sandbox.handlers import ALL_ROUTES
from improvado_sync import Improvado
from tests.helpers import declared_operations

INVENTORY = Path(__file__).resolve().parent.parent / "data" / "endpoints.tsv"

#: Public service methods that are helpers built on declared operations, not operations.
HELPERS = frozenset({"loads.wait", "extracts.wait"})


def _rows() -> dict[str, dict[str, str]]:
    with INVENTORY.open(newline="", encoding="utf-8") as handle:
        return {row["operation"]: row for row in csv.DictReader(handle, delimiter="\t")}


ROWS = _rows()


DECLARED = declared_operations()


def _shape(path: str) -> str:
    """A path with its placeholders blanked: ``/a/{load_id}`` and ``/a/{id:\\d+}`` compare equal."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def _service_methods() -> Iterator[tuple[str, str, object]]:
    """``(service, method, function)`` for every public method of every client service."""
    client = AsyncImprovado(token="t", workspace_id=1, base_url="http://127.0.0.1:1")
    for name, attr in inspect.getmembers(type(client)):
        if not isinstance(attr, property) and hasattr(attr, "func"):  # cached_property
            service = getattr(client, name)
            if isinstance(service, Service):
                for method, fn in inspect.getmembers(type(service), inspect.isfunction):
                    if not method.startswith("_"):
                        yield name, method, fn


SERVICE_METHODS = {f"{s}.{m}": fn for s, m, fn in _service_methods()}


def test_every_declared_operation_is_an_inventory_row() -> None:
    assert sorted(set(DECLARED) - set(ROWS)) == []


def test_every_inventory_row_is_declared() -> None:
    assert sorted(set(ROWS) - set(DECLARED)) == []


def test_every_public_service_method_is_a_declared_operation_or_a_helper() -> None:
    undeclared = sorted(set(SERVICE_METHODS) - set(DECLARED) - HELPERS)
    assert undeclared == [], (
        f"service methods without a declaration and inventory row: {undeclared}"
    )


def test_every_declared_operation_has_a_service_method() -> None:
    assert sorted(set(DECLARED) - set(SERVICE_METHODS)) == []


@pytest.mark.parametrize("name", sorted(ROWS))
def test_declaration_matches_its_row(name: str) -> None:
    row, operation = ROWS[name], DECLARED[name]
    assert operation.method == row["method"]
    assert _shape(operation.path) == _shape(row["path"])
    expected_scope = Scope.BASIC if row["auth"].startswith("Basic") else Scope.WORKSPACE
    assert operation.scope is expected_scope
    assert operation.paginated is row["paginated"].startswith("yes")


@pytest.mark.parametrize("name", sorted(ROWS))
def test_docstring_names_the_declared_request(name: str) -> None:
    doc = inspect.getdoc(SERVICE_METHODS[name]) or ""
    assert DECLARED[name].doc_line in doc.splitlines(), doc.splitlines()[:4]


@pytest.mark.parametrize("name", sorted(ROWS))
def test_path_parameters_are_method_parameters(name: str) -> None:
    """Placeholders are named as the method's parameters; ids are ``<resource>_id``."""
    parameters = inspect.signature(SERVICE_METHODS[name]).parameters
    for placeholder in DECLARED[name].path_params:
        assert placeholder in parameters
        assert placeholder != "id"


def test_no_service_method_has_a_parameter_named_id() -> None:
    offenders = [
        name
        for name, fn in SERVICE_METHODS.items()
        if "id" in inspect.signature(fn).parameters  # type: ignore[arg-type]
    ]
    assert offenders == []


def test_timeout_is_the_per_request_timeout_everywhere() -> None:
    for name, fn in SERVICE_METHODS.items():
        parameter = inspect.signature(fn).parameters.get("timeout")  # type: ignore[arg-type]
        assert parameter is not None, f"{name} takes no timeout="
        assert "Timeout" in str(parameter.annotation), (name, parameter.annotation)


def test_sandbox_serves_exactly_the_declared_routes() -> None:
    served = {(route.method, _shape(route.path)) for route in ALL_ROUTES}
    declared = {(op.method, _shape(op.path)) for op in DECLARED.values()}
    assert sorted(declared - served) == [], "declared operations the sandbox does not serve"
    assert sorted(served - declared) == [], "sandbox routes no operation declares"


@pytest.fixture(scope="module")
def clients() -> Iterator[tuple[object, object]]:
    sync_client = Improvado(token="t", base_url="http://127.0.0.1:1")
    yield sync_client.async_client, sync_client
    sync_client.close()


def _clean(sig: inspect.Signature) -> str:
    return str(sig).replace("AsyncPaginator", "Paginator")


@pytest.mark.parametrize("operation", sorted(SERVICE_METHODS))
def test_operation_exists_on_both_clients(operation: str, clients: tuple[object, object]) -> None:
    async_client, sync_client = clients
    service, method = operation.split(".")
    async_method = getattr(getattr(async_client, service), method)
    sync_method = getattr(getattr(sync_client, service), method)
    assert _clean(inspect.signature(async_method)) == _clean(inspect.signature(sync_method))
    doc = inspect.getdoc(async_method) or ""
    assert doc == inspect.getdoc(sync_method)
    assert doc.splitlines()[0], "docstring needs a summary line"
