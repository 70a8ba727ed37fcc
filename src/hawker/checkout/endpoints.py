from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Header
from fastapi.responses import JSONResponse

from hawker.checkout import service
from hawker.checkout.schemas import (
    OrderDeliveryEstimateOut,
    OrderDutiesOut,
    PaidOut,
    PayIn,
    PlacedOut,
    PlaceOrdersIn,
    payment_out,
)
from hawker.customs.schemas import order_duties_out
from hawker.deps import CurrentUser, RuntimeDep, SessionDep
from hawker.fulfillment import service as fulfillment
from hawker.fulfillment.schemas import estimate_out
from hawker.idempotency import service as idempotency
from hawker.orders import service as orders
from hawker.orders.schemas import order_out
from hawker.payments import service as payments
from hawker.routing import router as make_router
from hawker.runtime import Runtime
from hawker.schemas import Id, MoneyOut

router = make_router(prefix="/checkout", tags=["checkout"])
order_pay_router = make_router(prefix="/orders", tags=["checkout"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Required. A unique key per intended operation (1-255 characters); "
        "retrying with the same key and body replays the first answer for 24 hours.",
    ),
]

PAY_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": PaidOut},
    402: {"description": "payment_declined: the card was declined (stored for the key)."},
    503: {
        "description": "payment_provider_unavailable: nothing was charged; retry with the same key."
    },
}


async def _once(
    session: SessionDep,
    user: CurrentUser,
    rt: RuntimeDep,
    *,
    scope: str,
    key: str | None,
    request: dict[str, Any],
    now: datetime,
    run: Callable[[], Awaitable[tuple[int, dict[str, Any]]]],
) -> JSONResponse:
    """Run `run` once per Idempotency-Key (required): the same key with the same request
    replays the stored answer; the same key with another request is refused."""
    status, payload = await idempotency.replay_or_run(
        session,
        user_id=user.id,
        scope=scope,
        key=idempotency.require_key(key, max_length=rt.settings.idempotency_key_max_length),
        request_body=request,
        now=now,
        ttl=timedelta(hours=rt.settings.idempotency_ttl_hours),
        run=run,
        max_key_length=rt.settings.idempotency_key_max_length,
        secret=rt.settings.secret_key,
    )
    return JSONResponse(payload, status_code=status)


def _card(body: PayIn) -> payments.CardDetails:
    c = body.card
    return payments.CardDetails(
        number=c.number,
        exp_month=c.exp_month,
        exp_year=c.exp_year,
        cvc=c.cvc,
        holder_name=c.holder_name,
    )


def _pay_request(target: dict[str, str], body: PayIn, rt: Runtime) -> dict[str, Any]:
    """What makes two pay requests "the same" for an Idempotency-Key: the order or checkout,
    the card's keyed fingerprint (number and expiry) and the holder's name; never the card
    number or the CVC."""
    fingerprint = payments.card_fingerprint(_card(body), secret=rt.settings.secret_key)
    return {**target, "card": {"fingerprint": fingerprint, "holder_name": body.card.holder_name}}


async def _paid(session: SessionDep, result: service.PayResult) -> tuple[int, dict[str, Any]]:
    error = result.error
    if error is not None:
        return error.status_code, error.body()
    views = await orders.views(session, result.orders)
    out = PaidOut(
        payment=payment_out(result.payment, views[0].locale),
        orders=[order_out(v.order, v.lines, v.locale) for v in views],
    )
    return 200, out.model_dump(mode="json")


@router.post("/orders", status_code=201, responses={201: {"model": PlacedOut}})
async def place_orders(
    body: PlaceOrdersIn,
    session: SessionDep,
    user: CurrentUser,
    rt: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    now = rt.clock.now()
    a = body.shipping_address

    async def run() -> tuple[int, dict[str, Any]]:
        placed = await service.place_orders(
            session,
            user,
            address=a.to_address(),
            note=body.note,
            items=[(i.sku_id, i.quantity) for i in body.items] if body.items else None,
            now=now,
            settings=rt.settings,
        )
        views = await orders.views(session, placed.orders)
        estimates = await fulfillment.estimate_shops(
            session,
            {v.order.shop_id: [(ln.sku_id, ln.quantity) for ln in v.lines] for v in views},
            market_by_shop={v.order.shop_id: v.order.market_code for v in views},
            country_code=a.country_code,
            postal_code=a.postal_code,
            now=now,
            settings=rt.settings,
        )
        out = PlacedOut(
            checkout_id=placed.checkout_id,
            orders=[order_out(v.order, v.lines, v.locale) for v in views],
            total=MoneyOut.of(placed.total_minor, placed.currency, placed.locale),
            pay_by=placed.pay_by,
            delivery_estimates=[
                OrderDeliveryEstimateOut(
                    order_id=v.order.id,
                    shop_id=v.order.shop_id,
                    estimate=estimate_out(estimates.get(v.order.shop_id)),
                )
                for v in views
            ],
            duties=[
                OrderDutiesOut(
                    order_id=v.order.id,
                    shop_id=v.order.shop_id,
                    duties=order_duties_out(placed.customs[v.order.id], v.locale),
                )
                for v in views
                if v.order.id in placed.customs
            ],
        )
        return 201, out.model_dump(mode="json")

    request = body.model_dump(mode="json")
    return await _once(
        session,
        user,
        rt,
        scope="checkout.place",
        key=idempotency_key,
        request=request,
        now=now,
        run=run,
    )


@router.post("/{checkout_id}/pay", responses=PAY_RESPONSES)
async def pay_checkout(
    checkout_id: Id,
    body: PayIn,
    session: SessionDep,
    user: CurrentUser,
    rt: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    now = rt.clock.now()

    async def run() -> tuple[int, dict[str, Any]]:
        result = await service.pay_checkout(
            session, user, checkout_id, card=_card(body), now=now, settings=rt.settings
        )
        return await _paid(session, result)

    request = _pay_request({"checkout_id": str(checkout_id)}, body, rt)
    return await _once(
        session,
        user,
        rt,
        scope="checkout.pay",
        key=idempotency_key,
        request=request,
        now=now,
        run=run,
    )


@order_pay_router.post("/{order_id}/pay", responses=PAY_RESPONSES)
async def pay_order(
    order_id: Id,
    body: PayIn,
    session: SessionDep,
    user: CurrentUser,
    rt: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    now = rt.clock.now()

    async def run() -> tuple[int, dict[str, Any]]:
        result = await service.pay_order(
            session, user, order_id, card=_card(body), now=now, settings=rt.settings
        )
        return await _paid(session, result)

    request = _pay_request({"order_id": str(order_id)}, body, rt)
    return await _once(
        session,
        user,
        rt,
        scope="orders.pay",
        key=idempotency_key,
        request=request,
        now=now,
        run=run,
    )
