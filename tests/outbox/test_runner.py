"""The job runner: outbox dispatch after commit, retries, leases, concurrent runners."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.kit.clock import FrozenClock
from hawker.models import AuditLog, Job, JobStatus, OutboxEvent
from hawker.outbox.registry import TaskContext, task
from hawker.outbox.runner import JobRunner
from hawker.outbox.service import enqueue_job, record_event
from hawker.runtime import Runtime

FAILURES: dict[int, int] = {}


@task("test.write_audit", topics=("test.happened",))
async def write_audit(session: AsyncSession, payload: dict[str, Any], ctx: TaskContext) -> None:
    session.add(
        AuditLog(
            actor_id=None,
            action="test.handled",
            target_type="test",
            target_id=int(payload["n"]),
            details={},
            created_at=ctx.clock.now(),
        )
    )


@task("test.flaky")
async def flaky(session: AsyncSession, payload: dict[str, Any], ctx: TaskContext) -> None:
    n = int(payload["n"])
    FAILURES[n] = FAILURES.get(n, 0) + 1
    if FAILURES[n] <= int(payload["fail_times"]):
        raise RuntimeError(f"failure {FAILURES[n]}")


async def _count(rt: Runtime, model: Any, *where: Any) -> int:
    async with rt.db.read_session() as s:
        return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def _record(rt: Runtime, topic: str, numbers: range) -> None:
    """One committed transaction recording an event per number, payload {"n": number}."""
    async with rt.db.session() as s:
        for n in numbers:
            record_event(
                s,
                topic=topic,
                aggregate_type="test",
                aggregate_id=n,
                payload={"n": n},
                now=rt.clock.now(),
            )


async def test_event_is_dispatched_only_after_commit(rt: Runtime, runner: JobRunner) -> None:
    try:
        async with rt.db.session() as s:
            record_event(
                s,
                topic="test.happened",
                aggregate_type="test",
                aggregate_id=1,
                payload={"n": 1},
                now=rt.clock.now(),
            )
            raise RuntimeError("business rule failed")
    except RuntimeError:
        pass
    assert await _count(rt, OutboxEvent) == 0

    async with rt.db.session() as s:
        record_event(
            s,
            topic="test.happened",
            aggregate_type="test",
            aggregate_id=2,
            payload={"n": 2},
            now=rt.clock.now(),
        )
    await runner.run_until_idle()
    assert await _count(rt, OutboxEvent, OutboxEvent.dispatched_at.is_not(None)) == 1
    assert await _count(rt, AuditLog, AuditLog.target_id == 2) == 1
    assert await _count(rt, Job, Job.status == JobStatus.DONE) == 1
    # dispatching again creates nothing new
    await runner.run_until_idle()
    assert await _count(rt, Job) == 1


async def test_failed_job_retries_with_backoff_then_gives_up(
    rt: Runtime, runner: JobRunner, clock: FrozenClock
) -> None:
    async with rt.db.session() as s:
        enqueue_job(s, name="test.flaky", payload={"n": 101, "fail_times": 1}, now=clock.now())
        enqueue_job(s, name="test.flaky", payload={"n": 102, "fail_times": 99}, now=clock.now())
    await runner.run_until_idle()
    assert await _count(rt, Job, Job.status == JobStatus.PENDING) == 2  # both waiting to retry
    for _ in range(rt.settings.job_max_attempts):
        clock.advance(timedelta(minutes=6))
        await runner.run_until_idle()
    async with rt.db.read_session() as s:
        jobs = {int(j.payload["n"]): j for j in (await s.scalars(select(Job))).all()}
    assert jobs[101].status == JobStatus.DONE
    assert jobs[101].attempts == 2
    assert jobs[102].status == JobStatus.FAILED
    assert jobs[102].attempts == rt.settings.job_max_attempts
    assert "failure" in (jobs[102].last_error or "")


async def test_a_dead_runners_job_is_taken_over_after_its_lease(
    rt: Runtime, clock: FrozenClock
) -> None:
    dead = JobRunner(rt, worker_id="dead")
    alive = JobRunner(rt, worker_id="alive")
    async with rt.db.session() as s:
        enqueue_job(s, name="test.write_audit", payload={"n": 7}, now=clock.now())
    claimed = await dead.claim_jobs()  # claims, then "crashes" before running it
    assert len(claimed) == 1
    assert await alive.run_jobs() == 0  # still leased to the dead runner
    clock.advance(timedelta(minutes=6))
    assert await alive.run_jobs() == 1
    assert await _count(rt, AuditLog, AuditLog.target_id == 7) == 1
    assert await dead.run_job(claimed[0]) is False  # the dead runner lost its lease


async def test_concurrent_runners_run_each_job_exactly_once(
    rt: Runtime, clock: FrozenClock
) -> None:
    async with rt.db.session() as s:
        for n in range(120):
            enqueue_job(s, name="test.write_audit", payload={"n": 1000 + n}, now=clock.now())
    runners = [JobRunner(rt, worker_id=f"w{i}", batch=10) for i in range(3)]
    await asyncio.gather(*(r.run_until_idle() for r in runners))
    assert await _count(rt, AuditLog, AuditLog.action == "test.handled") == 120
    async with rt.db.read_session() as s:
        targets = (await s.scalars(select(AuditLog.target_id))).all()
    assert sorted(targets) == list(range(1000, 1120))
    assert await _count(rt, Job, Job.status == JobStatus.DONE) == 120


@task("test.wants_even", topics=("test.counted",), when=lambda p: int(p["n"]) % 2 == 0)
async def wants_even(session: AsyncSession, payload: dict[str, Any], ctx: TaskContext) -> None:
    session.add(
        AuditLog(
            actor_id=None,
            action="test.even",
            target_type="test",
            target_id=int(payload["n"]),
            details={},
            created_at=ctx.clock.now(),
        )
    )


async def test_a_subscription_makes_jobs_only_for_the_events_it_wants(
    rt: Runtime, runner: JobRunner
) -> None:
    await _record(rt, "test.counted", range(1, 7))
    await runner.run_until_idle()
    # every event is dispatched, but only the even ones made a job
    assert await _count(rt, OutboxEvent, OutboxEvent.dispatched_at.is_(None)) == 0
    assert await _count(rt, Job, Job.name == "test.wants_even") == 3
    async with rt.db.read_session() as s:
        handled = set(
            (
                await s.scalars(select(AuditLog.target_id).where(AuditLog.action == "test.even"))
            ).all()
        )
    assert handled == {2, 4, 6}


async def test_an_unpaid_order_makes_no_jobs_a_paid_one_makes_the_live_count(
    rt: Runtime, runner: JobRunner
) -> None:
    """Order status events wake only the tasks that act on them."""
    from hawker.outbox.registry import wants

    unpaid = {"order_id": "1", "order_status": "UNPAID", "previous_status": None}
    on_hold = {"order_id": "1", "order_status": "ON_HOLD", "previous_status": "UNPAID"}
    released = {"order_id": "1", "order_status": "AWAITING_SHIPMENT", "previous_status": "ON_HOLD"}
    cancelled = {"order_id": "1", "order_status": "CANCELLED", "previous_status": "UNPAID"}
    assert not wants("live.order_paid", unpaid) and not wants("fulfillment.on_order_status", unpaid)
    assert wants("live.order_paid", on_hold) and not wants("fulfillment.on_order_status", on_hold)
    assert wants("fulfillment.on_order_status", released)
    assert wants("fulfillment.on_order_status", cancelled)
    assert not wants("live.order_paid", cancelled)


async def test_one_round_dispatches_many_events_and_publishes_each_in_order(
    rt: Runtime, runner: JobRunner
) -> None:
    """A rush writes an event per purchase: one round takes up to 4 x batch of them."""
    sub = await rt.broker.subscribe("events.test.happened")
    n = runner.batch + 30
    await _record(rt, "test.happened", range(1, n + 1))
    assert await runner.dispatch_outbox() == n
    assert await _count(rt, OutboxEvent, OutboxEvent.dispatched_at.is_(None)) == 0
    assert await _count(rt, Job, Job.name == "test.write_audit") == n
    async with rt.db.read_session() as s:
        payloads = (await s.scalars(select(Job.payload).order_by(Job.event_id))).all()
    assert [p["n"] for p in payloads] == list(range(1, n + 1))
    received: list[int] = []
    it = sub.__aiter__()
    while len(received) < n:
        message = await asyncio.wait_for(it.__anext__(), 5)
        received.append(int(json.loads(message)["payload"]["n"]))
    await sub.close()
    assert received == list(range(1, n + 1))
    assert await runner.dispatch_outbox() == 0  # nothing twice


async def test_commits_arriving_together_are_dispatched_in_one_round(
    rt: Runtime, runner: JobRunner
) -> None:
    rt.settings.job_gather_seconds = 0.3
    rounds: list[int] = []
    dispatch = runner.dispatch_outbox

    async def counted() -> int:
        n = await dispatch()
        if n:
            rounds.append(n)
        return n

    runner.dispatch_outbox = counted  # type: ignore[method-assign]
    stop = asyncio.Event()
    loop = asyncio.create_task(runner.run_forever(stop))
    try:
        await asyncio.sleep(0.4)  # the first round (timers) is over; the runner waits
        for i in range(1, 11):  # ten commits, each waking the runner
            await _record(rt, "test.happened", range(i, i + 1))
        for _ in range(100):
            if sum(rounds) == 10:
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await loop
    assert rounds == [10]
    assert await _count(rt, AuditLog, AuditLog.action == "test.handled") == 10
