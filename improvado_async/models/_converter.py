"""Structuring decoded JSON into the models, under the parsing policy of docs/parsing.md.

Two paths give the same model for the same input. The fast path is one function per model,
generated as straight-line source, that accepts only values of exactly the declared types (and
the API's datetime strings); anything else makes it raise, and the lenient path starts over:
an interpreted walk over the same fields that applies the lax coercions, keeps a value that fits
nothing as received, names the field path of what it cannot accept, and records what it did.
"""

from __future__ import annotations

import abc
import collections.abc
import datetime as dt
import enum
import operator
import re
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs
import cattrs

from ..errors import ResponseDecodeError
from ._base import Model, OpenEnum
from ._lax import is_number, json_type, lax_bool, lax_datetime, lax_int
from ._shape import COERCED, KEPT_RAW, UNKNOWN_FIELD, ShapeEvent, ShapeReport

__all__ = ["converter", "lax_int", "parse_datetime", "structure", "structure_items"]

T = TypeVar("T")

_DATETIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?\s*"
    r"(Z|[+-]\d{2}(?::?\d{2})?)?$"
)
_fromisoformat = dt.datetime.fromisoformat


def parse_datetime(value: Any) -> dt.datetime:
    """Parse ISO-8601 and the API's ``"YYYY-MM-DD HH:MM:SS.ffffff"`` (naive means UTC).

    The offset may be ``Z``, ``+HH:MM``, ``+HHMM`` or ``+HH``.
    """
    if isinstance(value, str):
        try:
            cut, suffix = _COMMON_SHAPES[value.encode().translate(_FOLD_DIGITS)]
            return _fromisoformat(value[:cut] + suffix)
        except (KeyError, ValueError):  # another shape, out-of-range fields, a lone surrogate
            pass  # the general path parses it or raises the same error
        return _parse_datetime_text(value)
    if isinstance(value, dt.datetime):
        return value
    raise ValueError(f"expected a datetime string, got {type(value).__name__}")


# The shapes the API sends, with the edit that gives each an explicit offset: ``YYYY-MM-DD``,
# ``T`` or a space, ``HH:MM:SS``, optionally ``.ffffff``, then nothing (naive: UTC), ``Z``
# (Python 3.10's ``fromisoformat`` does not know it) or ``+HH:MM``. ``fromisoformat`` parses
# these exactly as the general path does on every Python version; any other shape (week dates,
# basic format, comma fractions, offsets with seconds, ...) takes the general path, so the
# accepted language does not depend on the Python version. A shape is looked up, not parsed:
# ASCII digits folded to "0" in C, then one dict lookup (about 1,600 instructions against 5,800
# for testing the separators one by one in Python).
_FOLD_DIGITS = bytes.maketrans(b"123456789", b"000000000")
_COMMON_SHAPES: dict[bytes, tuple[int | None, str]] = {
    f"0000-00-00{separator}00:00:00{fraction}{zone}".encode(): edit
    for separator in "T "
    for fraction in ("", ".000000")
    for zone, edit in (
        ("", (None, "+00:00")),
        ("Z", (-1, "+00:00")),
        ("+00:00", (None, "")),
        ("-00:00", (None, "")),
    )
}


def _parse_datetime_text(value: str) -> dt.datetime:
    match = _DATETIME.match(value.strip())
    if match is None:
        raise ValueError(f"not a datetime: {value!r}")
    day, clock, fraction, zone = match.groups()
    if len(clock) == 5:
        clock += ":00"
    micro = f".{(fraction or '0')[:6].ljust(6, '0')}"
    return dt.datetime.fromisoformat(f"{day}T{clock}{micro}{_offset(zone)}")


def _offset(zone: str | None) -> str:
    """``+HH:MM`` for a zone designator (``None`` and ``Z`` are UTC, ``+HH`` is whole hours)."""
    if zone is None or zone == "Z":
        return "+00:00"
    if len(zone) == 3:
        return f"{zone}:00"
    return zone if ":" in zone else f"{zone[:3]}:{zone[3:]}"


class _NoFit(Exception):
    """A value that does not fit where it is: the field path and why (type names only)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class _Mismatch(Exception):
    """Raised by the fast path for anything but exactly the declared shape."""


def _iso_date(value: str) -> dt.date:
    """Exactly ``YYYY-MM-DD`` (the fast path's only date form; others raise)."""
    if len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise _Mismatch
    return dt.date.fromisoformat(value)


# --- shapes: what a declared type accepts, on each path --------------------------------------


class _Context:
    """One lenient structuring: strict or not, and the events seen so far."""

    __slots__ = ("events", "strict")

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.events: list[ShapeEvent] = []

    def coerced(self, place: str, how: str) -> None:
        self.events.append((place, COERCED, how))


Branch = tuple[str | None, str]
"""One branch of the fast path for a present, non-null value: (condition or ``None`` for
"always", expression giving the field's value)."""


class _Shape(abc.ABC):
    """What one declared type accepts: exactly (fast path) and leniently (the other path)."""

    #: Whether ``""`` in an optional field of this type means ``None`` (not for strings).
    empty_is_none = True

    def fast_branches(self, key: str, namespace: dict[str, Any]) -> list[Branch]:
        """Source branches for the generated function; any other value raises there."""
        namespace[f"fast_{key}"] = self.fast
        return [(None, f"fast_{key}(value, sink)")]

    @abc.abstractmethod
    def fast(self, value: Any, sink: list[ShapeEvent] | None) -> Any:
        """``value`` when it has exactly this shape; raise otherwise."""

    @abc.abstractmethod
    def lenient(self, value: Any, ctx: _Context, path: str, place: str) -> Any:
        """``value`` as this type, coerced when the lax rules allow; :class:`_NoFit` if not."""


class _AnyShape(_Shape):
    empty_is_none = False

    def fast_branches(self, key: str, namespace: dict[str, Any]) -> list[Branch]:
        return [(None, "value")]

    def fast(self, value: Any, sink: list[ShapeEvent] | None) -> Any:
        return value

    def lenient(self, value: Any, ctx: _Context, path: str, place: str) -> Any:
        return value


class _StrShape(_Shape):
    empty_is_none = False

    def fast_branches(self, key: str, namespace: dict[str, Any]) -> list[Branch]:
        return [("type(value) is str", "value")]

    def fast(self, value: Any, sink: list[ShapeEvent] | None) -> Any:
        if type(value) is str:
            return value
        raise _Mismatch

    def lenient(self, value: Any, ctx: _Context, path: str, place: str) -> Any:
        if isinstance(value, str):
            return value
        if is_number(value):
            ctx.coerced(place, f"{json_type(value)} to string")
            return str(value)
        raise _NoFit(path, f"expected a string, got {json_type(value)}")


class _IntShape(_Shape):
    def fast_branches(self, key: str, namespace: dict[str, Any]) -> list[Branch]:
        return [("type(value) is int", "value")]

    def fast(self, value: Any, sink: list[ShapeEvent] | None) -> Any:
        if type(value) is int:
            return value
        raise _Mismatch

    def lenient(self, value: Any, ctx: _Context, path: str, place: str) -> Any:
        if type(value) is int:
            return value
        number = lax_int(value)
        if number is None:
            raise _NoFit(path, f"expected an integer, got {json_type(value)}")
        ctx.coerced(place, f"{json_type(value)} to integer")
        return number


class _BoolShape(_Shape):
    def fast_branches(self, key: str, namespace: dict[str, Any]) -> list[Branch]:
        return [("type(value) is bool", "value")]

    def fast(self, value: Any, sink: list[ShapeEvent] | None) -> Any:
        if type(value) is bool:
            return value
        raise _Mismatch

    def lenient(self, value: Any, ctx: _Context, path: str, place: str) -> Any:
        if isinstance(value, bool):
            return value
        flag = lax_bool(value)
        if flag is None:
            raise _NoFit(path, f"expected a boolean, got {json_type(value)}")
        ctx.coerced(place, f"{json_type(value)} to boolean")
        return flag


class _DatetimeShape(_Shape):
    def fast_branches(self, key: str, namespace: dict[str, Any]) -> list[Branch]:
        namespace["parse_datetime"] = parse_datetime  # raises for anything it does not parse
        return [(None, "parse_datetime(value)")]

    def fast(self, value: Any, sink: list[ShapeEvent] | None) -> Any:
        return parse_datetime(value)

    def lenient(self, value: Any, ctx: _Context, path: str, place: str) -> Any:
        if isinstance(value, (str, dt.datetime)):
            try:
                return parse_datetime(value)
            except ValueError:
                pass  # not ISO 8601: maybe a date alone or an epoch
        moment, what = lax_datetime(value)
        if moment is None:
            raise _NoFit(path, f"expected a datetime, got {what}")
        ctx.coerced(place, f"{what} to datetime")
        return moment


class _DateShape(_Shape):
    def fast_branches(self, key: str, namespace: dict[str, Any]) -> list[Branch]:
        namespace["iso_date"] = _iso_date
        return [("type(value) is str", "iso_date(value)")]

    def fast(self, value: Any, sink: list[ShapeEvent] | None) -> Any:
        if type(value) is str:
            return _iso_date(value)
        raise _Mismatch

    def lenient(self, value: Any, ctx: _Context, path: str, place: str) -> Any:
        if isinstance(value, dt.datetime):
            ctx.coerced(place, "datetime to date")
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return _iso_date(value)
            except (_Mismatch, ValueError):
                pass  # maybe a datetime (its date is taken) or an epoch
            try:
                day = parse_datetime(value).date()
            except ValueError:
                pass
            else:
                ctx.coerced(place, "datetime string to date")
                return day
        moment, what = lax_datetime(value)
        if moment is None:
            raise _NoFit(path, f"expected a date, got {what}")
        ctx.coerced(place, f"{what} to date")
        return moment.date()


class _EnumShape(_Shape):
    """A ``str`` field of an open enum: known values become members, others stay strings."""

    empty_is_none = False

    def __init__(self, enum_type: type[OpenEnum]) -> None:
        self.enum_type = enum_type
        # Without a ``_missing_`` hook, ``coerce`` gives the member of a known value and the
        # value itself otherwise: one dictionary lookup does the same, without ``EnumMeta``.
        missing = enum_type._missing_.__func__  # type: ignore[attr-defined]
        self.plain = missing is enum.Enum._missing_.__func__  # type: ignore[attr-defined]
        self.members = enum_type._value2member_map_

    def fast_branches(self, key: str, namespace: dict[str, Any]) -> list[Branch]:
        namespace[f"members_{key}"] = self.members
        if self.plain:
            return [("type(value) is str", f"members_{key}.get(value, value)")]
        namespace[f"coerce_{key}"] = self.enum_type.coerce
        member = f"members_{key}.get(value)"
        return [
            (
                "type(value) is str",
                f"coerce_{key}(value) if (member := {member}) is None else member",
            )
        ]

    def coerce(self, value: str) -> Any:
        """The member for ``value``, or ``value`` itself (:meth:`OpenEnum.coerce`)."""
        return self.members.get(value, value) if self.plain else self.enum_type.coerce(value)

    def fast(self, value: Any, sink: list[ShapeEvent] | None) -> Any:
        if type(value) is str:
            return self.coerce(value)
        raise _Mismatch

    def lenient(self, value: Any, ctx: _Context, path: str, place: str) -> Any:
        if isinstance(value, str):
            return self.coerce(value)
        if is_number(value):
            ctx.coerced(place, f"{json_type(value)} to string")
            return self.coerce(str(value))
        raise _NoFit(path, f"expected a string, got {json_type(value)}")


class _ModelShape(_Shape):
    def __init__(self, cls: type[Model]) -> None:
        self.cls = cls

    def fast_branches(self, key: str, namespace: dict[str, Any]) -> list[Branch]:
        _pending(namespace).append((f"model_{key}", self.cls))
        return [(None, f"model_{key}(value, sink)")]

    def fast(self, value: Any, sink: list[ShapeEvent] | None) -> Any:
        return _fast_function(self.cls)(value, sink)

    def lenient(self, value: Any, ctx: _Context, path: str, place: str) -> Any:
        return _lenient_model(value, self.cls, ctx, path)


class _ListShape(_Shape):
    """``list[X]`` (a list) or ``Sequence[X]`` (a tuple); never built from a non-list."""

    def __init__(self, item: _Shape, container: type) -> None:
        self.item = item
        self.container = container

    def fast_branches(self, key: str, namespace: dict[str, Any]) -> list[Branch]:
        namespace[f"container_{key}"] = self.container
        if isinstance(self.item, _AnyShape):
            return [("type(value) is list", f"container_{key}(value)")]
        if isinstance(self.item, _ModelShape):
            _pending(namespace).append((f"model_{key}", self.item.cls))
            items = f"[model_{key}(item, sink) for item in value]"
            return [("type(value) is list", items if self.container is list else f"tuple({items})")]
        return super().fast_branches(key, namespace)

    def fast(self, value: Any, sink: list[ShapeEvent] | None) -> Any:
        if type(value) is not list:
            raise _Mismatch
        fast = self.item.fast
        return self.container([fast(item, sink) for item in value])

    def lenient(self, value: Any, ctx: _Context, path: str, place: str) -> Any:
        if not isinstance(value, (list, tuple)):
            raise _NoFit(path, f"expected a list, got {json_type(value)}")
        items = [
            _slot(self.item, item, ctx, f"{path}[{index}]", place, required=False, field=False)
            for index, item in enumerate(value)
        ]
        return self.container(items)


class _MappingShape(_Shape):
    """``Mapping[str, X]`` / ``dict[str, X]``: a JSON object, each value structured as ``X``."""

    def __init__(self, value: _Shape) -> None:
        self.value = value

    def fast_branches(self, key: str, namespace: dict[str, Any]) -> list[Branch]:
        if isinstance(self.value, _AnyShape):
            namespace["dict"] = dict
            return [("type(value) is dict", "dict(value)")]
        return super().fast_branches(key, namespace)

    def fast(self, value: Any, sink: list[ShapeEvent] | None) -> Any:
        if type(value) is not dict:
            raise _Mismatch
        fast = self.value.fast
        return {key: fast(item, sink) for key, item in value.items()}

    def lenient(self, value: Any, ctx: _Context, path: str, place: str) -> Any:
        if not isinstance(value, Mapping):
            raise _NoFit(path, f"expected an object, got {json_type(value)}")
        return {
            key: _slot(self.value, item, ctx, f"{path}.{key}", place, required=False, field=False)
            for key, item in value.items()
        }


class _OtherShape(_Shape):
    """A type the policy does not name (a union, a literal...): cattrs' hook, exact or kept."""

    def __init__(self, tp: Any) -> None:
        self.tp = tp

    def fast(self, value: Any, sink: list[ShapeEvent] | None) -> Any:
        return converter.structure(value, self.tp)

    def lenient(self, value: Any, ctx: _Context, path: str, place: str) -> Any:
        try:
            return converter.structure(value, self.tp)
        except Exception as exc:
            raise _NoFit(path, f"not a {self.tp}: {_describe(exc)}") from None


_ANY = _AnyShape()
_EXACT: dict[type[_Shape], type] = {_StrShape: str, _IntShape: int, _BoolShape: bool}
_SCALARS: dict[Any, _Shape] = {
    str: _StrShape(),
    int: _IntShape(),
    bool: _BoolShape(),
    dt.datetime: _DatetimeShape(),
    dt.date: _DateShape(),
}
_LISTS = {list: list, collections.abc.Sequence: tuple, collections.abc.MutableSequence: list}
_MAPPINGS = {dict, collections.abc.Mapping, collections.abc.MutableMapping}


def _optional_inner(tp: Any) -> Any:
    """``X`` for ``X | None`` / ``Optional[X]``, else ``None``."""
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return None
    args = typing.get_args(tp)
    if len(args) != 2 or type(None) not in args:
        return None
    return args[0] if args[1] is type(None) else args[1]


def _shape_for(tp: Any) -> _Shape:
    """The shape of a declared type (``X | None`` is ``X``: null is handled by the field)."""
    inner = _optional_inner(tp)
    if inner is not None:
        tp = inner
    if tp is Any:
        return _ANY
    scalar = _SCALARS.get(tp)
    if scalar is not None:
        return scalar
    if isinstance(tp, type) and issubclass(tp, Model):
        return _ModelShape(tp)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in _LISTS and len(args) == 1:
        return _ListShape(_shape_for(args[0]), _LISTS[origin])
    if origin in _MAPPINGS and len(args) == 2 and args[0] is str:
        return _MappingShape(_shape_for(args[1]))
    return _OtherShape(tp)


# --- the fields of a model -------------------------------------------------------------------


class _NeverSent:
    """A type no JSON value has: the ``exact`` type of fields that always need their shape."""


class _MissingType:
    def __repr__(self) -> str:
        return "MISSING"


_MISSING: Any = _MissingType()


@attrs.frozen
class _FieldPlan:
    name: str
    alias: str
    wire: str
    place: str  # "Model.field", where the report counts this field's events
    shape: _Shape
    exact: type  # values of exactly this type are taken as they are (else a type never seen)
    required: bool
    default: Any

    def absent(self) -> Any:
        """The value of the field when its key is absent (the default, or ``_MISSING``)."""
        if isinstance(self.default, attrs.Factory):  # type: ignore[arg-type]
            return self.default.factory()
        return self.default


@attrs.frozen
class _ModelPlan:
    cls: type[Model]
    name: str
    fields: tuple[_FieldPlan, ...]
    known: frozenset[str]
    #: Slot setters (fields, then ``extra``) when filling the slots is what ``__init__`` does.
    setters: tuple[Callable[[Any, Any], None], ...] | None

    def build(self, values: list[Any], extra: dict[str, Any]) -> Model:
        """The instance holding ``values`` (in field order; ``_MISSING`` for absent keys)."""
        if self.setters is None:
            kwargs = {
                f.alias: v for f, v in zip(self.fields, values, strict=True) if v is not _MISSING
            }
            return self.cls(**kwargs, extra=extra)
        obj = object.__new__(self.cls)
        for field, setter, value in zip(self.fields, self.setters, values, strict=False):
            setter(obj, field.absent() if value is _MISSING else value)
        self.setters[-1](obj, extra)
        return obj


_PLANS: dict[type, _ModelPlan] = {}


def _plan(cls: type[Model]) -> _ModelPlan:
    """The fields of ``cls`` as the converter reads them (built once per class)."""
    plan = _PLANS.get(cls)
    if plan is not None:
        return plan
    attrs.resolve_types(cls)
    fields = []
    for field in attrs.fields(cls):
        if field.name == "extra":
            continue
        enum_type = field.metadata.get("enum")
        shape = _EnumShape(enum_type) if enum_type is not None else _shape_for(field.type)
        fields.append(
            _FieldPlan(
                name=field.name,
                alias=field.alias or field.name,
                wire=field.metadata.get("wire", field.name),
                place=f"{cls.__name__}.{field.name}",
                shape=shape,
                exact=_EXACT.get(type(shape), _NeverSent),
                required=field.default is attrs.NOTHING,
                default=field.default,
            )
        )
    direct = _can_fill_slots(cls, attrs.fields(cls))
    setters = [_slot_setter(cls, name) for name in [*(f.name for f in fields), "extra"]]
    plan = _PLANS[cls] = _ModelPlan(
        cls=cls,
        name=cls.__name__,
        fields=tuple(fields),
        known=frozenset(f.wire for f in fields),
        setters=tuple(setters) if direct else None,
    )
    return plan


# --- the fast path: one generated function per model -----------------------------------------

FastFunction = Callable[[Any, list[ShapeEvent] | None], Any]
_FAST: dict[Any, FastFunction] = {}


def _pending(namespace: dict[str, Any]) -> list[tuple[str, type[Model]]]:
    """Nested models' fast functions, bound in ``namespace`` once the function exists."""
    pending: list[tuple[str, type[Model]]] = namespace.setdefault("__pending__", [])
    return pending


def _fast_function(cls: Any) -> FastFunction:
    """The fast path for ``cls`` (generated once per model class; cattrs for other types)."""
    function = _FAST.get(cls)
    if function is not None:
        return function
    if isinstance(cls, type) and issubclass(cls, Model):
        namespace: dict[str, Any] = {}
        function = _generate(cls, namespace)
        _FAST[cls] = function  # before binding nested models: a model may contain itself
        for name, nested in namespace.pop("__pending__", []):
            namespace[name] = _fast_function(nested)
        return function
    hook = converter.get_structure_hook(cls)

    def structure_other(data: Any, sink: list[ShapeEvent] | None) -> Any:
        return hook(data, cls)

    function = _FAST[cls] = structure_other
    return function


def _generate(cls: type[Model], namespace: dict[str, Any]) -> FastFunction:
    """Generate the fast structure function of ``cls`` as straight-line source.

    The values are read first (see :func:`_read_lines`). Per field: a value of exactly the
    declared type is assigned (``X | None`` is unwrapped here, once); ``None`` (or absence) gives
    ``None`` or the default, and raises for a required field; anything else raises, so that the
    lenient path takes over. Unknown keys go to ``extra`` and, when ``sink`` is a list, are noted
    in it. For a class without converters, validators or ``__attrs_post_init__`` the instance's
    slots are filled directly (what the frozen ``__init__`` would do, without building keyword
    arguments): on its writable twin (see :func:`_writable_twin`) when Python allows one, else
    through the slot descriptors; other classes are called.
    """
    plan = _plan(cls)
    direct = _can_fill_slots(cls, attrs.fields(cls))
    twin = _writable_twin(cls) if direct else None
    namespace.update(
        {
            "Mapping": Mapping,
            "cls": cls,
            "new": object.__new__,
            "type": type,
            "isinstance": isinstance,
            "list": list,
            "tuple": tuple,
            "Mismatch": _Mismatch,
            "MISSING": _MISSING,
            "known": plan.known,
            "note_unknown": _note_unknown,
        }
    )
    lines = ["def structure_model(data, sink):", *_read_lines(plan.fields, namespace)]
    lines.append(_new_instance(direct, twin))
    namespace["twin"] = twin
    for index, field in enumerate(plan.fields):
        if twin is not None:
            assign = f"obj.{field.name} = {{}}".format
        elif direct:
            namespace[f"set_{index}"] = _slot_setter(cls, field.name)
            assign = f"set_{index}(obj, {{}})".format
        else:
            assign = f"kwargs[{field.alias!r}] = {{}}".format
        lines += _field_lines(field, str(index), assign, namespace, direct)
    extra = "{k: v for k, v in data.items() if k not in known}"
    lines += [
        "    if complete or known.issuperset(data):",
        f"        {_assign_extra(direct, twin, '{}')}",
        "    else:  # keys the SDK does not know yet: keep them",
        f"        extra = {extra}",
        f"        {_assign_extra(direct, twin, 'extra')}",
        "        if sink is not None:",
        f"            note_unknown(sink, {plan.name!r}, extra)",
    ]
    if twin is not None:
        lines.append("    obj.__class__ = cls  # complete: from now on a frozen cls instance")
    lines.append("    return obj" if direct else "    return cls(**kwargs)")
    if direct:
        namespace["set_extra"] = _slot_setter(cls, "extra")
    source = "\n".join(lines) + "\n"
    code = compile(source, f"<structure {cls.__module__}.{cls.__qualname__}>", "exec")
    exec(code, namespace)
    function: FastFunction = namespace["structure_model"]
    return function


def _read_lines(fields: tuple[_FieldPlan, ...], namespace: dict[str, Any]) -> list[str]:
    """The source that reads every field's value into ``v0``, ``v1``, ... and sets ``complete``
    when ``data`` holds exactly the declared keys (then no key is left for ``extra``).

    A plain dict holding every declared key (what the API sends) is read with one
    ``operator.itemgetter`` call and its keys checked with one ``len``: about 1,600 and 2,100
    instructions less for a ``Load`` than a ``dict.get`` per field and a ``frozenset.issuperset``.
    Any other mapping, or a dict without some key, is read with ``get`` (absent fields with a
    default other than ``None`` read as ``MISSING``). A dict subclass takes that path too:
    ``__getitem__`` would run its ``__missing__``.
    """
    count = len(fields)
    if count == 0:
        return [
            "    if type(data) is not dict and not isinstance(data, Mapping):",
            "        raise Mismatch",
            "    complete = not data",
        ]
    targets = ", ".join(f"v{index}" for index in range(count))
    reads = ", ".join(
        f"get({field.wire!r})"
        if field.required or field.default is None
        else f"get({field.wire!r}, MISSING)"
        for field in fields
    )
    by_get = ["get = data.get", f"{targets}, = {reads},", "complete = False"]
    namespace["fetch"] = operator.itemgetter(*(field.wire for field in fields))
    fetched = "fetch(data)," if count == 1 else "fetch(data)"  # one key: the bare value
    return [
        f"    if type(data) is dict and len(data) >= {count}:",
        "        try:",
        f"            {targets}, = {fetched}",
        f"            complete = len(data) == {count}",
        "        except KeyError:  # a declared key is absent",
        *(f"            {line}" for line in by_get),
        "    elif isinstance(data, Mapping):",
        *(f"        {line}" for line in by_get),
        "    else:",
        "        raise Mismatch",
    ]


def _note_unknown(sink: list[ShapeEvent], model: str, extra: Mapping[str, Any]) -> None:
    sink.extend((f"{model}.{key}", UNKNOWN_FIELD, "not declared") for key in extra)


def _field_lines(
    field: _FieldPlan,
    key: str,
    assign: Callable[[str], str],
    namespace: dict[str, Any],
    direct: bool,
) -> list[str]:
    """The source that reads one field from ``data`` and assigns it (or its default)."""
    default = field.default
    if field.required:  # present and not null, or the lenient path names what is wrong
        lines = [
            f"    value = v{key}",
            "    if value is None:",
            "        raise Mismatch",
        ]
    elif default is None:  # absent and null both give None
        lines = [
            f"    value = v{key}",
            "    if value is None:",
            f"        {assign('None')}",
        ]
    else:
        lines = [f"    value = v{key}", "    if value is MISSING:"]
        if not direct:
            lines.append("        pass  # the class's __init__ supplies the default")
        elif isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            namespace[f"factory_{key}"] = default.factory
            lines.append(f"        {assign(f'factory_{key}()')}")
        else:
            namespace[f"default_{key}"] = default
            lines.append(f"        {assign(f'default_{key}')}")
        lines += ["    elif value is None:", f"        {assign('None')}"]
    for condition, expression in field.shape.fast_branches(key, namespace):
        lines.append(f"    elif {condition}:" if condition is not None else "    else:")
        lines.append(f"        {assign(expression)}")
        if condition is None:
            return lines
    return [*lines, "    else:", "        raise Mismatch"]


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


def _new_instance(direct: bool, twin: type | None) -> str:
    if not direct:
        return "    kwargs = {}"
    return "    obj = new(twin)" if twin is not None else "    obj = new(cls)"


def _assign_extra(direct: bool, twin: type | None, value: str) -> str:
    if twin is not None:
        return f"obj.extra = {value}"
    return f"set_extra(obj, {value})" if direct else f"kwargs['extra'] = {value}"


def _writable_twin(cls: type) -> type | None:
    """A class with exactly ``cls``'s layout whose instances can be written, or ``None``.

    A frozen slotted instance is filled through each slot descriptor's ``__set__``, a wrapper
    call of about 700 instructions per field; a twin's fields are plain attribute stores of
    about 30. Once every field is set, the instance's ``__class__`` is assigned ``cls`` (Python
    allows it between classes with the same base and the same slots), so callers only ever see
    a frozen ``cls`` instance. Measured: a ``Load`` is built in 3,500 instructions instead of
    12,200. ``None`` when Python refuses the assignment (another layout, another interpreter):
    the descriptors are used then.
    """
    slots = vars(cls).get("__slots__")
    if len(cls.__bases__) != 1 or not isinstance(slots, tuple):
        return None
    # Both: they share one type slot, and attrs' frozen __delattr__ would keep it a Python call.
    generic = {"__setattr__": object.__setattr__, "__delattr__": object.__delattr__}
    namespace: dict[str, object] = {"__slots__": slots, "__module__": __name__, **generic}
    twin = type(f"_Writable{cls.__name__}", cls.__bases__, namespace)
    try:
        probe: Any = object.__new__(twin)
        probe.__class__ = cls
    except TypeError:
        return None
    return twin


# --- the lenient path ------------------------------------------------------------------------


def _lenient_model(data: Any, cls: type[Model], ctx: _Context, path: str) -> Model:
    """``data`` as ``cls`` under the policy; :class:`_NoFit` when it cannot be one."""
    if not isinstance(data, Mapping):
        raise _NoFit(path, f"expected an object for {cls.__name__}, got {json_type(data)}")
    plan = _plan(cls)
    get = data.get
    events = ctx.events
    values: list[Any] = []
    for field in plan.fields:
        raw = get(field.wire, _MISSING)
        if type(raw) is field.exact:  # most values of an odd answer are not odd: no detour
            values.append(raw)
        elif raw is None or raw is _MISSING:
            if field.required:
                state = "missing" if raw is _MISSING else "null"
                raise _NoFit(f"{path}.{field.name}", f"required value is {state}")
            values.append(raw)
        else:
            values.append(_field_value(field, raw, ctx, path, events))
    extra = {key: value for key, value in data.items() if key not in plan.known}
    _note_unknown(events, plan.name, extra)
    try:
        return plan.build(values, extra)
    except Exception as exc:  # a converter of the class refused the values
        raise _NoFit(path, f"cannot build {cls.__name__}: {type(exc).__name__}") from None


def _field_value(
    field: _FieldPlan, raw: Any, ctx: _Context, path: str, events: list[ShapeEvent]
) -> Any:
    """A present, non-null field value: exactly its shape as is, else under the policy."""
    mark = len(events)
    try:
        return field.shape.fast(raw, events)  # the same result the lenient reading would give
    except Exception:
        del events[mark:]  # unknown keys of a nested object: counted again below
    return _slot(field.shape, raw, ctx, f"{path}.{field.name}", field.place, field.required, True)


def _slot(
    shape: _Shape,
    raw: Any,
    ctx: _Context,
    path: str,
    place: str,
    required: bool,
    field: bool,
) -> Any:
    """One present, non-null value of a field (``field``) or of a list/object item in it.

    A value that does not fit is kept as received (counted ``kept_raw`` at ``place``) unless
    the field is required or the structuring strict, where :class:`_NoFit` goes on up.
    """
    if field and not required and shape.empty_is_none and isinstance(raw, str) and not raw:
        ctx.coerced(place, "empty string to null")
        return None
    mark = len(ctx.events)
    try:
        return shape.lenient(raw, ctx, path, place)
    except _NoFit as no_fit:
        if required or ctx.strict:
            raise
        del ctx.events[mark:]  # what was coerced inside a value now kept raw did not happen
        why = no_fit.reason if no_fit.path == path else f"{no_fit.path}: {no_fit.reason}"
        ctx.events.append((place, KEPT_RAW, why))
        return raw


# --- entry points ----------------------------------------------------------------------------


def structure(
    data: Any, cls: type[T], *, strict: bool = False, report: ShapeReport | None = None
) -> T:
    """Structure decoded JSON into ``cls`` under the parsing policy (docs/parsing.md).

    ``strict`` raises for what the lenient policy keeps as received; ``report`` counts the
    lenient events. A required value missing, null or unusable, or (strict) any value that does
    not fit, raises :class:`ResponseDecodeError` naming its path (``Load.data_table.id``).
    """
    fast = _FAST.get(cls)
    if fast is None:
        fast = _fast_function(cls)
    if report is None:
        try:
            result: T = fast(data, None)
        except Exception:  # not exactly the declared shape: the lenient path says what differs
            result = _structure_leniently(data, cls, strict, None)
        return result
    sink: list[ShapeEvent] = []
    try:
        result = fast(data, sink)
    except Exception:
        return _structure_leniently(data, cls, strict, report)  # type: ignore[no-any-return]
    if sink:
        report.record(sink)
    return result


def _structure_leniently(data: Any, cls: Any, strict: bool, report: ShapeReport | None) -> Any:
    name = getattr(cls, "__name__", str(cls))
    if not (isinstance(cls, type) and issubclass(cls, Model)):
        try:
            return converter.structure(data, cls)
        except Exception as exc:  # cattrs raises many kinds; the caller needs one typed error
            raise ResponseDecodeError(f"response does not match {name}: {_describe(exc)}") from exc
    ctx = _Context(strict)
    try:
        result = _lenient_model(data, cls, ctx, name)
    except _NoFit as no_fit:
        # No value in the message: response bodies may carry secrets (webhook endpoint secrets).
        raise ResponseDecodeError(f"response does not match {name}: {no_fit}") from None
    if report is not None and ctx.events:
        report.record(ctx.events)
    return result


def structure_items(
    items: list[Any],
    cls: type[T],
    *,
    strict: bool = False,
    report: ShapeReport | None = None,
    path: str = "results",
) -> list[Any]:
    """Structure the items of a list one by one (a page's ``results``).

    Lenient: an item that cannot be made into ``cls`` at all (not an object, or a required
    value unusable) is kept as received and counted ``kept_raw`` under the model's name, so one
    odd item never fails the list. Strict: it raises, naming the item (``results[3].status``).
    """
    fast = _FAST.get(cls)
    if fast is None:
        fast = _fast_function(cls)
    structured: list[Any] = []
    append = structured.append
    if report is None:
        for item in items:
            try:
                append(fast(item, None))
            except Exception:  # this item differs: only it takes the lenient path
                append(_item_leniently(item, cls, len(structured), strict, None, path))
        return structured
    sink: list[ShapeEvent] = []
    for item in items:
        mark = len(sink)
        try:
            append(fast(item, sink))
        except Exception:
            del sink[mark:]
            append(_item_leniently(item, cls, len(structured), strict, report, path))
    if sink:
        report.record(sink)
    return structured


def _item_leniently(
    item: Any, cls: Any, index: int, strict: bool, report: ShapeReport | None, path: str
) -> Any:
    name = getattr(cls, "__name__", str(cls))
    ctx = _Context(strict)
    where = f"{path}[{index}]"
    try:
        if isinstance(cls, type) and issubclass(cls, Model):
            value: Any = _lenient_model(item, cls, ctx, where)
        else:
            value = _OtherShape(cls).lenient(item, ctx, where, name)
    except _NoFit as no_fit:
        if strict:
            raise ResponseDecodeError(f"response does not match {name}: {no_fit}") from None
        ctx.events = [(name, KEPT_RAW, f"{no_fit.path}: {no_fit.reason}")]
        value = item
    if report is not None and ctx.events:
        report.record(ctx.events)
    return value


def _describe(exc: BaseException) -> str:
    if isinstance(exc, cattrs.BaseValidationError) and exc.exceptions:
        return "; ".join(_describe(e) for e in exc.exceptions)
    return str(exc) or type(exc).__name__


# --- cattrs, for types that are not models ---------------------------------------------------


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
    if is_number(value):
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
    """A cattrs converter for the types around the models (``list[Load]``, a bare ``int``)."""
    conv = cattrs.Converter()
    conv.register_structure_hook(dt.datetime, lambda value, _: parse_datetime(value))
    conv.register_structure_hook(dt.date, _parse_date)
    conv.register_structure_hook(str, _strict_str)
    conv.register_structure_hook(int, _strict_int)
    conv.register_structure_hook(bool, _strict_bool)
    # A predicate, not register(Any): cattrs on Python 3.10 rejects typing.Any as a class.
    conv.register_structure_hook_func(lambda t: t is Any, _identity)
    conv.register_structure_hook_factory(
        lambda t: isinstance(t, type) and issubclass(t, Model),
        lambda t: lambda data, _: structure(data, t),
    )
    return conv


converter = _build_converter()
