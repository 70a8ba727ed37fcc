"""Seeds the demo market through Hawker's own API, so the demo exercises the real paths.

The seeder runs the app in-process with its own clock set a few days back and walks it
forward: shops apply and are approved, products are created and pass the listing audit,
stock arrives, and buyers place and pay orders over the last three days. The job runner's
timers then do what they do in production: unpaid orders past their payment window are
cancelled and paid orders leave the remorse window, so every order status reached so far
exists in the data.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from fastapi import FastAPI

from hawker.accounts import service as accounts
from hawker.accounts.passwords import hash_password
from hawker.demo.data import (
    ADDRESSES,
    BUYER_MARKETS,
    FIRST_NAMES,
    LAST_NAMES,
    PENDING_SHOP,
    SHOPS,
    DemoProduct,
    DemoShop,
)
from hawker.demo.images import product_image
from hawker.fulfillment.demo import progress_demo_orders
from hawker.kit.clock import FrozenClock
from hawker.kit.money import exponent
from hawker.logistics import service as logistics
from hawker.models import UserRole
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime

PASSWORD = "hawker-demo"
OPERATOR_EMAIL = "operator@hawker-demo.com"
BUYER_EMAIL = "buyer@hawker-demo.com"
CREATOR_EMAIL = "creator@hawker-demo.com"
CARD_OK = {
    "number": "4242424242424242",
    "exp_month": 12,
    "exp_year": 2035,
    "cvc": "123",
    "holder_name": "Demo Buyer",
}
CARD_DECLINED = {**CARD_OK, "number": "4000000000000002"}

WAREHOUSE_NAMES = {"SALES_WAREHOUSE": "fulfilment", "RETURN_WAREHOUSE": "returns"}

Step = Callable[[str, int], None]  # (description, units of work done)


class DemoError(RuntimeError):
    pass


@dataclass
class Seeded:
    shops: list[dict[str, Any]] = field(default_factory=list)
    products: list[dict[str, Any]] = field(default_factory=list)
    buyers: int = 0
    orders_by_status: dict[str, int] = field(default_factory=dict)


def _check(r: httpx.Response, *expected: int) -> dict[str, Any]:
    if r.status_code not in (expected or (200, 201)):
        raise DemoError(f"{r.request.method} {r.request.url.path} -> {r.status_code}: {r.text}")
    return r.json() if r.content else {}


def owner_email(spec: DemoShop) -> str:
    slug = "".join(ch for ch in spec.name.lower() if ch.isalnum())[:16]
    return f"{slug}@hawker-demo.com"


def _minor(price: str, currency: str) -> int:
    return int(Decimal(price).scaleb(exponent(currency)))


def _skus(product: DemoProduct, currency: str, code: str) -> list[dict[str, Any]]:
    base = _minor(product.price, currency)
    axes = list(product.axes.items())
    combos = list(itertools.product(*[values for _, values in axes])) if axes else [()]
    skus = []
    for n, combo in enumerate(combos):
        attrs = [
            {"name": name, "value_name": value}
            for (name, _), value in zip(axes, combo, strict=True)
        ]
        # the larger variants of a size axis cost a little more
        step = 0
        for (name, values), value in zip(axes, combo, strict=True):
            if name in {"Size", "Capacity", "Set", "Pieces", "Weight"}:
                step += values.index(value)
        price = base + (base * step * 8) // 100
        skus.append(
            {"seller_sku": f"{code}-{n + 1:02d}", "sales_attributes": attrs, "price_minor": price}
        )
    return skus


class Seeder:
    def __init__(self, rt: Runtime, app: FastAPI, clock: FrozenClock, step: Step) -> None:
        self.rt = rt
        self.app = app
        self.clock = clock
        self.step = step
        self.runner: JobRunner = app.state.runner
        self.rng = random.Random(20261125)
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://demo.internal"
        )
        self.hash = hash_password(PASSWORD)
        self.result = Seeded()
        self.user_ids: dict[str, int] = {}
        self.pictures: dict[str, bytes] = {}  # product id -> its generated picture

    async def close(self) -> None:
        await self.client.aclose()

    # accounts -----------------------------------------------------------------------------

    async def user(
        self, email: str, name: str, role: UserRole, market: str | None
    ) -> dict[str, str]:
        async with self.rt.db.session() as s:
            user = await accounts.create_user(
                s,
                email=email,
                password=PASSWORD,
                display_name=name,
                role=role,
                now=self.clock.now(),
                market_code=market,
                password_hash=self.hash,
            )
            token = await accounts.issue_token(
                s, user, now=self.clock.now(), ttl=timedelta(days=30)
            )
        self.user_ids[email] = user.id
        return {"Authorization": f"Bearer {token}"}

    # shops and catalog --------------------------------------------------------------------

    async def shop(
        self, spec: DemoShop, n: int, operator: dict[str, str], approve: bool
    ) -> dict[str, Any]:
        email = owner_email(spec)
        owner = await self.user(email, spec.owner_name, UserRole.BUYER, spec.market)
        shop = _check(
            await self.client.post(
                "/api/v1/shops",
                headers=owner,
                json={
                    "name": spec.name,
                    "market_code": spec.market,
                    "seller_type": spec.seller_type,
                    "description": spec.description,
                    "contact_email": email,
                    "business_name": f"{spec.name} Ltd",
                    "business_registration_number": f"DEMO-{n:04d}",
                },
            ),
            201,
        )
        shop_id = shop["id"]
        if approve:
            _check(
                await self.client.post(
                    f"/api/v1/operator/shops/{shop_id}/approve", headers=operator
                )
            )
        warehouses = []
        for kind in ("SALES_WAREHOUSE", "RETURN_WAREHOUSE"):
            wh = _check(
                await self.client.post(
                    f"/api/v1/seller/shops/{shop_id}/warehouses",
                    headers=owner,
                    json={
                        "type": kind,
                        "name": f"{spec.city} {WAREHOUSE_NAMES[kind]}",
                        "address_line1": f"{10 + n} Commerce Way",
                        "city": spec.city,
                        "postal_code": spec.postal_code,
                        "country_code": spec.market,
                        "latitude": spec.lat,
                        "longitude": spec.lng,
                        "cutoff_hour": 14,
                        "is_default": True,
                    },
                ),
                201,
            )
            warehouses.append(wh)
        record = {
            "id": shop_id,
            "spec": spec,
            "owner": owner,
            "warehouse_id": warehouses[0]["id"],
            "currency": None,
        }
        self.result.shops.append(record)
        return record

    async def products(self, shop: dict[str, Any]) -> None:
        spec: DemoShop = shop["spec"]
        owner = shop["owner"]
        for i, p in enumerate(spec.products):
            png = product_image(
                p.title, shape=p.shape, color=spec.color, seed=i, label="NEW" if i % 4 == 0 else ""
            )
            image = _check(
                await self.client.post(
                    f"/api/v1/seller/shops/{shop['id']}/images",
                    headers=owner,
                    files={"file": (f"{i}.png", png, "image/png")},
                ),
                201,
            )
            currency = {"US": "USD", "GB": "GBP", "DE": "EUR", "JP": "JPY", "ID": "IDR"}[
                spec.market
            ]
            shop["currency"] = currency
            code = "".join(w[0] for w in p.title.split()[:3]).upper() + f"{i:02d}"
            created = _check(
                await self.client.post(
                    f"/api/v1/seller/shops/{shop['id']}/products",
                    headers=owner,
                    json={
                        "title": p.title,
                        "description": (
                            f"{p.title} from {spec.name}. {spec.description} "
                            "Ships from our own warehouse; free returns within 30 days."
                        ),
                        "category_id": str(p.category_id),
                        "brand": p.brand or spec.name,
                        "package_weight_g": p.weight_g,
                        "package_length_cm": 30,
                        "package_width_cm": 22,
                        "package_height_cm": 8,
                        "origin_country": spec.market,
                        "image_ids": [image["id"]],
                        "skus": _skus(p, currency, code),
                    },
                ),
                201,
            )
            self.result.products.append({"shop": shop, "product": created})
            self.pictures[created["id"]] = png
            self.step("products", 1)

    async def stock(self) -> None:
        for entry in self.result.products:
            shop, product = entry["shop"], entry["product"]
            for sku in product["skus"]:
                _check(
                    await self.client.post(
                        f"/api/v1/seller/shops/{shop['id']}/stock/receipts",
                        headers=shop["owner"],
                        json={
                            "sku_id": sku["id"],
                            "warehouse_id": shop["warehouse_id"],
                            "quantity": self.rng.randint(40, 160),
                            "note": "opening stock",
                        },
                    ),
                    200,
                    201,
                )
            self.step("stock", 1)

    # videos and lives -------------------------------------------------------------------

    async def videos_and_lives(self, real_now: datetime) -> None:
        """Shoppable videos of a few products, two lives on air, two coming, two with replays."""
        from hawker.demo.live import create_demo_live, seed_product_video

        by_shop: dict[str, list[dict[str, Any]]] = {}
        for entry in self.result.products:
            if entry["product"]["status"] == "ACTIVATE":
                by_shop.setdefault(entry["shop"]["id"], []).append(entry)
        shops = [sh for sh in self.result.shops if by_shop.get(sh["id"])]
        videos: dict[str, int] = {}  # product id -> video id
        for shop in shops[:6]:  # every shop that goes live below has videos of its own
            owner_id = self.user_ids[owner_email(shop["spec"])]
            for entry in by_shop[shop["id"]][:2]:
                product = entry["product"]
                async with self.rt.db.session() as session:
                    video = await seed_product_video(
                        session,
                        settings=self.rt.settings,
                        owner_id=owner_id,
                        shop_id=int(shop["id"]),
                        title=product["title"],
                        picture=self.pictures[product["id"]],
                        product_ids=[int(product["id"])],
                        now=self.clock.now(),
                        description=f"{product['title']} from {shop['spec'].name}.",
                    )
                    videos[product["id"]] = video.id
                self.step("videos", 1)

        plans = [
            (0, "LIVE", "Spring linen drop: try-on live", None),
            (1, "LIVE", "Weeknight kitchen upgrades", CREATOR_EMAIL),
            (3, "SCHEDULED", "Matchday kit and trail shoes", None),
            (4, "SCHEDULED", "Glow routine Q&A", None),
            (2, "ENDED", "Gadget unboxing marathon", None),
            (5, "ENDED", "Kreuzberg finds", None),
        ]
        for shop_n, state, title, host_email in plans:
            if shop_n >= len(shops):
                continue
            shop = shops[shop_n]
            entries = by_shop[shop["id"]]
            product_ids = [int(e["product"]["id"]) for e in entries[:5]]
            host_id = self.user_ids[host_email or owner_email(shop["spec"])]
            loop = videos.get(entries[0]["product"]["id"])
            if host_email is not None:  # a creator loops a video of their own
                product = entries[0]["product"]
                async with self.rt.db.session() as session:
                    video = await seed_product_video(
                        session,
                        settings=self.rt.settings,
                        owner_id=host_id,
                        shop_id=None,
                        title=f"{product['title']}: my honest review",
                        picture=self.pictures[product["id"]],
                        product_ids=[int(product["id"])],
                        now=self.clock.now(),
                    )
                loop = video.id
                self.step("videos", 1)
            when = {
                "LIVE": real_now - timedelta(minutes=12),
                "SCHEDULED": real_now + timedelta(hours=3 + 20 * (shop_n % 2)),
                "ENDED": real_now - timedelta(days=1, hours=shop_n),
            }[state]
            async with self.rt.db.session() as session:
                await create_demo_live(
                    session,
                    settings=self.rt.settings,
                    broker=self.rt.broker,
                    host_id=host_id,
                    shop_id=None if host_email else int(shop["id"]),
                    title=title,
                    product_ids=product_ids,
                    now=min(when, real_now),
                    state=state,
                    loop_video_id=loop,
                    scheduled_at=when,
                )
            self.step("lives", 1)

    # buyers and orders --------------------------------------------------------------------

    async def buyers(self, count: int) -> list[tuple[dict[str, str], str, str]]:
        out = []
        for n in range(count):
            market = BUYER_MARKETS[n % len(BUYER_MARKETS)]
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            email = BUYER_EMAIL if n == 0 else f"buyer{n:03d}@hawker-demo.com"
            name = "Demo Buyer" if n == 0 else f"{first} {last}"
            headers = await self.user(email, name, UserRole.BUYER, market)
            out.append((headers, market, name))
            self.step("buyers", 1)
        self.result.buyers = count
        return out

    async def order(self, buyer: tuple[dict[str, str], str, str], fate: str) -> None:
        headers, market, name = buyer
        candidates = [
            e
            for e in self.result.products
            if e["shop"]["spec"].market == market and e["product"]["status"] == "ACTIVATE"
        ]
        if not candidates:
            return
        for entry in self.rng.sample(candidates, k=min(len(candidates), self.rng.randint(1, 3))):
            sku = self.rng.choice(entry["product"]["skus"])
            _check(
                await self.client.post(
                    "/api/v1/cart/items",
                    headers=headers,
                    json={"sku_id": sku["id"], "quantity": self.rng.randint(1, 2)},
                ),
                200,
                201,
            )
        line1, city, region, postal, phone = ADDRESSES[market]
        placed = _check(
            await self.client.post(
                "/api/v1/checkout/orders",
                headers={**headers, "Idempotency-Key": f"demo-place-{self.rng.getrandbits(64):x}"},
                json={
                    "shipping_address": {
                        "name": name,
                        "phone": phone,
                        "line1": line1,
                        "city": city,
                        "region": region,
                        "postal_code": postal,
                        "country_code": market,
                    }
                },
            ),
            201,
        )
        checkout_id = placed["checkout_id"]
        if fate in ("unpaid", "expired"):
            return
        if fate == "declined_then_paid":
            _check(
                await self.client.post(
                    f"/api/v1/checkout/{checkout_id}/pay",
                    headers={**headers, "Idempotency-Key": f"demo-pay-{checkout_id}-declined"},
                    json={"card": CARD_DECLINED},
                ),
                402,
            )
        self.clock.advance(timedelta(minutes=2))
        _check(
            await self.client.post(
                f"/api/v1/checkout/{checkout_id}/pay",
                headers={**headers, "Idempotency-Key": f"demo-pay-{checkout_id}"},
                json={"card": {**CARD_OK, "holder_name": name}},
            )
        )
        if fate == "buyer_cancelled":
            self.clock.advance(timedelta(minutes=10))
            for order in placed["orders"]:
                _check(
                    await self.client.post(
                        f"/api/v1/orders/{order['id']}/cancel",
                        headers=headers,
                        json={"reason": "Changed my mind"},
                    )
                )


async def seed(
    rt: Runtime,
    app: FastAPI,
    clock: FrozenClock,
    step: Step,
    *,
    buyers: int = 200,
    orders: int = 160,
) -> Seeded:
    """Seed a fresh database. `clock` is the app's clock; it ends at the real time."""
    real_now: datetime = clock.now()
    clock.set(real_now - timedelta(days=4))
    s = Seeder(rt, app, clock, step)
    try:
        operator = await s.user(OPERATOR_EMAIL, "Olu Operator", UserRole.OPERATOR, None)
        await s.user(CREATOR_EMAIL, "Casey Creator", UserRole.CREATOR, "US")
        for n, spec in enumerate(SHOPS):
            await s.shop(spec, n, operator, approve=True)
            step("shops", 1)
        await s.shop(PENDING_SHOP, len(SHOPS), operator, approve=False)
        step("shops", 1)
        markets = sorted({shop["spec"].market for shop in s.result.shops})
        async with rt.db.session() as session:  # carriers, rates and transit times per market
            for code in markets:
                await logistics.ensure_default_network(
                    session, code, now=clock.now(), settings=rt.settings
                )
        for shop in s.result.shops:
            if shop["spec"].products:
                await s.products(shop)
        await s.runner.run_until_idle()  # the listing audit activates the products
        for entry in s.result.products:
            shop = entry["shop"]
            r = await s.client.get(
                f"/api/v1/seller/shops/{shop['id']}/products/{entry['product']['id']}",
                headers=shop["owner"],
            )
            entry["product"] = _check(r)
        await s.stock()
        await s.videos_and_lives(real_now)
        people = await s.buyers(buyers)

        # Orders over the last three days, in time order, with the timers running as time passes.
        start = real_now - timedelta(days=3)
        span = timedelta(days=3) - timedelta(hours=2)
        recent = 8  # placed and paid in the last hour: still ON_HOLD when the demo opens
        fates = (
            ["expired"] * 12
            + ["unpaid"] * 14
            + ["buyer_cancelled"] * 10
            + ["declined_then_paid"] * 6
            + ["paid"] * (orders - 42)
        )
        s.rng.shuffle(fates)
        for i in range(orders):
            fate = fates[i]
            if i < orders - recent:
                t = start + span * i / (orders - recent)
            else:
                t = real_now - timedelta(minutes=45) + timedelta(minutes=4) * (i - orders + recent)
                fate = "paid" if i % 2 else "unpaid"
            if fate == "expired" and t > real_now - timedelta(hours=26):
                fate = "unpaid"
            if fate == "unpaid" and t < real_now - timedelta(hours=22):
                fate = "expired"
            clock.set(max(clock.now(), t))
            await s.order(s.rng.choice(people[1:]) if i % 9 else people[0], fate)
            await s.runner.run_until_idle()
            step("orders", 1)

        # Sellers cancel a few orders they cannot fulfil (a seller-fault cancellation).
        clock.set(real_now - timedelta(minutes=5))
        await s.runner.run_until_idle()
        cancelled = 0
        for shop in s.result.shops:
            if cancelled >= 4 or not shop["spec"].products:
                continue
            listing = _check(
                await s.client.get(
                    f"/api/v1/seller/shops/{shop['id']}/orders",
                    headers=shop["owner"],
                    params={"status": "AWAITING_SHIPMENT"},
                )
            )
            if listing["items"]:
                order_id = listing["items"][-1]["id"]
                _check(
                    await s.client.post(
                        f"/api/v1/seller/shops/{shop['id']}/orders/{order_id}/cancel",
                        headers=shop["owner"],
                        json={"reason": "Out of stock in store"},
                    )
                )
                cancelled += 1
        clock.set(real_now)
        await s.runner.run_until_idle()
        # Ship most paid orders through the carrier simulator: collection, transit, delivery,
        # and one suspected empty box held for review.
        sellers = {shop["id"]: shop["owner"] for shop in s.result.shops if shop["spec"].products}
        await progress_demo_orders(rt, s.client, s.runner, clock, sellers, markets=markets)
        step("shipping", 1)
        await s.runner.run_until_idle()
        s.result.orders_by_status = await _status_counts(rt)
        return s.result
    finally:
        await s.close()


async def _status_counts(rt: Runtime) -> dict[str, int]:
    from sqlalchemy import func, select

    from hawker.models import Order

    async with rt.db.read_session() as session:
        rows = (
            await session.execute(select(Order.status, func.count()).group_by(Order.status))
        ).all()
    return {status: int(n) for status, n in rows}


async def is_seeded(rt: Runtime) -> bool:
    from sqlalchemy import func, select

    from hawker.models import User

    async with rt.db.read_session() as session:
        return bool(await session.scalar(select(func.count()).select_from(User)))
