"""Extraction templates: blueprints of extracts, their data preview, validation and options."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from .._transport.query import compact
from ..config import Timeout
from ..models.extract_templates import (
    AccountSettingOptions,
    ExtractTemplate,
    TemplatePreview,
    TemplateValidation,
)
from ..pagination import AsyncPaginator
from ._base import Service, declare, extra_of
from ._validate import date_range, int_id, int_ids, optional_int_id, strings, text

__all__ = ["ExtractTemplates"]

LIST = declare(
    "extract_templates.list",
    "GET",
    "/api/v3/datasources/{datasource_name}/extract-templates",
    paginated=True,
)
CREATE = declare(
    "extract_templates.create", "POST", "/api/v3/datasources/{datasource_name}/extract-templates"
)
GET = declare(
    "extract_templates.get",
    "GET",
    "/api/v3/datasources/{datasource_name}/extract-templates/{template_id}",
)
GET_BY_ID = declare("extract_templates.get_by_id", "GET", "/api/v3/extract-template/{template_id}/")
PREVIEW = declare(
    "extract_templates.preview", "POST", "/api/v3/extract-template/{template_id}/preview/"
)
VALIDATE = declare(
    "extract_templates.validate", "POST", "/api/v3/extract-template/{template_id}/validation/"
)
CUSTOM_SETTING_OPTIONS = declare(
    "extract_templates.custom_setting_options",
    "POST",
    "/api/v3/datasources/{datasource_name}/custom_setting_options/",
    paginated=True,
)


class ExtractTemplates(Service):
    """The ``extract_templates`` area (workspace scope: Bearer token or cookie).

    Templates live under a data source (``/datasources/{datasource_name}/extract-templates``)
    and, for by-id access, preview and validation, under ``/extract-template/{template_id}/``
    (singular, with a trailing slash).
    """

    def list(
        self,
        datasource_name: str,
        *,
        page: int = 1,
        page_size: int | None = None,
        concurrency: int = 1,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncPaginator[ExtractTemplate]:
        """List the extraction templates of a data source (global and custom).

        ``GET /api/v3/datasources/{datasource_name}/extract-templates``

        Args:
            datasource_name: the data source (e.g. ``facebook``).
            page: first page to fetch (1-based).
            page_size: items per page (1 to 100).
            concurrency: pages fetched at once when iterating past the first page.
            timeout: overrides the client's timeout for each page request.

        Raises:
            ValidationError: empty ``datasource_name``, ``page`` or ``page_size`` out of range.
            APIStatusError: the API rejected a page request.
        """
        return self._paginate(
            LIST,
            ExtractTemplate,
            path={"datasource_name": datasource_name},
            page=page,
            size=page_size,
            concurrency=concurrency,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def create(
        self,
        datasource_name: str,
        *,
        parent_id: int,
        title: str,
        fields: Sequence[str],
        description: str = "",
        schedules: Sequence[Mapping[str, Any]] | None = None,
        additional_params: Mapping[str, Any] | None = None,
        hashed_fields: Sequence[str] | None = None,
        historical_data_depth_limit: int | None = None,
        connection_id: int | None = None,
        idempotent: bool = False,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ExtractTemplate:
        """Create a custom (agency-level) template from a global parent template.

        ``POST /api/v3/datasources/{datasource_name}/extract-templates``

        Needs the RBAC permission ``EXTRACT.CREATE``.

        Args:
            datasource_name: the data source of the parent template.
            parent_id: id of the global parent template.
            title: template title, unique within the agency.
            fields: field names to include.
            description: template description (may be empty).
            schedules: extraction schedules (the key name ``schedules`` is undocumented).
            additional_params: extra settings, e.g. ``{"time_granularity": ...}``.
            hashed_fields: names of fields whose values are hashed.
            historical_data_depth_limit: maximum history depth in days (omitted: no limit).
            connection_id: required for wide-report parents; fields are then checked against
                that connection.
            idempotent: allow retrying this POST on timeouts and 5xx (may create duplicates).
            timeout: overrides the client's timeout.

        Raises:
            ValidationError: empty ``title`` or ``fields``, non-integer ids (nothing is sent).
            BadRequestError: duplicate title, unknown parent, invalid fields, or a wide parent
                without ``connection_id``.
            PermissionDeniedError: the caller lacks ``EXTRACT.CREATE``.
        """
        body = compact(
            {
                "parent_id": int_id(parent_id, "parent_id"),
                "title": text(title, "title"),
                "description": description,
                "fields": strings(fields, "fields"),
                "schedules": None if schedules is None else list(schedules),
                "additional_params": additional_params,
                "hashed_fields": None if hashed_fields is None else list(hashed_fields),
                "historical_data_depth_limit": historical_data_depth_limit,
                "connection_id": optional_int_id(connection_id, "connection_id"),
            }
        )
        return await self._call_model(
            CREATE,
            ExtractTemplate,
            path={"datasource_name": datasource_name},
            json=body,
            idempotent=idempotent,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def get(
        self,
        datasource_name: str,
        template_id: int,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ExtractTemplate:
        """Get a template's full detail (provider fields only, ``sql_name`` included).

        ``GET /api/v3/datasources/{datasource_name}/extract-templates/{template_id}``

        Raises:
            ValidationError: empty ``datasource_name`` or non-integer ``template_id``.
            NotFoundError: no such template for this data source.
        """
        path = {"datasource_name": datasource_name, "template_id": template_id}
        return await self._call_model(
            GET,
            ExtractTemplate,
            path=path,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def get_by_id(
        self,
        template_id: int,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ExtractTemplate:
        """Get a template knowing only its id (compact: id, data source, wide-template flag).

        ``GET /api/v3/extract-template/{template_id}/``

        Raises:
            ValidationError: non-integer ``template_id``.
            NotFoundError: no such template.
        """
        return await self._call_model(
            GET_BY_ID,
            ExtractTemplate,
            path={"template_id": template_id},
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def preview(
        self,
        template_id: int,
        *,
        account_ids: Sequence[str],
        connection_id: int | None = None,
        template_settings: Mapping[str, Any] | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> TemplatePreview:
        """Preview the data a template would extract, before creating an extract.

        ``POST /api/v3/extract-template/{template_id}/preview/``

        Only ``account_ids`` is documented; the other body fields and the response are the
        reference's PROPOSAL (see :class:`TemplatePreview`). Nothing is created, so the call is
        retried like a read.

        Args:
            template_id: the template to preview.
            account_ids: remote account ids (``Account.account_id`` strings), at least one.
            connection_id: the connection the accounts belong to.
            template_settings: fields and custom settings, as for ``extracts.create``.
            date_from: first day (``date`` or ``YYYY-MM-DD``); requires ``date_to``.
            date_to: last day; requires ``date_from``.
            timeout: overrides the client's timeout.

        Raises:
            ValidationError: empty or non-string ``account_ids``, only one of the dates, or a
                malformed date (nothing is sent).
            BadRequestError: the API rejected the accounts or settings.
        """
        start, end = date_range(date_from, date_to)
        body = compact(
            {
                "account_ids": strings(account_ids, "account_ids"),
                "connection_id": optional_int_id(connection_id, "connection_id"),
                "template_settings": template_settings,
                "date_from": start,
                "date_to": end,
            }
        )
        path = {"template_id": template_id}
        data = await self._call(
            PREVIEW,
            path=path,
            json=body,
            idempotent=True,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )
        return self._preview(data)

    async def validate(
        self,
        template_id: int,
        *,
        accounts: Sequence[int],
        template_settings: Mapping[str, Any] | None = None,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> TemplateValidation:
        """Check template settings for a set of accounts before creating an extract.

        ``POST /api/v3/extract-template/{template_id}/validation/``

        Uses the current body format (since 2026-06-15): ``accounts`` are embedded account ids,
        all of one connection. Nothing is created, so the call is retried like a read.

        Args:
            template_id: the template to validate against.
            accounts: embedded account ids (``Account.id``), at least one, all of one
                connection.
            template_settings: fields, custom settings and dynamic fields to check.
            timeout: overrides the client's timeout.

        Raises:
            ValidationError: empty ``accounts`` or non-integer ids (nothing is sent).
            BadRequestError: accounts of several connections, unknown accounts or invalid
                settings.
        """
        body = compact(
            {"accounts": int_ids(accounts, "accounts"), "template_settings": template_settings}
        )
        path = {"template_id": template_id}
        data = await self._call(
            VALIDATE,
            path=path,
            json=body,
            idempotent=True,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )
        return self._validation(data)

    def custom_setting_options(
        self,
        datasource_name: str,
        *,
        connection_id: int,
        account_ids: Sequence[str],
        custom_setting: str | None = None,
        search: str | None = None,
        page: int = 1,
        page_size: int | None = None,
        concurrency: int = 1,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncPaginator[AccountSettingOptions]:
        """List the options of a select-type custom setting, grouped by account.

        ``POST /api/v3/datasources/{datasource_name}/custom_setting_options/``

        The body key names ``custom_setting`` and ``search`` and sending ``page``/``page_size``
        as query parameters are the reference's PROPOSAL. Every page repeats the same body.

        Args:
            datasource_name: the data source whose setting is resolved.
            connection_id: the connection used to load the options.
            account_ids: remote account ids (``Account.account_id`` strings), at least one.
            custom_setting: which custom setting to resolve.
            search: server-side search over the options.
            page: first page to fetch (1-based).
            page_size: items per page (1 to 100).
            concurrency: pages fetched at once when iterating past the first page.
            timeout: overrides the client's timeout for each page request.

        Raises:
            ValidationError: empty ``datasource_name`` or ``account_ids``, non-integer
                ``connection_id``, ``page`` or ``page_size`` out of range.
            APIStatusError: the API rejected a page request.
        """
        body = compact(
            {
                "connection_id": int_id(connection_id, "connection_id"),
                "account_ids": strings(account_ids, "account_ids"),
                "custom_setting": custom_setting,
                "search": search,
            }
        )
        return self._paginate(
            CUSTOM_SETTING_OPTIONS,
            AccountSettingOptions,
            path={"datasource_name": datasource_name},
            page=page,
            size=page_size,
            concurrency=concurrency,
            timeout=timeout,
            json=body,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    def _preview(self, data: Any) -> TemplatePreview:
        # The preview shape is undocumented: a bare list is taken as the rows themselves.
        if isinstance(data, list):
            return TemplatePreview(rows=data)
        return self._structure(data if data is not None else {}, TemplatePreview)

    def _validation(self, data: Any) -> TemplateValidation:
        # Failures come as HTTP 400, so an empty 2xx body can only mean the settings passed.
        if not data:
            return TemplateValidation(valid=True)
        return self._structure(data, TemplateValidation)
