"""Deterministic fake rows for template previews."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from .records import Account, ExtractTemplate


def _value(field_type: str, name: str, day: date, account: Account, rng: random.Random) -> Any:
    if field_type == "date":
        return day.isoformat()
    if field_type == "integer":
        return rng.randint(0, 5000)
    if field_type == "float":
        return round(rng.uniform(0, 500), 2)
    return f"{name}_{rng.randint(1, 9)}"


def preview_rows(
    seed: int,
    template: ExtractTemplate,
    fields: list[str],
    accounts: list[Account],
    window: tuple[date, date],
    limit: int,
) -> list[list[Any]]:
    """Up to ``limit`` rows (one per day and account) for ``fields`` plus the account id."""
    types = {field.name: field.type for field in template.fields}
    rows: list[list[Any]] = []
    day = window[0]
    while day <= window[1] and len(rows) < limit:
        for account in accounts:
            rng = random.Random(f"{seed}:{template.id}:{account.id}:{day.isoformat()}")
            values = [_value(types[name], name, day, account, rng) for name in fields]
            rows.append([*values, account.account_id])
            if len(rows) >= limit:
                break
        day += timedelta(days=1)
    return rows
