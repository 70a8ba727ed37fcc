"""The fast lane: buy presses answered inside uvicorn's HTTP protocol, on a real socket.

uvicorn runs in the test's event loop with `FlashLaneProtocol`, as `hawker serve` runs it;
the requests are raw HTTP/1.1 so keep-alive, pipelining and `Connection: close` are exactly
what a client sends.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import func, select

from hawker.flash import buy, lane
from hawker.flash.buy import MAX_BODY_BYTES, BuyRoute
from hawker.flash.engine import FlashEngine
from hawker.flash.lane import FlashLaneProtocol
from hawker.kit.clock import FrozenClock
from hawker.models import FlashPurchase, Order
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import Actor, signup
from tests.factories.flash import make_deal, make_deal_world
from tests.factories.orders import address


@pytest.fixture
async def port(app: FastAPI, engine: FlashEngine) -> AsyncIterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = int(s.getsockname()[1])
    config = uvicorn.Config(
        BuyRoute(app, app),
        host="127.0.0.1",
        port=free,
        http=FlashLaneProtocol,
        lifespan="off",
        log_level="warning",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.01)
    assert server.started
    try:
        yield free
    finally:
        server.should_exit = True
        await task


def press(deal_id: str, actor: Actor, key: str, *, extra: str = "", body: bytes = b"") -> bytes:
    payload = body or json.dumps({"quantity": 1, "address": address()}).encode()
    head = (
        f"POST /api/v1/flash/deals/{deal_id}/buy HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: {actor.headers['Authorization']}\r\nIdempotency-Key: {key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n{extra}\r\n"
    )
    return head.encode() + payload


GET_MARKETS = b"GET /api/v1/markets HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


async def answer(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    lines = head.decode().split("\r\n")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return int(lines[0].split()[1]), headers, body


async def open_deal(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, clock: FrozenClock
) -> tuple[str, Actor]:
    world = await make_deal_world(client, rt, runner, stock=50)
    deal = await make_deal(client, world, stock_cap=20, per_buyer_limit=3)
    clock.advance(timedelta(seconds=10))
    return str(deal["id"]), await signup(client)


async def purchases(rt: Runtime) -> int:
    async with rt.db.read_session() as s:
        return int(await s.scalar(select(func.count()).select_from(FlashPurchase)) or 0)


async def test_presses_on_a_kept_alive_connection_become_orders(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    port: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    deal_id, buyer = await open_deal(client, rt, runner, clock)
    in_lane: list[str] = []
    answer_press = buy.answer_press

    async def counted(engine: FlashEngine, path: str, *args: Any) -> Any:
        in_lane.append(path)
        return await answer_press(engine, path, *args)

    monkeypatch.setattr(lane, "answer_press", counted)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(press(deal_id, buyer, "lane-1"))
        first = await answer(reader)
        writer.write(press(deal_id, buyer, "lane-2"))
        second = await answer(reader)
        writer.write(press(deal_id, buyer, "lane-1"))  # the first again: replayed
        again = await answer(reader)
    finally:
        writer.close()
    assert first[0] == second[0] == again[0] == 201
    assert first[1]["content-type"] == "application/json"
    assert "date" in first[1] and "idempotent-replayed" not in first[1]
    a, b = json.loads(first[2]), json.loads(second[2])
    assert a["status"] == "UNPAID" and a["order_id"] != b["order_id"]
    assert again[1]["idempotent-replayed"] == "true" and json.loads(again[2]) == a
    async with rt.db.read_session() as s:
        order = await s.get(Order, int(a["order_id"]))
    assert order is not None and order.status == "UNPAID"
    assert await purchases(rt) == 2
    assert len(in_lane) == 3  # answered in the protocol, not through the ASGI application


async def test_pipelined_requests_are_answered_in_order(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    port: int,
) -> None:
    deal_id, buyer = await open_deal(client, rt, runner, clock)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            press(deal_id, buyer, "p-1") + GET_MARKETS + press(deal_id, buyer, "p-2") + GET_MARKETS
        )
        answers = [await answer(reader) for _ in range(4)]
    finally:
        writer.close()
    assert [a[0] for a in answers] == [201, 200, 201, 200]
    assert isinstance(json.loads(answers[1][2]), list)  # the markets, not a purchase
    assert json.loads(answers[0][2])["order_id"] != json.loads(answers[2][2])["order_id"]
    assert await purchases(rt) == 2


async def test_connection_close_and_refusals_through_the_lane(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    port: int,
) -> None:
    deal_id, buyer = await open_deal(client, rt, runner, clock)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        big = b'{"quantity": 1, "note": "' + b"x" * MAX_BODY_BYTES + b'"}'
        writer.write(press(deal_id, buyer, "big", body=big))
        too_large = await answer(reader)
        writer.write(press(deal_id, buyer, "four", body=b'{"quantity": 4}'))
        limit = await answer(reader)
        writer.write(press("12345", buyer, "nowhere"))
        missing = await answer(reader)
        writer.write(press(deal_id, buyer, "last", extra="Connection: close\r\n"))
        last = await answer(reader)
        assert await asyncio.wait_for(reader.read(), 5) == b""  # the server closed it
    finally:
        writer.close()
    assert (too_large[0], json.loads(too_large[2])["error"]["code"]) == (413, "payload_too_large")
    assert (limit[0], json.loads(limit[2])["error"]["code"]) == (409, "limit_reached")
    assert (missing[0], json.loads(missing[2])["error"]["code"]) == (404, "deal_not_found")
    assert last[0] == 201 and last[1]["connection"] == "close"
    assert await purchases(rt) == 1


async def test_presses_on_a_deal_that_is_over_are_answered_at_once(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    port: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After the last unit the lane answers without a login lookup or a task, pipelined
    requests behind such an answer still come back in order, and the deal's figures hold."""
    world = await make_deal_world(client, rt, runner, stock=5)
    deal = await make_deal(client, world, stock_cap=1, per_buyer_limit=1)
    clock.advance(timedelta(seconds=10))
    deal_id = str(deal["id"])
    first, second, third = [await signup(client) for _ in range(3)]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    full_path: list[str] = []
    answer_press = buy.answer_press

    async def counted(engine: FlashEngine, path: str, *args: Any) -> Any:
        full_path.append(path)
        return await answer_press(engine, path, *args)

    monkeypatch.setattr(lane, "answer_press", counted)
    try:
        writer.write(press(deal_id, first, "win"))
        won = await answer(reader)
        writer.write(press(deal_id, second, "late") + GET_MARKETS + press(deal_id, third, "later"))
        late, markets, later = [await answer(reader) for _ in range(3)]
        writer.write(press(deal_id, second, "no-login").replace(b"Authorization", b"X-Nothing"))
        anonymous = await answer(reader)
    finally:
        writer.close()
    assert won[0] == 201
    assert (late[0], json.loads(late[2])["error"]["code"]) == (409, "sold_out")
    assert markets[0] == 200 and later[0] == 409
    assert (anonymous[0], json.loads(anonymous[2])["error"]["code"]) == (401, "not_logged_in")
    assert len(full_path) == 1  # only the purchase took the full path
    assert await purchases(rt) == 1
