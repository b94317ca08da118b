"""Fault injection: status + Retry-After, times, method/path matching, latency, drop."""

from __future__ import annotations

import time

import aiohttp
import pytest

from improvado_async.sandbox import FaultRule, Sandbox

from .helpers import Api


async def test_status_fault_with_retry_after(api: Api, http: aiohttp.ClientSession) -> None:
    rule = api.sandbox.add_fault("GET", "/api/v3/loads*", status=429, retry_after=2)
    assert isinstance(rule, FaultRule)
    async with http.get(api.sandbox.base_url + "/api/v3/loads") as response:
        assert response.status == 429
        assert response.headers["Retry-After"] == "2"
        assert await response.json() == {"details": "Request was throttled."}
    assert rule.hits == 1


async def test_faults_fire_before_auth_and_only_times(api: Api) -> None:
    api.sandbox.add_fault("*", "/api/v3/loads", status=503, times=2)
    no_auth = {"Authorization": ""}
    assert (await api.call("GET", "/api/v3/loads", headers=no_auth))[0] == 503
    assert (await api.call("POST", "/api/v3/loads", json={}))[0] == 503
    assert (await api.call("GET", "/api/v3/loads"))[0] == 200


async def test_method_and_path_must_match(api: Api) -> None:
    api.sandbox.add_fault("POST", "/api/v3/loads", status=500)
    api.sandbox.add_fault("GET", "/api/v3/other*", status=500)
    assert (await api.call("GET", "/api/v3/loads"))[0] == 200
    assert (await api.call("GET", "/api/v3/loads/3001"))[0] == 200
    assert (await api.call("POST", "/api/v3/loads", json={}))[0] == 500


async def test_custom_body(api: Api) -> None:
    api.sandbox.add_fault("GET", "*", status=502, body={"details": "custom"})
    assert await api.call("GET", "/api/v3/loads") == (502, {"details": "custom"})


async def test_clear_faults(api: Api) -> None:
    api.sandbox.add_fault(status=503)
    api.sandbox.clear_faults()
    assert (await api.call("GET", "/api/v3/loads"))[0] == 200


async def test_latency_only_rule_answers_normally(api: Api) -> None:
    api.sandbox.add_fault("GET", "/api/v3/loads", status=None, latency=0.2, times=1)
    started = time.monotonic()
    assert (await api.call("GET", "/api/v3/loads"))[0] == 200
    assert time.monotonic() - started >= 0.2


async def test_drop_closes_the_connection(api: Api) -> None:
    # aiohttp >= 3.11 silently retries an idempotent request once after a disconnect,
    # so a GET needs the rule to fire twice before the client sees the error.
    api.sandbox.clear_requests()
    api.sandbox.add_fault("GET", "/api/v3/loads", drop=True, times=2)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await api.call("GET", "/api/v3/loads")
    assert [r.status for r in api.sandbox.requests] == [None, None]
    assert (await api.call("GET", "/api/v3/loads"))[0] == 200


async def test_drop_post_once(api: Api) -> None:
    api.sandbox.add_fault("POST", "/api/v3/loads", drop=True, times=1)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await api.call("POST", "/api/v3/loads", json={})
    assert (await api.call("POST", "/api/v3/loads", json={}))[0] == 400


async def _statuses(sandbox: Sandbox, http: aiohttp.ClientSession) -> list[int]:
    sandbox.add_fault("GET", "/api/v3/loads", status=503, probability=0.5)
    statuses = []
    for _ in range(20):
        async with http.get(sandbox.base_url + "/api/v3/loads") as response:
            statuses.append(response.status)
    return statuses


async def test_probability_is_deterministic_by_seed(http: aiohttp.ClientSession) -> None:
    async with Sandbox(seed=7) as first, Sandbox(seed=7) as second:
        a = await _statuses(first, http)
        b = await _statuses(second, http)
    assert a == b
    assert set(a) == {401, 503}  # unfaulted requests reach auth and fail there
