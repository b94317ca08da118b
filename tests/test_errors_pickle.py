"""Every public exception pickles with its attributes; errors keep no credential headers."""

from __future__ import annotations

import inspect
import multiprocessing
import pickle
import re
from concurrent.futures import ProcessPoolExecutor
from types import ModuleType
from typing import Any

import pytest
from aioresponses import aioresponses

import improvado_async.errors as errors
import improvado_async.webhooks as webhooks
from improvado_async import AsyncImprovado, Load, NotFoundError
from improvado_async.errors import APIStatusError, error_for_status
from improvado_async.models._converter import structure

#: A sample for each constructor parameter name; an unknown required name gets a string.
SAMPLES: dict[str, Any] = {
    "status": 404,
    "attempts": 3,
    "headers": {"Retry-After": "2"},
    "body": {"details": "Not found."},
    "request_sent": False,
    "limit": 1024,
    "result": structure({"id": 7, "status": "failed"}, Load),
    "last": structure({"id": 7, "status": "running"}, Load),
}


def _exception_classes(*modules: ModuleType) -> list[type[BaseException]]:
    """Every exception class defined in ``modules`` (so a new one is tested automatically)."""
    found = []
    for module in modules:
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BaseException) and obj.__module__ == module.__name__:
                found.append(obj)
    return found


CLASSES = _exception_classes(errors, webhooks)


def _instance(cls: type[BaseException]) -> BaseException:
    """An instance built from the constructor's own parameters, every optional one set."""
    try:
        parameters = inspect.signature(cls).parameters
    except ValueError:  # no __init__ of its own: Exception's (*args)
        return cls("sample message")
    kwargs: dict[str, Any] = {}
    args: list[Any] = []
    for name, param in parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        value = SAMPLES.get(name, f"sample {name}")
        if param.kind is param.KEYWORD_ONLY:
            kwargs[name] = value
        else:
            args.append(value)
    return cls(*args, **kwargs)


def test_introspection_finds_the_public_exceptions() -> None:
    names = {cls.__name__ for cls in CLASSES}
    assert {"NotFoundError", "ValidationError", "WebhookVerificationError"} <= names
    public = set(errors.__all__) | set(webhooks.__all__)
    assert {n for n in public if n.endswith("Error")} <= names


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_every_exception_round_trips_through_pickle(cls: type[BaseException]) -> None:
    original = _instance(cls)
    original.extra_note = "set after construction"  # type: ignore[attr-defined]
    if isinstance(original, errors.RateLimitError):
        original.retry_after = 7.5
    copy = pickle.loads(pickle.dumps(original))
    assert type(copy) is cls
    assert str(copy) == str(original) and copy.args == original.args
    assert vars(copy) == vars(original)


def _raise_not_found(load_id: int) -> None:
    """Runs in a worker process."""
    raise error_for_status(
        404,
        {"details": "Load not found."},
        headers={"Set-Cookie": "dts_session_id=s3cr3t"},
        method="GET",
        url=f"https://example.test/api/v3/loads/{load_id}",
    )


@pytest.mark.slow
def test_process_pool_worker_error_reaches_the_parent_typed() -> None:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        future = pool.submit(_raise_not_found, 7)
        with pytest.raises(NotFoundError) as info:
            future.result(timeout=120)
    err = info.value
    assert err.status == 404 and err.details == "Load not found."
    assert err.url.endswith("/loads/7") and err.headers == {"Set-Cookie": "***"}


@pytest.mark.parametrize(
    "name",
    [
        "Set-Cookie",
        "set-cookie",
        "Cookie",
        "Authorization",
        "Proxy-Authorization",
        "X-Improvado-Verify-Token",
    ],
)
def test_status_error_redacts_credential_headers(name: str) -> None:
    err = APIStatusError("nope", status=400, headers={name: "secret-value", "X-Request-Id": "r1"})
    assert err.headers == {name: "***", "X-Request-Id": "r1"}
    assert "secret-value" not in repr(vars(pickle.loads(pickle.dumps(err))))


async def test_error_from_a_response_keeps_no_session_cookie() -> None:
    url = re.compile(r"^http://127\.0\.0\.1:1/api/v3/loads/7$")
    async with AsyncImprovado(token="tok", base_url="http://127.0.0.1:1", retry=0) as client:
        with aioresponses() as mock:
            mock.get(
                url,
                status=404,
                payload={"details": "Load not found."},
                headers={"Set-Cookie": "dts_session_id=abc123; HttpOnly", "Retry-After": "1"},
            )
            with pytest.raises(NotFoundError) as info:
                await client.loads.get(7)
    headers = {k.lower(): v for k, v in info.value.headers.items()}
    assert headers["set-cookie"] == "***" and headers["retry-after"] == "1"
    assert "abc123" not in repr(vars(info.value))
