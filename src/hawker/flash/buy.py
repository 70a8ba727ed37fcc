"""POST /api/v1/flash/deals/{deal_id}/buy: the hot path, as a plain Starlette route.

No FastAPI dependency injection, no database session per request, answers pre-serialised.
Everything it needs comes from the process's `FlashEngine` (engine.py).
"""

from __future__ import annotations

import json

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from hawker.flash.engine import LIMIT_ANSWER, NOT_LOGGED_IN_ANSWER, Answer, engine_of
from hawker.flash.schemas import BuyIn
from hawker.orders.service import Address
from hawker.runtime import Runtime

MAX_BODY_BYTES = 4096
JSON = "application/json"


def _error(status: int, code: str, message: str, details: object = None) -> Response:
    body = {"error": {"code": code, "message": message, "details": details}}
    return Response(json.dumps(body, separators=(",", ":")), status, media_type=JSON)


def _answer(answer: Answer) -> Response:
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else None
    return Response(answer.body, answer.status, headers=headers, media_type=JSON)


def _token(request: Request, cookie: str) -> str | None:
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return request.cookies.get(cookie) or None


async def buy(request: Request) -> Response:
    engine = engine_of(request.app)
    rt: Runtime = engine.rt
    token = _token(request, rt.settings.session_cookie)
    if token is None:
        return _answer(NOT_LOGGED_IN_ANSWER)
    raw_id = request.path_params.get("deal_id", "")
    if not (isinstance(raw_id, str) and raw_id.isascii() and raw_id.isdigit() and len(raw_id) < 20):
        return _error(404, "deal_not_found", f"There is no flash deal {raw_id}.")
    buyer_id = await engine.logins.user_id(token)
    if buyer_id is None:
        return _answer(NOT_LOGGED_IN_ANSWER)
    deal = await engine.deal(int(raw_id))
    if deal is None:
        return _error(404, "deal_not_found", f"There is no flash deal {raw_id}.")
    key = request.headers.get("idempotency-key")
    if key is not None and not 1 <= len(key) <= rt.settings.idempotency_key_max_length:
        return _error(
            400,
            "invalid_idempotency_key",
            f"An Idempotency-Key has 1-{rt.settings.idempotency_key_max_length} characters.",
        )
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        return _error(413, "payload_too_large", "The request body is too large.")
    try:
        body = BuyIn.model_validate_json(raw) if raw.strip() else BuyIn()
    except ValidationError as exc:
        details = [
            {"loc": [str(p) for p in e["loc"]], "msg": e["msg"], "type": e["type"]}
            for e in exc.errors()
        ]
        return _error(422, "validation_error", "The request is not valid.", details)
    limit = deal.facts.deal.per_buyer_limit
    if body.quantity > limit:
        return _answer(LIMIT_ANSWER)
    if body.address is not None:
        a = body.address
        address: Address | None = Address(
            name=a.name,
            phone=a.phone,
            line1=a.line1,
            line2=a.line2,
            city=a.city,
            region=a.region,
            postal_code=a.postal_code,
            country_code=a.country_code,
        )
    else:
        address = await engine.address_of(buyer_id)
        if address is None:
            return _error(
                400,
                "address_required",
                "Send a shipping address (address) with your first purchase.",
            )
    assert address is not None
    market = deal.facts.deal.market_code
    if address.country_code != market:
        return _error(
            400,
            "address_outside_market",
            f"This deal ships within {market} only.",
            {"country_code": address.country_code, "markets": [market]},
        )
    answer = await engine.buy(
        deal,
        buyer_id=buyer_id,
        quantity=body.quantity,
        key=key,
        address=address,
        now=rt.clock.now(),
    )
    return _answer(answer)
