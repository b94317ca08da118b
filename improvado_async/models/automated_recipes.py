"""Models of automated recipe templates and the automated recipes built from them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from ._base import Model, OpenEnum, enum_field

__all__ = [
    "AutomatedRecipe",
    "AutomatedRecipeState",
    "AutomatedRecipeTemplate",
    "TemplateTreeNode",
]


class AutomatedRecipeState(OpenEnum):
    """Automated recipe state. The values are undocumented: the reference's PROPOSAL."""

    DRAFT = "draft"
    BUILDING = "building"
    BUILT = "built"
    FAILED = "failed"


@attrs.frozen(kw_only=True)
class TemplateTreeNode(Model):
    """One node of a template's dependency tree.

    The whole shape is the reference's PROPOSAL (the key and its fields are not documented), so
    ``id`` is kept as sent (its type is unknown) and every field is optional.
    """

    id: Any = None
    title: str | None = None
    type: str | None = None
    children: list[TemplateTreeNode] | None = None


@attrs.frozen(kw_only=True)
class AutomatedRecipeTemplate(Model):
    """An automated recipe template (list item or detail).

    ``data_sources`` and ``tree`` are the reference's PROPOSAL key names (the docs describe the
    values but not the keys); the detail adds the tree and ``dependencies_count``.
    """

    id: int
    title: str | None = None
    description: str | None = None
    data_sources: list[str] | None = None
    tree: TemplateTreeNode | None = None
    dependencies_count: int | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class AutomatedRecipe(Model):
    """An automated recipe instantiated from a template in the workspace.

    The object is undocumented: every field but ``id`` is the reference's PROPOSAL. ``state`` is
    an open enum (unknown values kept); ``configuration`` is kept as sent.
    """

    id: int
    template_id: int | None = None
    title: str | None = None
    state: str | None = enum_field(AutomatedRecipeState)
    configuration: Any = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    last_build_at: dt.datetime | None = None
    error_text: str | None = None
