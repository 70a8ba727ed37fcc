"""The seller center's inventory endpoints: stock levels, receipts, adjustments, movements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from hawker.inventory import service as inventory
from hawker.inventory.service import ReserveLine
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from hawker.shops.service import ShopClosed
from tests.factories.accounts import Actor, make_operator, signup
from tests.factories.catalog import make_product
from tests.factories.inventory import insert_order, receive_via_api
from tests.factories.shops import make_shop, make_warehouse


@dataclass
class Seller:
    actor: Actor
    shop_id: str
    warehouse_id: str
    returns_id: str
    product: dict[str, Any]

    @property
    def sku_id(self) -> str:
        sku_id: str = self.product["skus"][0]["id"]
        return sku_id

    def url(self, path: str = "") -> str:
        return f"/api/v1/seller/shops/{self.shop_id}/stock{path}"


async def make_seller(client: httpx.AsyncClient, rt: Runtime, runner: JobRunner) -> Seller:
    actor = await signup(client)
    shop = await make_shop(client, rt, actor)
    warehouse = await make_warehouse(client, actor, shop["id"], is_default=True)
    returns = await make_warehouse(client, actor, shop["id"], type="RETURN_WAREHOUSE")
    product = await make_product(client, runner, actor, shop["id"], title="Linen Shirt")
    return Seller(actor, shop["id"], warehouse["id"], returns["id"], product)


async def stock_rows(client: httpx.AsyncClient, seller: Seller, query: str = "") -> list[Any]:
    r = await client.get(seller.url(query), headers=seller.actor.headers)
    assert r.status_code == 200, r.text
    items: list[Any] = r.json()["items"]
    return items


async def test_receive_adjust_list_and_movements(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    seller = await make_seller(client, rt, runner)
    body = await receive_via_api(
        client,
        seller.actor,
        seller.shop_id,
        sku_id=seller.sku_id,
        warehouse_id=seller.warehouse_id,
        quantity=12,
        note="PO-1",
    )
    assert {k: body[k] for k in ("sku_id", "warehouse_id", "on_hand", "reserved", "available")} == {
        "sku_id": seller.sku_id,
        "warehouse_id": seller.warehouse_id,
        "on_hand": 12,
        "reserved": 0,
        "available": 12,
    }
    assert body["product_name"] == "Linen Shirt"
    assert body["sku_name"] == "M"
    assert body["product_id"] == seller.product["id"]

    r = await client.post(
        seller.url("/adjustments"),
        json={
            "sku_id": seller.sku_id,
            "warehouse_id": seller.warehouse_id,
            "delta": -2,
            "note": "damaged in storage",
        },
        headers=seller.actor.headers,
    )
    assert r.status_code == 201, r.text
    assert (r.json()["on_hand"], r.json()["available"]) == (10, 10)

    await receive_via_api(
        client,
        seller.actor,
        seller.shop_id,
        sku_id=seller.sku_id,
        warehouse_id=seller.returns_id,
        quantity=3,
    )
    rows = await stock_rows(client, seller)
    assert [(r["warehouse_id"], r["on_hand"]) for r in rows] == [
        (seller.returns_id, 3),
        (seller.warehouse_id, 10),
    ]
    assert [r["warehouse_type"] for r in rows] == ["RETURN_WAREHOUSE", "SALES_WAREHOUSE"]
    only = await stock_rows(client, seller, f"?warehouse_id={seller.warehouse_id}")
    assert [r["on_hand"] for r in only] == [10]
    assert len(await stock_rows(client, seller, f"?sku_id={seller.sku_id}")) == 2
    assert len(await stock_rows(client, seller, f"?product_id={seller.product['id']}")) == 2
    assert [r["on_hand"] for r in await stock_rows(client, seller, "?low_stock=3")] == [3]
    assert [r["on_hand"] for r in await stock_rows(client, seller, "?low_stock=2")] == []
    assert len(await stock_rows(client, seller, "?q=linen")) == 2
    assert await stock_rows(client, seller, "?q=wool") == []

    r = await client.get(seller.url("/movements"), headers=seller.actor.headers)
    assert r.status_code == 200
    moves = r.json()["items"]
    assert [(m["kind"], m["on_hand_delta"], m["note"], m["actor_id"]) for m in moves] == [
        ("RECEIPT", 3, "", str(seller.actor.user_id)),
        ("ADJUSTMENT", -2, "damaged in storage", str(seller.actor.user_id)),
        ("RECEIPT", 12, "PO-1", str(seller.actor.user_id)),
    ]
    r = await client.get(
        seller.url(f"/movements?kind=ADJUSTMENT&warehouse_id={seller.warehouse_id}"),
        headers=seller.actor.headers,
    )
    assert [m["on_hand_delta"] for m in r.json()["items"]] == [-2]
    r = await client.get(seller.url("/movements?kind=STOLEN"), headers=seller.actor.headers)
    assert r.status_code == 422


async def test_pagination(client: httpx.AsyncClient, rt: Runtime, runner: JobRunner) -> None:
    seller = await make_seller(client, rt, runner)
    for quantity in (1, 2, 3):
        await receive_via_api(
            client,
            seller.actor,
            seller.shop_id,
            sku_id=seller.sku_id,
            warehouse_id=seller.warehouse_id,
            quantity=quantity,
        )
    seen: list[int] = []
    cursor = None
    while True:
        query = "/movements?limit=2" + (f"&cursor={cursor}" if cursor else "")
        r = await client.get(seller.url(query), headers=seller.actor.headers)
        assert r.status_code == 200
        seen += [m["on_hand_delta"] for m in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == [3, 2, 1]
    for url in (seller.url("?cursor=not-a-cursor"), seller.url("/movements?cursor=e30")):
        r = await client.get(url, headers=seller.actor.headers)
        assert r.status_code == 400
        assert r.json()["error"]["code"] == "invalid_cursor"
    r = await client.get(seller.url("?limit=101"), headers=seller.actor.headers)
    assert r.status_code == 422


async def test_removing_more_than_is_free_is_refused(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    seller = await make_seller(client, rt, runner)
    await receive_via_api(
        client,
        seller.actor,
        seller.shop_id,
        sku_id=seller.sku_id,
        warehouse_id=seller.warehouse_id,
        quantity=5,
    )
    now = rt.clock.now()
    async with rt.db.session() as s:  # a buyer holds 3 of the 5 units
        order, lines = await insert_order(
            s,
            buyer_id=seller.actor.user_id,
            shop_id=int(seller.shop_id),
            now=now,
            lines=[(int(seller.sku_id), 3)],
        )
        await inventory.reserve(
            s,
            [ReserveLine(order.id, lines[0].id, int(seller.sku_id), int(seller.shop_id), 3)],
            now=now,
        )
    r = await client.post(
        seller.url("/adjustments"),
        json={
            "sku_id": seller.sku_id,
            "warehouse_id": seller.warehouse_id,
            "delta": -3,
            "note": "lost",
        },
        headers=seller.actor.headers,
    )
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "insufficient_stock"
    assert r.json()["error"]["details"] == [
        {"sku_id": seller.sku_id, "requested": 3, "available": 2}
    ]
    rows = await stock_rows(client, seller)
    assert [(r["on_hand"], r["reserved"], r["available"]) for r in rows] == [(5, 3, 2)]
    r = await client.get(seller.url("/movements?kind=ADJUSTMENT"), headers=seller.actor.headers)
    assert r.json()["items"] == []


@pytest.mark.parametrize(
    ("path", "payload", "status", "code"),
    [
        ("/receipts", {"quantity": 0}, 400, "invalid_quantity"),
        ("/receipts", {"quantity": -3}, 400, "invalid_quantity"),
        ("/receipts", {"quantity": 1_000_001}, 400, "invalid_quantity"),
        ("/receipts", {"quantity": 10**30}, 400, "invalid_quantity"),
        ("/adjustments", {"delta": 0, "note": "x"}, 400, "invalid_quantity"),
        ("/adjustments", {"delta": -1_000_001, "note": "x"}, 400, "invalid_quantity"),
        ("/adjustments", {"delta": 1}, 400, "reason_required"),
        ("/adjustments", {"delta": 1, "note": "   "}, 400, "reason_required"),
        ("/receipts", {"quantity": 1, "sku_id": "abc"}, 422, "validation_error"),
        ("/receipts", {"quantity": "many"}, 422, "validation_error"),
        ("/adjustments", {"delta": 1, "note": "x" * 256}, 422, "validation_error"),
    ],
)
async def test_invalid_payloads_change_nothing(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    path: str,
    payload: dict[str, Any],
    status: int,
    code: str,
) -> None:
    """Quantities and reasons are the stock rules' (400, the same for every caller); only a
    malformed payload is 422."""
    seller = await make_seller(client, rt, runner)
    body = {"sku_id": seller.sku_id, "warehouse_id": seller.warehouse_id, **payload}
    r = await client.post(seller.url(path), json=body, headers=seller.actor.headers)
    assert (r.status_code, r.json()["error"]["code"]) == (status, code)
    assert await stock_rows(client, seller) == []
    r = await client.get(seller.url("/movements"), headers=seller.actor.headers)
    assert r.json()["items"] == []


async def test_tenancy(client: httpx.AsyncClient, rt: Runtime, runner: JobRunner) -> None:
    mine = await make_seller(client, rt, runner)
    theirs = await make_seller(client, rt, runner)
    await receive_via_api(
        client,
        theirs.actor,
        theirs.shop_id,
        sku_id=theirs.sku_id,
        warehouse_id=theirs.warehouse_id,
        quantity=4,
    )
    receipt = {"sku_id": theirs.sku_id, "warehouse_id": theirs.warehouse_id, "quantity": 1}
    adjustment = {**receipt, "delta": -1, "note": "mine now"}

    client.cookies.clear()  # sign-ups set a session cookie; log in only through headers
    # another seller's shop answers like a shop that does not exist
    for method, path, payload in [
        ("GET", "", None),
        ("GET", "/movements", None),
        ("POST", "/receipts", receipt),
        ("POST", "/adjustments", adjustment),
    ]:
        r = await client.request(method, theirs.url(path), json=payload, headers=mine.actor.headers)
        assert r.status_code == 404, (path, r.text)
        assert r.json()["error"]["code"] == "shop_not_found"
        r = await client.request(method, theirs.url(path), json=payload)
        assert r.status_code == 401

    # their SKU or warehouse through my own shop
    cases = [
        ({**receipt, "warehouse_id": mine.warehouse_id}, "sku_not_found"),
        ({**receipt, "sku_id": mine.sku_id}, "warehouse_not_found"),
    ]
    for payload, code in cases:
        r = await client.post(mine.url("/receipts"), json=payload, headers=mine.actor.headers)
        assert r.status_code == 404
        assert r.json()["error"]["code"] == code
        r = await client.post(
            mine.url("/adjustments"),
            json={**payload, "delta": -1, "note": "x"},
            headers=mine.actor.headers,
        )
        assert r.status_code == 404
        assert r.json()["error"]["code"] == code

    # filters cannot reach into their shop either
    assert await stock_rows(client, mine, f"?sku_id={theirs.sku_id}") == []
    assert await stock_rows(client, mine, f"?warehouse_id={theirs.warehouse_id}") == []
    assert await stock_rows(client, mine) == []

    # nothing changed for them
    rows = await stock_rows(client, theirs)
    assert [(r["on_hand"], r["reserved"]) for r in rows] == [(4, 0)]
    r = await client.get(theirs.url("/movements"), headers=theirs.actor.headers)
    assert len(r.json()["items"]) == 1
    async with rt.db.read_session() as s:
        assert await inventory.check_consistency(s) == []


async def test_a_closed_shop_cannot_change_its_stock(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    seller = await make_seller(client, rt, runner)
    await receive_via_api(
        client,
        seller.actor,
        seller.shop_id,
        sku_id=seller.sku_id,
        warehouse_id=seller.warehouse_id,
        quantity=4,
    )
    operator = await make_operator(rt)
    r = await client.post(
        f"/api/v1/operator/shops/{seller.shop_id}/close",
        json={"reason": "The owner asked to close."},
        headers=operator.headers,
    )
    assert r.status_code == 200, r.text
    before = await stock_rows(client, seller)
    line = {"sku_id": seller.sku_id, "warehouse_id": seller.warehouse_id}
    for path, payload in (
        ("/receipts", {**line, "quantity": 3}),
        ("/adjustments", {**line, "delta": -1, "note": "count"}),
        ("/adjustments", {**line, "delta": 2, "note": "found"}),
    ):
        r = await client.post(seller.url(path), json=payload, headers=seller.actor.headers)
        assert (r.status_code, r.json()["error"]["code"]) == (409, "shop_closed"), path
    assert await stock_rows(client, seller) == before
    r = await client.get(seller.url("/movements"), headers=seller.actor.headers)
    assert [m["kind"] for m in r.json()["items"]] == ["RECEIPT"]
    # The same rule holds for callers inside Hawker.
    with pytest.raises(ShopClosed):
        async with rt.db.session() as s:
            await inventory.receive(
                s,
                sku_id=int(seller.sku_id),
                warehouse_id=int(seller.warehouse_id),
                quantity=1,
                now=rt.clock.now(),
                actor_id=None,
            )
    assert await stock_rows(client, seller) == before


async def test_stock_and_movement_pages_end_exactly(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    """A page that is exactly full is the last one when nothing follows it."""
    seller = await make_seller(client, rt, runner)
    for warehouse_id, quantity in ((seller.warehouse_id, 5), (seller.returns_id, 2)):
        await receive_via_api(
            client,
            seller.actor,
            seller.shop_id,
            sku_id=seller.sku_id,
            warehouse_id=warehouse_id,
            quantity=quantity,
        )

    async def pages(path: str, limit: int) -> list[list[int]]:
        out: list[list[int]] = []
        cursor = ""
        while True:
            r = await client.get(
                seller.url(f"{path}?limit={limit}{cursor}"), headers=seller.actor.headers
            )
            assert r.status_code == 200, r.text
            key = "on_hand" if path == "" else "on_hand_delta"
            out.append([i[key] for i in r.json()["items"]])
            if r.json()["next_cursor"] is None:
                return out
            cursor = f"&cursor={r.json()['next_cursor']}"

    assert await pages("", 2) == [[2, 5]]
    assert await pages("", 1) == [[2], [5]]
    assert await pages("/movements", 2) == [[2, 5]]
    assert await pages("/movements", 1) == [[2], [5]]
