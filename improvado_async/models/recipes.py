"""Models of agency recipes (enabled per workspace)."""

from __future__ import annotations

import attrs

from ._base import Model

__all__ = ["Recipe"]


@attrs.frozen(kw_only=True)
class Recipe(Model):
    """An agency recipe that can be enabled in a workspace.

    The item shape is undocumented: ``title`` and ``description`` are the reference's PROPOSAL
    (any other key lands in ``extra``).
    """

    id: int
    title: str | None = None
    description: str | None = None
