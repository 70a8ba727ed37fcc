"""An order's detail shows its payment attempts and refunds, to the buyer, the shop and
operators alike."""

from __future__ import annotations

from typing import Any

import httpx

from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import make_operator, signup
from tests.factories.orders import (
    CARD_DECLINED,
    CARD_OK,
    add_to_cart,
    make_listing,
    pay,
    place_ok,
)


def money(amount_minor: int) -> dict[str, Any]:
    return {
        "amount_minor": amount_minor,
        "currency": "USD",
        "amount": f"{amount_minor // 100}.{amount_minor % 100:02d}",
        "formatted": f"${amount_minor // 100}.{amount_minor % 100:02d}",
    }


async def test_payments_and_refunds_in_every_detail_view(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    shirt = await make_listing(client, rt, runner, price_minor=1999)
    socks = await make_listing(client, rt, runner, title="Wool Socks", price_minor=500)
    buyer = await signup(client)
    await add_to_cart(client, buyer, shirt.sku_id, 2)
    await add_to_cart(client, buyer, socks.sku_id, 1)
    placed = await place_ok(client, buyer)
    by_shop = {o["shop_id"]: o for o in placed["orders"]}
    shirt_order, socks_order = by_shop[shirt.shop_id], by_shop[socks.shop_id]

    declined = await pay(client, buyer, placed["checkout_id"], number=CARD_DECLINED)
    assert declined.status_code == 402
    paid = await pay(client, buyer, placed["checkout_id"], number=CARD_OK)
    assert paid.status_code == 200, paid.text
    declined_id = declined.json()["error"]["details"]["payment_id"]
    paid_id = paid.json()["payment"]["id"]
    created_at = paid.json()["payment"]["created_at"]

    r = await client.post(
        f"/api/v1/orders/{shirt_order['id']}/cancel",
        json={"reason": "Ordered the wrong size"},
        headers=buyer.headers,
    )
    assert (r.status_code, r.json()["status"]) == (200, "CANCELLED")
    shirt_total = shirt_order["payment"]["total_amount"]["amount_minor"]
    socks_total = socks_order["payment"]["total_amount"]["amount_minor"]

    def attempts(total: int) -> list[dict[str, Any]]:
        """One charge paid both orders: each order shows its own share of it."""
        return [
            {
                "id": declined_id,
                "status": "DECLINED",
                "amount": money(total),
                "card_brand": "visa",
                "card_last4": "0002",
                "created_at": created_at,
            },
            {
                "id": paid_id,
                "status": "SUCCEEDED",
                "amount": money(total),
                "card_brand": "visa",
                "card_last4": "4242",
                "created_at": created_at,
            },
        ]

    operator = await make_operator(rt)
    views = {
        "buyer": (f"/api/v1/orders/{shirt_order['id']}", buyer),
        "seller": (
            f"/api/v1/seller/shops/{shirt.shop_id}/orders/{shirt_order['id']}",
            shirt.seller,
        ),
        "operator": (f"/api/v1/operator/orders/{shirt_order['id']}", operator),
    }
    for who, (url, actor) in views.items():
        r = await client.get(url, headers=actor.headers)
        assert r.status_code == 200, (who, r.text)
        detail = r.json()
        assert detail["payments"] == attempts(shirt_total), who
        [refund] = detail["refunds"]
        assert {k: refund[k] for k in ("amount", "reason", "created_at")} == {
            "amount": money(shirt_total),
            "reason": "Ordered the wrong size",
            "created_at": created_at,
        }, who
        assert refund["id"].isdigit()

    r = await client.get(
        f"/api/v1/seller/shops/{socks.shop_id}/orders/{socks_order['id']}",
        headers=socks.seller.headers,
    )
    assert (r.json()["payments"], r.json()["refunds"]) == (attempts(socks_total), [])
    # The other order of the checkout stays paid.
    r = await client.get(f"/api/v1/orders/{socks_order['id']}", headers=buyer.headers)
    assert r.json()["status"] == "ON_HOLD"
    # Lists stay light: no payments there.
    r = await client.get("/api/v1/orders", headers=buyer.headers)
    assert all("payments" not in o for o in r.json()["items"])


async def test_an_unpaid_order_has_no_payments(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    listing = await make_listing(client, rt, runner)
    buyer = await signup(client)
    placed = await place_ok(client, buyer, items=[(listing.sku_id, 1)])
    r = await client.get(f"/api/v1/orders/{placed['orders'][0]['id']}", headers=buyer.headers)
    assert (r.json()["payments"], r.json()["refunds"]) == ([], [])
