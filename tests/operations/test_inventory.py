"""Every operation of the API inventory exists on both clients with identical signatures."""

from __future__ import annotations

import csv
import inspect
from pathlib import Path

import pytest

from improvado_sync import Improvado

INVENTORY = Path(__file__).resolve().parent.parent / "data" / "endpoints.tsv"


def _operations() -> list[str]:
    with INVENTORY.open() as handle:
        return [row["operation"] for row in csv.DictReader(handle, delimiter="\t")]


def test_inventory_has_75_operations() -> None:
    assert len(_operations()) == 75


@pytest.fixture(scope="module")
def clients() -> tuple[object, object]:
    sync_client = Improvado(token="t", base_url="http://127.0.0.1:1")
    yield sync_client.async_client, sync_client
    sync_client.close()


def _clean(sig: inspect.Signature) -> str:
    return str(sig).replace("AsyncPaginator", "Paginator")


@pytest.mark.parametrize("operation", _operations())
def test_operation_exists_on_both_clients(operation: str, clients: tuple[object, object]) -> None:
    async_client, sync_client = clients
    service, method = operation.split(".")
    async_method = getattr(getattr(async_client, service), method)
    sync_method = getattr(getattr(sync_client, service), method)
    assert _clean(inspect.signature(async_method)) == _clean(inspect.signature(sync_method))
    doc = inspect.getdoc(async_method) or ""
    assert doc == inspect.getdoc(sync_method)
    assert doc.splitlines()[0], "docstring needs a summary line"
