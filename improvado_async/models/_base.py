"""Base classes for response models (forward-compatible attrs classes, open enums) and the
"argument not given" sentinel shared by the services."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Final, Literal

import attrs

__all__ = ["NOT_GIVEN", "Model", "NotGiven", "OpenEnum", "enum_field", "wire_field"]


class NotGiven(enum.Enum):
    """The type of :data:`NOT_GIVEN`: "leave this field out of the request".

    Used where ``None`` is a meaningful value to send (JSON ``null``), e.g. clearing an
    extract's ``sync_historical_data`` or a load's ``schedule``.
    """

    NOT_GIVEN = "NOT_GIVEN"

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> Literal[False]:
        return False


NOT_GIVEN: Final = NotGiven.NOT_GIVEN
"""Default of arguments for which ``None`` means "send null": the key is not sent at all."""


@attrs.frozen(kw_only=True)
class Model:
    """Base of every response model.

    Keys the SDK does not know yet are kept in ``extra`` (never dropped, never fatal), so a newer
    API version never breaks an older SDK. A field without a default is a value the SDK depends
    on (an ``id``, a token, a URL): an answer where it is missing, null or unusable raises
    ``ResponseDecodeError``. The other fields follow the lenient policy of docs/parsing.md.
    """

    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


class OpenEnum(str, enum.Enum):
    """A string enum whose unknown values are kept as plain strings instead of raising.

    Fields typed ``str`` carry a member when the value is known (members compare equal to their
    string value) and the raw string otherwise.
    """

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def coerce(cls, value: Any) -> Any:
        """The member for ``value``, or ``value`` unchanged when it is not a known member."""
        try:
            return cls(value)
        except ValueError:
            return value


def enum_field(enum_type: type[OpenEnum]) -> Any:
    """An optional ``str`` field whose known values become members of ``enum_type``."""
    return attrs.field(default=None, metadata={"enum": enum_type})


def wire_field(wire_name: str, default: Any = None) -> Any:
    """An optional field whose JSON key differs from the Python name (e.g. API misspellings)."""
    return attrs.field(default=default, metadata={"wire": wire_name})
