"""Models of extraction templates: definitions, data preview, validation, custom-setting options."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from ._base import Model, OpenEnum, enum_field

__all__ = [
    "AccountSettingOptions",
    "CustomSettingOption",
    "DataClass",
    "ExtractTemplate",
    "TemplatePreview",
    "TemplateValidation",
]


class DataClass(OpenEnum):
    """Data granularity of a template or data table.

    The API spelling is undocumented: these are the UI's classes in lower_snake (PROPOSAL).
    """

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    LIFETIME = "lifetime"
    LIFETIME_INCREMENTAL = "lifetime_incremental"
    DEFAULT = "default"


@attrs.frozen(kw_only=True)
class ExtractTemplate(Model):
    """An extraction template: a global one maintained by Improvado or an agency's custom one.

    ``id``, ``title``, ``description`` and ``data_class`` are documented; ``sql_name`` comes with
    the detail response; ``is_wide_template`` and ``datasource_name`` with the compact by-id
    representation (``{id, datasource_name, is_wide_template}``); ``allow_to_select_dimensions``
    and ``is_created_from_wide`` mark wide-report parents. ``fields`` lists provider fields only
    (never the system fields). ``is_global`` (Improvado's own template, not an agency's),
    ``created_at`` and ``updated_at`` are PROPOSAL; the remaining fields are undocumented echoes
    of the create body (PROPOSAL). ``data_class`` is an open enum with undocumented values.
    """

    id: int
    title: str | None = None
    description: str | None = None
    data_class: str | None = enum_field(DataClass)
    sql_name: str | None = None
    datasource_name: str | None = None
    is_wide_template: bool | None = None
    allow_to_select_dimensions: bool | None = None
    is_created_from_wide: bool | None = None
    parent_id: int | None = None
    connection_id: int | None = None
    is_global: bool | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    fields: list[Any] | None = None
    custom_settings: Any = None
    schedules: Any = None
    additional_params: Mapping[str, Any] | None = None
    hashed_fields: list[str] | None = None
    historical_data_depth_limit: int | None = None


@attrs.frozen(kw_only=True)
class TemplatePreview(Model):
    """Preview rows of a template's data.

    The response is undocumented: ``columns`` (names) and ``rows`` are the reference's PROPOSAL.
    When the API answers with a plain list of row objects, the list becomes ``rows`` and
    ``columns`` stays ``None``. Any other key is kept in ``extra``.
    """

    columns: list[str] | None = None
    rows: list[Any] | None = None


@attrs.frozen(kw_only=True)
class TemplateValidation(Model):
    """The outcome of a template validation.

    Failures are documented as HTTP 400 errors; the success body is undocumented (PROPOSAL
    ``{"valid": true, "errors": []}``). An empty success body yields ``valid=True``.
    """

    valid: bool | None = None
    errors: list[Any] | None = None


@attrs.frozen(kw_only=True)
class CustomSettingOption(Model):
    """One selectable value of a custom setting (shape undocumented: PROPOSAL ``value``/``label``).

    ``value`` is kept as the API sent it (string or number).
    """

    value: Any = None
    label: str | None = None


@attrs.frozen(kw_only=True)
class AccountSettingOptions(Model):
    """The options of a custom setting for one account (results are grouped by account).

    The item shape is undocumented: ``account_id`` (the remote account id) and ``options`` are
    the reference's PROPOSAL.
    """

    account_id: str | None = None
    options: list[CustomSettingOption] | None = None
