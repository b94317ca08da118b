"""The ``improvado`` command: resource commands derived from the services, plus the sandbox.

``improvado <service> <operation> [ids] [--options]`` is built by introspecting the async
services' signatures, so every operation of the client is a command without hand-written code.
Credentials come from the ``IMPROVADO_*`` environment variables (or ``--base-url``).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import enum
import functools
import inspect
import json
import sys
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from .errors import APIStatusError, ConfigurationError, ImprovadoError, ValidationError

__all__ = ["build_parser", "main"]

_SKIPPED_PARAMS = {"self", "timeout", "on_progress"}
_PAGINATION_PARAMS = {"page", "page_size", "concurrency"}


def _client_class() -> type[Any]:
    from .client import AsyncImprovado

    return AsyncImprovado


@functools.cache
def service_operations() -> dict[str, dict[str, Callable[..., Any]]]:
    """Every service and its public operations, discovered from the client class."""
    client = _client_class()(token="cli-introspection", base_url="http://127.0.0.1:9")
    found: dict[str, dict[str, Callable[..., Any]]] = {}
    for name, member in sorted(vars(type(client)).items()):
        if not isinstance(member, functools.cached_property):
            continue
        service = getattr(client, name)
        found[name] = {
            op: getattr(type(service), op)
            for op in sorted(vars(type(service)))
            if not op.startswith("_") and callable(getattr(type(service), op))
        }
    return found


def _unwrap_optional(tp: Any) -> Any:
    args = typing.get_args(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        return rest[0] if len(rest) == 1 else tp
    return tp


def _converter_for(annotation: Any, name: str) -> tuple[Callable[[str], Any], str]:
    """How to turn a command-line string into the parameter's type, and a help hint."""
    tp = _unwrap_optional(annotation)
    origin = typing.get_origin(tp)
    if tp is int:
        return int, "integer"
    if tp is float:
        return float, "number"
    if tp is str:
        return str, "text"
    if origin in (list, tuple, Sequence) or tp in (list, tuple):
        inner = (typing.get_args(tp) or (str,))[0]
        item = int if _unwrap_optional(inner) is int else str
        return (lambda text: [item(v) for v in text.split(",") if v]), "comma-separated list"
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return str, "one of " + ", ".join(str(m.value) for m in tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        members = typing.get_args(tp)
        if dt.date in members or str in members:
            if int in members:
                return _int_or_text, "integer or text"
            return str, "text (dates as YYYY-MM-DD)"
        if int in members:
            return int, "integer"
    return json.loads, "JSON"


def _int_or_text(text: str) -> int | str:
    return int(text) if text.isdigit() else text


def _add_operation(sub: Any, name: str, func: Callable[..., Any]) -> None:
    doc = inspect.getdoc(func) or ""
    summary = doc.splitlines()[0] if doc else name
    parser = sub.add_parser(name, help=summary, description=doc.split("\n\nArgs:")[0])
    hints = typing.get_type_hints(func)
    for param in inspect.signature(func).parameters.values():
        if param.name in _SKIPPED_PARAMS:
            continue
        convert, hint = _converter_for(hints.get(param.name, str), param.name)
        if param.kind is param.POSITIONAL_OR_KEYWORD:
            parser.add_argument(param.name, type=convert, help=hint)
        elif _unwrap_optional(hints.get(param.name)) is bool:
            parser.add_argument(
                "--" + param.name.replace("_", "-"),
                dest=param.name,
                action=argparse.BooleanOptionalAction,
                default=None if param.default is None else param.default,
            )
        else:
            required = param.default is inspect.Parameter.empty
            parser.add_argument(
                "--" + param.name.replace("_", "-"),
                dest=param.name,
                type=convert,
                required=required,
                default=None if required else param.default,
                help=hint + (" (required)" if required else ""),
            )
    if typing.get_origin(hints.get("return")) is not None and "Paginator" in str(
        hints.get("return")
    ):
        parser.add_argument("--limit", type=int, default=None, help="stop after this many items")
    parser.set_defaults(_operation=func)


def build_parser() -> argparse.ArgumentParser:
    """The full command-line parser (services and operations discovered from the client)."""
    parser = argparse.ArgumentParser(
        prog="improvado",
        description="Improvado Embedded API v3 from the command line. Credentials come from "
        "IMPROVADO_USERNAME/IMPROVADO_PASSWORD/IMPROVADO_WORKSPACE_ID or IMPROVADO_TOKEN.",
    )
    parser.add_argument("--base-url", default=None, help="API root (IMPROVADO_BASE_URL)")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    sandbox = commands.add_parser("sandbox", help="serve the local sandbox API")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8080)
    sandbox.add_argument("--time-scale", type=float, default=1.0)
    for service, operations in service_operations().items():
        first_lines = ", ".join(operations)
        service_parser = commands.add_parser(service, help=f"operations: {first_lines}")
        sub = service_parser.add_subparsers(dest="operation", metavar="OPERATION")
        sub.required = True
        for name, func in operations.items():
            _add_operation(sub, name, func)
    return parser


def to_jsonable(value: Any) -> Any:
    """Models, pages and enums as plain JSON data (unknown API keys included)."""
    if attrs.has(type(value)):
        data = {f.name: to_jsonable(getattr(value, f.name)) for f in attrs.fields(type(value))}
        extra = data.pop("extra", None) or {}
        return {**data, **extra}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


def _render_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "(no results)"
    columns = [k for k, v in rows[0].items() if not isinstance(v, (dict, list))][:7]
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _value_cell(value: Any) -> str:
    return _cell(json.dumps(value) if isinstance(value, (dict, list)) else value)


def _render(result: Any, as_json: bool) -> str:
    data = to_jsonable(result)
    if as_json:
        return json.dumps(data, indent=2, sort_keys=True)
    if isinstance(data, list):
        return _render_table([d if isinstance(d, dict) else {"value": d} for d in data])
    if isinstance(data, dict):
        width = max((len(k) for k in data), default=0)
        return "\n".join(f"{k.ljust(width)}  {_value_cell(v)}" for k, v in data.items())
    return "done" if data is None else str(data)


async def _execute(args: argparse.Namespace) -> Any:
    from .pagination import AsyncPaginator

    func = args._operation
    params = {
        name: getattr(args, name)
        for name in inspect.signature(func).parameters
        if name not in _SKIPPED_PARAMS and hasattr(args, name)
    }
    async with _client_class()(base_url=args.base_url) as client:
        service = getattr(client, args.command)
        result = getattr(service, func.__name__)(**params)
        if isinstance(result, AsyncPaginator):
            return await result.to_list(limit=getattr(args, "limit", None))
        return await result


def _serve_sandbox(args: argparse.Namespace) -> int:
    from .sandbox.__main__ import main as sandbox_main

    sandbox_main(
        ["--host", args.host, "--port", str(args.port), "--time-scale", str(args.time_scale)]
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``improvado`` command; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["demo"]:
        from .demo import main as demo_main

        return demo_main(argv[1:])
    args = build_parser().parse_args(argv)
    if args.command == "sandbox":
        return _serve_sandbox(args)
    try:
        result = asyncio.run(_execute(args))
    except APIStatusError as exc:
        print(f"error: HTTP {exc.status}: {exc.details}", file=sys.stderr)
        return 1
    except (ValidationError, ConfigurationError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ImprovadoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(_render(result, args.json))
    return 0
