"""``improvado doctor``: how the configured API's answers differ from the SDK's models.

Runs every read-only operation (each declared ``GET``: lists and gets, the first page only, the
ids taken from the lists) and reports, per operation, the unknown fields and the values coerced
or kept as received (see docs/parsing.md). It never writes: the only request that is not a GET is
the workspace-token mint (``POST /api/v3/token``) the client makes for itself. The report holds
field names and counts, never values, so it can be sent to the SDK's maintainers.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from typing import Any

import attrs

from . import resources
from ._transport.operation import OPERATIONS, Operation
from .client import AsyncImprovado
from .errors import APIError, ImprovadoError
from .hooks import Hooks, RequestEvent
from .pagination import AsyncPaginator

__all__ = ["DoctorReport", "OperationCheck", "format_report", "run_doctor"]

#: How many candidates of a list are tried to find one whose own list is not empty.
_CANDIDATES = 5


@attrs.frozen(kw_only=True)
class OperationCheck:
    """What one operation's answer showed.

    Attributes:
        operation: ``service.method``.
        shape: lenient events, ``{"Model.field": {"kept_raw": 1, ...}}`` (empty: as modelled).
        error: why it could not be checked (an API error, or no id to try), else ``None``.
    """

    operation: str
    shape: Mapping[str, Mapping[str, int]]
    error: str | None = None


@attrs.frozen(kw_only=True)
class DoctorReport:
    """Every operation checked, and the requests made (all GET but the token mint)."""

    checks: tuple[OperationCheck, ...]
    requests: Mapping[str, int]


def read_only_operations() -> list[Operation]:
    """Every declared GET operation, in declaration order."""
    for module in pkgutil.iter_modules(resources.__path__):
        importlib.import_module(f"{resources.__name__}.{module.name}")
    return [op for op in OPERATIONS.values() if op.method == "GET"]


def _source(operation: Operation, param: str) -> tuple[str, str]:
    """The list operation (and item field) that yields a value for ``param``."""
    special = {
        "connection_id": "datasource_connections.list",
        "recipe_id": "automated_recipes.list",
        "template_id": f"{operation.service}.list",
    }
    if param in special:
        return special[param], "id"
    if param.endswith("_name"):
        return f"{param.removesuffix('_name')}s.list", "name"
    return f"{param.removesuffix('_id')}s.list", "id"


class _Doctor:
    def __init__(self, client: AsyncImprovado) -> None:
        self.client = client
        self.items: dict[str, list[Any]] = {}  # a list operation -> its first page's items
        self.chosen: dict[str, object] = {}  # a parameter -> the value that worked

    async def check(self, operation: Operation) -> OperationCheck:
        before = self.client.shape_report()
        try:
            arguments = await self.arguments(operation)
            if arguments is None:
                return _check(operation, {}, "no object to try it on (an empty list)")
            await self.call(operation, arguments)
        except (APIError, ImprovadoError) as exc:
            return _check(operation, _since(before, self.client.shape_report()), _why(exc))
        return _check(operation, _since(before, self.client.shape_report()), None)

    async def arguments(self, operation: Operation) -> dict[str, object] | None:
        arguments: dict[str, object] = {}
        context: dict[str, object] = {}  # values chosen on the way (a data source, ...)
        for param in operation.path_params:
            value = await self.value_for(operation, param, context)
            if value is None:
                return None
            arguments[param] = context[param] = value
        return arguments

    async def value_for(
        self, operation: Operation, param: str, known: dict[str, object]
    ) -> object | None:
        source, field = _source(operation, param)
        lister = OPERATIONS[source]
        if lister.path_params:
            # The first candidate whose list has an item (a data source with connections, ...).
            outer = lister.path_params[0]
            for candidate in await self.candidates(operation, outer, known):
                items = await self.list_items(lister, {outer: candidate})
                if items:
                    known[outer] = candidate
                    return getattr(items[0], field, None)
            return None
        items = await self.list_items(lister, {})
        return getattr(items[0], field, None) if items else None

    async def candidates(
        self, operation: Operation, param: str, known: dict[str, object]
    ) -> list[object]:
        if param in known:
            return [known[param]]
        source, field = _source(operation, param)
        items = await self.list_items(OPERATIONS[source], {})
        values = [getattr(item, field, None) for item in items[:_CANDIDATES]]
        return [value for value in values if value is not None]

    async def list_items(self, lister: Operation, arguments: dict[str, object]) -> list[Any]:
        key = f"{lister.name}{sorted(arguments.items())}"
        if key not in self.items:
            try:
                page = await self.call(lister, arguments)
            except APIError:
                page = None
            self.items[key] = list(getattr(page, "results", None) or [])
        return self.items[key]

    async def call(self, operation: Operation, arguments: dict[str, object]) -> Any:
        service, method = operation.name.split(".")
        result = getattr(getattr(self.client, service), method)(**arguments)
        if isinstance(result, AsyncPaginator):
            return await result.first_page()
        return await result


def _check(operation: Operation, shape: Any, error: str | None) -> OperationCheck:
    return OperationCheck(operation=operation.name, shape=shape, error=error)


def _why(exc: BaseException) -> str:
    status = getattr(exc, "status", None)
    return f"{type(exc).__name__}" + (f" ({status})" if status else "")


def _since(
    before: Mapping[str, Mapping[str, int]], after: Mapping[str, Mapping[str, int]]
) -> dict[str, dict[str, int]]:
    """The counts added between two shape reports."""
    added: dict[str, dict[str, int]] = {}
    for place, kinds in after.items():
        for kind, count in kinds.items():
            delta = count - before.get(place, {}).get(kind, 0)
            if delta:
                added.setdefault(place, {})[kind] = delta
    return added


async def run_doctor(client: AsyncImprovado) -> DoctorReport:
    """Check every read-only operation through ``client`` (through a view of it whose hooks
    count the requests; the client's own hooks are not called)."""
    requests: dict[str, int] = {}

    def count(event: RequestEvent) -> None:
        requests[event.method] = requests.get(event.method, 0) + 1

    counted = client.with_options(hooks=Hooks(on_request=count))
    doctor = _Doctor(counted)
    checks = [await doctor.check(operation) for operation in read_only_operations()]
    return DoctorReport(checks=tuple(checks), requests=requests)


def format_report(report: DoctorReport) -> str:
    """The report as text: one line per operation, details indented, a closing summary."""
    lines = []
    for check in report.checks:
        status = "ok" if not check.shape and check.error is None else "differs"
        if check.error is not None:
            status = f"not checked: {check.error}"
        lines.append(f"{check.operation:<42} {status}")
        for place, kinds in sorted(check.shape.items()):
            counts = ", ".join(f"{kind} x{count}" for kind, count in sorted(kinds.items()))
            lines.append(f"    {place}: {counts}")
    differing = sum(1 for c in report.checks if c.shape)
    sent = ", ".join(f"{n} {m}" for m, n in sorted(report.requests.items()))
    lines.append("")
    lines.append(
        f"{len(report.checks)} read-only operations checked, {differing} with shape differences."
    )
    lines.append(
        f"Requests sent: {sent or 'none'}. Doctor never writes: every request is a GET except "
        "the workspace-token mint (POST /api/v3/token)."
    )
    return "\n".join(lines)
