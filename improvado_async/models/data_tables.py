"""Models of data tables: where extracts land and what loads deliver."""

from __future__ import annotations

import datetime as dt

import attrs

from ._base import Model, OpenEnum, enum_field
from .extract_templates import DataClass

__all__ = ["SYSTEM_FIELDS", "DataTable", "DataTableField", "FieldKind"]

SYSTEM_FIELDS: tuple[str, ...] = ("account_id", "account_name", "__insert_date")
"""Fields present in every data table (never listed in templates): account id and name, and
the row's insertion timestamp."""


class FieldKind(OpenEnum):
    """Kind of a data-table field. Undocumented by the API: the reference's PROPOSAL values."""

    DIMENSION = "dimension"
    METRIC = "metric"
    SYSTEM = "system"


@attrs.frozen(kw_only=True)
class DataTableField(Model):
    """One field of a data table's schema.

    The shape is undocumented (PROPOSAL ``name``, ``title``, ``kind``, ``type``, ``selected``);
    ``kind`` is an open enum. Dimension fields cannot be deselected.
    """

    name: str | None = None
    title: str | None = None
    kind: str | None = enum_field(FieldKind)
    type: str | None = None
    selected: bool | None = None

    @property
    def is_system(self) -> bool:
        """True for the system fields every data table carries (see :data:`SYSTEM_FIELDS`)."""
        return self.kind == FieldKind.SYSTEM or self.name in SYSTEM_FIELDS


@attrs.frozen(kw_only=True)
class DataTable(Model):
    """A data table (created by an extract, named by its ``data_table_title``).

    The list and detail shapes are undocumented: every field but ``id`` is the reference's
    PROPOSAL. The detail (``get``/``update``) carries the full schema in ``fields``, system
    fields included; ``data_class`` is an open enum.
    """

    id: int
    title: str | None = None
    datasource_name: str | None = None
    data_class: str | None = enum_field(DataClass)
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    fields: list[DataTableField] | None = None

    @property
    def selected_field_names(self) -> list[str]:
        """Names of the fields currently delivered (``selected`` not false)."""
        # Fields or items the API sent in another shape are kept as received: skip them.
        fields = self.fields if isinstance(self.fields, list) else ()
        return [
            f.name
            for f in fields
            if isinstance(f, DataTableField) and f.name and f.selected is not False
        ]
