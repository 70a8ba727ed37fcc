"""The whole buyer journey through the API: cart, quote, place, pay, remorse window."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select

from hawker.inventory import service as inventory
from hawker.kit.clock import FrozenClock
from hawker.models import CartItem, Order, OrderHistory, OutboxEvent, Stock
from hawker.outbox.runner import JobRunner
from hawker.payments import service as payments
from hawker.runtime import Runtime
from tests.factories.accounts import signup
from tests.factories.orders import add_to_cart, count_rows, make_listing, pay, place


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def amounts(shop: dict[str, Any]) -> tuple[int, int, int, bool, int]:
    return (
        shop["subtotal"]["amount_minor"],
        shop["shipping_fee"]["amount_minor"],
        shop["tax"]["amount_minor"],
        shop["tax_included"],
        shop["total"]["amount_minor"],
    )


async def stock_of(rt: Runtime, sku_id: str) -> tuple[int, int]:
    async with rt.db.read_session() as s:
        row = (await s.scalars(select(Stock).where(Stock.sku_id == int(sku_id)))).one()
        return row.on_hand, row.reserved


async def checks(rt: Runtime) -> tuple[list[str], list[str]]:
    async with rt.db.read_session() as s:
        return await payments.check_ledger(s), await inventory.check_consistency(s)


async def test_us_journey_two_shops_exclusive_tax(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, clock: FrozenClock
) -> None:
    shirt = await make_listing(client, rt, runner, title="Linen Shirt", price_minor=1999)
    socks = await make_listing(client, rt, runner, title="Wool Socks", price_minor=1250)
    buyer = await signup(client, market_code="US")
    start = clock.now()

    assert (await add_to_cart(client, buyer, shirt.sku_id, 1)).status_code == 200
    assert (await add_to_cart(client, buyer, socks.sku_id, 2)).status_code == 200
    r = await add_to_cart(client, buyer, socks.sku_id, 1)  # increments the same line
    assert r.status_code == 200, r.text
    cart = r.json()
    assert cart["line_count"] == 2
    assert [s["shop_id"] for s in cart["shops"]] == [shirt.shop_id, socks.shop_id]

    quote = (await client.get("/api/v1/cart/quote", headers=buyer.headers)).json()
    a, b = quote["shops"]
    # shop A: 1999 + 599 shipping; tax 7.25 % of 1999 = 144.93 -> 145
    assert amounts(a) == (1999, 599, 145, False, 2743)
    assert a["total"]["formatted"] == "$27.43"
    assert [(ln["product_title"], ln["quantity"]) for ln in a["lines"]] == [("Linen Shirt", 1)]
    # shop B: 3 × 1250 = 3750 ships free; tax 271.875 -> 272
    assert amounts(b) == (3750, 0, 272, False, 4022)
    assert b["lines"][0]["unit_price"]["amount_minor"] == 1250
    assert b["lines"][0]["line_total"]["amount_minor"] == 3750
    assert quote["total"]["amount_minor"] == 6765
    assert quote["total"]["formatted"] == "$67.65"
    assert quote["currency"] == "USD"
    full = (await client.get("/api/v1/cart", headers=buyer.headers)).json()
    assert full["shops"] == quote["shops"] and full["unavailable"] == []

    r = await place(client, buyer, note="Leave at the door")
    assert r.status_code == 201, r.text
    placed = r.json()
    assert placed["total"]["amount_minor"] == 6765
    assert when(placed["pay_by"]) == start + timedelta(hours=24)
    orders = placed["orders"]
    assert len(orders) == 2
    assert {o["checkout_id"] for o in orders} == {placed["checkout_id"]}
    by_shop = {o["shop_id"]: o for o in orders}
    oa, ob = by_shop[shirt.shop_id], by_shop[socks.shop_id]
    assert oa["status"] == ob["status"] == "UNPAID"
    assert oa["order_type"] == "NORMAL"
    assert oa["payment"]["total_amount"]["amount_minor"] == 2743
    assert oa["payment"]["tax"]["amount_minor"] == 145
    assert ob["payment"]["sub_total"]["amount_minor"] == 3750
    assert ob["payment"]["shipping_fee"]["amount_minor"] == 0
    assert ob["line_items"][0]["quantity"] == 3
    assert ob["line_items"][0]["product_name"] == "Wool Socks"
    assert ob["line_items"][0]["sale_price"]["amount_minor"] == 1250
    assert ob["line_items"][0]["package_weight_g"] == 250
    assert oa["recipient_address"]["country_code"] == "US"
    assert oa["buyer_note"] == "Leave at the door"
    # stock reserved, cart emptied of what was bought
    assert await stock_of(rt, shirt.sku_id) == (10, 1)
    assert await stock_of(rt, socks.sku_id) == (10, 3)
    assert await count_rows(rt, CartItem) == 0

    r = await pay(client, buyer, placed["checkout_id"])
    assert r.status_code == 200, r.text
    paid = r.json()
    assert paid["payment"]["status"] == "SUCCEEDED"
    assert paid["payment"]["amount"]["amount_minor"] == 6765
    assert paid["payment"]["card_last4"] == "4242"
    assert {o["status"] for o in paid["orders"]} == {"ON_HOLD"}
    for o in paid["orders"]:
        assert when(o["paid_at"]) == start
        assert when(o["hold_until"]) == start + timedelta(hours=1)

    # the remorse window passes: the timer releases both orders to the shops
    clock.advance(timedelta(minutes=59))
    await runner.run_until_idle()
    r = await client.get(f"/api/v1/orders/{oa['id']}", headers=buyer.headers)
    assert r.json()["status"] == "ON_HOLD"
    clock.advance(timedelta(minutes=1))
    await runner.run_until_idle()
    for o in orders:
        r = await client.get(f"/api/v1/orders/{o['id']}", headers=buyer.headers)
        assert r.status_code == 200
        detail = r.json()
        assert detail["status"] == "AWAITING_SHIPMENT"
        assert [(h["from_status"], h["to_status"], h["actor_role"]) for h in detail["history"]] == [
            (None, "UNPAID", "BUYER"),
            ("UNPAID", "ON_HOLD", "BUYER"),
            ("ON_HOLD", "AWAITING_SHIPMENT", "SYSTEM"),
        ]
        async with rt.db.read_session() as s:
            events = (
                await s.scalars(
                    select(OutboxEvent)
                    .where(
                        OutboxEvent.topic == "order.status_changed",
                        OutboxEvent.aggregate_id == int(o["id"]),
                    )
                    .order_by(OutboxEvent.id)
                )
            ).all()
        assert [(e.payload["previous_status"], e.payload["order_status"]) for e in events] == [
            (None, "UNPAID"),
            ("UNPAID", "ON_HOLD"),
            ("ON_HOLD", "AWAITING_SHIPMENT"),
        ]
        assert [e.payload["is_on_hold_order"] for e in events] == [False, True, False]
        assert events[-1].payload["order_id"] == o["id"]
        assert events[-1].payload["update_time"] == int(clock.now().timestamp())

    seller_view = await client.get(
        f"/api/v1/seller/shops/{shirt.shop_id}/orders", headers=shirt.seller.headers
    )
    assert [o["id"] for o in seller_view.json()["items"]] == [oa["id"]]
    assert await count_rows(rt, Order) == 2
    assert await count_rows(rt, OrderHistory) == 6
    assert await checks(rt) == ([], [])


async def test_gb_journey_inclusive_vat(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, clock: FrozenClock
) -> None:
    tea = await make_listing(
        client, rt, runner, market_code="GB", title="Tea Set", price_minor=1999
    )
    buyer = await signup(client, market_code="GB")
    assert (await add_to_cart(client, buyer, tea.sku_id, 1)).status_code == 200

    quote = (await client.get("/api/v1/cart/quote", headers=buyer.headers)).json()
    (shop,) = quote["shops"]
    # VAT is inside the price: 20/120 of (1999 + 399) = 399.67 -> 400; total is not raised
    assert amounts(shop) == (1999, 399, 400, True, 2398)
    assert shop["market_code"] == "GB"
    assert quote["currency"] == "GBP"
    assert quote["total"]["formatted"] == "£23.98"

    wrong = await place(client, buyer, country_code="US")
    assert wrong.status_code == 400
    assert wrong.json()["error"]["code"] == "address_outside_market"
    assert await count_rows(rt, Order) == 0

    r = await place(client, buyer, country_code="GB")
    assert r.status_code == 201, r.text
    (order,) = r.json()["orders"]
    assert order["payment"]["currency"] == "GBP"
    assert order["payment"]["tax_included"] is True
    assert order["payment"]["total_amount"]["amount_minor"] == 2398
    assert order["payment"]["total_amount"]["formatted"] == "£23.98"

    r = await pay(client, buyer, order["checkout_id"])
    assert r.status_code == 200, r.text
    assert r.json()["payment"]["amount"]["amount_minor"] == 2398
    clock.advance(timedelta(hours=1))
    await runner.run_until_idle()
    r = await client.get(f"/api/v1/orders/{order['id']}", headers=buyer.headers)
    assert r.json()["status"] == "AWAITING_SHIPMENT"
    assert await stock_of(rt, tea.sku_id) == (10, 1)
    assert await checks(rt) == ([], [])
