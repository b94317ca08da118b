"""E2E: destinations, destination connections, data tables and loads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from improvado_async.errors import BadRequestError, NotFoundError
from improvado_async.models import DataTable, Destination, DestinationConnection, Load
from improvado_async.sandbox.simulation import rows_for_run

from .conftest import WAIT, Api, assert_bearer

# -- destinations and destination connections --------------------------------------------------


def test_destinations_list(api: Api) -> None:
    destinations = api.list(lambda c: c.destinations.list())
    assert all(isinstance(d, Destination) for d in destinations)
    assert len(destinations) == 10
    assert destinations[0].name == "bigquery"
    assert destinations[0].title == "Google BigQuery"
    assert_bearer(api.last_request("GET", "/api/v3/destinations"))


def test_destination_connections_lifecycle(api: Api) -> None:
    seeded = api.list(lambda c: c.destination_connections.list("bigquery"))
    assert all(isinstance(d, DestinationConnection) for d in seeded)
    assert [d.title for d in seeded] == ["Main BigQuery"]
    assert_bearer(api.last_request("GET", "/api/v3/destinations/bigquery/connections"))

    created = api.call(
        lambda c: c.destination_connections.create(
            "mysql",
            title="E2E MySQL",
            connections_params={"host": "db.example", "port": 3306},
            create_load_for_new_tables=True,
        )
    )
    assert isinstance(created, DestinationConnection)
    assert (created.title, created.destination_name, created.status) == (
        "E2E MySQL",
        "mysql",
        "active",
    )
    assert created.create_load_for_new_tables is True
    request = api.last_request("POST", "/api/v3/destinations/mysql/connections")
    assert request.status == 201
    assert request.json["conenctions_params"] == {"host": "db.example", "port": 3306}
    assert api.state(
        lambda sb: (
            sb.state.destination_connection_rows.get(sb.workspace_id, created.id).connection_params
        )
    ) == {"host": "db.example", "port": 3306}

    got = api.call(lambda c: c.destination_connections.get("mysql", created.id))
    assert isinstance(got, DestinationConnection)
    assert (got.id, got.uid) == (created.id, created.uid)

    updated = api.call(
        lambda c: c.destination_connections.update(
            "mysql", created.id, title="E2E MySQL 2", create_load_for_new_tables=False
        )
    )
    assert isinstance(updated, DestinationConnection)
    assert (updated.title, updated.create_load_for_new_tables) == ("E2E MySQL 2", False)
    assert api.last_request(
        "PATCH", f"/api/v3/destinations/mysql/connections/{created.id}"
    ).json == {
        "title": "E2E MySQL 2",
        "create_load_for_new_tables": False,
    }

    api.state(
        lambda sb: setattr(
            sb.state.destination_connection_rows.get(sb.workspace_id, created.id),
            "status",
            "error",
        )
    )
    reauthorized = api.call(
        lambda c: c.destination_connections.reauthorize(
            "mysql", created.id, title="E2E MySQL 3", connection_params={"host": "db2.example"}
        )
    )
    assert isinstance(reauthorized, DestinationConnection)
    assert (reauthorized.title, reauthorized.status) == ("E2E MySQL 3", "active")
    request = api.last_request("PUT", f"/api/v3/destinations/mysql/connections/{created.id}")
    assert request.json["connection_params"] == {"host": "db2.example"}

    api.state(
        lambda sb: setattr(
            sb.state.destination_connection_rows.get(sb.workspace_id, created.id),
            "status",
            "initializing",
        )
    )
    rechecked = api.call(lambda c: c.destination_connections.recheck("mysql", created.id))
    assert isinstance(rechecked, DestinationConnection)
    assert rechecked.status == "active"
    path = f"/api/v3/destinations/mysql/connections/{created.id}/recheck"
    assert api.last_request("PUT", path).status == 200

    listed = api.list(lambda c: c.destination_connections.list("mysql"))
    assert [d.id for d in listed] == [created.id]


def test_destination_connections_errors(api: Api) -> None:
    bigquery = api.list(lambda c: c.destination_connections.list("bigquery"))[0]
    with pytest.raises(NotFoundError):  # a bigquery connection under another destination
        api.call(lambda c: c.destination_connections.get("snowflake", bigquery.id))
    with pytest.raises(NotFoundError):
        api.call(lambda c: c.destination_connections.get("no_such_destination", bigquery.id))
    with pytest.raises(NotFoundError):
        api.call(lambda c: c.destination_connections.recheck("bigquery", 999_999))
    api.state(
        lambda sb: setattr(
            sb.state.destination_connection_rows.get(sb.workspace_id, bigquery.id),
            "status",
            "error",
        )
    )
    table_id = api.list(lambda c: c.data_tables.list())[0].id
    with pytest.raises(BadRequestError) as info:  # loads need an active destination
        api.call(
            lambda c: c.loads.create(data_table_id=table_id, destination_connection_id=bigquery.id)
        )
    assert "not active" in str(info.value)
    with pytest.raises(NotFoundError):
        api.call(
            lambda c: c.destination_connections.create(
                "no_such_destination", title="x", connections_params={"a": 1}
            )
        )


# -- data tables -------------------------------------------------------------------------------


def test_data_tables_list_get_update(api: Api) -> None:
    tables = api.list(lambda c: c.data_tables.list())
    assert all(isinstance(t, DataTable) for t in tables)
    assert [t.title for t in tables] == [
        "Facebook Ads Daily",
        "Google Ads Campaigns",
        "LinkedIn Ads Monthly",
    ]
    assert_bearer(api.last_request("GET", "/api/v3/data-tables"))
    table = tables[0]

    got = api.call(lambda c: c.data_tables.get(table.id))
    assert isinstance(got, DataTable)
    assert (got.id, got.datasource_name, got.data_class) == (table.id, "facebook", "daily")
    names = [f.name for f in got.fields]
    assert names[-3:] == ["account_id", "account_name", "__insert_date"]
    assert all(f.selected for f in got.fields)

    updated = api.call(
        lambda c: c.data_tables.update(
            table.id, selected_fields=["date", "campaign_id", "impressions"]
        )
    )
    assert isinstance(updated, DataTable)
    selected = {f.name: f.selected for f in updated.fields}
    assert selected["impressions"] and not selected["clicks"] and not selected["spend"]
    assert selected["account_id"]  # system fields stay selected
    request = api.last_request("PUT", f"/api/v3/data-tables/{table.id}")
    assert request.json == {"selected_fields": ["date", "campaign_id", "impressions"]}


def test_data_tables_errors(api: Api) -> None:
    table_id = api.list(lambda c: c.data_tables.list())[0].id
    with pytest.raises(NotFoundError):
        api.call(lambda c: c.data_tables.get(999_999))
    with pytest.raises(BadRequestError) as info:  # dimensions cannot be deselected
        api.call(lambda c: c.data_tables.update(table_id, selected_fields=["impressions"]))
    assert "Dimension" in str(info.value)
    with pytest.raises(NotFoundError):  # another workspace's table
        other = api.state(lambda sb: sb.state.data_tables(sb.other_workspace_id)[0].id)
        api.call(lambda c: c.data_tables.get(other))


# -- loads -------------------------------------------------------------------------------------


def _ids(api: Api) -> dict[str, Any]:
    def pick(sb: Any) -> dict[str, Any]:
        return {
            "tables": [t.id for t in sb.state.data_tables(sb.workspace_id)],
            "destinations": [d.id for d in sb.state.destination_connections(sb.workspace_id)],
            "loads": [ld.id for ld in sb.state.loads(sb.workspace_id)],
            "seed": sb._ctx.seed,
        }

    return api.state(pick)


def test_loads_lifecycle(api: Api) -> None:
    ids = _ids(api)
    seeded = api.list(lambda c: c.loads.list())
    assert all(isinstance(ld, Load) for ld in seeded)
    assert [ld.id for ld in seeded] == ids["loads"]
    assert_bearer(api.last_request("GET", "/api/v3/loads"))

    table_id, destination_id = ids["tables"][1], ids["destinations"][2]
    created = api.call(
        lambda c: c.loads.create(
            data_table_id=table_id,
            destination_connection_id=destination_id,
            destination_table="e2e_google_ads",
            run_policy="manual",
            load_historical_data=True,
        )
    )
    assert isinstance(created, Load)
    assert (created.data_table_id, created.destination_connection_id) == (
        table_id,
        destination_id,
    )
    assert (created.destination_table, created.run_policy, created.status) == (
        "e2e_google_ads",
        "manual",
        "active",
    )
    assert created.destination_name == "postgresql"
    assert created.data_table is not None
    assert created.data_table.title == "Google Ads Campaigns"
    assert api.last_request("POST", "/api/v3/loads").status == 201

    filtered = api.list(lambda c: c.loads.list(destination_connection_id=destination_id))
    assert created.id in {ld.id for ld in filtered}
    assert all(ld.destination_connection_id == destination_id for ld in filtered)
    assert api.last_request("GET", "/api/v3/loads").query["destination_connection_id"] == str(
        destination_id
    )

    got = api.call(lambda c: c.loads.get(created.id))
    assert isinstance(got, Load)
    assert got.id == created.id

    updated = api.call(
        lambda c: c.loads.update(
            created.id, run_policy="scheduled", schedule={"period": "daily", "time": "04:00"}
        )
    )
    assert isinstance(updated, Load)
    assert (updated.run_policy, updated.schedule) == (
        "scheduled",
        {"period": "daily", "time": "04:00"},
    )

    running = api.call(
        lambda c: c.loads.run(created.id, date_from=dt.date(2024, 3, 1), date_to="2024-03-10")
    )
    assert isinstance(running, Load)
    assert running.status == "running"
    request = api.last_request("PUT", f"/api/v3/loads/{created.id}/run")
    assert request.json == {"date_from": "2024-03-01", "date_to": "2024-03-10"}
    done = api.call(lambda c: c.loads.wait(created.id, **WAIT))
    assert done.status == "success"
    expected = rows_for_run(ids["seed"], created.id, dt.date(2024, 3, 1), dt.date(2024, 3, 10))
    assert done.uploaded_rows_count == expected > 0

    paused = api.call(lambda c: c.loads.pause(created.id))
    assert isinstance(paused, Load)
    assert paused.status == "paused"
    with pytest.raises(BadRequestError):
        api.call(lambda c: c.loads.run(created.id))
    unpaused = api.call(lambda c: c.loads.unpause(created.id))
    assert isinstance(unpaused, Load)
    assert unpaused.status == "active"

    assert api.call(lambda c: c.loads.delete(created.id)) is None
    request = api.last_request("DELETE", f"/api/v3/loads/{created.id}")
    assert (request.status, request.body) == (204, b"")
    with pytest.raises(NotFoundError):
        api.call(lambda c: c.loads.get(created.id))


def test_loads_update_sets_keeps_and_clears_schedule(api: Api) -> None:
    load_id = _ids(api)["loads"][0]
    path = f"/api/v3/loads/{load_id}"
    schedule = {"period": "daily", "time": "04:00"}

    scheduled = api.call(lambda c: c.loads.update(load_id, schedule=schedule))
    assert isinstance(scheduled, Load)
    assert scheduled.schedule == schedule
    assert api.last_request("PUT", path).json == {"schedule": schedule}

    kept = api.call(lambda c: c.loads.update(load_id, run_policy="manual"))  # schedule omitted
    assert (kept.run_policy, kept.schedule) == ("manual", schedule)
    assert api.last_request("PUT", path).json == {"run_policy": "manual"}

    cleared = api.call(lambda c: c.loads.update(load_id, schedule=None))
    assert isinstance(cleared, Load)
    assert (cleared.run_policy, cleared.schedule) == ("manual", None)
    assert api.last_request("PUT", path).json == {"schedule": None}  # the key, sent as null

    got = api.call(lambda c: c.loads.get(load_id))
    assert isinstance(got, Load)
    assert (got.run_policy, got.schedule) == ("manual", None)
    assert api.state(lambda sb: sb.state.load_rows.get(sb.workspace_id, load_id).schedule) is None


def test_loads_errors(api: Api) -> None:
    ids = _ids(api)
    with pytest.raises(NotFoundError) as info:
        api.call(lambda c: c.loads.get(999_999))
    assert info.value.status == 404
    with pytest.raises(BadRequestError) as bad:  # unknown data table, caught by the sandbox
        api.call(
            lambda c: c.loads.create(
                data_table_id=999_999, destination_connection_id=ids["destinations"][0]
            )
        )
    assert bad.value.status == 400
    assert "data_table_id" in str(bad.value)
    assert api.last_request("POST", "/api/v3/loads").status == 400
    with pytest.raises(BadRequestError):
        api.call(lambda c: c.loads.update(ids["loads"][0], schedule="daily"))
    with pytest.raises(NotFoundError):
        api.call(lambda c: c.loads.pause(999_999))
