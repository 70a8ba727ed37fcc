"""Cart, checkout, paying and the buyer's orders, through the pages."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import httpx

from hawker.fulfillment.schemas import DeliveryEstimateOut
from hawker.kit.clock import FrozenClock
from hawker.models import Order, Payment
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from hawker.web.pages_checkout import arrives
from tests.factories.accounts import Actor, signup
from tests.factories.catalog import make_product
from tests.factories.fulfillment import network
from tests.factories.orders import Listing, add_to_cart, buy, count_rows, make_listing, receive
from tests.web.pages import as_guest, get, log_in, post, text_of

ADDRESS = {
    "address-name": "Ada Buyer",
    "address-phone": "+1 555 0100",
    "address-line1": "1 Market Street",
    "address-city": "Springfield",
    "address-region": "IL",
    "address-postal_code": "62701",
}


def card(number: str = "4242 4242 4242 4242") -> dict[str, str]:
    return {
        "card-number": number,
        "card-exp_month": "12",
        "card-exp_year": "30",
        "card-cvc": "123",
        "card-holder_name": "Ada Buyer",
    }


def key_of(page: httpx.Response) -> str:
    found = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


async def _buyer_with_cart(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, *, quantity: int = 2
) -> tuple[Actor, Listing]:
    listing = await make_listing(client, rt, runner, title="Linen Shirt", price_minor=2000)
    buyer = await signup(client, display_name="Ada Buyer")
    r = await add_to_cart(client, buyer, listing.sku_id, quantity)
    assert r.status_code == 200, r.text
    as_guest(client)
    log_in(client, buyer)
    return buyer, listing


async def _orders_of(client: httpx.AsyncClient, buyer: Actor) -> list[dict[str, Any]]:
    r = await client.get("/api/v1/orders", headers=buyer.headers)
    items: list[dict[str, Any]] = r.json()["items"]
    return items


# Adding to the cart -------------------------------------------------------------------------


async def test_add_to_cart_needs_a_login_then_a_full_choice(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    listing = await make_listing(client, rt, runner, stock=0)
    product = await make_product(
        client,
        runner,
        listing.seller,
        listing.shop_id,
        title="Rain Jacket",
        skus=[
            {
                "seller_sku": f"RJ-{c}-{s}",
                "sales_attributes": [
                    {"name": "Colour", "value_name": c},
                    {"name": "Size", "value_name": s},
                ],
                "price_minor": 8000 if c == "Red" else 8500,
            }
            for c, s in (("Red", "M"), ("Blue", "L"))
        ],
    )
    listing.product = product
    await receive(client, listing, 2)  # Red / M
    as_guest(client)
    form = {"product_id": product["id"], "option-0": "Red", "option-1": "M", "quantity": "1"}
    guest = await post(client, "/cart/items", form, token_from=f"/products/{product['id']}")
    assert guest.status_code == 303
    assert guest.headers["location"].startswith("/login?next=%2Fproducts%2F")

    buyer = await signup(client)
    half = await post(
        client, "/cart/items", {"product_id": product["id"], "option-0": "Red", "quantity": "1"}
    )
    assert half.status_code == 400
    assert "Choose a size." in half.text
    assert 'id="opt-0-0" name="option-0" value="Red" checked' in half.text
    sold_out = await post(client, "/cart/items", {**form, "option-0": "Blue", "option-1": "L"})
    assert sold_out.status_code == 400
    assert "Sold out." in sold_out.text
    too_many = await post(client, "/cart/items", {**form, "quantity": "3"})
    assert too_many.status_code == 400
    assert "Only 2 left." in too_many.text
    assert (await client.get("/api/v1/cart", headers=buyer.headers)).json()["line_count"] == 0

    added = await post(client, "/cart/items", form)
    assert added.status_code == 303
    assert added.headers["location"] == "/cart"
    cart = await get(client, "/cart")
    assert "Added Rain Jacket (Red / M) to your cart." in cart.text
    text = text_of(cart)
    assert "Rain Jacket Red / M $80.00 each" in text
    assert "Subtotal $80.00 Shipping Free Sales tax $5.80 Shop total $85.80" in text
    assert listing.shop["name"] in text

    buy_now = await post(client, "/cart/items", {**form, "action": "buy"})
    assert buy_now.status_code == 303
    assert buy_now.headers["location"] == "/checkout"


async def test_cart_quantities_and_removal(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    buyer, listing = await _buyer_with_cart(client, rt, runner)
    r = await post(
        client, f"/cart/items/{listing.sku_id}/quantity", {"quantity": "3"}, token_from="/cart"
    )
    assert r.status_code == 303
    cart = (await client.get("/api/v1/cart", headers=buyer.headers)).json()
    assert cart["shops"][0]["lines"][0]["quantity"] == 3
    bad = await post(
        client, f"/cart/items/{listing.sku_id}/quantity", {"quantity": "lots"}, token_from="/cart"
    )
    assert bad.status_code == 303
    assert "Quantity: Enter a whole number." in (await get(client, "/cart")).text
    gone = await post(client, f"/cart/items/{listing.sku_id}/remove", {}, token_from="/cart")
    assert gone.status_code == 303
    page = await get(client, "/cart")
    assert "Removed from your cart." in page.text
    assert "Your cart is empty" in page.text


# Checkout -----------------------------------------------------------------------------------


async def test_checkout_shows_totals_and_test_cards(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    await _buyer_with_cart(client, rt, runner)
    page = await get(client, "/checkout")
    assert page.status_code == 200
    text = text_of(page)
    assert "Subtotal $40.00 Shipping $0.00" not in text
    assert "Subtotal $40.00 Shipping Free Sales tax $2.90 Shop total $42.90" in text
    assert "4242 4242 4242 4242 Succeeds." in text
    assert "4000 0000 0000 0002 Declined by the card issuer." in text
    assert "Pay $42.90" in text
    assert 'value="Ada Buyer"' in page.text


async def test_checkout_shows_each_shops_delivery_option_with_its_date(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    _, listing = await _buyer_with_cart(client, rt, runner)
    radio = f'<input type="radio" name="delivery-{listing.shop_id}" value="STANDARD" checked>'

    # no logistics network in the market yet: the option, but no date to promise
    page = await get(client, "/checkout")
    assert radio in page.text
    text = text_of(page)
    assert "Delivery Standard Delivery estimate not available" in text
    assert "This market has no delivery network yet, so there is no date to promise." in text
    assert "Standard delivery: estimate not available" in text_of(await get(client, "/cart"))

    # Monday 04:00 in New York, before the 14:00 cut-off: handed over Tuesday; without an
    # address the parcel goes to the middle of the country (zone 4, 3-5 days)
    await network(rt)
    page = await get(client, "/checkout")
    assert page.status_code == 200
    assert radio in page.text
    text = text_of(page)
    assert "Delivery Standard Arrives Jan 9, 2026 – Jan 13, 2026" in text
    assert "Delivery estimate not available" not in text
    cart = text_of(await get(client, "/cart"))
    assert "Standard delivery: Arrives Jan 9, 2026 – Jan 13, 2026" in cart


def test_estimated_arrival_reads_in_the_markets_locale() -> None:
    def estimate(earliest: date, latest: date) -> DeliveryEstimateOut:
        return DeliveryEstimateOut(
            level="STANDARD",
            handover_date=date(2026, 1, 6),
            earliest_date=earliest,
            latest_date=latest,
            packages=1,
        )

    one_day = estimate(date(2026, 1, 9), date(2026, 1, 9))
    assert arrives(one_day, "en_US") == "Arrives by Jan 9, 2026"
    window = estimate(date(2026, 1, 9), date(2026, 1, 13))
    assert arrives(window, "en_US") == "Arrives Jan 9, 2026 – Jan 13, 2026"
    assert arrives(window, "de_DE") == "Arrives 09.01.2026 – 13.01.2026"
    assert arrives(None, "en_US") is None


async def test_checkout_with_an_invalid_card_places_nothing(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    buyer, _ = await _buyer_with_cart(client, rt, runner)
    page = await get(client, "/checkout")
    r = await post(
        client,
        "/checkout",
        {
            **ADDRESS,
            "address-city": "",
            **card("4242 4242 4242 4241"),
            "idempotency_key": key_of(page),
        },
        token_from="/checkout",
    )
    assert r.status_code == 400
    assert 'id="e-address-city"' in r.text
    assert "The card number is not valid." in r.text
    assert 'value="1 Market Street"' in r.text
    assert "4242 4242 4242 4241" not in r.text  # the card number is never echoed
    assert await count_rows(rt, Order) == 0
    assert (await client.get("/api/v1/cart", headers=buyer.headers)).json()["line_count"] == 1


async def test_checkout_pays_and_shows_the_order_with_its_timeline(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    buyer, listing = await _buyer_with_cart(client, rt, runner)
    page = await get(client, "/checkout")
    form = {
        **ADDRESS,
        **card(),
        "note": "Leave it with <b>the neighbour</b>",
        "idempotency_key": key_of(page),
    }
    r = await post(client, "/checkout", form, token_from="/checkout")
    assert r.status_code == 303
    orders = await _orders_of(client, buyer)
    assert [o["status"] for o in orders] == ["ON_HOLD"]
    assert r.headers["location"] == f"/orders/{orders[0]['id']}"
    assert (await client.get("/api/v1/cart", headers=buyer.headers)).json()["line_count"] == 0

    # the same form posted again (a double click) does not charge twice
    again = await post(client, "/checkout", form, token_from="/orders")
    assert again.status_code == 303
    assert again.headers["location"] == f"/orders/{orders[0]['id']}"
    assert await count_rows(rt, Order) == 1
    assert await count_rows(rt, Payment) == 1

    detail = await get(client, f"/orders/{orders[0]['id']}")
    text = text_of(detail)
    assert "Thank you! Your order is paid." in text
    assert "Order placed" in text
    assert "Paid" in text
    assert "Preparing to ship" in text
    assert "Total $42.90" in text
    assert "Cancel this order" in text
    assert "Leave it with &lt;b&gt;the neighbour&lt;/b&gt;" in detail.text
    assert 'class="back-link" href="/orders"' in detail.text
    assert detail.text.count("timeline__step--done") == 1
    assert detail.text.count("timeline__step--current") == 1
    assert listing.shop["name"] in text


async def test_a_declined_card_keeps_the_order_unpaid_until_paid(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    buyer, _ = await _buyer_with_cart(client, rt, runner)
    page = await get(client, "/checkout")
    r = await post(
        client,
        "/checkout",
        {**ADDRESS, **card("4000 0000 0000 0002"), "idempotency_key": key_of(page)},
        token_from="/checkout",
    )
    assert r.status_code == 303
    pay_url = r.headers["location"]
    assert re.fullmatch(r"/checkout/\d+/pay", pay_url)
    orders = await _orders_of(client, buyer)
    assert [o["status"] for o in orders] == ["UNPAID"]
    pay_page = await get(client, pay_url)
    assert "The card was declined. Your order is saved: try another card." in pay_page.text
    assert "Pay $42.90" in text_of(pay_page)

    declined = await post(
        client,
        pay_url,
        {**card("4000000000009995"), "idempotency_key": key_of(pay_page)},
        token_from=pay_url,
    )
    assert declined.status_code == 402
    assert "The card has insufficient funds." in declined.text
    paid = await post(
        client, pay_url, {**card(), "idempotency_key": key_of(declined)}, token_from=pay_url
    )
    assert paid.status_code == 303
    assert paid.headers["location"] == f"/orders/{orders[0]['id']}"
    assert [o["status"] for o in await _orders_of(client, buyer)] == ["ON_HOLD"]
    done = await get(client, pay_url)
    assert done.status_code == 303
    assert done.headers["location"] == "/orders"


async def test_someone_elses_checkout_and_order_are_404(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    buyer, listing = await _buyer_with_cart(client, rt, runner)
    order = await buy(client, buyer, listing, 1)
    other = await signup(client)
    as_guest(client)
    log_in(client, other)
    assert (await get(client, f"/orders/{order['id']}")).status_code == 404
    assert (await get(client, f"/checkout/{order['checkout_id']}/pay")).status_code == 404
    r = await post(
        client, f"/orders/{order['id']}/cancel", {"reason": "Changed my mind"}, token_from="/orders"
    )
    assert r.status_code == 404
    after = await client.get(f"/api/v1/orders/{order['id']}", headers=buyer.headers)
    assert after.json()["status"] == "ON_HOLD"


# Orders -------------------------------------------------------------------------------------


async def test_order_list_filters_by_status_and_cancel_flow(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, clock: FrozenClock
) -> None:
    buyer, listing = await _buyer_with_cart(client, rt, runner, quantity=1)
    held = await buy(client, buyer, listing, 1)
    shipped_soon = await buy(client, buyer, listing, 1)
    all_orders = await get(client, "/orders")
    assert all_orders.text.count('<span class="badge badge--wait">On hold</span>') == 2
    assert "No orders here" in text_of(await get(client, "/orders?status=cancelled"))

    no_reason = await post(
        client, f"/orders/{held['id']}/cancel", {"reason": ""}, token_from=f"/orders/{held['id']}"
    )
    assert no_reason.status_code == 400
    assert "Tell us why you&#39;re cancelling." in no_reason.text
    other = await post(
        client,
        f"/orders/{held['id']}/cancel",
        {"reason": "other", "other": "Bought one <i>in town</i>"},
        token_from=f"/orders/{held['id']}",
    )
    assert other.status_code == 303
    page = await get(client, f"/orders/{held['id']}")
    assert "Cancelled by you: Bought one &lt;i&gt;in town&lt;/i&gt;" in page.text
    assert "Cancel this order" not in page.text
    cancelled = text_of(await get(client, "/orders?status=cancelled"))
    assert f"Order {held['id']}" in cancelled
    assert f"Order {shipped_soon['id']}" not in cancelled

    clock.advance(timedelta(hours=2))
    await runner.run_until_idle()
    late = await post(
        client,
        f"/orders/{shipped_soon['id']}/cancel",
        {"reason": "Changed my mind"},
        token_from="/orders",
    )
    assert late.status_code == 409
    assert "only while it is UNPAID or ON_HOLD" in late.text
    to_ship = text_of(await get(client, "/orders?status=to_ship"))
    assert f"Order {shipped_soon['id']}" in to_ship
