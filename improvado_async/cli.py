"""The ``improvado`` command: resource commands derived from the services, plus the sandbox.

``improvado <service> <operation> [ids] [--options]`` is built by introspecting the async
services' signatures, type hints and docstrings, so every operation of the client is a command
without hand-written code. Credentials come from the ``IMPROVADO_*`` environment variables.

Exit statuses: 0 success, 1 API or network error, 2 usage or validation error (missing
credentials included), 3 authentication refused (HTTP 401/403), 130 interrupted (Ctrl-C),
141 standard output closed early (``improvado loads list | head -1``).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import enum
import functools
import inspect
import json
import os
import re
import sys
import time
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TextIO

import attrs

from ._cli_text import DocText, docstring_sections, escape_percent
from ._cli_values import Spec, spec_for
from ._version import __version__
from .errors import (
    APIStatusError,
    AuthenticationError,
    ConfigurationError,
    ImprovadoError,
    PermissionDeniedError,
    ValidationError,
)

__all__ = ["build_parser", "main"]

EXIT_OK = 0
EXIT_API_ERROR = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for a Ctrl-C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what `cat big | head -1` reports for cat

_SKIPPED_PARAMS = {"self", "timeout", "on_progress"}
_CELL_WIDTH = 40
_TABLE_COLUMNS = 7
# Values a user copies somewhere else (a signing secret, a token, a link to send) are useless cut.
_WHOLE_KEY = re.compile(r"secret|token|password|session_id|api_key|url", re.IGNORECASE)


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


@functools.cache
def _doc_text() -> DocText:
    """Help from docstrings; ``Workspaces.enable_recipe`` reads ``improvado workspaces ...``."""
    return DocText(
        {
            func.__qualname__: f"improvado {service} {name}"
            for service, operations in service_operations().items()
            for name, func in operations.items()
        }
    )


# --- The parser --------------------------------------------------------------------------------


def _global_options(*, top_level: bool) -> argparse.ArgumentParser:
    """Options accepted before and after the command.

    After the command, an option left out must not reset the value given before it: no default.
    """
    defaults: dict[str, Any] = {"base_url": None, "json": False}
    if not top_level:
        defaults = dict.fromkeys(defaults, argparse.SUPPRESS)
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("global options")
    group.add_argument(
        "--base-url",
        dest="_base_url",
        metavar="URL",
        default=defaults["base_url"],
        help="API root (default: $IMPROVADO_BASE_URL, else the Improvado API)",
    )
    group.add_argument(
        "--json",
        dest="_json",
        action="store_true",
        default=defaults["json"],
        help="print JSON instead of a table",
    )
    return parent


def _help_text(doc: str, notes: list[str]) -> str:
    sentences = [doc.rstrip(".") + "." if doc else ""]
    sentences += [note[0].upper() + note[1:] + "." for note in notes if note]
    return escape_percent(" ".join(s for s in sentences if s))


def _notes(param: inspect.Parameter, spec: Spec, required: bool, text: str) -> list[str]:
    hint = spec.hint.split(", e.g. ")[0] if "e.g." in text else spec.hint  # one example is enough
    notes = [hint, "required" if required else ""]
    simple_default = isinstance(param.default, (int, float)) and not isinstance(param.default, bool)
    if not required and simple_default and spec.kind != "flag":
        notes.append(f"default {param.default}")
    return notes


def _add_parameter(
    parser: argparse.ArgumentParser, param: inspect.Parameter, annotation: Any, doc: str
) -> None:
    spec = spec_for(annotation, param.name)
    text = _doc_text().plain(doc, list_option=spec.kind == "list")
    if param.kind is param.POSITIONAL_OR_KEYWORD:
        text = text or param.name.replace("_", " ")
        parser.add_argument(
            param.name, type=spec.convert, metavar=param.name.upper(), help=escape_percent(text)
        )
        return
    required = param.default is inspect.Parameter.empty
    options: dict[str, Any] = {
        "dest": param.name,
        "required": required,
        "default": argparse.SUPPRESS,
    }
    if spec.kind == "flag":
        options["action"] = argparse.BooleanOptionalAction
    else:
        options.update(type=spec.convert, metavar=spec.metavar)
        options["action"] = "extend" if spec.kind == "list" else "store"
    options["help"] = _help_text(text, _notes(param, spec, required, text))
    parser.add_argument("--" + param.name.replace("_", "-"), **options)


def _returns_paginator(hints: Mapping[str, Any]) -> bool:
    return "Paginator" in str(hints.get("return"))


def _add_operation(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    service: str,
    name: str,
    func: Callable[..., Any],
) -> None:
    paragraphs, arguments = docstring_sections(inspect.getdoc(func) or name)
    summary = _doc_text().plain(paragraphs[0]) if paragraphs else name
    parser = sub.add_parser(
        name,
        help=escape_percent(summary),
        description=escape_percent(_doc_text().description(paragraphs)),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_global_options(top_level=False)],
    )
    _add_kebab_alias(sub, name, parser)
    hints = typing.get_type_hints(func)
    for param in inspect.signature(func).parameters.values():
        if param.name not in _SKIPPED_PARAMS:
            _add_parameter(parser, param, hints.get(param.name, str), arguments.get(param.name, ""))
    if _returns_paginator(hints):
        parser.add_argument(
            "--limit",
            dest="_limit",
            metavar="N",
            type=int,
            help="stop after N items (default: all)",
        )
    parser.set_defaults(_operation=func, _service=service)


def _add_kebab_alias(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    parser: argparse.ArgumentParser,
) -> None:
    """Accept ``data-tables`` for ``data_tables`` without listing both in the help."""
    kebab = name.replace("_", "-")
    choices = sub.choices
    if kebab != name and isinstance(choices, dict):
        choices[kebab] = parser


_DESCRIPTION = """\
The Improvado Embedded API v3 from the command line: every operation of the Python client is
"improvado SERVICE OPERATION [IDS] [--options]". Names may be written with _ or - (data_tables,
data-tables). List options take comma-separated values and may be repeated; JSON options take
a JSON text.

Credentials come from the environment: IMPROVADO_USERNAME and IMPROVADO_PASSWORD (tokens are
minted for you) with IMPROVADO_WORKSPACE_ID, or IMPROVADO_TOKEN; IMPROVADO_BASE_URL or --base-url
sets the API root. "improvado sandbox" serves a local fake API and prints the lines to export.
"""

_EPILOG = """\
exit status: 0 success, 1 API or network error, 2 usage or validation error (missing credentials
included), 3 authentication refused (HTTP 401/403), 130 interrupted, 141 output closed early.
"""


def build_parser() -> argparse.ArgumentParser:
    """The full command-line parser (services and operations discovered from the client)."""
    parser = argparse.ArgumentParser(
        prog="improvado",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_global_options(top_level=True)],
    )
    parser.add_argument("--version", action="version", version=f"improvado-sdk {__version__}")
    commands = parser.add_subparsers(dest="_command", metavar="COMMAND")
    commands.required = True
    _add_sandbox(commands)
    # The demo parses its own options (`improvado demo --help` shows them).
    commands.add_parser(
        "demo", help="run a whole pipeline against an in-process sandbox", add_help=False
    )
    commands.add_parser(
        "doctor",
        help="check how the API's answers differ from the SDK's models (read-only)",
        description="Run every read-only operation (lists and gets, first pages only, ids taken "
        "from the lists) against the configured API and print, per operation, unknown fields "
        "and values coerced or kept as received. It never writes: every request is a GET "
        "except the workspace-token mint. Send the report to the SDK's maintainers.",
        parents=[_global_options(top_level=False)],
    )
    for service, operations in service_operations().items():
        service_parser = commands.add_parser(
            service,
            help="operations: " + ", ".join(operations),
            description=f"Operations of client.{service}; 'improvado {service} OPERATION "
            "--help' shows the options of one.",
            parents=[_global_options(top_level=False)],
        )
        _add_kebab_alias(commands, service, service_parser)
        sub = service_parser.add_subparsers(dest="_op_name", metavar="OPERATION")
        sub.required = True
        for name, func in operations.items():
            _add_operation(sub, service, name, func)
    return parser


def _add_sandbox(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sandbox = commands.add_parser(
        "sandbox",
        help="serve the local sandbox API (prints the environment to export)",
        description="Serve a stateful local fake of the API until Ctrl-C.",
    )
    sandbox.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    sandbox.add_argument("--port", type=int, default=8080, help="port (default 8080; 0: any)")
    sandbox.add_argument(
        "--time-scale", type=float, default=1.0, help="multiplier of simulated durations"
    )
    sandbox.add_argument("--seed", type=int, default=0, help="seed of fixtures and faults")


# --- Output ------------------------------------------------------------------------------------


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


def _secret_keys(result: Any) -> frozenset[str]:
    """Fields a model hides from its repr (signing secrets, tokens): printed whole, never cut."""
    items = result if isinstance(result, list) else [result]
    return frozenset(
        field.name
        for item in items
        if attrs.has(type(item))
        for field in attrs.fields(type(item))
        if callable(field.repr)
    )


def _is_whole(key: str, secrets: frozenset[str]) -> bool:
    """Whether a column is printed uncut: secrets, tokens and URLs."""
    return key in secrets or bool(_WHOLE_KEY.search(key))


def _cell(value: Any, *, whole: bool = False) -> str:
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    text = "" if value is None else str(value)
    if whole or len(text) <= _CELL_WIDTH:
        return text
    return text[: _CELL_WIDTH - 3] + "..."


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def _render_table(rows: list[dict[str, Any]], secrets: frozenset[str]) -> str:
    if not rows:
        return "(no results)"
    scalar = [k for k, v in rows[0].items() if _is_scalar(v)]
    columns = scalar[:_TABLE_COLUMNS]
    columns += [k for k in scalar[_TABLE_COLUMNS:] if _is_whole(k, secrets)]
    cells = [[_cell(row.get(c), whole=_is_whole(c, secrets)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(line.rstrip() for line in lines)


def render(result: Any, *, as_json: bool) -> str:
    """What a command prints: JSON, a table for lists, ``key  value`` lines for one object.

    Table cells and nested values are cut at 40 characters, except secrets, tokens and URLs; the
    plain values of one object are printed whole.
    """
    data = to_jsonable(result)
    if as_json:
        return json.dumps(data, indent=2, sort_keys=True)
    secrets = _secret_keys(result)
    if isinstance(data, list):
        return _render_table([d if isinstance(d, dict) else {"value": d} for d in data], secrets)
    if isinstance(data, dict):
        width = max((len(k) for k in data), default=0)
        return "\n".join(
            f"{k.ljust(width)}  {_cell(v, whole=_is_whole(k, secrets) or _is_scalar(v))}".rstrip()
            for k, v in data.items()
        )
    return "done" if data is None else str(data)


class _Progress:
    """Status lines on a terminal while a ``wait`` command polls (one line, rewritten in place)."""

    def __init__(self, label: str, stream: TextIO) -> None:
        self._label = label
        self._stream = stream
        self._start = time.monotonic()
        self._status: str | None = None

    def __call__(self, model: Any) -> None:
        status = str(to_jsonable(getattr(model, "status", None)))
        if self._status is not None and status != self._status:
            self._stream.write("\n")  # keep each earlier status on screen
        self._status = status
        elapsed = time.monotonic() - self._start
        self._stream.write(f"\r\x1b[K{self._label}: {status} ({elapsed:.0f}s)")
        self._stream.flush()

    def close(self) -> None:
        """End the status line so that what follows starts on its own line."""
        if self._status is not None:
            self._stream.write("\n")
            self._stream.flush()


def _progress_for(args: argparse.Namespace) -> _Progress | None:
    func = args._operation
    if "on_progress" not in inspect.signature(func).parameters or not sys.stderr.isatty():
        return None
    ids = [
        f"{name.removesuffix('_id')} {getattr(args, name)}"
        for name, p in inspect.signature(func).parameters.items()
        if p.kind is p.POSITIONAL_OR_KEYWORD and name != "self"
    ]
    return _Progress(", ".join(ids) or args._service, sys.stderr)


# --- Credentials -------------------------------------------------------------------------------

_CREDENTIALS_HELP = """\
Set them in the environment ("improvado sandbox" prints ready-to-paste lines for its own):
  export IMPROVADO_USERNAME=...      agency login (workspace tokens are minted for you)
  export IMPROVADO_PASSWORD=...
  export IMPROVADO_WORKSPACE_ID=...  the workspace of workspace-scoped commands
  export IMPROVADO_TOKEN=...         or a pre-minted workspace token instead of the three above
  export IMPROVADO_BASE_URL=...      the API root; or pass --base-url URL"""


_CREDENTIAL_NAMES = ("USERNAME", "PASSWORD", "WORKSPACE_ID", "TOKEN")


def _missing_credentials(service: str, operation: str) -> list[str]:
    """The environment variables this command still needs (empty when it can run)."""
    from ._transport.operation import OPERATIONS, Scope

    declared = OPERATIONS.get(f"{service}.{operation}")
    scope = declared.scope if declared is not None else Scope.WORKSPACE
    env = {name: bool(os.environ.get(f"IMPROVADO_{name}")) for name in _CREDENTIAL_NAMES}
    login = [f"IMPROVADO_{n}" for n in ("USERNAME", "PASSWORD") if not env[n]]
    if scope is Scope.BASIC:
        return login
    if scope is Scope.WORKSPACE and not env["TOKEN"]:
        return login + ([] if env["WORKSPACE_ID"] else ["IMPROVADO_WORKSPACE_ID"])
    return []


def _credentials_error(service: str, operation: str, missing: list[str]) -> str:
    command = f"improvado {service} {operation}".rstrip()
    first = f"error: '{command}' needs credentials: {', '.join(missing)} not set."
    return f"{first}\n{_CREDENTIALS_HELP}"


# --- Running a command -------------------------------------------------------------------------


def _call_arguments(args: argparse.Namespace) -> dict[str, Any]:
    """The operation's keyword arguments: positionals and the options actually given."""
    names = inspect.signature(args._operation).parameters
    given = vars(args)
    return {n: given[n] for n in names if n not in _SKIPPED_PARAMS and n in given}


async def _execute(args: argparse.Namespace, progress: _Progress | None) -> Any:
    from .pagination import AsyncPaginator

    params = _call_arguments(args)
    if progress is not None:
        params["on_progress"] = progress
    async with _client_class()(base_url=args._base_url) as client:
        service = getattr(client, args._service)
        result = getattr(service, args._operation.__name__)(**params)
        if isinstance(result, AsyncPaginator):
            return await result.to_list(limit=args._limit)
        return await result


def _run_operation(args: argparse.Namespace) -> int:
    missing = _missing_credentials(args._service, args._operation.__name__)
    if missing:
        print(_credentials_error(args._service, args._operation.__name__, missing), file=sys.stderr)
        return EXIT_USAGE
    try:
        result = _run_with_progress(args)
    except ImprovadoError as exc:
        return _report_error(exc)
    print(render(result, as_json=args._json))
    return EXIT_OK


def _run_with_progress(args: argparse.Namespace) -> Any:
    progress = _progress_for(args)
    try:
        return asyncio.run(_execute(args, progress))
    finally:  # before an error, a result or "interrupted" is printed
        if progress is not None:
            progress.close()


def _report_error(exc: ImprovadoError) -> int:
    """One line on stderr for an SDK error; the exit status for its kind."""
    if isinstance(exc, APIStatusError):
        print(f"error: HTTP {exc.status}: {exc.details}", file=sys.stderr)
        if isinstance(exc, (AuthenticationError, PermissionDeniedError)):
            print(
                "check IMPROVADO_USERNAME/IMPROVADO_PASSWORD (or IMPROVADO_TOKEN), "
                "IMPROVADO_WORKSPACE_ID and the API root (IMPROVADO_BASE_URL or --base-url)",
                file=sys.stderr,
            )
            return EXIT_AUTH
        return EXIT_API_ERROR
    print(f"error: {exc}", file=sys.stderr)
    if isinstance(exc, (ValidationError, ConfigurationError)):
        return EXIT_USAGE
    return EXIT_API_ERROR


def _silence_stdout() -> None:
    """Python's recipe after EPIPE: point stdout at /dev/null, so that exit does not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _serve_sandbox(args: argparse.Namespace) -> int:
    from .sandbox.__main__ import main as sandbox_main

    options = ["--host", args.host, "--port", str(args.port)]
    options += ["--time-scale", str(args.time_scale), "--seed", str(args.seed)]
    try:
        sandbox_main(options)
    except OSError as exc:  # e.g. the port is taken
        print(f"error: cannot serve on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return EXIT_API_ERROR
    return EXIT_OK


def _run_doctor(args: argparse.Namespace) -> int:
    from .doctor import format_report, run_doctor

    missing = _missing_credentials("loads", "get")  # it needs workspace-scoped credentials
    if missing:
        print(_credentials_error("doctor", "", missing), file=sys.stderr)
        return EXIT_USAGE

    async def diagnose() -> str:
        async with _client_class()(base_url=args._base_url) as client:
            return format_report(await run_doctor(client))

    try:
        print(asyncio.run(diagnose()))
    except ImprovadoError as exc:
        return _report_error(exc)
    return EXIT_OK


def _run_demo(args: argparse.Namespace, extras: list[str]) -> int:
    from .demo import main as demo_main

    base_url = ["--base-url", args._base_url] if args._base_url else []
    return demo_main(base_url + extras)


def _dispatch(argv: list[str]) -> int:
    parser = build_parser()
    args, extras = parser.parse_known_args(argv)
    if args._command == "demo":
        return _run_demo(args, extras)
    if extras:
        parser.error(f"unrecognized arguments: {' '.join(extras)}")
    if args._command == "sandbox":
        return _serve_sandbox(args)
    if args._command == "doctor":
        return _run_doctor(args)
    return _run_operation(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``improvado`` command; returns the exit status."""
    try:
        try:
            return _dispatch(list(sys.argv[1:] if argv is None else argv))
        finally:
            sys.stdout.flush()  # a closed pipe shows here, not as a message at interpreter exit
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader went away early (`| head -1`): not worth a message
        _silence_stdout()
        return EXIT_BROKEN_PIPE
