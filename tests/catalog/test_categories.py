"""The category tree: seeded by migration 0003, extended by operators."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from hawker.models import AuditLog
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import make_operator, signup
from tests.factories.catalog import catalog_counts, make_product
from tests.factories.shops import make_shop

pytestmark = pytest.mark.usefixtures("categories")

TOP_LEVEL = [
    "Womenswear",
    "Menswear",
    "Beauty & Personal Care",
    "Phones & Electronics",
    "Home & Kitchen",
    "Sports & Outdoors",
    "Toys & Hobbies",
    "Food & Beverages",
    "Baby & Maternity",
    "Jewellery & Accessories",
]


async def test_the_default_tree(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/categories")
    assert r.status_code == 200
    tree = r.json()
    assert [c["name"] for c in tree] == TOP_LEVEL
    assert [c["id"] for c in tree] == [str(i) for i in range(1, 11)]
    assert all(not c["is_leaf"] and c["parent_id"] is None for c in tree)
    assert all(3 <= len(c["children"]) <= 6 for c in tree)
    menswear = tree[1]
    assert menswear["children"][0] == {
        "id": "201",
        "parent_id": "2",
        "name": "Shirts",
        "slug": "menswear-shirts",
        "is_leaf": True,
        "hs_chapter": "62",
        "children": [],
    }
    leaves = [leaf for c in tree for leaf in c["children"]]
    assert len(leaves) == 53
    assert all(leaf["is_leaf"] and leaf["children"] == [] for leaf in leaves)
    assert len({c["slug"] for c in tree + leaves}) == 63


async def test_operator_adds_categories(client: httpx.AsyncClient, rt: Runtime) -> None:
    op = await make_operator(rt)
    r = await client.post(
        "/api/v1/operator/categories", json={"name": " Pet Supplies "}, headers=op.headers
    )
    assert r.status_code == 201, r.text
    pets = r.json()
    assert (pets["name"], pets["slug"], pets["parent_id"], pets["is_leaf"]) == (
        "Pet Supplies",
        "pet-supplies",
        None,
        True,
    )
    r = await client.post(
        "/api/v1/operator/categories",
        json={"name": "Dog Food", "parent_id": pets["id"], "hs_chapter": "23"},
        headers=op.headers,
    )
    assert r.status_code == 201, r.text
    dog = r.json()
    assert (dog["slug"], dog["parent_id"], dog["hs_chapter"]) == (
        "pet-supplies-dog-food",
        pets["id"],
        "23",
    )
    tree = (await client.get("/api/v1/categories")).json()
    assert tree[-1]["id"] == pets["id"]
    assert tree[-1]["is_leaf"] is False
    assert [c["id"] for c in tree[-1]["children"]] == [dog["id"]]
    async with rt.db.read_session() as s:
        rows = (await s.scalars(select(AuditLog).order_by(AuditLog.id))).all()
        assert [(a.action, a.actor_id, a.target_id) for a in rows] == [
            ("category.create", op.user_id, int(pets["id"])),
            ("category.create", op.user_id, int(dog["id"])),
        ]


async def test_bad_category_requests_change_nothing(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    op = await make_operator(rt)
    owner = await signup(client)
    shop = await make_shop(client, rt, owner)
    await make_product(client, runner, owner, shop["id"], category_id="201")
    before = await catalog_counts(rt)
    cases = [
        ({"name": "Dresses", "parent_id": "1"}, 409, "category_exists"),
        ({"name": "Menswear"}, 409, "category_exists"),
        ({"name": "Oxford", "parent_id": "201"}, 409, "category_in_use"),
        ({"name": "Orphan", "parent_id": "999999"}, 400, "unknown_category"),
        ({"name": "!!!"}, 400, "invalid_category_name"),
        ({"name": ""}, 422, "validation_error"),
        ({"name": "X", "hs_chapter": "6"}, 422, "validation_error"),
    ]
    for body, status, code in cases:
        r = await client.post("/api/v1/operator/categories", json=body, headers=op.headers)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), body
    r = await client.post(
        "/api/v1/operator/categories", json={"name": "Sneakers"}, headers=owner.headers
    )
    assert (r.status_code, r.json()["error"]["code"]) == (403, "permission_denied")
    client.cookies.clear()
    r = await client.post("/api/v1/operator/categories", json={"name": "Sneakers"})
    assert (r.status_code, r.json()["error"]["code"]) == (401, "not_authenticated")
    assert await catalog_counts(rt) == before
