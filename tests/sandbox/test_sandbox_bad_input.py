"""Property tests: bad requests to every documented route get a 4xx ``{"details": ...}``.

Hypothesis throws malformed JSON, wrongly typed fields, missing required fields, unknown and
non-numeric ids, wrong methods and out-of-range pagination at the routes of ``endpoints.tsv``,
always with valid credentials (Basic chief credentials for Basic rows, a Bearer token
otherwise). Every answer must be a 4xx JSON envelope with a non-empty string ``details``:
never a 5xx, never a traceback, never a success.

The requests go over plain ``http.client`` to a sandbox served from its own thread, so the
property tests are ordinary synchronous functions.
"""

from __future__ import annotations

import base64
import csv
import http.client
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from improvado_async.testing import SandboxThread
from tests.helpers import declared_operations

ENDPOINTS = Path(__file__).resolve().parent.parent / "data" / "endpoints.tsv"
PLACEHOLDER = re.compile(r"\{(\w+)\}")
WRITE_METHODS = ("POST", "PUT", "PATCH")
ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
NAME_PLACEHOLDERS = {"datasource_name": "facebook", "destination_name": "bigquery"}

SETTINGS = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@dataclass(frozen=True)
class Row:
    """One documented operation of ``endpoints.tsv``."""

    operation: str
    method: str
    path: str
    basic: bool
    paginated: bool
    body_fields: str

    @property
    def placeholders(self) -> list[str]:
        """Names of the path parameters, in order."""
        return PLACEHOLDER.findall(self.path)

    @property
    def id_placeholders(self) -> list[str]:
        """The integer path parameters."""
        return [name for name in self.placeholders if name not in NAME_PLACEHOLDERS]


def _rows() -> list[Row]:
    with ENDPOINTS.open(newline="") as handle:
        return [
            Row(
                operation=row["operation"],
                method=row["method"],
                path=row["path"],
                basic=row["auth"].startswith("Basic"),
                paginated=row["paginated"].startswith("yes"),
                body_fields=row["body_fields"].strip(),
            )
            for row in csv.DictReader(handle, delimiter="\t")
        ]


ROWS = _rows()
BY_OPERATION = {row.operation: row for row in ROWS}


def _path_key(path: str) -> str:
    return PLACEHOLDER.sub("{}", path.rstrip("/"))


#: Methods served per path shape (trailing slash ignored: both forms are served).
ALLOWED = {
    key: {row.method for row in ROWS if _path_key(row.path) == key}
    for key in {_path_key(row.path) for row in ROWS}
}

# -- what each operation expects in its body -------------------------------------------------

INT, STR, BOOL, OBJ, LIST, STR_LIST, INT_LIST, DATE = (
    "int",
    "str",
    "bool",
    "object",
    "list",
    "str_list",
    "int_list",
    "date",
)

#: Documented body fields (per ``endpoints.tsv``) and their JSON kinds.
FIELDS: dict[str, dict[str, str]] = {
    "auth.create_token": {"workspace_id": INT},
    "workspaces.create": {"title": STR, "description": STR},
    "workspaces.update": {"title": STR, "description": STR},
    "workspaces.enable_recipe": {"recipe_id": INT},
    "iframe.get_url": {"workspace_id": INT, "datasource_name": STR},
    "external_auth_links.create": {"send_email": BOOL, "emails": STR_LIST},
    "accounts.bulk_update": {"accounts": LIST},
    "accounts.update": {"enabled_for_embedded_extraction": BOOL},
    "extract_templates.create": {
        "parent_id": INT,
        "title": STR,
        "fields": STR_LIST,
        "schedules": LIST,
        "additional_params": OBJ,
        "hashed_fields": STR_LIST,
        "historical_data_depth_limit": INT,
        "connection_id": INT,
    },
    "extract_templates.preview": {
        "account_ids": STR_LIST,
        "connection_id": INT,
        "template_settings": OBJ,
        "date_from": DATE,
        "date_to": DATE,
    },
    "extract_templates.validate": {"accounts": INT_LIST, "template_settings": OBJ},
    "extract_templates.custom_setting_options": {
        "connection_id": INT,
        "account_ids": STR_LIST,
        "custom_setting": STR,
        "search": STR,
    },
    "extracts.create": {
        "data_table_title": STR,
        "template_id": INT,
        "template_settings": OBJ,
        "accounts": INT_LIST,
    },
    "extracts.update": {
        "fields": STR_LIST,
        "additional_params": OBJ,
        "sync_historical_data": DATE,
        "schedules": LIST,
    },
    "extracts.partial_update": {
        "fields": STR_LIST,
        "additional_params": OBJ,
        "sync_historical_data": DATE,
        "schedules": LIST,
    },
    "extracts.run": {"date_from": DATE, "date_to": DATE},
    "extracts.migrate_wide": {
        "extract_id": INT,
        "fields": STR_LIST,
        "data_table_title": STR,
        "template_settings": OBJ,
    },
    "destination_connections.create": {
        "title": STR,
        "create_load_for_new_tables": BOOL,
        "destination_name": STR,
        "connection_params": OBJ,
    },
    "destination_connections.update": {"title": STR, "create_load_for_new_tables": BOOL},
    "destination_connections.reauthorize": {"title": STR, "connection_params": OBJ},
    "data_tables.update": {"selected_fields": STR_LIST},
    "loads.create": {
        "data_table_id": INT,
        "destination_connection_id": INT,
        "destination_table": STR,
        "run_policy": STR,
        "load_historical_data": BOOL,
    },
    "loads.update": {"run_policy": STR, "schedule": OBJ},
    "loads.run": {"date_from": DATE, "date_to": DATE},
    "automated_recipes.create": {"template_id": INT, "title": STR, "configuration": OBJ},
    "automated_recipes.update": {"configuration": OBJ, "title": STR},
    "webhook_endpoints.create": {"url": STR, "event_types": STR_LIST},
    "webhook_endpoints.update": {"url": STR, "event_types": STR_LIST},
    "roles.create": {"title": STR, "permissions": OBJ, "description": STR},
    "roles.update": {"title": STR, "description": STR, "permissions": OBJ},
}

#: Fields without which the operation cannot succeed.
REQUIRED: dict[str, tuple[str, ...]] = {
    "auth.create_token": ("workspace_id",),
    "workspaces.create": ("title",),
    "workspaces.enable_recipe": ("recipe_id",),
    "iframe.get_url": ("workspace_id",),
    "accounts.bulk_update": ("accounts",),
    "accounts.update": ("enabled_for_embedded_extraction",),
    "extract_templates.create": ("parent_id", "title", "fields"),
    "extract_templates.preview": ("account_ids",),
    "extract_templates.validate": ("accounts",),
    "extract_templates.custom_setting_options": ("connection_id", "account_ids", "custom_setting"),
    "extracts.create": ("data_table_title", "template_id", "accounts"),
    "extracts.update": ("fields",),
    "extracts.migrate_wide": ("extract_id", "fields"),
    "destination_connections.create": ("title",),
    "destination_connections.reauthorize": ("title",),
    "data_tables.update": ("selected_fields",),
    "loads.create": ("data_table_id", "destination_connection_id"),
    "automated_recipes.create": ("template_id",),
    "webhook_endpoints.create": ("url", "event_types"),
    "roles.create": ("title", "permissions"),
}

BODY_ROWS = [row for row in ROWS if row.operation in FIELDS]
REQUIRED_ROWS = [row for row in ROWS if row.operation in REQUIRED]
ID_ROWS = [row for row in ROWS if row.id_placeholders]
PAGINATED_ROWS = [row for row in ROWS if row.paginated and row.method == "GET"]
#: Integer list filters (comma-separated) of the list operations.
INT_FILTERS = {
    "extracts.list": ("connection_id", "data_table_id"),
    "loads.list": ("data_table_id", "destination_connection_id"),
    "automated_recipes.list": ("template_id",),
}

# -- the sandbox under test ------------------------------------------------------------------


@dataclass
class Target:
    """The threaded sandbox plus credentials and a valid value per path parameter."""

    thread: SandboxThread
    basic: str
    bearer: str
    ids: dict[str, int]

    def headers(self, row: Row) -> dict[str, str]:
        """Valid credentials for ``row`` (Basic chief for Basic rows, else Bearer)."""
        return {"Authorization": self.basic if row.basic else self.bearer}

    def valid_segment(self, row: Row, name: str) -> str:
        """A value of path parameter ``name`` that names an existing object."""
        if name in NAME_PLACEHOLDERS:
            return NAME_PLACEHOLDERS[name]
        before = row.path.split("{" + name + "}")[0].rstrip("/").rsplit("/", 1)[-1]
        if before == "connections" and row.path.startswith("/api/v3/destinations"):
            before = "destination-connections"
        return str(self.ids[before])

    def path(self, row: Row, **segments: str) -> str:
        """``row.path`` with valid ids, except for ``segments`` (already URL-encoded)."""

        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            return segments.get(name) or self.valid_segment(row, name)

        return PLACEHOLDER.sub(value, row.path)

    def send(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str],
        body: bytes | None = None,
        query: Mapping[str, str] | None = None,
    ) -> tuple[int, bytes, str]:
        """One request over a fresh connection; ``(status, raw body, content type)``."""
        if query:
            path = f"{path}?{urlencode(query)}"
        connection = http.client.HTTPConnection("127.0.0.1", self.thread.sandbox.port, timeout=10)
        try:
            all_headers = dict(headers)
            if body is not None:
                all_headers["Content-Type"] = "application/json"
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            return response.status, response.read(), response.getheader("Content-Type", "")
        finally:
            connection.close()


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def _create(target: Target, row: Row, body: Any) -> int:
    status, raw, _ = target.send(
        row.method,
        target.path(row),
        headers=target.headers(row),
        body=json.dumps(body).encode(),
    )
    assert status == 201, (row.operation, status, raw)
    created = json.loads(raw)
    value: int = (created[0] if isinstance(created, list) else created)["id"]
    return value


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    """A sandbox on its own thread, with one object of every kind the routes address."""
    with SandboxThread(time_scale=0.01, seed=7) as thread:
        sb = thread.sandbox
        state = sb.state
        workspace = sb.workspace_id
        connection = state.connections(workspace)[0]
        account = state.accounts(workspace, connection.id)[0]
        ids = {
            "workspaces": workspace,
            "connections": connection.id,
            "destination-connections": state.destination_connections(workspace)[0].id,
            "accounts": account.id,
            "extract-templates": state.templates_of(connection.datasource_name)[0].id,
            "extract-template": state.templates_of(connection.datasource_name)[0].id,
            "extracts": state.extracts(workspace)[0].id,
            "data-tables": state.data_tables(workspace)[0].id,
            "loads": state.loads(workspace)[0].id,
            "automated-recipe-templates": 9001,
        }
        target = Target(
            thread,
            _basic(sb.chief_username, sb.chief_password),
            "Bearer " + thread.sync(sb.mint_token),
            ids,
        )
        ids["external-auth-links"] = _create(
            target, BY_OPERATION["external_auth_links.create"], {"send_email": False}
        )
        ids["automated-recipes"] = _create(
            target, BY_OPERATION["automated_recipes.create"], {"template_id": 9001}
        )
        ids["webhook_endpoints"] = _create(
            target,
            BY_OPERATION["webhook_endpoints.create"],
            {"url": "https://hooks.example.com/improvado", "event_types": ["load.succeeded"]},
        )
        ids["roles"] = _create(
            target, BY_OPERATION["roles.create"], {"title": "Fuzz role", "permissions": {}}
        )
        target.ids = ids
        yield target


def assert_client_error(answer: tuple[int, bytes, str], context: object) -> dict[str, Any]:
    """The answer is a 4xx JSON envelope with a non-empty string ``details``."""
    status, raw, content_type = answer
    assert b"Traceback" not in raw, (context, raw[:500])
    assert 400 <= status < 500, (context, status, raw[:500])
    assert content_type.startswith("application/json"), (context, content_type, raw[:200])
    envelope = json.loads(raw)
    assert isinstance(envelope, dict), (context, envelope)
    details = envelope.get("details")
    assert isinstance(details, str), (context, envelope)
    assert details.strip(), (context, envelope)
    return envelope


# -- strategies ------------------------------------------------------------------------------

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
json_values = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)

_texts = st.text(min_size=1, max_size=20).filter(lambda s: s.strip() != "")
_non_numeric_texts = st.one_of(
    # Unicode digits pass str.isdigit() but not int(); 5000 digits exceed int()'s limit.
    st.sampled_from(["²", "١٢", "½", "1.0", "-1", "9" * 5000]),
    _texts.filter(lambda s: re.fullmatch(r"[0-9]+", s.strip()) is None),
)
_floats = st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: not f.is_integer())
_objects = st.dictionaries(st.text(max_size=8), _scalars, min_size=0, max_size=3)
_bad_dates = st.one_of(
    st.sampled_from(["2024-13-01", "2024-02-30", "yesterday", "2024/01/01", "20240101", ""]),
    _non_numeric_texts.filter(lambda s: len(s) != 10),
)

#: Values that are NOT of the given kind.
WRONG: dict[str, st.SearchStrategy[Any]] = {
    INT: st.one_of(st.booleans(), _floats, _non_numeric_texts, st.lists(st.integers()), _objects),
    STR: st.one_of(
        st.booleans(), st.integers(), _floats, st.lists(st.text(), min_size=1), _objects
    ),
    BOOL: st.one_of(st.integers(), _floats, st.sampled_from(["true", "false", "1"]), _objects),
    OBJ: st.one_of(st.booleans(), st.integers(), _floats, _texts, st.lists(st.integers())),
    LIST: st.one_of(st.booleans(), st.integers(), _floats, _texts, _objects.filter(bool)),
    STR_LIST: st.one_of(
        st.booleans(),
        st.integers(),
        _texts,
        _objects.filter(bool),
        st.lists(st.one_of(st.integers(), st.booleans(), _objects), min_size=1, max_size=3),
    ),
    INT_LIST: st.one_of(
        st.booleans(),
        st.integers(),
        _texts,
        _objects.filter(bool),
        st.lists(st.one_of(_texts, st.booleans(), _floats), min_size=1, max_size=3),
    ),
    DATE: st.one_of(st.booleans(), st.integers(), _floats, _bad_dates, _objects.filter(bool)),
}


def _is_malformed(raw: bytes) -> bool:
    if not raw.strip():
        return False  # an empty body is a missing body, not a malformed one
    try:
        json.loads(raw)
    except (ValueError, RecursionError):
        return True
    return False


malformed_bodies = st.one_of(
    st.sampled_from(
        [
            b"{",
            b"{'title': 'x'}",
            b'{"title": }',
            b'{"a": 1,}',
            b"[1, 2",
            b"nul",
            b"\xff\xfe\x00{",
            b'{"title": "\xc3\x28"}',
            b"[" * 100_000,
            b'{"a":' * 50_000,
            b"title=x&description=y",
        ]
    ),
    st.binary(min_size=1, max_size=64).filter(_is_malformed),
    json_values.map(lambda v: json.dumps(v)[:-1].encode()).filter(_is_malformed),
)

#: JSON bodies that are not objects (``null`` excluded: an optional body may be ``null``).
non_object_bodies = st.one_of(
    st.booleans(),
    st.integers(),
    st.text(max_size=10),
    st.lists(json_values, max_size=3),
)

_unknown_ids = st.one_of(
    st.just("0"),
    st.integers(min_value=10**6, max_value=10**40).map(str),
    st.just("9" * 5000),
    st.just("0" * 3 + "1" * 20),
)
_non_numeric_ids = st.one_of(
    st.sampled_from(["abc", "-1", "1.5", "1e3", "0x1F", " 1", "1 ", "+1", "²", "½", "null", "%"]),
    st.text(min_size=1, max_size=12).filter(
        lambda s: s not in {".", ".."} and re.fullmatch(r"\d+", s) is None
    ),
)

# -- the properties --------------------------------------------------------------------------


@SETTINGS
@given(row=st.sampled_from(ID_ROWS), data=st.data())
def test_unknown_ids_are_404(target: Target, row: Row, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(row.id_placeholders), label="placeholder")
    segment = data.draw(_unknown_ids, label="id")
    body = b"{}" if row.method in WRITE_METHODS else None
    path = target.path(row, **{name: segment})
    envelope = assert_client_error(
        target.send(row.method, path, headers=target.headers(row), body=body), (row, path)
    )
    assert envelope["details"] != "Internal sandbox error"


@SETTINGS
@given(row=st.sampled_from([r for r in ROWS if r.placeholders]), data=st.data())
def test_non_numeric_and_unknown_names(target: Target, row: Row, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(row.placeholders), label="placeholder")
    if name in NAME_PLACEHOLDERS:
        raw = data.draw(
            st.text(min_size=1, max_size=16).filter(
                lambda s: s not in {".", ".."} and s not in NAME_PLACEHOLDERS.values()
            ),
            label="name",
        )
    else:
        raw = data.draw(_non_numeric_ids, label="id")
    path = target.path(row, **{name: quote(raw, safe="")})
    body = b"{}" if row.method in WRITE_METHODS else None
    status, raw_body, content_type = target.send(
        row.method, path, headers=target.headers(row), body=body
    )
    assert_client_error((status, raw_body, content_type), (row, path))
    assert status in (400, 403, 404, 405), (row, path, status)


@SETTINGS
@given(row=st.sampled_from(BODY_ROWS), body=st.one_of(malformed_bodies, non_object_bodies))
def test_malformed_and_non_object_bodies(target: Target, row: Row, body: Any) -> None:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    answer = target.send(row.method, target.path(row), headers=target.headers(row), body=raw)
    assert_client_error(answer, (row, raw[:80]))
    assert answer[0] in (400, 403, 413), (row, raw[:80], answer[:2])


@SETTINGS
@given(row=st.sampled_from(BODY_ROWS), data=st.data())
def test_wrongly_typed_fields(target: Target, row: Row, data: st.DataObject) -> None:
    kinds = FIELDS[row.operation]
    names = data.draw(
        st.lists(st.sampled_from(sorted(kinds)), min_size=1, max_size=len(kinds), unique=True),
        label="fields",
    )
    body = {name: data.draw(WRONG[kinds[name]], label=name) for name in names}
    answer = target.send(
        row.method, target.path(row), headers=target.headers(row), body=json.dumps(body).encode()
    )
    assert_client_error(answer, (row, body))


@SETTINGS
@given(row=st.sampled_from(REQUIRED_ROWS), data=st.data())
def test_missing_required_fields(target: Target, row: Row, data: st.DataObject) -> None:
    kinds = FIELDS[row.operation]
    missing = data.draw(st.sampled_from(REQUIRED[row.operation]), label="missing")
    # The other documented fields get arbitrary values; the missing one is absent or null.
    others = data.draw(
        st.dictionaries(st.sampled_from(sorted(set(kinds) - {missing}) or ["x"]), json_values),
        label="others",
    )
    body = {**others, **data.draw(st.sampled_from([{}, {missing: None}]), label="absent")}
    answer = target.send(
        row.method, target.path(row), headers=target.headers(row), body=json.dumps(body).encode()
    )
    assert_client_error(answer, (row, body))
    assert answer[0] in (400, 403, 404), (row, body, answer[:2])


@SETTINGS
@given(
    row=st.sampled_from(ROWS),
    method=st.sampled_from(ALL_METHODS),
    trailing=st.booleans(),
    valid_ids=st.booleans(),
)
def test_wrong_methods_are_405(
    target: Target, row: Row, method: str, trailing: bool, valid_ids: bool
) -> None:
    allowed = ALLOWED[_path_key(row.path)]
    if method in allowed:
        method = next(m for m in ALL_METHODS if m not in allowed)
    segments = {name: "424242" for name in row.id_placeholders} if not valid_ids else {}
    path = target.path(row, **segments).rstrip("/") + ("/" if trailing else "")
    body = b"{}" if method in WRITE_METHODS else None
    status, raw, content_type = target.send(method, path, headers=target.headers(row), body=body)
    envelope = assert_client_error((status, raw, content_type), (row, method, path))
    assert status == 405, (row, method, path, status)
    assert method in envelope["details"]


_bad_pages = st.one_of(
    st.integers(max_value=0).map(str),
    st.integers(min_value=1000, max_value=10**40).map(str),
    st.sampled_from(["9" * 5000, "abc", "1.5", "1e3", "²", "-", "0x10", "one"]),
)
_bad_page_sizes = st.one_of(
    st.integers(max_value=0).map(str),
    st.integers(min_value=101, max_value=10**40).map(str),
    st.sampled_from(["9" * 5000, "abc", "1.5", "-0.5", "²", "ten"]),
)


@SETTINGS
@given(row=st.sampled_from(PAGINATED_ROWS), data=st.data())
def test_bad_pagination(target: Target, row: Row, data: st.DataObject) -> None:
    query = data.draw(
        st.one_of(
            st.fixed_dictionaries({"page": _bad_pages}),
            st.fixed_dictionaries({"page_size": _bad_page_sizes}),
            st.fixed_dictionaries({"page": _bad_pages, "page_size": _bad_page_sizes}),
            st.fixed_dictionaries({"page": _bad_pages, "page_size": st.just("1")}),
        ),
        label="query",
    )
    answer = target.send("GET", target.path(row), headers=target.headers(row), query=query)
    assert_client_error(answer, (row, query))
    assert answer[0] in (400, 404), (row, query, answer[:2])


def _has_non_integer_part(value: str) -> bool:
    parts = [part.strip() for part in value.split(",") if part.strip()]
    for part in parts:
        try:
            int(part)
        except ValueError:
            return True
    return False


@SETTINGS
@given(
    row=st.sampled_from([BY_OPERATION[op] for op in INT_FILTERS]),
    data=st.data(),
)
def test_bad_integer_filters(target: Target, row: Row, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(INT_FILTERS[row.operation]), label="filter")
    value = data.draw(
        st.one_of(
            st.sampled_from(["abc", "1.5", "1,x", "²", "9" * 5000, "0x1"]),
            st.text(min_size=1, max_size=12).filter(_has_non_integer_part),
        ),
        label="value",
    )
    answer = target.send("GET", target.path(row), headers=target.headers(row), query={name: value})
    assert_client_error(answer, (row, name, value))
    assert answer[0] == 400, (row, name, value, answer[:2])


@pytest.mark.parametrize(
    ("operation", "segments", "body"),
    [
        # Each of these used to crash the sandbox with a 500 "Internal sandbox error".
        ("auth.create_token", {}, {"workspace_id": "²"}),
        ("auth.create_token", {}, {"workspace_id": "9" * 5000}),
        ("iframe.get_url", {}, {"workspace_id": "³"}),
        ("loads.get", {"load_id": "9" * 5000}, None),
        ("workspaces.get", {"id": "9" * 4301}, None),
        ("loads.create", {}, "[" * 100_000),
        ("roles.update", {}, '{"a":' * 50_000),
    ],
)
def test_found_crashes_stay_fixed(
    target: Target, operation: str, segments: dict[str, str], body: Any
) -> None:
    row = BY_OPERATION[operation]
    text = body if body is None or isinstance(body, str) else json.dumps(body)
    payload = None if text is None else text.encode()
    answer = target.send(
        row.method, target.path(row, **segments), headers=target.headers(row), body=payload
    )
    assert_client_error(answer, operation)
    assert answer[0] in (400, 404), (operation, answer[:2])


def test_every_operation_is_sampled() -> None:
    """The tables above cover every operation the client declares."""
    declared = declared_operations()
    assert {row.operation for row in ROWS} == set(declared)
    assert set(FIELDS) <= set(BY_OPERATION)
    assert set(REQUIRED) <= set(FIELDS)
    documented = {row.operation for row in ROWS if row.body_fields}
    assert documented == set(FIELDS)
    assert len(ID_ROWS) > 40
    paginated_gets = {op.name for op in declared.values() if op.paginated and op.method == "GET"}
    assert {row.operation for row in PAGINATED_ROWS} == paginated_gets
