"""Which operations the e2e suite exercised, per client mode (filled by the recording proxies).

The operation list is ``tests/data/endpoints.tsv`` (its ``operation`` column: ``service.method``).
"""

from __future__ import annotations

import csv
from pathlib import Path

ENDPOINTS_TSV = Path(__file__).resolve().parent.parent / "data" / "endpoints.tsv"
E2E_DIR = Path(__file__).resolve().parent
MODES = ("async", "sync")


def load_operations() -> list[str]:
    """Every ``service.method`` of ``tests/data/endpoints.tsv``, in file order."""
    with ENDPOINTS_TSV.open(newline="", encoding="utf-8") as handle:
        return [row["operation"] for row in csv.DictReader(handle, delimiter="\t")]


OPERATIONS: tuple[str, ...] = tuple(load_operations())
SERVICES: frozenset[str] = frozenset(op.split(".", 1)[0] for op in OPERATIONS)

#: mode -> operations called through that mode's client during this session.
CALLED: dict[str, set[str]] = {mode: set() for mode in MODES}

#: Set by the conftest hooks: ``True`` when every e2e module was collected and nothing in
#: ``tests/e2e`` was deselected, i.e. the dynamic coverage check is meaningful.
SESSION: dict[str, bool] = {"complete": False, "deselected": False}


def record(mode: str, operation: str) -> None:
    """Remember that ``operation`` was called through the ``mode`` client."""
    if operation in OPERATIONS:
        CALLED[mode].add(operation)
