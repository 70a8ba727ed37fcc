"""POST /api/v1/flash/deals/{deal_id}/buy: the hot path, as a plain ASGI route.

`BuyRoute` sits in front of the application's routing: a buy press never goes through
FastAPI's dependency injection, its router or a database session. It reads the headers and
body straight from the ASGI messages and answers with pre-serialised bytes from the
process's `FlashEngine` (engine.py). Every other request passes through untouched.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError
from starlette.types import ASGIApp, Receive, Scope, Send

from hawker.flash.engine import (
    LIMIT_ANSWER,
    NOT_LOGGED_IN_ANSWER,
    Answer,
    FlashEngine,
    engine_of,
)
from hawker.flash.schemas import BuyIn
from hawker.orders.service import Address

PREFIX = "/api/v1/flash/deals/"
SUFFIX = "/buy"
MAX_BODY_BYTES = 4096
_JSON = [(b"content-type", b"application/json")]
_REPLAYED = [(b"idempotent-replayed", b"true")]


def _error(status: int, code: str, message: str, details: object = None) -> Answer:
    body = {"error": {"code": code, "message": message, "details": details}}
    return Answer(status, json.dumps(body, separators=(",", ":")).encode())


def is_buy(scope: Scope) -> bool:
    path: str = scope.get("path", "")
    return (
        scope["type"] == "http"
        and scope.get("method") == "POST"
        and path.startswith(PREFIX)
        and path.endswith(SUFFIX)
    )


class BuyRoute:
    """ASGI middleware: answers buy presses itself, hands everything else to `app`."""

    def __init__(self, app: ASGIApp, hawker_app: Any) -> None:
        self.app = app
        self.hawker_app = hawker_app  # the FastAPI application (its state holds the engine)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not is_buy(scope):
            await self.app(scope, receive, send)
            return
        answer = await self.answer(scope, receive)
        head = response_head(answer)
        await send({"type": "http.response.start", "status": answer.status, "headers": head})
        await send({"type": "http.response.body", "body": answer.body})

    async def answer(self, scope: Scope, receive: Receive) -> Answer:
        raw = await _body(receive)
        return await answer_press(engine_of(self.hawker_app), scope["path"], scope["headers"], raw)


def answer_at_once(
    engine: FlashEngine, path: str, headers: Iterable[tuple[bytes, bytes]]
) -> Answer | None:
    """The answer to a press when it needs no waiting, the same `answer_press` gives: no
    login, no such deal, or a deal this process knows is over (a rush's late presses).
    None when the press needs the full path."""
    token, _ = _credentials(engine, headers)
    if token is None:
        return NOT_LOGGED_IN_ANSWER
    deal_id = _deal_id(path)
    if deal_id is None or deal_id not in engine.deals:
        return None
    state = engine.deals[deal_id]
    if state is None:
        return None
    return engine.refusal(state, engine.rt.clock.now(), countdown=False)


def _deal_id(path: str) -> int | None:
    """The deal id in a buy press's path; None when it is not one."""
    raw_id = path[len(PREFIX) : -len(SUFFIX)]
    return int(raw_id) if raw_id.isascii() and raw_id.isdigit() and len(raw_id) < 20 else None


def _credentials(
    engine: FlashEngine, headers: Iterable[tuple[bytes, bytes]]
) -> tuple[str | None, str | None]:
    """(login token, Idempotency-Key) of a press: the bearer token, else the session cookie."""
    token = key = None
    cookie = b""
    for name, value in headers:
        if name == b"authorization":
            if value[:7].lower() == b"bearer ":
                token = value[7:].strip().decode("latin-1") or None
        elif name == b"idempotency-key":
            key = value.decode("latin-1")
        elif name == b"cookie":
            cookie = value
    if token is None and cookie:
        token = _cookie(cookie, engine.rt.settings.session_cookie)
    return token, key


def response_head(answer: Answer) -> list[tuple[bytes, bytes]]:
    headers = _JSON + _REPLAYED if answer.replayed else _JSON
    return [*headers, (b"content-length", str(len(answer.body)).encode())]


async def answer_press(
    engine: FlashEngine,
    path: str,
    headers: Iterable[tuple[bytes, bytes]],
    raw: bytes | None,
) -> Answer:
    """The answer to one buy press: `path` is the request path, `headers` its (lower-case
    name, value) pairs, `raw` its body (None when larger than MAX_BODY_BYTES)."""
    settings = engine.rt.settings
    token, key = _credentials(engine, headers)
    if token is None:
        return NOT_LOGGED_IN_ANSWER
    deal_id = _deal_id(path)
    deal = await engine.deal(deal_id) if deal_id is not None else None
    if deal is None:
        raw_id = path[len(PREFIX) : -len(SUFFIX)]
        return _error(404, "deal_not_found", f"There is no flash deal {raw_id[:40]}.")
    now = engine.rt.clock.now()
    # A rush's thousands of late presses stop here, before their login is looked up or
    # their body read: the deal is over for everyone (the room shows it too). During the
    # countdown a press is checked in full first, so a buyer can fix it before the start.
    closed = engine.refusal(deal, now, countdown=False)
    if closed is not None:
        return closed
    buyer_id = await engine.logins.user_id(token)
    if buyer_id is None:
        return NOT_LOGGED_IN_ANSWER
    if key is not None and not 1 <= len(key) <= settings.idempotency_key_max_length:
        return _error(
            400,
            "invalid_idempotency_key",
            f"An Idempotency-Key has 1-{settings.idempotency_key_max_length} characters.",
        )
    if raw is None:
        return _error(413, "payload_too_large", "The request body is too large.")
    try:
        body = BuyIn.model_validate_json(raw) if raw.strip() else BuyIn()
    except ValidationError as exc:
        details = [
            {"loc": [str(p) for p in e["loc"]], "msg": e["msg"], "type": e["type"]}
            for e in exc.errors()
        ]
        return _error(422, "validation_error", "The request is not valid.", details)
    if body.quantity > deal.facts.deal.per_buyer_limit:
        return LIMIT_ANSWER
    address: Address | None
    if body.address is not None:
        address = body.address.to_address()
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
    return await engine.buy(
        deal,
        buyer_id=buyer_id,
        quantity=body.quantity,
        key=key,
        address=address,
        now=now,
    )


async def _body(receive: Receive) -> bytes | None:
    """The request body; None when it is larger than MAX_BODY_BYTES."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _cookie(header: bytes, name: str) -> str | None:
    for part in header.decode("latin-1").split(";"):
        k, _, v = part.strip().partition("=")
        if k == name and v:
            return v
    return None
