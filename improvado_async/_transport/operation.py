"""One declaration per API operation: name, method, path template, auth scope, paginated or not.

Every service method builds its request from its :class:`Operation`; the inventory test, the
docstring check and the sandbox route parity check all read :data:`OPERATIONS`, so an operation is
written down exactly once.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from urllib.parse import quote

import attrs

from ..errors import ValidationError

__all__ = [
    "OPERATIONS",
    "Operation",
    "Scope",
    "custom_operation",
    "declare",
    "path_id",
    "path_name",
]


class Scope(enum.Enum):
    """Which credentials an operation needs."""

    BASIC = "basic"  # agency scope: workspaces, token minting, iframe URL, recipes, roles
    WORKSPACE = "workspace"  # workspace scope: Bearer token or the dts_session_id cookie
    NONE = "none"


_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_FORBIDDEN_NAMES = frozenset({".", ".."})

#: Every declared operation by name (``loads.get``), filled as resource modules are imported.
OPERATIONS: dict[str, Operation] = {}


def path_id(value: object, name: str) -> str:
    """An integer path parameter rendered for the URL; anything else is a ValidationError.

    Rendered with ``int.__repr__``: an ``int`` subclass with its own ``__str__`` cannot put
    anything but digits on the wire.
    """
    if type(value) is int and value >= 0:  # the common case; an exact int prints only digits
        return str(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(name, f"must be an integer id, got {type(value).__name__}")
    if value < 0:
        raise ValidationError(name, f"must be a non-negative id, got {int.__repr__(value)}")
    return int.__repr__(value)


def path_name(value: object, name: str) -> str:
    """A string path parameter (e.g. ``datasource_name``), percent-encoded as one segment.

    ``.`` and ``..`` are refused: percent-encoding leaves them as they are, and a client or proxy
    that normalises the path would send the request to another operation.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(name, "must be a non-empty string")
    if value in _FORBIDDEN_NAMES:
        raise ValidationError(name, f"must not be {value!r} (a relative path segment)")
    return quote(value, safe="")


def _segment(name: str, value: object) -> str:
    # Ids are integers; the API's other path values (datasource_name, destination_name) names.
    return path_id(value, name) if name.endswith("_id") else path_name(value, name)


@attrs.frozen(slots=True, kw_only=True)
class Operation:
    """A declared API operation.

    Attributes:
        name: ``service.method`` as in the inventory (``loads.get``).
        method: the HTTP method.
        path: the path template, with placeholders named as the method's parameters
            (``/api/v3/loads/{load_id}``).
        scope: the credentials it needs.
        paginated: whether the answer is a page envelope (``count``/``next``/``results``).
    """

    name: str
    method: str
    path: str
    scope: Scope = Scope.WORKSPACE
    paginated: bool = False
    _literals: tuple[str, ...] = attrs.field(init=False, repr=False, eq=False)
    _params: tuple[str, ...] = attrs.field(init=False, repr=False, eq=False)
    _one_id: bool = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        pieces = _PLACEHOLDER.split(self.path)
        params = tuple(pieces[1::2])
        object.__setattr__(self, "_literals", tuple(pieces[0::2]))
        object.__setattr__(self, "_params", params)
        object.__setattr__(self, "_one_id", len(params) == 1 and params[0].endswith("_id"))

    @property
    def service(self) -> str:
        """The service attribute of the client (``loads``)."""
        return self.name.split(".", 1)[0]

    @property
    def path_params(self) -> tuple[str, ...]:
        """The placeholder names of :attr:`path`, in order."""
        return self._params

    @property
    def doc_line(self) -> str:
        """The ``METHOD /path`` line that the method's docstring carries."""
        return f"``{self.method} {self.path}``"

    def format_path(self, values: Mapping[str, object] | None = None) -> str:
        """The path with each placeholder validated and encoded (ids as integers, names quoted).

        Raises:
            ValidationError: a value is missing, not an integer id, or not a usable name.
        """
        params = self._params
        if not params:
            return self.path
        given = values or {}
        if self._one_id:  # most operations: one integer id, given as an exact int
            value = given.get(params[0])
            if type(value) is int and value >= 0:
                literals = self._literals
                return literals[0] + str(value) + literals[1]
        literals = self._literals
        parts = [literals[0]]
        for index, name in enumerate(params):
            if name not in given:
                raise ValidationError(name, "is required")
            parts.append(_segment(name, given[name]))
            parts.append(literals[index + 1])
        return "".join(parts)


def declare(
    name: str, method: str, path: str, *, scope: Scope = Scope.WORKSPACE, paginated: bool = False
) -> Operation:
    """Declare an operation once and register it in :data:`OPERATIONS`.

    Raises:
        ValueError: the name is declared twice (a copy-paste slip in a resource module).
    """
    if name in OPERATIONS:
        raise ValueError(f"operation {name!r} is declared twice")
    operation = Operation(name=name, method=method, path=path, scope=scope, paginated=paginated)
    OPERATIONS[name] = operation
    return operation


_SCOPES = {"workspace": Scope.WORKSPACE, "agency": Scope.BASIC, "none": Scope.NONE}
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"})


def custom_operation(method: str, path: str, scope: str) -> Operation:
    """An undeclared operation for ``client.request`` (named ``request``, not registered).

    Raises:
        ValidationError: an unknown method or scope, or a path that is not ``/...`` under the
            client's base URL (credentials go only to the configured API).
    """
    verb = method.upper() if isinstance(method, str) else ""
    if verb not in _METHODS:
        raise ValidationError("method", f"must be one of {', '.join(sorted(_METHODS))}")
    if (
        not isinstance(path, str)
        or not path.startswith("/")
        or path.startswith("//")
        or not path.isprintable()
        or any(c in path for c in "{}? #")
    ):
        raise ValidationError(
            "path", f"must be a path under the base URL such as '/api/v3/loads', got {path!r}"
        )
    if scope not in _SCOPES:
        raise ValidationError("scope", f"must be one of {', '.join(_SCOPES)}, got {scope!r}")
    return Operation(name="request", method=verb, path=path, scope=_SCOPES[scope])
