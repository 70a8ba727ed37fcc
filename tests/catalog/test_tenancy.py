"""Seller B can do nothing to seller A's products or images: 404, and nothing changes."""

from __future__ import annotations

import httpx
import pytest

from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import signup
from tests.factories.catalog import catalog_counts, make_product, product_payload, upload_image
from tests.factories.shops import make_shop

pytestmark = pytest.mark.usefixtures("categories")


async def test_another_seller_gets_404_and_changes_nothing(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    alice = await signup(client)
    a_shop = await make_shop(client, rt, alice)
    product = await make_product(client, runner, alice, a_shop["id"])
    spare_image = await upload_image(client, alice, a_shop["id"])
    bob = await signup(client)
    b_shop = await make_shop(client, rt, bob)

    a_url = f"/api/v1/seller/shops/{a_shop['id']}/products"
    # Bob's own shop id with Alice's product id: the product is not in his shop.
    b_url = f"/api/v1/seller/shops/{b_shop['id']}/products"
    pid = product["id"]
    sku_id = product["skus"][0]["id"]
    edit = product_payload(title="Hijacked title", image_ids=[spare_image["id"]])
    prices = {"skus": [{"sku_id": sku_id, "price_minor": 1}]}
    attempts = [
        ("GET", a_url, None),
        ("POST", a_url, product_payload()),
        ("GET", f"{a_url}/{pid}", None),
        ("PUT", f"{a_url}/{pid}", edit),
        ("POST", f"{a_url}/{pid}/prices", prices),
        ("POST", f"{a_url}/{pid}/deactivate", None),
        ("POST", f"{a_url}/{pid}/activate", None),
        ("DELETE", f"{a_url}/{pid}", None),
        ("GET", f"{b_url}/{pid}", None),
        ("PUT", f"{b_url}/{pid}", edit),
        ("POST", f"{b_url}/{pid}/prices", prices),
        ("POST", f"{b_url}/{pid}/deactivate", None),
        ("DELETE", f"{b_url}/{pid}", None),
    ]
    before = await catalog_counts(rt)
    for method, url, body in attempts:
        r = await client.request(method, url, json=body, headers=bob.headers)
        assert r.status_code == 404, (method, url, r.text)
        assert r.json()["error"]["code"] in ("shop_not_found", "product_not_found")
    r = await client.post(
        f"/api/v1/seller/shops/{a_shop['id']}/images",
        files={"file": ("a.png", b"\x89PNG", "image/png")},
        headers=bob.headers,
    )
    assert (r.status_code, r.json()["error"]["code"]) == (404, "shop_not_found")
    # Bob cannot attach Alice's images to a product of his own shop.
    for image_id in (spare_image["id"], product["images"][0]["id"]):
        r = await client.post(
            b_url, json=product_payload(image_ids=[image_id]), headers=bob.headers
        )
        assert (r.status_code, r.json()["error"]["code"]) == (404, "image_not_found")
    assert await catalog_counts(rt) == before
    after = await client.get(f"{a_url}/{pid}", headers=alice.headers)
    assert after.json() == product
    listing = (await client.get(b_url, headers=bob.headers)).json()
    assert listing == {"items": [], "next_cursor": None}


async def test_staff_of_the_shop_may_manage_products(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    alice = await signup(client)
    shop = await make_shop(client, rt, alice)
    staff = await signup(client)
    r = await client.post(
        f"/api/v1/seller/shops/{shop['id']}/members",
        json={"email": staff.email},
        headers=alice.headers,
    )
    assert r.status_code == 201, r.text
    product = await make_product(client, runner, staff, shop["id"])
    r = await client.get(
        f"/api/v1/seller/shops/{shop['id']}/products/{product['id']}", headers=alice.headers
    )
    assert r.json()["status"] == "ACTIVATE"
