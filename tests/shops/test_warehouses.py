"""Warehouses: create, read, edit, validation and the one-default-per-type rule."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from hawker.models import Warehouse
from hawker.runtime import Runtime
from hawker.shops.warehouses import InvalidWarehouse, check_fields
from tests.factories.accounts import Actor, make_operator, signup
from tests.factories.shops import make_shop, make_warehouse


def warehouse_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "SALES_WAREHOUSE",
        "name": "Main",
        "address_line1": "12 Dock Road",
        "address_line2": "Unit 4",
        "city": "Newark",
        "region": "NJ",
        "postal_code": "07105",
        "country_code": "us",
        "latitude": 40.7357,
        "longitude": -74.1724,
    }
    body.update(overrides)
    return body


async def warehouse_count(rt: Runtime) -> int:
    async with rt.db.read_session() as s:
        return int(await s.scalar(select(func.count()).select_from(Warehouse)) or 0)


async def defaults(client: httpx.AsyncClient, actor: Actor, shop_id: str) -> set[tuple[str, str]]:
    r = await client.get(f"/api/v1/seller/shops/{shop_id}/warehouses", headers=actor.headers)
    return {(w["name"], w["type"]) for w in r.json()["items"] if w["is_default"]}


async def test_create_read_update(client: httpx.AsyncClient, rt: Runtime) -> None:
    owner = await signup(client)
    shop = await make_shop(client, rt, owner)
    url = f"/api/v1/seller/shops/{shop['id']}/warehouses"
    r = await client.post(url, json=warehouse_body(), headers=owner.headers)
    assert r.status_code == 201, r.text
    w = r.json()
    assert isinstance(w["id"], str)
    assert {k: v for k, v in w.items() if k not in ("id", "created_at")} == {
        "shop_id": shop["id"],
        "type": "SALES_WAREHOUSE",
        "name": "Main",
        "address_line1": "12 Dock Road",
        "address_line2": "Unit 4",
        "city": "Newark",
        "region": "NJ",
        "postal_code": "07105",
        "country_code": "US",
        "latitude": "40.735700",
        "longitude": "-74.172400",
        "cutoff_hour": 14,
        "is_default": False,
    }
    got = await client.get(f"{url}/{w['id']}", headers=owner.headers)
    assert got.json() == w

    r = await client.patch(
        f"{url}/{w['id']}",
        json={"cutoff_hour": 0, "name": "Main DC", "latitude": -33.8688, "city": None},
        headers=owner.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["cutoff_hour"] == 0
    assert r.json()["name"] == "Main DC"
    assert r.json()["latitude"] == "-33.868800"
    assert r.json()["city"] == "Newark"  # null leaves a field as it is

    listed = (await client.get(url, headers=owner.headers)).json()
    assert [x["id"] for x in listed["items"]] == [w["id"]]


async def test_pending_shop_may_set_up_warehouses(client: httpx.AsyncClient, rt: Runtime) -> None:
    owner = await signup(client)
    shop = await make_shop(client, rt, owner, active=False)
    w = await make_warehouse(client, owner, shop["id"], type="RETURN_WAREHOUSE", cutoff_hour=9)
    assert w["type"] == "RETURN_WAREHOUSE"
    assert w["cutoff_hour"] == 9


@pytest.mark.parametrize(
    "bad",
    [
        {"latitude": 90.000001},
        {"latitude": -91},
        {"longitude": 180.5},
        {"longitude": -181},
        {"latitude": "north"},
        {"cutoff_hour": 24},
        {"cutoff_hour": -1},
        {"cutoff_hour": 13.5},
        {"country_code": "USA"},
        {"country_code": "1A"},
        {"type": "DARK_STORE"},
        {"name": ""},
        {"latitude": None},
        {"shop_id": "1"},
    ],
)
async def test_validation(client: httpx.AsyncClient, rt: Runtime, bad: dict[str, Any]) -> None:
    owner = await signup(client)
    shop = await make_shop(client, rt, owner)
    url = f"/api/v1/seller/shops/{shop['id']}/warehouses"
    r = await client.post(url, json=warehouse_body(**bad), headers=owner.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "validation_error"
    assert await warehouse_count(rt) == 0

    w = await make_warehouse(client, owner, shop["id"], name="Kept")
    r = await client.patch(f"{url}/{w['id']}", json=bad, headers=owner.headers)
    if bad in ({"name": ""}, {"latitude": None}):
        # An empty name is refused; a null leaves the field as it is.
        assert r.status_code == (422 if bad == {"name": ""} else 200), r.text
    else:
        assert r.status_code == 422, r.text
    got = (await client.get(f"{url}/{w['id']}", headers=owner.headers)).json()
    assert got == w


def test_check_fields_is_a_guard_for_other_callers() -> None:
    for bad in (
        {"latitude": 91},
        {"longitude": "-180.1"},
        {"cutoff_hour": 24},
        {"cutoff_hour": True},
        {"country_code": "U1"},
        {"type": "SHED"},
        {"name": "  "},
        {"colour": "red"},
    ):
        with pytest.raises(InvalidWarehouse):
            check_fields(bad)
    out = check_fields({"latitude": 1.23456789, "country_code": " gb ", "city": " Leeds "})
    assert str(out["latitude"]) == "1.234568"
    assert out["country_code"] == "GB"
    assert out["city"] == "Leeds"


async def test_default_switching(client: httpx.AsyncClient, rt: Runtime) -> None:
    owner = await signup(client)
    shop = await make_shop(client, rt, owner)
    sid = shop["id"]
    a = await make_warehouse(client, owner, sid, name="A", is_default=True)
    await make_warehouse(client, owner, sid, name="R1", type="RETURN_WAREHOUSE", is_default=True)
    assert await defaults(client, owner, sid) == {
        ("A", "SALES_WAREHOUSE"),
        ("R1", "RETURN_WAREHOUSE"),
    }

    b = await make_warehouse(client, owner, sid, name="B", is_default=True)
    assert await defaults(client, owner, sid) == {
        ("B", "SALES_WAREHOUSE"),
        ("R1", "RETURN_WAREHOUSE"),
    }

    url = f"/api/v1/seller/shops/{sid}/warehouses"
    r = await client.patch(f"{url}/{a['id']}", json={"is_default": True}, headers=owner.headers)
    assert r.status_code == 200
    assert r.json()["is_default"] is True
    assert await defaults(client, owner, sid) == {
        ("A", "SALES_WAREHOUSE"),
        ("R1", "RETURN_WAREHOUSE"),
    }

    # Moving the default sales warehouse to the return type takes the return default over.
    r = await client.patch(
        f"{url}/{a['id']}", json={"type": "RETURN_WAREHOUSE"}, headers=owner.headers
    )
    assert r.status_code == 200
    assert await defaults(client, owner, sid) == {("A", "RETURN_WAREHOUSE")}

    r = await client.patch(f"{url}/{b['id']}", json={"is_default": True}, headers=owner.headers)
    assert r.json()["is_default"] is True
    assert await defaults(client, owner, sid) == {
        ("A", "RETURN_WAREHOUSE"),
        ("B", "SALES_WAREHOUSE"),
    }
    r = await client.patch(f"{url}/{b['id']}", json={"is_default": False}, headers=owner.headers)
    assert r.json()["is_default"] is False
    assert await defaults(client, owner, sid) == {("A", "RETURN_WAREHOUSE")}


async def test_concurrent_defaults_leave_one(client: httpx.AsyncClient, rt: Runtime) -> None:
    owner = await signup(client)
    shop = await make_shop(client, rt, owner)
    ws = [await make_warehouse(client, owner, shop["id"], name=f"W{i}") for i in range(4)]
    url = f"/api/v1/seller/shops/{shop['id']}/warehouses"
    results = await asyncio.gather(
        *(
            client.patch(f"{url}/{w['id']}", json={"is_default": True}, headers=owner.headers)
            for w in ws
        )
    )
    assert [r.status_code for r in results] == [200, 200, 200, 200]
    assert len(await defaults(client, owner, shop["id"])) == 1


async def test_warehouse_of_another_shop_is_404(client: httpx.AsyncClient, rt: Runtime) -> None:
    owner = await signup(client)
    mine = await make_shop(client, rt, owner, name="First")
    other = await make_shop(client, rt, owner, name="Second")
    w = await make_warehouse(client, owner, other["id"], name="Other's")
    url = f"/api/v1/seller/shops/{mine['id']}/warehouses/{w['id']}"
    r = await client.get(url, headers=owner.headers)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "warehouse_not_found"
    r = await client.patch(url, json={"name": "Moved"}, headers=owner.headers)
    assert r.status_code == 404
    got = await client.get(
        f"/api/v1/seller/shops/{other['id']}/warehouses/{w['id']}", headers=owner.headers
    )
    assert got.json() == w
    r = await client.get(
        f"/api/v1/seller/shops/{mine['id']}/warehouses/999999999999999999", headers=owner.headers
    )
    assert r.status_code == 404


async def test_closed_shop_warehouses_are_frozen(client: httpx.AsyncClient, rt: Runtime) -> None:
    owner = await signup(client)
    shop = await make_shop(client, rt, owner)
    w = await make_warehouse(client, owner, shop["id"])
    operator = await make_operator(rt)
    r = await client.post(
        f"/api/v1/operator/shops/{shop['id']}/close",
        json={"reason": "Owner asked to close."},
        headers=operator.headers,
    )
    assert r.status_code == 200
    url = f"/api/v1/seller/shops/{shop['id']}/warehouses"
    r = await client.post(url, json=warehouse_body(), headers=owner.headers)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "shop_closed"
    r = await client.patch(f"{url}/{w['id']}", json={"name": "X"}, headers=owner.headers)
    assert r.status_code == 409
    assert (await client.get(f"{url}/{w['id']}", headers=owner.headers)).json() == w
    assert await warehouse_count(rt) == 1


async def test_type_filter_and_pagination(client: httpx.AsyncClient, rt: Runtime) -> None:
    owner = await signup(client)
    shop = await make_shop(client, rt, owner)
    sales = [await make_warehouse(client, owner, shop["id"]) for _ in range(3)]
    ret = await make_warehouse(client, owner, shop["id"], type="RETURN_WAREHOUSE")
    url = f"/api/v1/seller/shops/{shop['id']}/warehouses"
    r = await client.get(f"{url}?type=RETURN_WAREHOUSE", headers=owner.headers)
    assert [w["id"] for w in r.json()["items"]] == [ret["id"]]
    p1 = (await client.get(f"{url}?type=SALES_WAREHOUSE&limit=2", headers=owner.headers)).json()
    p2 = (
        await client.get(
            f"{url}?type=SALES_WAREHOUSE&limit=2&cursor={p1['next_cursor']}", headers=owner.headers
        )
    ).json()
    assert [w["id"] for w in p1["items"] + p2["items"]] == [w["id"] for w in reversed(sales)]
    assert p2["next_cursor"] is None
    r = await client.get(f"{url}?limit=0", headers=owner.headers)
    assert r.status_code == 422
