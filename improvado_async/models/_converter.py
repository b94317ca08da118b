"""The one cattrs converter: datetimes, open enums, wire names and ``extra`` for unknown keys."""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
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
_fromisoformat = dt.datetime.fromisoformat


def parse_datetime(value: Any) -> dt.datetime:
    """Parse ISO-8601 and the API's ``"YYYY-MM-DD HH:MM:SS.ffffff"`` (naive means UTC)."""
    if isinstance(value, str):
        text = _common_form(value)
        if text is not None:
            try:
                return _fromisoformat(text)
            except ValueError:
                pass  # out-of-range fields: the general path raises the same error
        return _parse_datetime_text(value)
    if isinstance(value, dt.datetime):
        return value
    raise ValueError(f"expected a datetime string, got {type(value).__name__}")


def _common_form(value: str) -> str | None:
    """``value`` with an explicit offset, for the shapes the API sends; else ``None``.

    ``YYYY-MM-DD[T ]HH:MM:SS``, optionally ``.ffffff``, then nothing (naive: UTC), ``Z`` or
    ``+HH:MM``. ``fromisoformat`` parses these exactly as the general path does, on every Python
    version (``Z`` is rewritten, Python 3.10 does not know it); any other shape (week dates, basic
    format, comma fractions, offsets with seconds, ...) takes the general path, so the accepted
    language does not depend on the Python version.
    """
    size = len(value)
    if (
        size < 19
        or value[4] != "-"
        or value[7] != "-"
        or value[10] not in "T "
        or value[13] != ":"
        or value[16] != ":"
    ):
        return None
    if size == 19:
        return value + "+00:00"
    if size == 25:
        return value if value[19] in "+-" and value[22] == ":" else None
    if size == 20:
        return value[:19] + "+00:00" if value[19] == "Z" else None
    if value[19] != "." or not value[20:26].isdigit():
        return None
    if size == 26:
        return value + "+00:00"
    if size == 27:
        return value[:26] + "+00:00" if value[26] == "Z" else None
    if size == 32:
        return value if value[26] in "+-" and value[29] == ":" else None
    return None


def _parse_datetime_text(value: str) -> dt.datetime:
    match = _DATETIME.match(value.strip())
    if match is None:
        raise ValueError(f"not a datetime: {value!r}")
    day, clock, fraction, zone = match.groups()
    if len(clock) == 5:
        clock += ":00"
    micro = f".{(fraction or '0')[:6].ljust(6, '0')}"
    offset = "+00:00" if zone in (None, "Z") else zone if ":" in zone else f"{zone[:3]}:{zone[3:]}"
    return dt.datetime.fromisoformat(f"{day}T{clock}{micro}{offset}")


def _structure_datetime(value: Any, _: Any) -> dt.datetime:
    return parse_datetime(value)


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
    conv.register_structure_hook(dt.datetime, _structure_datetime)
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


# For hooks of these exact types, the generated code checks the common case inline (a value of
# exactly that type is returned as is, which is what the hook does) and calls the hook otherwise.
_INLINE_TYPE_CHECKS: dict[Callable[[Any, Any], Any], str] = {
    _strict_str: "str",
    _strict_int: "int",
    _strict_bool: "bool",
}


def _optional_inner(tp: Any) -> Any:
    """``X`` for ``X | None`` / ``Optional[X]``, else ``None``."""
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return None
    args = typing.get_args(tp)
    if len(args) != 2 or type(None) not in args:
        return None
    return args[0] if args[1] is type(None) else args[1]


def _model_hook(conv: cattrs.Converter, cls: type[Model]) -> Callable[[Any, Any], Model]:
    """Build (once per class) a structure function that keeps unknown keys in ``extra``.

    The function is generated as straight-line source (as attrs does for ``__init__``): per field,
    a present ``None`` is kept, an open-enum string is coerced, and other values go through the
    hook of the field's type. ``X | None`` is unwrapped here, once, so a present value calls the
    hook of ``X`` directly (``None`` is already handled), and ``str``/``int``/``bool``/``Any``
    values of the exact type skip the hook call. For a class without converters, validators or
    ``__attrs_post_init__`` the instance's slots are filled directly (what the frozen ``__init__``
    would do, without building keyword arguments); other classes are called with them.
    """
    attrs.resolve_types(cls)
    fields = attrs.fields(cls)
    direct = _can_fill_slots(cls, fields)
    namespace: dict[str, Any] = {
        "Mapping": Mapping,
        "cls": cls,
        "new": object.__new__,
        "dict": dict,
        "type": type,
        "isinstance": isinstance,
        "ValueError": ValueError,
        "MISSING": _MISSING,
        "str": str,
        "int": int,
        "bool": bool,
    }
    lines = [
        "def structure_model(data, _):",
        "    if type(data) is not dict and not isinstance(data, Mapping):",
        "        raise ValueError(",
        f"            {f'expected an object for {cls.__name__}, got '!r}",
        "            + type(data).__name__",
        "        )",
        "    get = data.get",
        "    obj = new(cls)" if direct else "    kwargs = {}",
    ]
    wires: list[str] = []
    for index, field in enumerate(fields):
        if field.name == "extra":
            continue
        wire: str = field.metadata.get("wire", field.name)
        wires.append(wire)
        if direct:
            namespace[f"set_{index}"] = _slot_setter(cls, field.name)
            assign = f"set_{index}(obj, {{}})".format
        else:
            assign = f"kwargs[{field.name!r}] = {{}}".format
        lines += _field_lines(conv, field, index, wire, assign, namespace, cls.__name__, direct)
    namespace["known"] = frozenset(wires)
    extra = "{k: v for k, v in data.items() if k not in known}"
    lines += [
        "    if known.issuperset(data):",
        f"        {_assign_extra(direct, '{}')}",
        "    else:  # keys the SDK does not know yet: keep them",
        f"        {_assign_extra(direct, extra)}",
        "    return obj" if direct else "    return cls(**kwargs)",
    ]
    if direct:
        namespace["set_extra"] = _slot_setter(cls, "extra")
    source = "\n".join(lines) + "\n"
    code = compile(source, f"<structure {cls.__module__}.{cls.__qualname__}>", "exec")
    exec(code, namespace)
    function: Callable[[Any, Any], Model] = namespace["structure_model"]
    return function


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


_MISSING = _Missing()


def _slot_setter(cls: type, name: str) -> Callable[[Any, Any], None]:
    """The ``__set__`` of the slot descriptor for ``name`` (frozen classes forbid setattr)."""
    for klass in cls.__mro__:
        descriptor = vars(klass).get(name)
        if descriptor is not None:
            setter: Callable[[Any, Any], None] = descriptor.__set__
            return setter
    raise TypeError(f"{cls.__name__} has no slot {name!r}")


def _can_fill_slots(cls: type, fields: tuple[attrs.Attribute[Any], ...]) -> bool:
    """Whether filling the slots is exactly what ``cls.__init__`` does."""
    if not hasattr(cls, "__slots__") or hasattr(cls, "__attrs_post_init__"):
        return False
    if hasattr(cls, "__attrs_pre_init__"):
        return False
    for field in fields:
        takes_self = bool(getattr(field.default, "takes_self", False))  # a Factory(takes_self)
        if field.converter is not None or field.validator is not None or takes_self:
            return False
        if not field.init or field.alias != field.name:
            return False
    return True


def _assign_extra(direct: bool, value: str) -> str:
    return f"set_extra(obj, {value})" if direct else f"kwargs['extra'] = {value}"


def _field_lines(
    conv: cattrs.Converter,
    field: attrs.Attribute[Any],
    index: int,
    wire: str,
    assign: Callable[[str], str],
    namespace: dict[str, Any],
    class_name: str,
    direct: bool,
) -> list[str]:
    """The source that reads one field from ``data`` and assigns it (or its default)."""
    default = field.default
    lines: list[str] = []
    if default is None:
        lines.append(f"    value = get({wire!r})")  # absent and null both give None
    else:
        lines.append(f"    value = get({wire!r}, MISSING)")
        lines.append("    if value is MISSING:")
        if default is attrs.NOTHING:
            namespace[f"missing_{index}"] = f"{class_name}: missing required key {wire!r}"
            lines.append(f"        raise ValueError(missing_{index})")
        elif not direct:
            lines.append("        pass  # the class's __init__ supplies the default")
        elif isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            namespace[f"factory_{index}"] = default.factory
            lines.append(f"        {assign(f'factory_{index}()')}")
        else:
            namespace[f"default_{index}"] = default
            lines.append(f"        {assign(f'default_{index}')}")
        lines.append("    elif value is None:")
    if default is None:
        lines.append("    if value is None:")
    lines.append(f"        {assign('None')}")
    lines += _convert_lines(conv, field, index, assign, namespace)
    return lines


def _convert_lines(
    conv: cattrs.Converter,
    field: attrs.Attribute[Any],
    index: int,
    assign: Callable[[str], str],
    namespace: dict[str, Any],
) -> list[str]:
    """The branches that convert a present, non-null value of one field."""
    enum_type = field.metadata.get("enum")
    if enum_type is not None:
        # A known value maps to its member directly (what ``coerce`` returns, minus the
        # ``EnumMeta.__call__`` machinery); anything else goes through ``coerce``.
        namespace[f"enum_{index}"] = enum_type
        namespace[f"members_{index}"] = enum_type._value2member_map_
        return [
            "    elif isinstance(value, str):",
            f"        member = members_{index}.get(value)",
            f"        {assign(f'enum_{index}.coerce(value) if member is None else member')}",
            "    else:",
            f"        {assign('value')}",
        ]
    ftype = field.type
    inner = _optional_inner(ftype)
    if inner is not None:
        ftype = inner  # None never reaches the hook: it is handled above
    hook = conv.get_structure_hook(ftype)
    if hook is _identity:
        return ["    else:", f"        {assign('value')}"]
    namespace[f"type_{index}"] = ftype
    lines = []
    inline = _INLINE_TYPE_CHECKS.get(hook)
    if inline is not None:
        lines += [f"    elif type(value) is {inline}:", f"        {assign('value')}"]
    if hook is _structure_datetime:  # call the parser itself: one call less per datetime
        namespace["parse_datetime"] = parse_datetime
        return [*lines, "    else:", f"        {assign('parse_datetime(value)')}"]
    namespace[f"hook_{index}"] = hook
    return [*lines, "    else:", f"        {assign(f'hook_{index}(value, type_{index})')}"]


converter = _build_converter()


_hooks: dict[Any, Callable[[Any, Any], Any]] = {}


def structure(data: Any, cls: type[T]) -> T:
    """Structure decoded JSON into ``cls``; a mismatch raises :class:`ResponseDecodeError`."""
    try:
        hook = _hooks.get(cls)
        if hook is None:  # cattrs' dispatch, once per type
            hook = _hooks[cls] = converter.get_structure_hook(cls)
        result: T = hook(data, cls)
        return result
    except Exception as exc:  # cattrs raises many kinds; the caller needs one typed error
        raise ResponseDecodeError(
            f"response does not match {getattr(cls, '__name__', cls)}: {_describe(exc)}",
        ) from exc  # no snippet: response bodies may carry secrets (webhook endpoint secrets)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, cattrs.BaseValidationError) and exc.exceptions:
        return "; ".join(_describe(e) for e in exc.exceptions)
    return str(exc) or type(exc).__name__
