"""Accounts of a connection: which ones are selected for extraction."""

from __future__ import annotations

import builtins  # `list` is a method name here, so the builtin type is spelled in full
from collections.abc import Mapping, Sequence
from typing import Any

from ..config import Timeout
from ..errors import ResponseDecodeError, ValidationError
from ..models.connections import Account, AccountSelection
from ..pagination import AsyncPaginator
from ._base import Service, declare, extra_of
from ._validate import path_id

__all__ = ["Accounts"]

LIST = declare(
    "accounts.list", "GET", "/api/v3/connections/{connection_id}/accounts", paginated=True
)
BULK_UPDATE = declare(
    "accounts.bulk_update", "PATCH", "/api/v3/connections/{connection_id}/accounts"
)
UPDATE = declare(
    "accounts.update", "PATCH", "/api/v3/connections/{connection_id}/accounts/{account_id}"
)

_FLAG = "enabled_for_embedded_extraction"


def _flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(name, f"must be a boolean, got {type(value).__name__}")
    return value


def _pairs(value: object) -> list[tuple[object, object]]:
    if isinstance(value, Mapping):
        return list(value.items())
    if isinstance(value, (list, tuple)) and all(isinstance(i, AccountSelection) for i in value):
        return [(item.id, item.enabled_for_embedded_extraction) for item in value]
    raise ValidationError(
        "accounts", "must be a mapping {account_id: enabled} or a sequence of AccountSelection"
    )


def _selections(value: object) -> list[dict[str, Any]]:
    """The ``accounts`` body items; empty, malformed or repeated ids raise before sending."""
    items: list[dict[str, Any]] = []
    seen: set[int] = set()
    for account_id, enabled in _pairs(value):
        number = int(path_id(account_id, "accounts"))
        if number in seen:
            raise ValidationError("accounts", f"account {number} is given twice")
        seen.add(number)
        items.append({"id": number, _FLAG: _flag(enabled, "accounts")})
    if not items:
        raise ValidationError("accounts", "must not be empty")
    return items


def _account_items(data: Any) -> list[Any] | None:
    """Updated accounts from a JSON array, a page or a single object; None for an empty body."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in ("results", "accounts"):
            if isinstance(data.get(key), list):
                return list(data[key])
        if "id" in data:
            return [data]
    if data in (None, {}, ""):
        return None
    raise ResponseDecodeError(f"expected updated accounts, got {type(data).__name__}")


class Accounts(Service):
    """The ``accounts`` area (workspace scope: Bearer token or cookie).

    ``id`` of an account is its embedded id (used by extracts); ``account_id`` is the remote id.
    """

    def list(
        self,
        connection_id: int,
        *,
        page: int = 1,
        page_size: int | None = None,
        concurrency: int = 1,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncPaginator[Account]:
        """List the accounts of a connection.

        ``GET /api/v3/connections/{connection_id}/accounts``

        Args:
            connection_id: the data-source connection.
            page: first page to fetch (1-based).
            page_size: items per page (1 to 100).
            concurrency: pages fetched at once when iterating past the first page.
            timeout: overrides the client's timeout for each page request.

        Raises:
            ValidationError: a non-integer ``connection_id``, or ``page``/``page_size`` out of
                range.
            NotFoundError: no such connection in the workspace.
        """
        return self._paginate(
            LIST,
            Account,
            path={"connection_id": connection_id},
            page=page,
            size=page_size,
            concurrency=concurrency,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def bulk_update(
        self,
        connection_id: int,
        *,
        accounts: Mapping[int, bool] | Sequence[AccountSelection],
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> builtins.list[Account]:
        """Select or deselect several accounts of a connection for extraction.

        ``PATCH /api/v3/connections/{connection_id}/accounts``

        Sends ``{"accounts": [{"id", "enabled_for_embedded_extraction"}]}`` (the reference's
        PROPOSAL; the body is undocumented). The response may be a page, a list or empty: the
        updated accounts are always returned as a list, read back from the account list when
        the API sends none.

        Args:
            connection_id: the data-source connection.
            accounts: ``{account_id: enabled}``, or a sequence of :class:`AccountSelection`.
            timeout: overrides the client's timeout.

        Raises:
            ValidationError: a non-integer id, an empty or malformed ``accounts``, or an account
                given twice (nothing is sent).
            NotFoundError: no such connection in the workspace.
            BadRequestError: an account does not belong to the connection.
        """
        items = _selections(accounts)
        data = await self._call(
            BULK_UPDATE,
            path={"connection_id": connection_id},
            json={"accounts": items},
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )
        updated = _account_items(data)
        if updated is not None:
            return [self._structure(item, Account) for item in updated]
        return await self._read_back(connection_id, [item["id"] for item in items], timeout)

    async def update(
        self,
        connection_id: int,
        account_id: int,
        *,
        enabled_for_embedded_extraction: bool,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Account:
        """Select or deselect one account for extraction.

        ``PATCH /api/v3/connections/{connection_id}/accounts/{account_id}``

        ``account_id`` is the embedded integer :attr:`Account.id`, not the remote id. The body
        is the reference's PROPOSAL; if the API answers without an account, it is read back
        from the account list.

        Args:
            connection_id: the data-source connection.
            account_id: the account's embedded id.
            enabled_for_embedded_extraction: ``True`` to select the account for extraction.
            timeout: overrides the client's timeout.

        Raises:
            ValidationError: a non-integer id or a non-boolean flag (nothing is sent).
            NotFoundError: no such account of this connection.
        """
        path = {"connection_id": connection_id, "account_id": account_id}
        body = {_FLAG: _flag(enabled_for_embedded_extraction, _FLAG)}
        return await self._call_model(
            UPDATE,
            Account,
            path=path,
            json=body,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
            read_back=lambda: self._read_back_one(connection_id, account_id, timeout),
        )

    async def _read_back_one(
        self, connection_id: int, account_id: int, timeout: Timeout | None
    ) -> Account:
        (account,) = await self._read_back(connection_id, [account_id], timeout)
        return account

    async def _read_back(
        self, connection_id: int, ids: builtins.list[int], timeout: Timeout | None
    ) -> builtins.list[Account]:
        wanted = set(ids)
        found = {
            account.id: account
            async for account in self.list(connection_id, timeout=timeout)
            if account.id in wanted
        }
        missing = wanted - found.keys()
        if missing:
            raise ResponseDecodeError(
                f"the update returned no accounts, and {sorted(missing)} are not listed"
            )
        return [found[account_id] for account_id in ids]
