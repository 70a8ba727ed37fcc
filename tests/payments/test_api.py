"""Payments endpoints: the documented test cards, a shop's escrow balance, the operator ledger."""

from __future__ import annotations

import httpx

from hawker.payments import service as payments
from hawker.payments.service import CardDetails, OrderShare
from hawker.runtime import Runtime
from tests.factories.accounts import Actor, make_operator, signup
from tests.factories.inventory import insert_order
from tests.factories.shops import make_shop


async def charge(
    rt: Runtime, buyer: Actor, shop_ids: list[int], amounts: list[int], currency: str = "USD"
) -> int:
    """A paid checkout of one order per shop; returns the payment id."""
    now = rt.clock.now()
    async with rt.db.session() as s:
        shares = []
        for shop_id, amount in zip(shop_ids, amounts, strict=True):
            order, _ = await insert_order(
                s, buyer_id=buyer.user_id, shop_id=shop_id, now=now, currency=currency
            )
            shares.append(OrderShare(order.id, shop_id, amount))
        payment = await payments.charge(
            s,
            buyer_id=buyer.user_id,
            currency=currency,
            shares=shares,
            card=CardDetails("4242424242424242", 12, 2030, "123", "Ada Buyer"),
            now=now,
        )
        assert payment.status == "SUCCEEDED"
        return payment.id


async def test_test_cards_are_public(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/payments/test-cards")
    assert r.status_code == 200
    body = r.json()
    assert body["provider"] == "test"
    assert [(c["number"], c["outcome"], c["failure_code"]) for c in body["cards"]] == [
        ("4242424242424242", "succeeded", None),
        ("4000000000000002", "declined", "card_declined"),
        ("4000000000009995", "declined", "insufficient_funds"),
        ("4000000000000069", "declined", "expired_card"),
        ("4000000000000119", "network_error", None),
    ]
    assert {c["brand"] for c in body["cards"]} == {"visa"}
    assert body["rules"][0] == "Any other number that passes the Luhn check succeeds."


async def test_shop_balance_is_for_members_only(client: httpx.AsyncClient, rt: Runtime) -> None:
    owner = await signup(client)
    shop = await make_shop(client, rt, owner)
    other_owner = await signup(client)
    other = await make_shop(client, rt, other_owner)
    buyer = await signup(client)
    client.cookies.clear()
    url = f"/api/v1/seller/shops/{shop['id']}/balance"

    r = await client.get(url, headers=owner.headers)
    assert r.status_code == 200
    assert r.json() == {
        "shop_id": shop["id"],
        "balances": [
            {
                "currency": "USD",
                "escrow": {
                    "amount_minor": 0,
                    "currency": "USD",
                    "amount": "0.00",
                    "formatted": "$0.00",
                },
            }
        ],
    }

    await charge(rt, buyer, [int(shop["id"]), int(other["id"])], [2599, 1000])
    await charge(rt, buyer, [int(shop["id"])], [1500], currency="EUR")
    r = await client.get(url, headers=owner.headers)
    assert [(b["currency"], b["escrow"]["amount_minor"]) for b in r.json()["balances"]] == [
        ("EUR", 1500),
        ("USD", 2599),
    ]
    assert r.json()["balances"][1]["escrow"]["formatted"] == "$25.99"

    for actor in (other_owner, buyer):
        r = await client.get(url, headers=actor.headers)
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "shop_not_found"
    r = await client.get(url)
    assert r.status_code == 401
    r = await client.get(f"/api/v1/seller/shops/{other['id']}/balance", headers=other_owner.headers)
    assert [(b["currency"], b["escrow"]["amount_minor"]) for b in r.json()["balances"]] == [
        ("USD", 1000)
    ]


async def test_operator_ledger(client: httpx.AsyncClient, rt: Runtime) -> None:
    owner = await signup(client)
    shop = await make_shop(client, rt, owner)
    buyer = await signup(client)
    operator = await make_operator(rt)
    client.cookies.clear()
    shop_id = int(shop["id"])
    first = await charge(rt, buyer, [shop_id], [1000])
    second = await charge(rt, buyer, [shop_id], [700])

    for path in ("/api/v1/operator/ledger/accounts", "/api/v1/operator/ledger/entries"):
        r = await client.get(path, headers=owner.headers)
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "permission_denied"
        assert (await client.get(path)).status_code == 401

    r = await client.get("/api/v1/operator/ledger/accounts", headers=operator.headers)
    assert r.status_code == 200
    accounts = {a["code"]: a for a in r.json()["items"]}
    assert set(accounts) == {"clearing:test:USD", f"escrow:shop:{shop_id}:USD"}
    assert accounts["clearing:test:USD"]["balance"]["amount_minor"] == 1700
    assert accounts["clearing:test:USD"]["kind"] == "asset"
    assert accounts["clearing:test:USD"]["shop_id"] is None
    escrow = accounts[f"escrow:shop:{shop_id}:USD"]
    assert (escrow["balance"]["amount_minor"], escrow["balance"]["amount"]) == (-1700, "-17.00")
    assert escrow["shop_id"] == shop["id"]

    for query, codes in [
        (f"?shop_id={shop_id}", [f"escrow:shop:{shop_id}:USD"]),
        ("?kind=asset", ["clearing:test:USD"]),
        ("?q=clearing:", ["clearing:test:USD"]),
        ("?currency=EUR", []),
    ]:
        r = await client.get(f"/api/v1/operator/ledger/accounts{query}", headers=operator.headers)
        assert [a["code"] for a in r.json()["items"]] == codes, query

    r = await client.get("/api/v1/operator/ledger/entries?limit=1", headers=operator.headers)
    page = r.json()
    assert [e["ref_id"] for e in page["items"]] == [str(second)]
    r = await client.get(
        f"/api/v1/operator/ledger/entries?limit=1&cursor={page['next_cursor']}",
        headers=operator.headers,
    )
    assert [e["ref_id"] for e in r.json()["items"]] == [str(first)]

    r = await client.get(
        f"/api/v1/operator/ledger/entries?ref_type=payment&ref_id={first}",
        headers=operator.headers,
    )
    [entry] = r.json()["items"]
    assert (entry["kind"], entry["currency"], entry["ref_type"]) == ("payment", "USD", "payment")
    assert sorted((p["account_code"], p["amount"]["amount_minor"]) for p in entry["postings"]) == [
        ("clearing:test:USD", 1000),
        (f"escrow:shop:{shop_id}:USD", -1000),
    ]
    r = await client.get("/api/v1/operator/ledger/entries?cursor=zzz", headers=operator.headers)
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_cursor"
    r = await client.get("/api/v1/operator/ledger/accounts?currency=usd", headers=operator.headers)
    assert r.status_code == 422


async def test_ledger_pages_end_exactly(client: httpx.AsyncClient, rt: Runtime) -> None:
    """A page that is exactly full is the last one when nothing follows it."""
    owner = await signup(client)
    shop = await make_shop(client, rt, owner)
    buyer = await signup(client)
    operator = await make_operator(rt)
    first = await charge(rt, buyer, [int(shop["id"])], [1000])
    second = await charge(rt, buyer, [int(shop["id"])], [700])

    async def pages(path: str, limit: int) -> list[list[str]]:
        out: list[list[str]] = []
        query = f"?limit={limit}"
        while True:
            r = await client.get(f"/api/v1/operator/ledger/{path}{query}", headers=operator.headers)
            assert r.status_code == 200, r.text
            out.append([i["ref_id"] if path == "entries" else i["code"] for i in r.json()["items"]])
            if r.json()["next_cursor"] is None:
                return out
            query = f"?limit={limit}&cursor={r.json()['next_cursor']}"

    assert await pages("entries", 2) == [[str(second), str(first)]]
    assert await pages("entries", 1) == [[str(second)], [str(first)]]
    accounts = await pages("accounts", 2)
    assert len(accounts) == 1 and len(accounts[0]) == 2
    assert await pages("accounts", 1) == [[code] for code in accounts[0]]
