"""Across the commerce core: every id in a URL is a 64-bit id or a 422, every list refuses a
cursor it did not issue with 400 invalid_cursor, and every error code has one HTTP status.

Routes are read from the domains' routers, so an endpoint added later is checked too.
"""

from __future__ import annotations

import importlib
import re
from collections import defaultdict

import httpx
from fastapi import APIRouter
from fastapi.routing import APIRoute

import hawker.api  # noqa: F401  (imports every domain, so every error class is defined)
from hawker.errors import HawkerError
from hawker.kit.pagination import encode_cursor
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import Actor, make_operator, signup
from tests.factories.catalog import ensure_categories
from tests.factories.orders import buy, make_listing

CORE = (
    "accounts",
    "regions",
    "shops",
    "catalog",
    "inventory",
    "payments",
    "cart",
    "checkout",
    "orders",
    "idempotency",
)
TOO_BIG = ["99999999999999999999", "9223372036854775808", "-1", "1e3", "x"]
BAD_CURSORS = [
    "not-a-cursor!",
    encode_cursor({}),
    encode_cursor({"id": "9999999999999999999"}),  # eyJpZCI6Ijk5OTk5OTk5OTk5OTk5OTk5OTkifQ
    encode_cursor({"id": 99999999999999999999}),  # eyJpZCI6OTk5OTk5OTk5OTk5OTk5OTk5OTl9
    encode_cursor({"id": -1}),
    encode_cursor({"id": True}),
    encode_cursor({"id": 1.5}),
    encode_cursor({"id": [1]}),
    "WzFd",  # [1]
]


def core_routes() -> list[APIRoute]:
    """Every route of the core's routers (paths without the /api/v1 prefix)."""
    routes: list[APIRoute] = []
    for domain in CORE:
        try:
            module = importlib.import_module(f"hawker.{domain}.endpoints")
        except ModuleNotFoundError:
            continue  # a domain without HTTP endpoints
        for router in vars(module).values():
            if isinstance(router, APIRouter):
                routes += [r for r in router.routes if isinstance(r, APIRoute)]
    return routes


def path_params(route: APIRoute) -> list[str]:
    return re.findall(r"{(\w+)}", route.path)


async def test_ids_out_of_range_are_422_everywhere(client: httpx.AsyncClient, rt: Runtime) -> None:
    user = await signup(client)
    operator = await make_operator(rt)
    checked: set[tuple[str, str, str]] = set()
    for route in core_routes():
        headers = (operator if route.path.startswith("/operator") else user).headers
        ids_in_path = [p for p in path_params(route) if p.endswith("_id")]
        ids_in_query = [f.name for f in route.dependant.query_params if f.name.endswith("_id")]
        for method in sorted(route.methods):
            for name in ids_in_path + ids_in_query:
                for bad in TOO_BIG:
                    url = "/api/v1" + route.path
                    for p in path_params(route):
                        url = url.replace("{" + p + "}", bad if p == name else "1")
                    params = {name: bad} if name in ids_in_query else {}
                    r = await client.request(method, url, params=params, headers=headers)
                    assert r.status_code == 422, (method, url, params, r.text)
                    body = r.json()["error"]
                    assert body["code"] == "validation_error"
                    where = "query" if name in ids_in_query else "path"
                    assert [where, name] in [d["loc"] for d in body["details"]], (method, url)
                checked.add((method, route.path, name))
    # The routes of the defects found are all among those checked.
    assert {
        ("GET", "/orders/{order_id}", "order_id"),
        ("POST", "/orders/{order_id}/cancel", "order_id"),
        ("POST", "/orders/{order_id}/pay", "order_id"),
        ("POST", "/checkout/{checkout_id}/pay", "checkout_id"),
        ("PATCH", "/cart/items/{sku_id}", "sku_id"),
        ("DELETE", "/cart/items/{sku_id}", "sku_id"),
        ("GET", "/seller/shops/{shop_id}/orders/{order_id}", "order_id"),
        ("GET", "/seller/shops/{shop_id}/orders/{order_id}", "shop_id"),
        ("POST", "/seller/shops/{shop_id}/orders/{order_id}/cancel", "order_id"),
        ("GET", "/seller/shops/{shop_id}/orders", "shop_id"),
        ("GET", "/operator/orders/{order_id}", "order_id"),
        ("GET", "/products/{product_id}", "product_id"),
        ("GET", "/products", "category_id"),
        ("GET", "/seller/shops/{shop_id}/stock", "warehouse_id"),
        ("GET", "/operator/ledger/entries", "ref_id"),
    } <= checked


async def test_the_largest_id_is_looked_up_not_refused(
    client: httpx.AsyncClient, rt: Runtime
) -> None:
    user = await signup(client)
    operator = await make_operator(rt)
    biggest = str(2**63 - 1)
    for url, who, code in [
        (f"/api/v1/orders/{biggest}", user, "order_not_found"),
        (f"/api/v1/operator/orders/{biggest}", operator, "order_not_found"),
        (f"/api/v1/products/{biggest}", user, "product_not_found"),
        (f"/api/v1/seller/shops/{biggest}/orders/1", user, "shop_not_found"),
    ]:
        r = await client.get(url, headers=who.headers)
        assert (r.status_code, r.json()["error"]["code"]) == (404, code), url
    r = await client.patch(
        f"/api/v1/cart/items/{biggest}", json={"quantity": 1}, headers=user.headers
    )
    assert (r.status_code, r.json()["error"]["code"]) == (404, "cart_item_not_found")
    # A run of digits too long for an id is searched as text, never looked up as an id.
    r = await client.get(
        "/api/v1/orders", params={"q": "9999999999999999999"}, headers=user.headers
    )
    assert (r.status_code, r.json()["items"]) == (200, [])


async def test_every_list_refuses_a_cursor_it_did_not_issue(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    await ensure_categories(rt)
    listing = await make_listing(client, rt, runner)
    buyer = await signup(client)
    await buy(client, buyer, listing)
    seller: Actor = listing.seller
    operator = await make_operator(rt)
    lists = [r for r in core_routes() if "GET" in r.methods and "cursor" in _query_names(r)]
    paths = {r.path for r in lists}
    assert paths == {
        "/seller/shops",
        "/seller/shops/{shop_id}/members",
        "/seller/shops/{shop_id}/warehouses",
        "/operator/shops",
        "/operator/audit-log",
        "/seller/shops/{shop_id}/products",
        "/products",
        "/operator/product-audits",
        "/seller/shops/{shop_id}/stock",
        "/seller/shops/{shop_id}/stock/movements",
        "/operator/ledger/accounts",
        "/operator/ledger/entries",
        "/orders",
        "/seller/shops/{shop_id}/orders",
    }
    for route in lists:
        who = operator if route.path.startswith("/operator") else seller
        url = "/api/v1" + route.path.replace("{shop_id}", listing.shop_id)
        first = await client.get(url, params={"limit": 1}, headers=who.headers)
        assert first.status_code == 200, (url, first.text)
        issued = first.json()["next_cursor"]
        if issued is not None:  # a cursor the list gave out works
            assert (
                await client.get(url, params={"cursor": issued}, headers=who.headers)
            ).is_success
        for bad in BAD_CURSORS:
            r = await client.get(url, params={"cursor": bad}, headers=who.headers)
            assert (r.status_code, r.json()["error"]["code"]) == (400, "invalid_cursor"), (url, bad)
    # The buyer's own list too.
    for bad in BAD_CURSORS:
        r = await client.get("/api/v1/orders", params={"cursor": bad}, headers=buyer.headers)
        assert (r.status_code, r.json()["error"]["code"]) == (400, "invalid_cursor"), bad


def _query_names(route: APIRoute) -> set[str]:
    return {f.name for f in route.dependant.query_params}


def _subclasses(cls: type[HawkerError]) -> list[type[HawkerError]]:
    out: list[type[HawkerError]] = []
    for sub in cls.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return out


def test_one_error_code_has_one_status() -> None:
    core = ("hawker.errors", *(f"hawker.{d}." for d in CORE))
    statuses: dict[str, set[int]] = defaultdict(set)
    where: dict[str, list[str]] = defaultdict(list)
    for cls in [HawkerError, *_subclasses(HawkerError)]:
        if cls.__module__.startswith(core):
            statuses[cls.code].add(cls.status_code)
            where[cls.code].append(f"{cls.__module__}.{cls.__name__}")
    mixed = {code: (sorted(s), where[code]) for code, s in statuses.items() if len(s) > 1}
    assert mixed == {}
    assert statuses["payment_provider_unavailable"] == {503}
    assert statuses["sku_not_found"] == {404}
    assert statuses["unknown_sku"] == {400}
    assert statuses["invalid_cursor"] == {400}
    assert "category_not_found" not in statuses
    assert "cart_currency_mismatch" not in statuses


def test_one_class_answers_invalid_cursor() -> None:
    core = ("hawker.errors", *(f"hawker.{d}." for d in CORE))
    classes = [
        f"{c.__module__}.{c.__name__}"
        for c in _subclasses(HawkerError)
        if c.code == "invalid_cursor" and c.__module__.startswith(core)
    ]
    assert classes == ["hawker.errors.InvalidCursorError"]
