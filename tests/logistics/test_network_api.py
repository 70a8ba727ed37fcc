"""Operators manage the network; sellers configure their warehouses; everyone reads carriers."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from hawker.models import AuditLog, Carrier, CarrierService, PostalArea, ServiceRate
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import make_operator, signup
from tests.factories.orders import make_listing
from tests.factories.shops import make_shop

OPS = "/api/v1/operator/logistics"


async def count(rt: Runtime, model: type[Any]) -> int:
    async with rt.db.read_session() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def test_the_default_network_is_seeded_once_per_market(
    client: httpx.AsyncClient, rt: Runtime
) -> None:
    operator = await make_operator(rt)
    r = await client.post(f"{OPS}/markets/us/default-network", headers=operator.headers)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "market_code": "US",
        "carriers": ["SWIFT", "ECOPOST"],
        "services": ["US_STANDARD", "US_EXPRESS", "US_ECONOMY"],
        "postal_areas": 15,
        "centre": "US-EWR1",
    }
    assert await count(rt, ServiceRate) == 3 * 36
    r = await client.post(f"{OPS}/markets/GB/default-network", headers=operator.headers)
    assert r.json()["carriers"] == [] and r.json()["services"] == [
        "GB_STANDARD",
        "GB_EXPRESS",
        "GB_ECONOMY",
    ]
    again = await client.post(f"{OPS}/markets/US/default-network", headers=operator.headers)
    assert again.json() == {
        "market_code": "US",
        "carriers": [],
        "services": [],
        "postal_areas": 0,
        "centre": None,
    }
    assert await count(rt, CarrierService) == 6
    assert await count(rt, PostalArea) == 15 + 19
    r = await client.post(f"{OPS}/markets/XX/default-network", headers=operator.headers)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "market_not_found"

    r = await client.get(f"{OPS}/services", params={"market_code": "GB"}, headers=operator.headers)
    by_level = {s["level"]: s for s in r.json()["items"]}
    standard = by_level["STANDARD"]
    assert standard["currency"] == "GBP"
    assert standard["is_default"] is True
    assert standard["extra_kg"]["formatted"] == "£1.20"
    r = await client.get(f"{OPS}/services/{standard['id']}", headers=operator.headers)
    detail = r.json()
    assert detail["rates"][0] == {
        "zone": 1,
        "max_weight_g": 500,
        "price": {"amount_minor": 300, "currency": "GBP", "amount": "3.00", "formatted": "£3.00"},
    }
    assert detail["transit_times"][1] == {"zone": 2, "p50_days": 2, "p90_days": 3}

    buyer = await signup(client)
    r = await client.get("/api/v1/logistics/carriers", headers=buyer.headers)
    assert [(c["code"], c["tracking_pattern"]) for c in r.json()["items"]] == [
        ("ECOPOST", "EP[0-9]{9}[A-Z]{2}"),
        ("SWIFT", "SW[0-9]{10}"),
    ]
    assert "webhook_secret" not in str(r.json())
    r = await client.get(
        "/api/v1/logistics/fulfilment-centres", params={"market_code": "gb"}, headers=buyer.headers
    )
    assert [c["code"] for c in r.json()["items"]] == ["GB-MK1"]


async def test_operators_manage_carriers_services_rates_and_centres(
    client: httpx.AsyncClient, rt: Runtime
) -> None:
    operator = await make_operator(rt)
    h = operator.headers
    r = await client.post(
        f"{OPS}/carriers",
        json={"code": "dhl", "name": "DHL Parcel", "tracking_pattern": "[0-9]{10}"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    carrier = r.json()
    assert carrier["code"] == "DHL"
    assert len(carrier["webhook_secret"]) >= 32
    assert carrier["webhook_secret_hint"] == carrier["webhook_secret"][-4:]
    secret = carrier["webhook_secret"]

    before = await count(rt, Carrier)
    for body, status, code in [
        ({"code": "DHL", "name": "Again", "tracking_pattern": "x"}, 409, "carrier_code_taken"),
        (
            {"code": "BAD", "name": "Bad", "tracking_pattern": "[0-9"},
            400,
            "invalid_tracking_pattern",
        ),
        ({"code": "a b", "name": "Bad", "tracking_pattern": "x"}, 422, "validation_error"),
    ]:
        r = await client.post(f"{OPS}/carriers", json=body, headers=h)
        assert r.status_code == status, r.text
        assert r.json()["error"]["code"] == code
    assert await count(rt, Carrier) == before

    r = await client.patch(
        f"{OPS}/carriers/{carrier['id']}",
        json={"tracking_pattern": "JD[0-9]{18}", "rotate_secret": True},
        headers=h,
    )
    assert r.status_code == 200
    assert r.json()["tracking_pattern"] == "JD[0-9]{18}"
    assert r.json()["webhook_secret"] != secret
    r = await client.patch(f"{OPS}/carriers/{carrier['id']}", json={"name": "DHL"}, headers=h)
    assert "webhook_secret" not in r.json()

    r = await client.post(
        f"{OPS}/carriers/{carrier['id']}/services",
        json={"code": "us_ground", "name": "DHL Ground", "market_code": "US", "level": "ECONOMY"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    service = r.json()
    assert (service["code"], service["currency"], service["rates"]) == ("US_GROUND", "USD", [])
    r = await client.put(
        f"{OPS}/services/{service['id']}/rates",
        json={
            "brackets": [
                {"zone": 1, "max_weight_g": 1000, "price_minor": 700},
                {"zone": 1, "max_weight_g": 500, "price_minor": 600},
            ],
            "extra_kg_minor": 90,
        },
        headers=h,
    )
    assert r.status_code == 200, r.text
    assert [(b["max_weight_g"], b["price"]["amount_minor"]) for b in r.json()["rates"]] == [
        (500, 600),
        (1000, 700),
    ]
    assert r.json()["extra_kg"]["amount_minor"] == 90
    twice = {"zone": 1, "max_weight_g": 500, "price_minor": 1}
    r = await client.put(
        f"{OPS}/services/{service['id']}/rates", json={"brackets": [twice, twice]}, headers=h
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_rate_table"
    r = await client.put(
        f"{OPS}/services/{service['id']}/transit-times",
        json={"zones": [{"zone": 1, "p50_days": 4, "p90_days": 2}]},
        headers=h,
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_transit_times"
    r = await client.put(
        f"{OPS}/services/{service['id']}/transit-times",
        json={"zones": [{"zone": 1, "p50_days": 2, "p90_days": 4}]},
        headers=h,
    )
    assert r.json()["transit_times"] == [{"zone": 1, "p50_days": 2, "p90_days": 4}]
    assert [b["price"]["amount_minor"] for b in r.json()["rates"]] == [600, 700]  # unchanged
    r = await client.patch(
        f"{OPS}/services/{service['id']}",
        json={"is_default": True, "max_weight_g": 5000},
        headers=h,
    )
    assert (r.json()["is_default"], r.json()["max_weight_g"]) == (True, 5000)
    r = await client.get(f"{OPS}/services/999", headers=h)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "carrier_service_not_found"

    centre = {
        "code": "us-lax1",
        "name": "Hawker Fulfilment Ontario",
        "market_code": "US",
        "address_line1": "1 Airport Drive",
        "city": "Ontario",
        "postal_code": "91761",
        "country_code": "US",
        "latitude": 34.0633,
        "longitude": -117.6509,
    }
    r = await client.post(f"{OPS}/fulfilment-centres", json=centre, headers=h)
    assert r.status_code == 201, r.text
    made = r.json()
    assert (made["code"], made["cutoff_hour"], made["handling_days"]) == ("US-LAX1", 14, 0)
    r = await client.post(f"{OPS}/fulfilment-centres", json=centre, headers=h)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "centre_code_taken"
    r = await client.patch(
        f"{OPS}/fulfilment-centres/{made['id']}", json={"cutoff_hour": 16}, headers=h
    )
    assert r.json()["cutoff_hour"] == 16
    r = await client.put(
        f"{OPS}/fulfilment-centres/{made['id']}/delivery-options/ECONOMY",
        json={"service_id": service["id"]},
        headers=h,
    )
    assert r.status_code == 200, r.text
    async with rt.db.read_session() as s:
        actions = set((await s.scalars(select(AuditLog.action))).all())
    assert {
        "carrier.create",
        "carrier.update",
        "carrier_service.create",
        "carrier_service.rates",
        "carrier_service.transit_times",
        "carrier_service.update",
        "fulfilment_centre.create",
        "fulfilment_centre.update",
        "fulfilment_centre.delivery_option",
    } <= actions

    # not for sellers or buyers, and not without a login
    seller = await signup(client)
    before_carriers = await count(rt, Carrier)
    for method, url in [
        ("GET", f"{OPS}/carriers"),
        ("POST", f"{OPS}/carriers"),
        ("PUT", f"{OPS}/services/{service['id']}/rates"),
        ("POST", f"{OPS}/markets/US/default-network"),
        ("POST", f"{OPS}/fulfilment-centres"),
    ]:
        r = await client.request(method, url, json={}, headers=seller.headers)
        assert r.status_code in (403, 422), (url, r.status_code)
        if r.status_code == 422:  # the body is checked first; with a body it is 403
            continue
        assert r.json()["error"]["code"] == "permission_denied"
    r = await client.post(
        f"{OPS}/carriers",
        json={"code": "UPS", "name": "UPS", "tracking_pattern": "1Z.*"},
        headers=seller.headers,
    )
    assert r.status_code == 403
    client.cookies.clear()
    assert (await client.get(f"{OPS}/carriers")).status_code == 401
    assert (await client.get("/api/v1/logistics/carriers")).status_code == 401
    assert await count(rt, Carrier) == before_carriers


async def test_sellers_configure_their_warehouses_and_join_a_fulfilment_centre(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    operator = await make_operator(rt)
    await client.post(f"{OPS}/markets/US/default-network", headers=operator.headers)
    await client.post(f"{OPS}/markets/GB/default-network", headers=operator.headers)
    listing = await make_listing(client, rt, runner, stock=0)
    seller, shop_id, wh = listing.seller, listing.shop_id, listing.warehouse_id
    base = f"/api/v1/seller/shops/{shop_id}/logistics"

    r = await client.get(f"{base}/warehouses", headers=seller.headers)
    (site,) = r.json()["items"]
    assert (site["kind"], site["handling_days"], site["cutoff_hour"]) == ("SALES_WAREHOUSE", 1, 14)
    assert site["timezone"] == "America/New_York"
    assert [(o["level"], o["source"]) for o in site["delivery_options"]] == [
        ("ECONOMY", "market"),
        ("EXPRESS", "market"),
        ("STANDARD", "market"),
    ]

    r = await client.put(
        f"{base}/warehouses/{wh}", json={"handling_days": 2}, headers=seller.headers
    )
    assert r.json()["handling_days"] == 2
    services = (
        await client.get(
            "/api/v1/logistics/services",
            params={"market_code": "US", "level": "EXPRESS"},
            headers=seller.headers,
        )
    ).json()["items"]
    (express,) = services
    r = await client.put(
        f"{base}/warehouses/{wh}/delivery-options/EXPRESS",
        json={"service_id": express["id"]},
        headers=seller.headers,
    )
    options = {o["level"]: o for o in r.json()["delivery_options"]}
    assert options["EXPRESS"] == {
        "level": "EXPRESS",
        "service_id": express["id"],
        "source": "warehouse",
    }
    gb = (
        await client.get(
            "/api/v1/logistics/services",
            params={"market_code": "GB", "level": "EXPRESS"},
            headers=seller.headers,
        )
    ).json()["items"][0]
    r = await client.put(
        f"{base}/warehouses/{wh}/delivery-options/EXPRESS",
        json={"service_id": gb["id"]},
        headers=seller.headers,
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "service_not_in_market"
    r = await client.put(
        f"{base}/warehouses/{wh}/delivery-options/STANDARD",
        json={"service_id": express["id"]},
        headers=seller.headers,
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_network_field"

    centres = (
        await client.get(
            "/api/v1/logistics/fulfilment-centres",
            params={"market_code": "US"},
            headers=seller.headers,
        )
    ).json()["items"]
    (centre,) = centres
    r = await client.post(f"{base}/fulfilment-centres/{centre['id']}/enrol", headers=seller.headers)
    assert r.status_code == 201, r.text
    joined = r.json()
    assert joined["kind"] == "FULFILMENT_CENTRE"
    assert joined["centre_id"] == centre["id"]
    assert (joined["handling_days"], joined["cutoff_hour"]) == (0, 14)
    assert joined["name"] == "Hawker Fulfilment Edison (US-EWR1)"
    r = await client.put(
        f"{base}/warehouses/{joined['warehouse_id']}",
        json={"handling_days": 3},
        headers=seller.headers,
    )
    assert r.status_code == 400  # the platform sets a centre's handling days
    r = await client.post(f"{base}/fulfilment-centres/{centre['id']}/enrol", headers=seller.headers)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "already_enrolled"
    r = await client.get(f"{base}/warehouses", headers=seller.headers)
    assert [s["kind"] for s in r.json()["items"]] == ["SALES_WAREHOUSE", "FULFILMENT_CENTRE"]

    # a GB centre is not for a US shop; another seller cannot touch this shop
    gb_centre = (
        await client.get(
            "/api/v1/logistics/fulfilment-centres",
            params={"market_code": "GB"},
            headers=seller.headers,
        )
    ).json()["items"][0]
    r = await client.post(
        f"{base}/fulfilment-centres/{gb_centre['id']}/enrol", headers=seller.headers
    )
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "centre_not_in_market"
    stranger = await signup(client)
    await make_shop(client, rt, stranger)
    for method, url, body in [
        ("GET", f"{base}/warehouses", None),
        ("PUT", f"{base}/warehouses/{wh}", {"handling_days": 5}),
        ("PUT", f"{base}/warehouses/{wh}/delivery-options/EXPRESS", {"service_id": None}),
        ("POST", f"{base}/fulfilment-centres/{centre['id']}/enrol", None),
    ]:
        r = await client.request(method, url, json=body, headers=stranger.headers)
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "shop_not_found"
    r = await client.get(f"{base}/warehouses", headers=seller.headers)
    first = r.json()["items"][0]
    assert first["handling_days"] == 2
    assert {o["level"]: o["source"] for o in first["delivery_options"]}["EXPRESS"] == "warehouse"
