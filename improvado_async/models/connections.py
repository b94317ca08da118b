"""Models of data-source connections and their accounts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from ._base import Model, OpenEnum, enum_field, wire_field

__all__ = ["Account", "AccountSelection", "AccountsStatus", "Connection", "ConnectionStatus"]


class ConnectionStatus(OpenEnum):
    """Connection status. Undocumented by the API: the UI's states (PROPOSAL)."""

    ACTIVE = "active"
    ERROR = "error"


class AccountsStatus(OpenEnum):
    """State of a connection's account list. Undocumented by the API: the UI's states (PROPOSAL)."""

    LOADING = "loading"
    NO_ACCOUNTS = "no_accounts"
    OK = "ok"
    ERROR = "error"


@attrs.frozen(kw_only=True)
class Connection(Model):
    """A data-source connection (created in the iframe or through an external auth link).

    The API misspells two keys; the Python names are corrected: ``update_accounts_last_succeeded``
    is ``update_accounts_last_successed`` on the wire and ``update_accounts_was_successful`` is
    ``update_accounts_was_successfull``. ``status`` and ``accounts_status`` are open enums whose
    values are undocumented (PROPOSAL). ``enabled_for_extraction_accounts_number == 0`` means
    accounts must be selected before extracts can run.
    """

    id: int
    uid: str | None = None
    title: str | None = None
    datasource_name: str | None = None
    status: str | None = enum_field(ConnectionStatus)
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    accounts_number: int | None = None
    enabled_for_extraction_accounts_number: int | None = None
    accounts_status: str | None = enum_field(AccountsStatus)
    # wire_field returns an attrs.field (not a shared default), which RUF009 cannot see.
    update_accounts_last_succeeded: dt.datetime | None = wire_field(  # noqa: RUF009
        "update_accounts_last_successed"
    )
    update_accounts_was_successful: bool | None = wire_field("update_accounts_was_successfull")


@attrs.frozen(kw_only=True)
class Account(Model):
    """An account of a connection (an ad account, a property...).

    ``id`` is the embedded account id (used by extracts and template validation); ``account_id``
    is the remote id on the platform (used by template preview). The data-source-specific
    object's key is undocumented: ``details`` is the reference's PROPOSAL.
    """

    id: int
    account_id: str | None = None
    title: str | None = None
    currency: str | None = None
    connection_id: int | None = None
    datasource_name: str | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    is_active: bool | None = None
    enabled_for_embedded_extraction: bool | None = None
    details: Mapping[str, Any] | None = None


@attrs.frozen
class AccountSelection:
    """One item of ``accounts.bulk_update``: select (or deselect) an account for extraction.

    ``id`` is the embedded account id (:attr:`Account.id`).
    """

    id: int
    enabled_for_embedded_extraction: bool
