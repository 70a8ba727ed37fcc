"""replay_or_run against the real database, with a stand-in operation that writes a row."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from hawker.idempotency import service as idempotency
from hawker.idempotency.service import (
    IdempotencyKeyRequired,
    IdempotencyKeyReused,
    InvalidIdempotencyKey,
)
from hawker.kit.clock import FrozenClock
from hawker.models import IdempotencyRecord, OutboxEvent
from hawker.outbox.runner import JobRunner
from hawker.outbox.service import record_event
from hawker.runtime import Runtime

TTL = timedelta(hours=24)
USER = 4242


async def _count(rt: Runtime, model: type[Any]) -> int:
    async with rt.db.read_session() as s:
        return int((await s.execute(select(func.count()).select_from(model))).scalar_one())


async def _call(
    rt: Runtime,
    *,
    key: str,
    body: Any,
    status: int = 201,
    scope: str = "test.op",
    user_id: int = USER,
) -> tuple[int, dict[str, Any]]:
    """One keyed request: the operation writes an outbox row so that runs can be counted."""
    async with rt.db.session() as s:

        async def run() -> tuple[int, dict[str, Any]]:
            event = record_event(
                s,
                topic="test.ran",
                aggregate_type="test",
                aggregate_id=1,
                payload={},
                now=rt.clock.now(),
            )
            await s.flush()
            return status, {"event_id": str(event.id), "body": body}

        return await idempotency.replay_or_run(
            s,
            user_id=user_id,
            scope=scope,
            key=key,
            request_body=body,
            now=rt.clock.now(),
            ttl=TTL,
            run=run,
        )


async def test_first_answer_is_stored_and_replayed(rt: Runtime) -> None:
    first = await _call(rt, key="k-1", body={"a": 1, "b": [1, 2]})
    assert first[0] == 201
    assert await _count(rt, OutboxEvent) == 1
    # same key, same body (keys in another order): the stored answer, nothing run
    again = await _call(rt, key="k-1", body={"b": [1, 2], "a": 1})
    assert again == first
    assert await _count(rt, OutboxEvent) == 1
    assert await _count(rt, IdempotencyRecord) == 1


async def test_same_key_with_another_body_is_refused(rt: Runtime) -> None:
    await _call(rt, key="k-2", body={"a": 1})
    with pytest.raises(IdempotencyKeyReused) as exc:
        await _call(rt, key="k-2", body={"a": 2})
    assert exc.value.status_code == 409
    assert exc.value.code == "idempotency_key_reused"
    assert await _count(rt, OutboxEvent) == 1
    assert await _count(rt, IdempotencyRecord) == 1


async def test_keys_are_per_user_and_scope(rt: Runtime) -> None:
    a = await _call(rt, key="same", body={"x": 1})
    b = await _call(rt, key="same", body={"x": 1}, user_id=USER + 1)
    c = await _call(rt, key="same", body={"x": 1}, scope="test.other")
    assert len({a[1]["event_id"], b[1]["event_id"], c[1]["event_id"]}) == 3
    assert await _count(rt, OutboxEvent) == 3
    assert await _count(rt, IdempotencyRecord) == 3


async def test_server_failures_are_not_stored(rt: Runtime) -> None:
    first = await _call(rt, key="k-5xx", body={}, status=502)
    assert first[0] == 502
    assert await _count(rt, IdempotencyRecord) == 0
    second = await _call(rt, key="k-5xx", body={}, status=201)
    assert second[0] == 201
    assert second[1]["event_id"] != first[1]["event_id"]
    assert await _count(rt, OutboxEvent) == 2
    # client errors returned by the operation are answers: stored and replayed
    declined = await _call(rt, key="k-402", body={}, status=402)
    assert await _call(rt, key="k-402", body={}, status=201) == declined
    assert await _count(rt, OutboxEvent) == 3


async def test_a_failing_operation_stores_nothing(rt: Runtime) -> None:
    class Boom(Exception):
        pass

    async def run() -> tuple[int, dict[str, Any]]:
        raise Boom

    with pytest.raises(Boom):
        async with rt.db.session() as s:
            await idempotency.replay_or_run(
                s,
                user_id=USER,
                scope="test.op",
                key="k-boom",
                request_body={},
                now=rt.clock.now(),
                ttl=TTL,
                run=run,
            )
    assert await _count(rt, IdempotencyRecord) == 0
    ok = await _call(rt, key="k-boom", body={})
    assert ok[0] == 201


async def test_key_length_and_presence(rt: Runtime) -> None:
    with pytest.raises(IdempotencyKeyRequired) as missing:
        idempotency.require_key(None)
    assert (missing.value.status_code, missing.value.code) == (400, "idempotency_key_required")
    assert idempotency.require_key("x" * 255) == "x" * 255
    for bad in ("", "x" * 256):
        with pytest.raises(InvalidIdempotencyKey) as exc:
            await _call(rt, key=bad, body={})
        assert (exc.value.status_code, exc.value.code) == (400, "invalid_idempotency_key")
    assert await _count(rt, IdempotencyRecord) == 0
    assert await _count(rt, OutboxEvent) == 0


async def test_records_expire_and_are_purged(
    rt: Runtime, clock: FrozenClock, runner: JobRunner
) -> None:
    first = await _call(rt, key="k-old", body={"a": 1})
    await _call(rt, key="k-other", body={})
    clock.advance(TTL - timedelta(seconds=1))
    assert await _call(rt, key="k-old", body={"a": 1}) == first  # still replayed
    clock.advance(timedelta(seconds=1))
    # expired: the key is free again, even with another body, and the work runs anew
    fresh = await _call(rt, key="k-old", body={"a": 2})
    assert fresh[1]["event_id"] != first[1]["event_id"]
    assert await _count(rt, IdempotencyRecord) == 2
    await runner.run_until_idle()  # the purge timer drops "k-other"; "k-old" is new again
    assert await _count(rt, IdempotencyRecord) == 1
    async with rt.db.read_session() as s:
        keys = list((await s.scalars(select(IdempotencyRecord.key))).all())
    assert keys == ["k-old"]


def test_request_hash_is_canonical_and_keyed() -> None:
    def h(body: Any, secret: str = "s3cret") -> str:
        return idempotency.request_hash(body, secret=secret)

    assert h({"a": 1, "b": 2}) == h({"b": 2, "a": 1})
    assert h({"a": 1}) != h({"a": "1"})
    assert len(h(None)) == 64
    # A keyed HMAC: another secret gives another hash, and it is not the plain SHA-256.
    assert h({"a": 1}) != h({"a": 1}, secret="other")
    assert h({"a": 1}) != hashlib.sha256(b'{"a":1}').hexdigest()
    assert h({"a": 1}) == hmac.new(b"s3cret", b'{"a":1}', hashlib.sha256).hexdigest()
