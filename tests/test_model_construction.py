"""Models built by the fast structure path are exactly what their constructors build.

The generated structure functions fill a writable twin of each frozen model and then assign the
instance's ``__class__`` (see ``_writable_twin``): these tests hold that the object a caller gets
is an ordinary, frozen instance of the declared class, equal to the constructor's, picklable,
and that no model silently falls back to the slower descriptor path.
"""

from __future__ import annotations

import copy
import datetime as dt
import pickle
import typing
from typing import Any

import attrs
import pytest

import improvado_async.models as models
from improvado_async.models import Load, LoadDataTable
from improvado_async.models._base import Model
from improvado_async.models._converter import _can_fill_slots, _writable_twin, structure

MODELS = sorted(
    (
        value
        for value in (getattr(models, name) for name in models.__all__)
        if isinstance(value, type) and issubclass(value, Model) and value is not Model
    ),
    key=lambda cls: cls.__name__,
)

LOAD = {
    "id": 3001,
    "data_table": {"id": 1001, "title": "Facebook Ads Daily", "datasource_name": "facebook"},
    "data_table_id": 1001,
    "destination_connection_id": 2001,
    "destination_name": "bigquery",
    "destination_table": "facebook_ads_daily",
    "run_policy": "after_extraction",
    "status": "success",
    "last_update": "2026-11-20T08:15:42.123456+00:00",
    "error_text": None,
    "uploaded_rows_count": 1284331,
    "created_at": "2026-10-01T12:00:00.000000+00:00",
    "schedule": {"type": "daily", "time": "04:30"},
}


def _minimal(cls: type[Model]) -> dict[str, Any]:
    """The smallest answer ``cls`` accepts: its required fields only."""
    hints = typing.get_type_hints(cls)
    data: dict[str, Any] = {}
    for field in attrs.fields(cls):
        if field.default is not attrs.NOTHING:
            continue
        kind = hints[field.name]
        wire = field.metadata.get("wire", field.name)
        if kind is int:
            data[wire] = 7
        elif kind is str:
            data[wire] = "x"
        elif isinstance(kind, type) and issubclass(kind, Model):
            data[wire] = _minimal(kind)
        else:  # pragma: no cover - a new kind of required field: extend this helper
            raise AssertionError(f"{cls.__name__}.{field.name}: no sample for {kind}")
    return data


def _rebuilt(obj: Model) -> Model:
    """The same object made by its class's constructor."""
    cls = type(obj)
    return cls(**{field.name: getattr(obj, field.name) for field in attrs.fields(cls)})


def test_a_structured_load_is_a_plain_frozen_load_equal_to_the_constructed_one() -> None:
    load = structure(LOAD, Load)

    assert type(load) is Load
    assert type(load.data_table) is LoadDataTable
    assert load == _rebuilt(load)
    assert load.last_update == dt.datetime(2026, 11, 20, 8, 15, 42, 123456, tzinfo=dt.timezone.utc)
    assert repr(load).startswith("Load(id=3001, data_table=LoadDataTable(id=1001")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        load.status = "failed"  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        del load.status  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(load)) == load
    assert copy.deepcopy(load) == load
    assert attrs.evolve(load, error_text="boom").error_text == "boom"


def test_unknown_keys_still_go_to_extra_on_the_fast_path() -> None:
    load = structure({**LOAD, "priority": "high"}, Load)

    assert type(load) is Load
    assert load.extra == {"priority": "high"}


def test_an_absent_key_and_an_unknown_one_of_the_same_count_are_told_apart() -> None:
    # Every declared key but one, plus one unknown: as many keys as declared, not the same keys.
    data = {key: value for key, value in LOAD.items() if key != "error_text"}
    load = structure({**data, "priority": "high"}, Load)

    assert load.error_text is None
    assert load.extra == {"priority": "high"}
    assert load == structure({**LOAD, "priority": "high"}, Load)


class _Defaulting(dict[str, Any]):
    """A mapping whose subscript invents values (like ``collections.defaultdict``)."""

    def __missing__(self, key: str) -> Any:
        self[key] = "invented"
        return "invented"


def test_a_dict_subclass_is_read_without_running_its_missing_hook() -> None:
    data = _Defaulting({key: value for key, value in LOAD.items() if key != "error_text"})
    load = structure(data, Load)

    assert load.error_text is None
    assert "error_text" not in data  # nothing was added to the caller's mapping
    assert load.extra == {}


@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__name__)
def test_every_model_is_filled_through_its_writable_twin(cls: type[Model]) -> None:
    # A model whose layout Python refused would silently take the slower descriptor path.
    if _can_fill_slots(cls, attrs.fields(cls)):
        assert _writable_twin(cls) is not None
    obj = structure(_minimal(cls), cls)

    assert type(obj) is cls
    assert obj == _rebuilt(obj)
    assert pickle.loads(pickle.dumps(obj)) == obj
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        obj.extra = {}  # type: ignore[misc]
