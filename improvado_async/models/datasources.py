"""Models of data sources (the platforms connections extract from)."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from ._base import Model

__all__ = ["DataSource"]


@attrs.frozen(kw_only=True)
class DataSource(Model):
    """A data source type, e.g. ``facebook`` or ``google_ads_ql``.

    ``name`` is the ``datasource_name`` used in paths. The docs disagree on the category field:
    the schema shows ``categories`` (a list), the changelog ``category`` (a string); both are
    read, and :attr:`all_categories` merges them.
    """

    name: str | None = None
    title: str | None = None
    categories: Sequence[str] | None = None
    category: str | None = None

    @property
    def all_categories(self) -> list[str]:
        """Every category from ``categories`` and ``category``, without duplicates."""
        categories = self.categories
        # A category string kept as received (the API sent no list) is one category.
        found = [categories] if isinstance(categories, str) else list(categories or ())
        if self.category is not None and self.category not in found:
            found.append(self.category)
        return found
