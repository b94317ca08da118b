"""Generic id-keyed, workspace-scoped collections and id sequences."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Generic, Protocol, TypeVar


class Scoped(Protocol):
    """A record owned by one workspace."""

    @property
    def id(self) -> int: ...

    @property
    def workspace_id(self) -> int: ...


RowT = TypeVar("RowT", bound=Scoped)


class IdSequence:
    """Monotonic ids starting at ``start`` (ids are unique across workspaces)."""

    def __init__(self, start: int) -> None:
        self._counter: Iterator[int] = itertools.count(start)

    def next(self) -> int:
        """The next unused id."""
        return next(self._counter)


class Collection(Generic[RowT]):
    """Rows of one kind; every lookup is scoped to a workspace so other workspaces see 404s."""

    def __init__(self, start_id: int) -> None:
        self.ids = IdSequence(start_id)
        self._rows: dict[int, RowT] = {}

    def add(self, row: RowT) -> RowT:
        """Insert (or replace) ``row``."""
        self._rows[row.id] = row
        return row

    def get(self, workspace_id: int, row_id: int) -> RowT | None:
        """The row with ``row_id`` if it belongs to ``workspace_id``."""
        row = self._rows.get(row_id)
        return row if row is not None and row.workspace_id == workspace_id else None

    def list(self, workspace_id: int) -> list[RowT]:
        """Rows of ``workspace_id`` sorted by id."""
        return sorted(
            (row for row in self._rows.values() if row.workspace_id == workspace_id),
            key=lambda row: row.id,
        )

    def delete(self, workspace_id: int, row_id: int) -> bool:
        """Remove a row of ``workspace_id``; False when there was none."""
        if self.get(workspace_id, row_id) is None:
            return False
        del self._rows[row_id]
        return True
