"""Command-line strings as the values a client method takes, read from its type hints.

Lists come comma-separated (``int``/``str`` items), numbers and dates as text, objects as JSON
shaped to the hint: JSON object keys are strings, so they become the mapping's key type, and the
objects of a list of models become models.
"""

from __future__ import annotations

import argparse
import datetime as dt
import enum
import json
import re
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from .models._base import NotGiven

__all__ = ["Spec", "coerce_json", "spec_for"]


def _members(annotation: Any) -> list[Any]:
    """The members of a union except None and NOT_GIVEN (a plain type is its only member)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = typing.get_args(annotation)
    else:
        members = (annotation,)
    return [m for m in members if m not in (type(None), NotGiven)]


def _is_sequence(tp: Any) -> bool:
    return typing.get_origin(tp) in (list, tuple, Sequence) or tp in (list, tuple)


def _is_mapping(tp: Any) -> bool:
    return typing.get_origin(tp) in (dict, Mapping) or tp is dict


def _scalar_item(tp: Any) -> type | None:
    """``int`` or ``str`` when ``tp`` is a list of those (or one value or such a list)."""
    for member in _members(tp):
        if _is_sequence(member):
            inner = (typing.get_args(member) or (str,))[0]
            if inner in (int, str):
                return typing.cast(type, inner)
    return None


@attrs.frozen
class Spec:
    """How one parameter is read from the command line."""

    kind: str  # "flag", "list", "value"
    convert: Callable[[str], Any]
    metavar: str
    hint: str


def spec_for(annotation: Any, name: str) -> Spec:
    """The option kind, converter, metavar and help hint of a parameter's type."""
    members = _members(annotation)
    if members == [bool]:
        return Spec("flag", str, "", "")
    item = _scalar_item(annotation)
    if item is not None:
        noun = "ids" if item is int else "values"
        return Spec("list", _list_converter(item), "A,B", f"{noun}: repeat or comma-separate")
    if members in ([int], [float]):
        metavar = "ID" if name.endswith("_id") else "N"
        return Spec("value", _nullable(_scalar_converter(members[0]), annotation), metavar, "")
    if dt.date in members:
        return Spec("value", _nullable(str, annotation), "YYYY-MM-DD", "")
    if len(members) == 1 and isinstance(members[0], type) and issubclass(members[0], enum.Enum):
        values = ", ".join(str(m.value) for m in members[0])
        return Spec("value", str, "VALUE", f"one of {values}")
    if members == [str]:
        return Spec("value", str, "TEXT", "")
    convert = _nullable(_json_converter(annotation), annotation)
    return Spec("value", convert, "JSON", _json_hint(annotation))


def _json_hint(annotation: Any) -> str:
    examples = [_example(member) for member in _members(annotation)]
    shown = [json.dumps(e) for e in examples if e is not None]
    return "JSON, e.g. " + " or ".join(shown) if shown else "JSON"


_SCALAR_EXAMPLES: dict[Any, Any] = {int: 1, float: 1.5, bool: True, str: "text"}


def _example(tp: Any) -> Any:
    """A JSON example of a type hint; None when the hint does not fix one (``Any``)."""
    if tp in _SCALAR_EXAMPLES:
        return _SCALAR_EXAMPLES[tp]
    args = typing.get_args(tp)
    if _is_mapping(tp) and len(args) == 2:
        value = _example(args[1])
        key = "1" if args[0] is int else "key"
        return None if value is None else {key: value}
    if _is_sequence(tp) and args:
        item = _example(args[0])
        return None if item is None else [item]
    if attrs.has(tp):
        hints = typing.get_type_hints(tp)
        fields = [f for f in attrs.fields(tp) if f.default is attrs.NOTHING]
        values = {f.name: _example(hints.get(f.name)) for f in fields}
        return None if None in values.values() else values
    return None


def _nullable(convert: Callable[[str], Any], annotation: Any) -> Callable[[str], Any]:
    """Read ``none`` (or ``null``) as None where the parameter takes None (no limit, clear it)."""
    if type(None) not in typing.get_args(annotation):
        return convert

    def convert_or_none(text: str) -> Any:
        return None if text.strip().lower() in ("none", "null") else convert(text)

    return convert_or_none


def _scalar_converter(tp: type) -> Callable[[str], Any]:
    def convert(text: str) -> Any:
        try:
            return tp(text)
        except ValueError:
            kind = "an integer" if tp is int else "a number"
            raise argparse.ArgumentTypeError(f"must be {kind}, got {text!r}") from None

    return convert


def _list_converter(item: type) -> Callable[[str], list[Any]]:
    """Split one option value on commas (the option may also be repeated)."""

    def convert(text: str) -> list[Any]:
        values = [v.strip() for v in text.split(",") if v.strip()]
        if item is int:
            try:
                return [int(v) for v in values]
            except ValueError:
                raise argparse.ArgumentTypeError(
                    f"expected integers separated by commas, got {text!r}"
                ) from None
        return values

    return convert


def _json_converter(annotation: Any) -> Callable[[str], Any]:
    def convert(text: str) -> Any:
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"not valid JSON ({exc})") from None
        try:
            return coerce_json(value, annotation)
        except (TypeError, ValueError) as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return convert


class _ShapeError(ValueError):
    """The JSON value is of another kind (object, array, number...) than a type hint member."""

    def __init__(self, expected: str, value: Any) -> None:
        super().__init__(f"expected {expected}, got {json.dumps(value)}")
        self.expected = expected


def coerce_json(value: Any, annotation: Any) -> Any:
    """Decoded JSON shaped to a parameter's type hint.

    JSON object keys are always strings, so keys become the mapping's key type (``{"7": true}``
    for ``Mapping[int, bool]`` is ``{7: True}``), and objects in a list of models become models.

    Raises:
        ValueError: the value fits no member of the type hint (the message says why).
    """
    if value is None:
        return None
    expected: list[str] = []
    problems: list[str] = []
    for member in _members(annotation):
        try:
            return _coerce_member(value, member)
        except _ShapeError as exc:
            expected.append(exc.expected)
        except (TypeError, ValueError) as exc:
            problems.append(str(exc))  # the right kind of value, wrong inside: say what
    if problems:
        raise ValueError("; ".join(problems))
    raise _ShapeError(" or ".join(dict.fromkeys(expected)), value)


def _coerce_member(value: Any, tp: Any) -> Any:
    if tp is Any or tp is object:
        return value
    if _is_mapping(tp):
        if not isinstance(value, dict):
            raise _ShapeError("a JSON object", value)
        key_type, value_type = typing.get_args(tp) or (Any, Any)
        return {
            _coerce_key(k, key_type): _nested(v, value_type, f"value of {k!r}")
            for k, v in value.items()
        }
    if _is_sequence(tp):
        if not isinstance(value, list):
            raise _ShapeError("a JSON array", value)
        (item_type,) = typing.get_args(tp) or (Any,)
        return [_nested(item, item_type, f"item {n}") for n, item in enumerate(value, 1)]
    if attrs.has(tp):
        return _structure(value, tp)
    if tp in (int, float, str, bool):
        if type(value) is tp or (tp is float and type(value) is int):
            return value
        raise _ShapeError(_JSON_NAMES[tp], value)
    return value


_JSON_NAMES = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}


def _nested(value: Any, annotation: Any, where: str) -> Any:
    """A value inside an object or array: its problems are the container's, not its shape."""
    try:
        return coerce_json(value, annotation)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


def _coerce_key(key: str, key_type: Any) -> Any:
    if key_type is int:
        if not re.fullmatch(r"-?[0-9]+", key):
            raise ValueError(f"key {key!r} is not an integer")
        return int(key)
    return key


def _structure(value: Any, cls: type[Any]) -> Any:
    """A JSON object as an attrs model, each field checked against its type hint."""
    if not isinstance(value, dict):
        raise _ShapeError("a JSON object", value)
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in attrs.fields(cls) if f.init and f.name != "extra"}
    unknown = sorted(set(value) - set(fields))
    missing = [n for n, f in fields.items() if f.default is attrs.NOTHING and n not in value]
    if unknown or missing:
        wanted = ", ".join(fields)
        raise ValueError(
            f"{cls.__name__} takes the keys {wanted}; {_key_problem(unknown, missing)}"
        )
    return cls(**{name: _nested(item, hints[name], name) for name, item in value.items()})


def _key_problem(unknown: list[str], missing: list[str]) -> str:
    parts = []
    if missing:
        parts.append("missing " + ", ".join(missing))
    if unknown:
        parts.append("unknown " + ", ".join(unknown))
    return "; ".join(parts)
