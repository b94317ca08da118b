"""The one cattrs converter: datetimes, open enums, wire names and ``extra`` for unknown keys."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs
import cattrs

from ..errors import ResponseDecodeError
from ._base import Model

__all__ = ["converter", "parse_datetime", "structure"]

T = TypeVar("T")

_DATETIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def parse_datetime(value: Any) -> dt.datetime:
    """Parse ISO-8601 and the API's ``"YYYY-MM-DD HH:MM:SS.ffffff"`` (naive means UTC)."""
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a datetime string, got {type(value).__name__}")
    match = _DATETIME.match(value.strip())
    if match is None:
        raise ValueError(f"not a datetime: {value!r}")
    day, clock, fraction, zone = match.groups()
    if len(clock) == 5:
        clock += ":00"
    micro = f".{(fraction or '0')[:6].ljust(6, '0')}"
    offset = "+00:00" if zone in (None, "Z") else zone if ":" in zone else f"{zone[:3]}:{zone[3:]}"
    return dt.datetime.fromisoformat(f"{day}T{clock}{micro}{offset}")


def _parse_date(value: Any, _: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    raise ValueError(f"expected a date string, got {type(value).__name__}")


def _identity(value: Any, _: Any) -> Any:
    return value


def _strict_str(value: Any, _: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"expected a string, got {type(value).__name__}")


def _strict_int(value: Any, _: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ValueError(f"expected an integer, got {type(value).__name__}")


def _strict_bool(value: Any, _: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError(f"expected a boolean, got {type(value).__name__}")


def _build_converter() -> cattrs.Converter:
    conv = cattrs.Converter()
    conv.register_structure_hook(dt.datetime, lambda v, _: parse_datetime(v))
    conv.register_structure_hook(dt.date, _parse_date)
    conv.register_structure_hook(str, _strict_str)
    conv.register_structure_hook(int, _strict_int)
    conv.register_structure_hook(bool, _strict_bool)
    # A predicate, not register(Any): cattrs on Python 3.10 rejects typing.Any as a class.
    conv.register_structure_hook_func(lambda t: t is Any, _identity)
    conv.register_structure_hook_factory(
        lambda t: isinstance(t, type) and issubclass(t, Model),
        lambda t: _model_hook(conv, t),
    )
    return conv


def _model_hook(conv: cattrs.Converter, cls: type[Model]) -> Callable[[Any, Any], Model]:
    """Build (once per class) a structure function that keeps unknown keys in ``extra``."""
    attrs.resolve_types(cls)
    specs: list[tuple[str, str, Callable[[Any, Any], Any], Any, bool, Any]] = []
    for field in attrs.fields(cls):
        if field.name == "extra":
            continue
        hook = conv.get_structure_hook(field.type)
        enum_type = field.metadata.get("enum")
        required = field.default is attrs.NOTHING
        specs.append(
            (
                field.metadata.get("wire", field.name),
                field.name,
                hook,
                field.type,
                required,
                enum_type,
            )
        )
    known = frozenset(spec[0] for spec in specs)

    def structure_model(data: Any, _: Any) -> Model:
        if not isinstance(data, Mapping):
            raise ValueError(f"expected an object for {cls.__name__}, got {type(data).__name__}")
        kwargs: dict[str, Any] = {}
        for wire, name, hook, ftype, required, enum_type in specs:
            if wire in data:
                value = data[wire]
                if value is None:
                    kwargs[name] = None
                elif enum_type is not None:
                    kwargs[name] = enum_type.coerce(value) if isinstance(value, str) else value
                else:
                    kwargs[name] = hook(value, ftype)
            elif required:
                raise ValueError(f"{cls.__name__}: missing required key {wire!r}")
        if len(data) > len(kwargs):  # some keys were not consumed: keep them
            kwargs["extra"] = {k: v for k, v in data.items() if k not in known}
        return cls(**kwargs)

    return structure_model


converter = _build_converter()


def structure(data: Any, cls: type[T]) -> T:
    """Structure decoded JSON into ``cls``; a mismatch raises :class:`ResponseDecodeError`."""
    try:
        return converter.structure(data, cls)
    except Exception as exc:  # cattrs raises many kinds; the caller needs one typed error
        raise ResponseDecodeError(
            f"response does not match {getattr(cls, '__name__', cls)}: {_describe(exc)}",
        ) from exc  # no snippet: response bodies may carry secrets (webhook endpoint secrets)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, cattrs.BaseValidationError) and exc.exceptions:
        return "; ".join(_describe(e) for e in exc.exceptions)
    return str(exc) or type(exc).__name__
