"""The parsing policy (docs/parsing.md), over every model found by introspection.

Lax coercions apply, a value that fits nothing is kept as received (never transformed), the
values the SDK depends on are strict, ``strict=True`` raises where the lenient policy keeps, and
every lenient event is counted in a :class:`ShapeReport`.
"""

from __future__ import annotations

import collections.abc
import datetime as dt
import logging
import types
import typing
from typing import Any, cast

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import improvado_async.models as models
from improvado_async import Load, ResponseDecodeError, TemplateValidation, WebhookEndpoint
from improvado_async.models import Model
from improvado_async.models import _converter as converter
from improvado_async.models._converter import structure
from improvado_async.models._shape import ShapeReport
from improvado_async.pagination import to_page

from .wire import call_once

UTC = dt.timezone.utc
MOMENT = dt.datetime(2026, 4, 6, 11, 39, 46, tzinfo=UTC)
EPOCH_SECONDS = int(MOMENT.timestamp())

MODELS: list[type[Model]] = sorted(
    (
        cls
        for cls in vars(models).values()
        if isinstance(cls, type) and issubclass(cls, Model) and cls is not Model
    ),
    key=lambda cls: cls.__name__,
)


# --- introspection -------------------------------------------------------------------------


def declared(cls: type[Model]) -> list[attrs.Attribute[Any]]:
    attrs.resolve_types(cls)
    return [f for f in attrs.fields(cls) if f.name != "extra"]


def inner(tp: Any) -> Any:
    """``X`` for ``X | None``."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0] if len(args) == 1 else tp
    return tp


def kind(field: attrs.Attribute[Any]) -> str:
    """The policy's family of a field's declared type."""
    if "enum" in field.metadata:
        return "enum"
    tp = inner(field.type)
    if tp is Any:
        return "any"
    if isinstance(tp, type) and issubclass(tp, Model):
        return "object"
    origin = typing.get_origin(tp)
    if origin in (list, collections.abc.Sequence):
        return "list"
    if origin in (dict, collections.abc.Mapping):
        return "object"
    names = {bool: "bool", int: "int", str: "str", dt.datetime: "datetime", dt.date: "date"}
    return names[tp]


def required(field: attrs.Attribute[Any]) -> bool:
    return field.default is attrs.NOTHING


def wire(field: attrs.Attribute[Any]) -> str:
    return str(field.metadata.get("wire", field.name))


def minimal(cls: type[Model]) -> dict[str, Any]:
    """The smallest answer ``cls`` accepts: its required values only."""
    values = {"int": 1, "str": "https://example.test/x"}
    data: dict[str, Any] = {}
    for field in declared(cls):
        if required(field):
            tp = inner(field.type)
            data[wire(field)] = minimal(tp) if kind(field) == "object" else values[kind(field)]
    return data


def fields_of(*kinds: str, optional: bool = True) -> list[Any]:
    """``(model, field)`` parameters for every optional field of these kinds, in every model."""
    return [
        pytest.param(cls, field, id=f"{cls.__name__}.{field.name}")
        for cls in MODELS
        for field in declared(cls)
        if kind(field) in kinds and (not optional or not required(field))
    ]


REQUIRED = [
    pytest.param(cls, field, id=f"{cls.__name__}.{field.name}")
    for cls in MODELS
    for field in declared(cls)
    if required(field)
]
STRICT_MODES = [pytest.param(False, id="lenient"), pytest.param(True, id="strict")]


def place(cls: type[Model], field: attrs.Attribute[Any]) -> str:
    return f"{cls.__name__}.{field.name}"


def test_introspection_finds_every_family() -> None:
    # A refactoring of the models that hid a family from these tests would make them vacuous.
    assert len(MODELS) >= 30
    assert {"Load", "Extract", "WebhookEndpoint", "TemplateValidation", "Token", "IframeUrl"} <= {
        cls.__name__ for cls in MODELS
    }
    for kinds in (("bool",), ("datetime",), ("list",), ("object",), ("int",), ("date",)):
        assert fields_of(*kinds), kinds
    assert {p.id for p in REQUIRED} >= {
        "Token.token",
        "IframeUrl.url",
        "MigrateWideResult.new_extract",
        "Load.id",
    }


# --- lax coercions ---------------------------------------------------------------------------


@pytest.mark.parametrize("strict", STRICT_MODES)
@pytest.mark.parametrize(
    ("raw", "expected"),
    [(1, True), (0, False), ("true", True), ("false", False), ("1", True), ("0", False)],
)
@pytest.mark.parametrize(("cls", "field"), fields_of("bool"))
def test_booleans_are_read_from_0_1_and_their_strings(
    cls: type[Model], field: attrs.Attribute[Any], raw: Any, expected: bool, strict: bool
) -> None:
    report = ShapeReport()
    model = structure({**minimal(cls), wire(field): raw}, cls, strict=strict, report=report)
    assert getattr(model, field.name) is expected
    assert report.counts() == {place(cls, field): {"coerced": 1}}


@pytest.mark.parametrize("strict", STRICT_MODES)
@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("2026-04-06", id="date-only"),
        pytest.param(EPOCH_SECONDS, id="epoch-seconds"),
        pytest.param(EPOCH_SECONDS * 1000, id="epoch-milliseconds"),
        pytest.param(float(EPOCH_SECONDS), id="epoch-float"),
        pytest.param(str(EPOCH_SECONDS), id="epoch-string"),
    ],
)
@pytest.mark.parametrize(("cls", "field"), fields_of("datetime"))
def test_datetimes_are_read_from_dates_and_epochs(
    cls: type[Model], field: attrs.Attribute[Any], raw: Any, strict: bool
) -> None:
    report = ShapeReport()
    model = structure({**minimal(cls), wire(field): raw}, cls, strict=strict, report=report)
    value = getattr(model, field.name)
    expected = dt.datetime(2026, 4, 6, tzinfo=UTC) if raw == "2026-04-06" else MOMENT
    assert value == expected and value.tzinfo is not None
    assert report.counts() == {place(cls, field): {"coerced": 1}}


@pytest.mark.parametrize(
    "raw",
    [
        "2026-04-06T11:39:46Z",
        "2026-04-06T13:39:46+02:00",
        "2026-04-06T13:39:46+0200",
        "2026-04-06T13:39:46+02",
        "2026-04-06T11:39:46",
        "2026-04-06 11:39:46.000000",
    ],
)
@pytest.mark.parametrize(("cls", "field"), fields_of("datetime")[:1])
def test_iso_datetimes_are_read_without_a_coercion(
    cls: type[Model], field: attrs.Attribute[Any], raw: str
) -> None:
    report = ShapeReport()
    model = structure({**minimal(cls), wire(field): raw}, cls, strict=True, report=report)
    assert getattr(model, field.name) == MOMENT
    assert report.counts() == {}


@pytest.mark.parametrize("strict", STRICT_MODES)
@pytest.mark.parametrize(("cls", "field"), fields_of("datetime", "date", "int", "bool", "list"))
def test_an_empty_string_is_null_in_optional_fields(
    cls: type[Model], field: attrs.Attribute[Any], strict: bool
) -> None:
    report = ShapeReport()
    model = structure({**minimal(cls), wire(field): ""}, cls, strict=strict, report=report)
    assert getattr(model, field.name) is None
    assert report.counts() == {place(cls, field): {"coerced": 1}}


@pytest.mark.parametrize("strict", STRICT_MODES)
@pytest.mark.parametrize(("raw", "expected"), [("12", 12), (" -3 ", -3), (12.0, 12)])
@pytest.mark.parametrize(("cls", "field"), fields_of("int"))
def test_integers_are_read_from_numeric_strings_and_integral_floats(
    cls: type[Model], field: attrs.Attribute[Any], raw: Any, expected: int, strict: bool
) -> None:
    report = ShapeReport()
    model = structure({**minimal(cls), wire(field): raw}, cls, strict=strict, report=report)
    assert getattr(model, field.name) == expected
    assert type(getattr(model, field.name)) is int
    assert report.counts() == {place(cls, field): {"coerced": 1}}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2025-02-25", dt.date(2025, 2, 25)), ("2025-02-25T10:00:00Z", dt.date(2025, 2, 25))],
)
def test_dates_are_read_from_dates_and_datetimes(raw: str, expected: dt.date) -> None:
    extract = structure({"id": 1, "sync_historical_data": raw}, models.Extract)
    assert extract.sync_historical_data == expected


def test_a_numeric_string_id_is_coerced_but_counted() -> None:
    report = ShapeReport()
    load = structure({"id": "42"}, Load, strict=True, report=report)
    assert load.id == 42
    assert report.counts() == {"Load.id": {"coerced": 1}}


# --- kept as received ------------------------------------------------------------------------

ODD_VALUES = {
    "bool": ["yes", 2, 0.5, [True]],
    "int": ["many", 12.5, True, {"n": 1}],
    "datetime": ["soon", "2026-13-45", True, {"at": 1}],
    "date": ["soon", True],
    "str": [True, {"a": 1}, ["a"]],
    "enum": [True, {"a": 1}, ["a"]],
    "list": ["load_started", {"field": ["a message"]}, 5, True],
    "object": [[1, 2], "text", 5, True],
}


def odd_cases() -> list[Any]:
    return [
        pytest.param(cls, field, raw, id=f"{cls.__name__}.{field.name}={raw!r}")
        for cls in MODELS
        for field in declared(cls)
        if not required(field)
        for raw in ODD_VALUES.get(kind(field), [])
    ]


@pytest.mark.parametrize(("cls", "field", "raw"), odd_cases())
def test_a_value_that_fits_nothing_is_kept_as_received(
    cls: type[Model], field: attrs.Attribute[Any], raw: Any
) -> None:
    report = ShapeReport()
    model = structure({**minimal(cls), wire(field): raw}, cls, report=report)
    assert getattr(model, field.name) == raw
    assert type(getattr(model, field.name)) is type(raw)  # a string is never iterated
    assert report.counts() == {place(cls, field): {"kept_raw": 1}}


@pytest.mark.parametrize(("cls", "field", "raw"), odd_cases())
def test_strict_raises_naming_the_field_instead_of_keeping(
    cls: type[Model], field: attrs.Attribute[Any], raw: Any
) -> None:
    with pytest.raises(ResponseDecodeError) as info:
        structure({**minimal(cls), wire(field): raw}, cls, strict=True)
    assert f"{cls.__name__}.{field.name}" in str(info.value)


def test_the_reported_corruptions_are_gone() -> None:
    # Before: ['l', 'o', 'a', ...] and ['field'] (the keys of the object, messages lost).
    endpoint = structure({"id": 5, "event_types": "load_started"}, WebhookEndpoint)
    assert cast(Any, endpoint.event_types) == "load_started"
    errors = {"fields": ["unknown field: spend"]}
    validation = structure({"valid": False, "errors": errors}, TemplateValidation)
    assert cast(Any, validation.errors) == errors


def test_list_items_that_fit_nothing_are_kept_in_place() -> None:
    report = ShapeReport()
    table = structure(
        {"id": 1, "fields": [{"name": "spend"}, "clicks", {"name": "date", "selected": "no"}]},
        models.DataTable,
        report=report,
    )
    assert table.fields is not None
    first, second, third = table.fields
    assert first == models.DataTableField(name="spend")
    assert cast(Any, second) == "clicks"
    assert cast(Any, third).selected == "no"
    assert table.selected_field_names == ["spend", "date"]
    assert report.counts() == {
        "DataTable.fields": {"kept_raw": 1},
        "DataTableField.selected": {"kept_raw": 1},
    }
    with pytest.raises(ResponseDecodeError, match=r"DataTable\.fields\[1\]"):
        structure({"id": 1, "fields": [{"name": "spend"}, "clicks"]}, models.DataTable, strict=True)


def test_a_nested_object_that_cannot_be_a_model_is_kept_or_named_in_strict_mode() -> None:
    report = ShapeReport()
    answer = {"id": 7, "data_table": {"title": "no id", "datasource_name": 5}}
    load = structure(answer, Load, report=report)
    assert cast(Any, load.data_table) == {"title": "no id", "datasource_name": 5}
    # The coercion of datasource_name inside the object kept raw did not happen: not counted.
    assert report.counts() == {"Load.data_table": {"kept_raw": 1}}
    with pytest.raises(ResponseDecodeError, match=r"Load\.data_table\.id: required value"):
        structure(answer, Load, strict=True)


def test_a_category_string_is_one_category() -> None:
    source = structure({"name": "facebook", "categories": "ads"}, models.DataSource)
    assert source.categories == "ads"
    assert source.all_categories == ["ads"]


# --- strict where the SDK depends on the value -----------------------------------------------


@pytest.mark.parametrize("strict", STRICT_MODES)
@pytest.mark.parametrize("absent", [False, True], ids=["null", "missing"])
@pytest.mark.parametrize(("cls", "field"), REQUIRED)
def test_a_required_value_null_or_missing_is_a_typed_error_naming_it(
    cls: type[Model], field: attrs.Attribute[Any], absent: bool, strict: bool
) -> None:
    data = minimal(cls)
    if absent:
        del data[wire(field)]
    else:
        data[wire(field)] = None
    with pytest.raises(ResponseDecodeError) as info:
        structure(data, cls, strict=strict)
    state = "missing" if absent else "null"
    assert f"{cls.__name__}.{field.name}: required value is {state}" in str(info.value)


@pytest.mark.parametrize("strict", STRICT_MODES)
@pytest.mark.parametrize(("cls", "field"), [p for p in REQUIRED if str(p.id).endswith(".id")])
def test_an_unusable_id_is_an_error_even_when_lenient(
    cls: type[Model], field: attrs.Attribute[Any], strict: bool
) -> None:
    with pytest.raises(ResponseDecodeError, match=rf"{cls.__name__}\.id: expected an integer"):
        structure({**minimal(cls), "id": "seven"}, cls, strict=strict)


def test_a_required_nested_model_is_strict_all_the_way_down() -> None:
    with pytest.raises(ResponseDecodeError, match=r"MigrateWideResult\.new_extract\.id"):
        structure({"new_extract": {"title": "no id"}}, models.MigrateWideResult)


def test_errors_and_logs_never_hold_the_values(caplog: pytest.LogCaptureFixture) -> None:
    secret = "whsec_do_not_print"
    answer = {"id": 5, "secret": {"value": secret}, "url": [secret]}
    with pytest.raises(ResponseDecodeError) as info:
        structure(answer, WebhookEndpoint, strict=True)
    assert secret not in str(info.value)
    caplog.set_level(logging.DEBUG, logger="improvado.shape")
    structure({**answer, "later": secret}, WebhookEndpoint, report=ShapeReport())
    assert caplog.records
    assert all(secret not in record.getMessage() for record in caplog.records)
    with pytest.raises(ResponseDecodeError) as token_error:
        structure({"token": ["tok_secret"]}, models.Token)
    assert "tok_secret" not in str(token_error.value)


# --- the report ------------------------------------------------------------------------------


def test_the_report_counts_per_place_and_kind_and_logs_each_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="improvado.shape")
    report = ShapeReport()
    answer = {"id": 1, "status": 3, "uploaded_rows_count": "oops", "brand_new": {"x": 1}}
    for _ in range(3):
        structure(answer, Load, report=report)
    assert report.counts() == {
        "Load.brand_new": {"unknown_field": 3},
        "Load.status": {"coerced": 3},
        "Load.uploaded_rows_count": {"kept_raw": 3},
    }
    logged = [r.getMessage() for r in caplog.records if r.name == "improvado.shape"]
    assert len(logged) == 3
    assert all(r.levelno == logging.DEBUG for r in caplog.records)
    report.clear()
    assert report.counts() == {}
    structure(answer, Load, report=report)
    assert report.counts()["Load.status"] == {"coerced": 1}
    assert len([r for r in caplog.records if r.name == "improvado.shape"]) == 3


def test_a_conforming_answer_with_an_unknown_key_counts_only_that_key() -> None:
    report = ShapeReport()
    data_table = {"id": 2, "title": "t", "later": True}
    structure({"id": 1, "data_table": data_table, "status": "success"}, Load, report=report)
    assert report.counts() == {"LoadDataTable.later": {"unknown_field": 1}}


# --- pages -----------------------------------------------------------------------------------

PAGE_MODELS = [cls for cls in MODELS if "id" in {f.name for f in declared(cls) if required(f)}]


def odd_field(cls: type[Model]) -> tuple[attrs.Attribute[Any], Any]:
    """An optional field of ``cls`` and a value that fits nothing there."""
    for field in declared(cls):
        if not required(field) and kind(field) in ODD_VALUES:
            return field, ODD_VALUES[kind(field)][0]
    raise AssertionError(f"{cls.__name__} has no optional typed field")


def page_with(cls: type[Model], index: int, item: Any) -> dict[str, Any]:
    items: list[Any] = [{**minimal(cls), "id": n} for n in range(5)]
    items[index] = item
    return {"count": 5, "next": None, "previous": None, "results": items}


@pytest.mark.parametrize("cls", PAGE_MODELS, ids=lambda cls: cls.__name__)
def test_a_bad_item_in_a_page_is_kept_and_the_rest_structured(cls: type[Model]) -> None:
    field, raw = odd_field(cls)
    report = ShapeReport()
    page = to_page(page_with(cls, 3, {**minimal(cls), wire(field): raw}), cls, 1, report=report)
    assert [type(item) for item in page.results] == [cls] * 5
    assert getattr(page.results[3], field.name) == raw
    assert report.counts() == {place(cls, field): {"kept_raw": 1}}


@pytest.mark.parametrize("cls", PAGE_MODELS, ids=lambda cls: cls.__name__)
def test_strict_names_the_index_of_a_bad_item(cls: type[Model]) -> None:
    field, raw = odd_field(cls)
    data = page_with(cls, 3, {**minimal(cls), wire(field): raw})
    with pytest.raises(ResponseDecodeError, match=rf"results\[3\]\.{field.name}\b"):
        to_page(data, cls, 1, strict=True)


@pytest.mark.parametrize("item", [{"title": "no id"}, {"id": None}, "load", 5, [1]], ids=repr)
@pytest.mark.parametrize("cls", PAGE_MODELS, ids=lambda cls: cls.__name__)
def test_an_item_that_cannot_be_the_model_is_kept_as_received(cls: type[Model], item: Any) -> None:
    report = ShapeReport()
    page = to_page(page_with(cls, 2, item), cls, 1, report=report)
    assert page.results[2] == item
    assert [type(x) for x in page.results[:2] + page.results[3:]] == [cls] * 4  # type: ignore[operator]
    assert report.counts() == {cls.__name__: {"kept_raw": 1}}
    with pytest.raises(ResponseDecodeError, match=r"results\[2\]"):
        to_page(page_with(cls, 2, item), cls, 1, strict=True)


def test_a_plain_list_page_follows_the_same_policy() -> None:
    page = to_page([{"id": 1}, {"id": 2, "created_at": "2026-04-06"}, "odd"], Load, 1)
    assert page.count == 3
    assert page.results[1].created_at == dt.datetime(2026, 4, 6, tzinfo=UTC)
    assert cast(Any, page.results[2]) == "odd"
    with pytest.raises(ResponseDecodeError, match=r"results\[2\]: expected an object"):
        to_page([{"id": 1}, {"id": 2}, "odd"], Load, 1, strict=True)


@pytest.mark.parametrize(("count", "expected"), [(7, 7), ("7", 7), (7.0, 7), (None, 1)], ids=repr)
def test_the_page_count_is_an_integer_or_absent(count: Any, expected: int) -> None:
    data: dict[str, Any] = {"results": [{"id": 1}], "next": None}
    if count is not None:
        data["count"] = count
    report = ShapeReport()
    assert to_page(data, Load, 1, strict=True, report=report).count == expected
    assert report.counts() == (
        {"Page.count": {"coerced": 1}} if isinstance(count, (str, float)) else {}
    )


@pytest.mark.parametrize("count", ["many", True, [3], 7.5], ids=repr)
def test_a_page_count_that_is_no_count_is_an_error(count: Any) -> None:
    with pytest.raises(ResponseDecodeError, match="count must be an integer"):
        to_page({"count": count, "results": [{"id": 1}]}, Load, 1)


@pytest.mark.parametrize("results", [None, {"id": 1}, "x"], ids=repr)
def test_a_page_without_a_results_list_is_an_error(results: Any) -> None:
    with pytest.raises(ResponseDecodeError, match="'results'"):
        to_page({"count": 1, "results": results}, Load, 1)


# --- the fast path and the lenient path agree ------------------------------------------------

SCALARS: dict[str, st.SearchStrategy[Any]] = {
    "bool": st.booleans(),
    "int": st.integers(-(10**12), 10**12),
    "str": st.text(max_size=6),
    "enum": st.sampled_from(["success", "active", "load_started", "daily", "brand_new"]),
    "datetime": st.sampled_from(
        ["2026-04-06T11:39:46Z", "2026-04-06 11:39:46.752000", "2026-04-06T11:39:46+05:30"]
    ),
    "date": st.sampled_from(["2025-02-25", "2024-12-31"]),
    "any": st.none() | st.integers() | st.text(max_size=3) | st.lists(st.integers(), max_size=2),
}
ODD = st.sampled_from(
    ["", "1", "true", "2026-04-06", 0, 1, 1.0, 2.5, True, "x", [], ["a"], {}, {"a": 1}]
)


def conforming(tp: Any, field: attrs.Attribute[Any] | None, depth: int) -> st.SearchStrategy[Any]:
    """Answers of exactly the declared shape (with unknown keys in objects)."""
    if field is not None and "enum" in field.metadata:
        return SCALARS["enum"]
    tp = inner(tp)
    if isinstance(tp, type) and issubclass(tp, Model):
        return answers(tp, depth + 1, odd=False)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (list, collections.abc.Sequence):
        return st.lists(conforming(args[0], None, depth + 1), max_size=2 if depth < 2 else 0)
    if origin in (dict, collections.abc.Mapping):
        return st.dictionaries(
            st.text(max_size=3), conforming(args[1], None, depth + 1), max_size=2
        )
    names = {bool: "bool", int: "int", str: "str", dt.datetime: "datetime", dt.date: "date"}
    return SCALARS[names.get(tp, "any")]


@st.composite
def answer_of(draw: st.DrawFn, cls: type[Model], depth: int, odd: bool) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field in declared(cls):
        choice = draw(st.sampled_from(["value", "absent", "null", "odd"] if odd else ["value"]))
        if choice == "absent" and not required(field):
            continue
        if choice == "null" and not required(field):
            data[wire(field)] = None
        elif choice == "odd":
            data[wire(field)] = draw(ODD)
        else:
            data[wire(field)] = draw(conforming(field.type, field, depth))
    if draw(st.booleans()):
        data["not_declared"] = draw(ODD)
    return data


def answers(cls: type[Model], depth: int = 0, *, odd: bool) -> st.SearchStrategy[dict[str, Any]]:
    return answer_of(cls, depth, odd)


def same(a: Any, b: Any) -> bool:
    """Equal, of the same types, ``extra`` included (attrs equality ignores ``extra``)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, Model):
        return all(same(getattr(a, f.name), getattr(b, f.name)) for f in attrs.fields(type(a)))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return bool(a == b)


def lenient_only(data: Any, cls: type[Model], report: ShapeReport) -> Any:
    try:
        return ("ok", converter._structure_leniently(data, cls, False, report))
    except ResponseDecodeError:
        return ("error", None)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(MODELS).flatmap(lambda cls: st.tuples(st.just(cls), answers(cls, odd=False)))
)
def test_a_conforming_answer_takes_the_fast_path_and_agrees_with_the_lenient_one(
    case: tuple[type[Model], dict[str, Any]],
) -> None:
    cls, data = case
    fast_events: list[Any] = []
    fast = converter._fast_function(cls)(data, fast_events)  # raises if it would fall back
    report = ShapeReport()
    outcome, lenient = lenient_only(data, cls, report)
    assert outcome == "ok" and same(fast, lenient)
    kinds = {kind for counted in report.counts().values() for kind in counted}
    assert kinds <= {"unknown_field"}
    assert len(fast_events) == sum(sum(c.values()) for c in report.counts().values())


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(MODELS).flatmap(lambda cls: st.tuples(st.just(cls), answers(cls, odd=True))))
def test_any_answer_gives_the_lenient_paths_result(
    case: tuple[type[Model], dict[str, Any]],
) -> None:
    cls, data = case
    expected = lenient_only(data, cls, ShapeReport())
    got: tuple[str, Any]
    try:
        got = ("ok", structure(data, cls))
    except ResponseDecodeError:
        got = ("error", None)
    assert got[0] == expected[0] and same(got[1], expected[1])
    if got[0] == "ok":  # strict mode accepts exactly the answers with no value kept raw
        report = ShapeReport()
        structure(data, cls, report=report)
        kept = any("kept_raw" in counted for counted in report.counts().values())
        try:
            structure(data, cls, strict=True)
        except ResponseDecodeError:
            assert kept
        else:
            assert not kept


# --- through the client, per model family ----------------------------------------------------


async def test_loads_get_reads_dates_and_epochs() -> None:
    answer = {"id": 7, "last_update": "2026-04-06", "created_at": EPOCH_SECONDS * 1000}
    load, _ = await call_once(lambda c: c.loads.get(7), method="GET", response=answer)
    assert load.last_update == dt.datetime(2026, 4, 6, tzinfo=UTC)
    assert load.created_at == MOMENT


async def test_loads_list_keeps_a_bad_item_and_the_page() -> None:
    answer = {"count": 3, "next": None, "previous": None, "results": [{"id": 1}, "odd", {"id": 3}]}
    page, _ = await call_once(lambda c: c.loads.list().first_page(), method="GET", response=answer)
    assert [getattr(item, "id", item) for item in page.results] == [1, "odd", 3]


async def test_accounts_read_0_1_booleans() -> None:
    answer = [{"id": 1, "is_active": 1, "enabled_for_embedded_extraction": "false"}]
    page, _ = await call_once(
        lambda c: c.accounts.list(4).first_page(), method="GET", response=answer
    )
    account = page.results[0]
    assert account.is_active is True and account.enabled_for_embedded_extraction is False


async def test_extracts_get_reads_a_number_account_id_and_a_datetime_backfill() -> None:
    answer = {"id": 5, "account_id": 123, "sync_historical_data": "2025-02-25T00:00:00Z"}
    extract, _ = await call_once(lambda c: c.extracts.get(5), method="GET", response=answer)
    assert extract.account_id == "123"
    assert extract.sync_historical_data == dt.date(2025, 2, 25)


async def test_extracts_migrate_wide_without_the_new_extract_is_a_typed_error() -> None:
    with pytest.raises(ResponseDecodeError, match=r"MigrateWideResult\.new_extract"):
        await call_once(
            lambda c: c.extracts.migrate_wide(extract_id=5),
            method="POST",
            response={"new_extract": None, "source_extract": {"id": 5}},
        )


async def test_webhook_endpoint_event_types_string_is_kept() -> None:
    answer = {"id": 5, "event_types": "load_completed", "secret": "whsec_x"}
    endpoint, _ = await call_once(
        lambda c: c.webhook_endpoints.get(5), method="GET", response=answer
    )
    assert endpoint.event_types == "load_completed"


async def test_template_validation_errors_object_is_kept() -> None:
    answer = {"valid": 0, "errors": {"fields": ["unknown field: spend"]}}
    result, _ = await call_once(
        lambda c: c.extract_templates.validate(3, accounts=[1]), method="POST", response=answer
    )
    assert result.valid is False
    assert result.errors == {"fields": ["unknown field: spend"]}


async def test_a_null_token_is_a_typed_error() -> None:
    with pytest.raises(ResponseDecodeError, match=r"Token\.token: required value is null"):
        await call_once(
            lambda c: c.auth.create_token(workspace_id=1), method="POST", response={"token": None}
        )


async def test_a_null_iframe_url_is_a_typed_error() -> None:
    with pytest.raises(ResponseDecodeError, match=r"IframeUrl\.url: required value is null"):
        await call_once(
            lambda c: c.iframe.get_url(workspace_id=1), method="POST", response={"url": None}
        )
