"""The operator's audit queue, platform deactivation and reinstatement."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from hawker.models import AuditLog
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import make_operator, signup
from tests.factories.catalog import catalog_counts, make_product, outbox_events, product_payload
from tests.factories.shops import make_shop

pytestmark = pytest.mark.usefixtures("categories")


async def test_the_audit_queue(client: httpx.AsyncClient, rt: Runtime, runner: JobRunner) -> None:
    op = await make_operator(rt)
    owner = await signup(client)
    shop = await make_shop(client, rt, owner)
    live = await make_product(client, runner, owner, shop["id"], title="Linen Shirt")
    url = f"/api/v1/seller/shops/{shop['id']}/products"
    r = await client.post(url, json=product_payload(title="Replica Watch"), headers=owner.headers)
    failed = r.json()
    await runner.run_until_idle()
    pending = await make_product(
        client, runner, owner, shop["id"], title="Wool Hat", activate=False
    )
    deleted = await make_product(client, runner, owner, shop["id"], title="Gone", activate=False)
    await client.delete(f"{url}/{deleted['id']}", headers=owner.headers)

    async def queue(**params: Any) -> dict[str, Any]:
        r = await client.get("/api/v1/operator/product-audits", params=params, headers=op.headers)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    everything = await queue()
    assert [(i["product_title"], i["status"]) for i in everything["items"]] == [
        ("Wool Hat", "PENDING"),
        ("Replica Watch", "FAILED"),
        ("Linen Shirt", "ACTIVATE"),
    ]
    first = everything["items"][1]
    assert first == {
        "id": first["id"],
        "product_id": failed["id"],
        "product_version": 1,
        "product_title": "Replica Watch",
        "product_status": "FAILED",
        "shop": {"id": shop["id"], "name": shop["name"], "market_code": "US"},
        "status": "FAILED",
        "reasons": [
            "At least one image is required.",
            'The title contains the prohibited term "replica".',
        ],
        "decided_by": "auto",
        "created_at": "2026-01-05T09:00:00Z",
        "decided_at": "2026-01-05T09:00:00Z",
    }
    assert [i["product_id"] for i in (await queue(status="PENDING"))["items"]] == [pending["id"]]
    assert [i["product_id"] for i in (await queue(status="ACTIVATE"))["items"]] == [live["id"]]
    page1 = await queue(limit=2)
    page2 = await queue(limit=2, cursor=page1["next_cursor"])
    assert [i["id"] for i in page1["items"] + page2["items"]] == [
        i["id"] for i in everything["items"]
    ]
    assert page2["next_cursor"] is None

    r = await client.get(
        "/api/v1/operator/product-audits", params={"status": "NOPE"}, headers=op.headers
    )
    assert (r.status_code, r.json()["error"]["code"]) == (400, "invalid_audit_status")
    r = await client.get(
        "/api/v1/operator/product-audits", params={"cursor": "x"}, headers=op.headers
    )
    assert (r.status_code, r.json()["error"]["code"]) == (400, "invalid_cursor")
    r = await client.get("/api/v1/operator/product-audits", headers=owner.headers)
    assert (r.status_code, r.json()["error"]["code"]) == (403, "permission_denied")


async def test_platform_deactivation_and_reinstatement(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    op = await make_operator(rt)
    owner = await signup(client)
    shop = await make_shop(client, rt, owner)
    p = await make_product(client, runner, owner, shop["id"])
    seller_url = f"/api/v1/seller/shops/{shop['id']}/products/{p['id']}"
    op_url = f"/api/v1/operator/products/{p['id']}"

    r = await client.post(
        f"{op_url}/deactivate", json={"reason": "Counterfeit report"}, headers=op.headers
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["status"], body["audit_reasons"]) == (
        "PLATFORM_DEACTIVATED",
        ["Counterfeit report"],
    )
    assert body["audit"]["status"] == "PLATFORM_DEACTIVATED"
    assert body["audit"]["decided_by"] == f"operator:{op.user_id}"
    assert (await client.get(f"/api/v1/products/{p['id']}")).status_code == 404

    # The seller cannot undo it, edit it, reprice it, (de)activate or delete it; nothing changes.
    before = await catalog_counts(rt)
    sku_id = p["skus"][0]["id"]
    for method, url, payload in [
        ("POST", f"{seller_url}/activate", None),
        ("POST", f"{seller_url}/deactivate", None),
        ("PUT", seller_url, product_payload(title="A new title")),
        ("POST", f"{seller_url}/prices", {"skus": [{"sku_id": sku_id, "price_minor": 1}]}),
        ("DELETE", seller_url, None),
    ]:
        r = await client.request(method, url, json=payload, headers=owner.headers)
        assert (r.status_code, r.json()["error"]["code"]) == (409, "product_locked"), url
        assert r.json()["error"]["details"] == {"status": "PLATFORM_DEACTIVATED"}
    r = await client.get(seller_url, headers=owner.headers)
    assert r.json()["status"] == "PLATFORM_DEACTIVATED"
    assert [(s["id"], s["price"]["amount_minor"]) for s in r.json()["skus"]] == [(sku_id, 1999)]
    r = await client.post(f"{op_url}/deactivate", json={"reason": "Again"}, headers=op.headers)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "invalid_product_status")
    r = await client.post(f"{op_url}/deactivate", json={"reason": "x"}, headers=owner.headers)
    assert (r.status_code, r.json()["error"]["code"]) == (403, "permission_denied")
    r = await client.post(f"{op_url}/deactivate", json={"reason": ""}, headers=op.headers)
    assert r.status_code == 422
    assert await catalog_counts(rt) == before

    r = await client.post(
        f"{op_url}/reinstate", json={"note": "Brand authorisation checked"}, headers=op.headers
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["audit_reasons"]) == ("ACTIVATE", [])
    assert (await client.get(f"/api/v1/products/{p['id']}")).status_code == 200
    r = await client.post(f"{op_url}/reinstate", headers=op.headers)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "invalid_product_status")

    assert [
        (e["status"], e["reasons"]) for e in await outbox_events(rt, "product.status_changed")
    ] == [
        ("ACTIVATE", []),
        ("PLATFORM_DEACTIVATED", ["Counterfeit report"]),
        ("ACTIVATE", []),
    ]
    async with rt.db.read_session() as s:
        q = select(AuditLog).where(AuditLog.target_type == "product").order_by(AuditLog.id)
        rows = (await s.scalars(q)).all()
        assert [(a.action, a.actor_id, a.target_id, a.details) for a in rows] == [
            (
                "product.platform_deactivate",
                op.user_id,
                int(p["id"]),
                {"reason": "Counterfeit report", "previous_status": "ACTIVATE"},
            ),
            (
                "product.reinstate",
                op.user_id,
                int(p["id"]),
                {"note": "Brand authorisation checked"},
            ),
        ]


async def test_deactivating_a_pending_product_stops_its_audit(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    op = await make_operator(rt)
    owner = await signup(client)
    shop = await make_shop(client, rt, owner)
    p = await make_product(client, runner, owner, shop["id"], activate=False)
    r = await client.post(
        f"/api/v1/operator/products/{p['id']}/deactivate",
        json={"reason": "Hold"},
        headers=op.headers,
    )
    assert r.json()["status"] == "PLATFORM_DEACTIVATED"
    await runner.run_until_idle()
    r = await client.get(
        f"/api/v1/seller/shops/{shop['id']}/products/{p['id']}", headers=owner.headers
    )
    assert r.json()["status"] == "PLATFORM_DEACTIVATED"
    audits = (await client.get("/api/v1/operator/product-audits", headers=op.headers)).json()
    assert [(i["status"], i["decided_by"]) for i in audits["items"]] == [
        ("PLATFORM_DEACTIVATED", f"operator:{op.user_id}"),
        ("SUPERSEDED", "system"),
    ]


async def test_unknown_and_deleted_products_are_404(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    op = await make_operator(rt)
    owner = await signup(client)
    shop = await make_shop(client, rt, owner)
    p = await make_product(client, runner, owner, shop["id"])
    await client.delete(
        f"/api/v1/seller/shops/{shop['id']}/products/{p['id']}", headers=owner.headers
    )
    for pid in ("999", p["id"]):
        for action, body in (("deactivate", {"reason": "x"}), ("reinstate", None)):
            r = await client.post(
                f"/api/v1/operator/products/{pid}/{action}", json=body, headers=op.headers
            )
            assert (r.status_code, r.json()["error"]["code"]) == (404, "product_not_found")
