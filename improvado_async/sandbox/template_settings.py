"""Validation of ``template_settings`` (fields, custom settings, ...) against a template."""

from __future__ import annotations

from typing import Any

import attrs

from .errors import bad_request
from .records import ExtractTemplate
from .validation import JsonObject


@attrs.frozen
class TemplateSettings:
    """Normalised template settings; ``fields`` defaults to every field of the template."""

    fields: list[str]
    custom_settings: dict[str, Any]
    schedules: list[Any]
    additional_params: dict[str, Any]
    raw: JsonObject


def settings_problems(template: ExtractTemplate, settings: JsonObject) -> list[str]:
    """Human-readable problems of ``settings`` for ``template`` (empty when valid)."""
    problems: list[str] = []
    fields = settings.get("fields")
    known = {field.name for field in template.fields}
    if fields is not None:
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            problems.append("fields: Expected a list of strings.")
        elif not fields:
            problems.append("fields: This list may not be empty.")
        else:
            problems += [f"fields: Unknown field '{name}'." for name in fields if name not in known]
    custom = settings.get("custom_settings")
    if custom is not None:
        if not isinstance(custom, dict):
            problems.append("custom_settings: Expected a JSON object.")
        else:
            problems += _custom_setting_problems(template, custom)
    for key, kind in (("schedules", list), ("additional_params", dict)):
        if settings.get(key) is not None and not isinstance(settings[key], kind):
            problems.append(f"{key}: Expected a JSON {'array' if kind is list else 'object'}.")
    return problems


def _custom_setting_problems(template: ExtractTemplate, custom: JsonObject) -> list[str]:
    problems = []
    for name, value in custom.items():
        options = template.custom_settings.get(name)
        if options is None:
            problems.append(f"custom_settings: Unknown custom setting '{name}'.")
        elif value not in options:
            problems.append(f"custom_settings.{name}: '{value}' is not a valid option.")
    return problems


def parse_settings(template: ExtractTemplate, value: Any, name: str) -> TemplateSettings:
    """Validate ``value`` (the ``template_settings`` object) or raise a 400 naming ``name``."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise bad_request(f"{name}: Expected a JSON object.")
    problems = settings_problems(template, value)
    if problems:
        raise bad_request(f"{name}.{problems[0]}")
    return TemplateSettings(
        fields=list(value.get("fields") or [field.name for field in template.fields]),
        custom_settings=dict(value.get("custom_settings") or {}),
        schedules=list(value.get("schedules") or template.schedules),
        additional_params=dict(value.get("additional_params") or template.additional_params),
        raw=value,
    )
