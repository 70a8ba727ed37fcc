"""The job runner: dispatches the outbox, runs due jobs, runs timers.

Runs inside `hawker serve` for the embedded default and as `hawker worker` processes in
production. Several runners may run at once: outbox rows and jobs are claimed with
`FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite has one writer, so claims serialise), and a
claimed job carries a lease, so a runner that dies mid-job leaves it to be picked up again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import time
import traceback
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.db import insert_rows, one_of
from hawker.kit.ids import new_id
from hawker.models import Job, JobStatus, OutboxEvent
from hawker.outbox.registry import LONG_TASKS, SUBSCRIPTIONS, TASKS, TIMERS, TaskContext, wants
from hawker.runtime import Runtime

log = logging.getLogger("hawker.jobs")

LEASE = timedelta(minutes=5)


class JobLeaseLost(Exception):
    """Another runner took the job over (this one outlived its lease)."""


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(300, 2**attempts))


class JobRunner:
    def __init__(self, runtime: Runtime, *, worker_id: str | None = None, batch: int = 50) -> None:
        self.rt = runtime
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{new_id() % 10_000}"
        self.batch = batch
        self.wake = asyncio.Event()
        self.ctx = TaskContext(
            settings=runtime.settings, clock=runtime.clock, broker=runtime.broker, db=runtime.db
        )

    def notify(self) -> None:
        """Called after any commit: there may be new outbox rows."""
        self.wake.set()

    async def _any(self, query: Any) -> bool:
        """A cheap read first, so an idle round never takes the (SQLite) write lock."""
        async with self.rt.db.read_session() as s:
            return (await s.execute(query.limit(1))).first() is not None

    async def dispatch_outbox(self) -> int:
        """Outbox rows -> jobs for the tasks that want them, in one transaction of three
        statements however many rows there are (a rush writes one event per purchase), then
        the events are published in one round trip."""
        db = self.rt.db
        if not await self._any(select(OutboxEvent.id).where(OutboxEvent.dispatched_at.is_(None))):
            return 0
        async with db.session() as s:
            q = (
                select(OutboxEvent.id, OutboxEvent.topic, OutboxEvent.payload)
                .where(OutboxEvent.dispatched_at.is_(None))
                .order_by(OutboxEvent.id)
                .limit(self.batch * 4)
            )
            if not db.is_sqlite:
                q = q.with_for_update(skip_locked=True)
            events = [(int(i), str(t), p) for i, t, p in (await s.execute(q)).all()]
            if not events:
                return 0
            now = self.rt.clock.now()
            jobs = [
                {
                    "id": new_id(),
                    "name": name,
                    "payload": payload,
                    "status": JobStatus.PENDING,
                    "run_at": now,
                    "attempts": 0,
                    "locked_by": None,
                    "locked_until": None,
                    "last_error": None,
                    "event_id": event_id,
                    "created_at": now,
                    "finished_at": None,
                }
                for event_id, topic, payload in events
                for name in SUBSCRIPTIONS.get(topic, [])
                if wants(name, payload)
            ]
            await insert_rows(s, cast(Table, Job.__table__), jobs)
            await s.execute(
                update(OutboxEvent)
                .where(one_of(s, OutboxEvent.id, [e[0] for e in events]))
                .values(dispatched_at=now)
                .execution_options(synchronize_session=False)
            )
        messages = [
            (
                f"events.{topic}",
                json.dumps({"id": str(event_id), "topic": topic, "payload": payload}).encode(),
            )
            for event_id, topic, payload in events
        ]
        try:
            await self.rt.broker.publish_many(messages)
        except Exception:  # fan-out is best effort; jobs carry the durable work
            log.exception("publishing %d events failed", len(messages))
        return len(events)

    def _due(self) -> Any:
        now = self.rt.clock.now()
        return or_(
            and_(Job.status == JobStatus.PENDING, Job.run_at <= now),
            and_(Job.status == JobStatus.RUNNING, Job.locked_until < now),
        )

    async def claim_jobs(self) -> list[int]:
        db = self.rt.db
        if not await self._any(select(Job.id).where(self._due())):
            return []
        async with db.session() as s:
            now = self.rt.clock.now()
            due = self._due()
            q = select(Job.id).where(due).order_by(Job.run_at, Job.id).limit(self.batch)
            if not db.is_sqlite:
                q = q.with_for_update(skip_locked=True)
            ids = list((await s.scalars(q)).all())
            if ids:
                await s.execute(
                    update(Job)
                    .where(Job.id.in_(ids))
                    .values(
                        status=JobStatus.RUNNING,
                        locked_by=self.worker_id,
                        locked_until=now + LEASE,
                        attempts=Job.attempts + 1,
                    )
                )
        return ids

    async def run_job(self, job_id: int) -> bool:
        db = self.rt.db
        try:
            async with db.read_session() as s:
                job = await s.get(Job, job_id)
                if job is None or job.locked_by != self.worker_id:
                    return False
                name, payload = job.name, dict(job.payload)
            long_fn = LONG_TASKS.get(name)
            if long_fn is not None:
                await long_fn(payload, self.ctx)
                async with db.session() as s:
                    await self._finish(s, job_id)
                return True
            fn = TASKS.get(name)
            if fn is None:
                raise LookupError(f"no task registered as {name!r}")
            async with db.session() as s:
                await fn(s, payload, self.ctx)
                await self._finish(s, job_id)
            return True
        except JobLeaseLost:
            log.warning("job %s: lease lost to another runner; its work was rolled back", job_id)
            return False
        except Exception:
            log.exception("job %s failed", job_id)
            error = traceback.format_exc(limit=8)
            async with db.session() as s:
                job = await s.get(Job, job_id)
                if job is not None and job.locked_by == self.worker_id:
                    now = self.rt.clock.now()
                    job.last_error = error[-4000:]
                    job.locked_until = None
                    if job.attempts >= self.rt.settings.job_max_attempts:
                        job.status = JobStatus.FAILED
                        job.finished_at = now
                    else:
                        job.status = JobStatus.PENDING
                        job.run_at = now + backoff(job.attempts)
            return False

    async def _finish(self, session: AsyncSession, job_id: int) -> None:
        """Mark the job done in the handler's transaction, if this runner still holds it."""
        result = await session.execute(
            update(Job)
            .where(Job.id == job_id, Job.locked_by == self.worker_id)
            .values(
                status=JobStatus.DONE,
                finished_at=self.rt.clock.now(),
                locked_until=None,
                last_error=None,
            )
        )
        if getattr(result, "rowcount", 0) != 1:
            raise JobLeaseLost(job_id)

    async def run_jobs(self) -> int:
        ids = await self.claim_jobs()
        for job_id in ids:
            await self.run_job(job_id)
        return len(ids)

    async def run_timers(self) -> int:
        total = 0
        for name, fn in TIMERS.items():
            try:
                async with self.rt.db.session() as s:
                    total += await fn(s, self.ctx)
            except Exception:
                log.exception("timer %s failed", name)
        return total

    async def run_once(self, *, timers: bool = True) -> int:
        work = await self.dispatch_outbox() + await self.run_jobs()
        if timers:
            work += await self.run_timers()
        return work

    async def run_until_idle(self, max_rounds: int = 100) -> int:
        """Run until a round finds nothing to do (tests and the demo seeder use this)."""
        total = 0
        for _ in range(max_rounds):
            n = await self.run_once()
            total += n
            if n == 0:
                return total
        raise RuntimeError("job runner did not become idle")

    async def run_forever(self, stop: asyncio.Event) -> None:
        poll = self.rt.settings.job_poll_seconds
        gather = self.rt.settings.job_gather_seconds
        timer_every = self.rt.settings.timer_interval_seconds
        last_timers = -timer_every
        while not stop.is_set():
            try:
                # Timers are sweeps over the database: once per interval is enough, and a
                # wake-up after every commit need not repeat them.
                due = time.monotonic() - last_timers >= timer_every
                if due:
                    last_timers = time.monotonic()
                worked = await self.run_once(timers=due)
            except Exception:
                log.exception("job runner round failed")
                worked = 0
            if worked >= self.batch:
                continue  # a full round: more is waiting
            if not worked:
                self.wake.clear()
                waiters = [
                    asyncio.ensure_future(stop.wait()),
                    asyncio.ensure_future(self.wake.wait()),
                ]
                await asyncio.wait(waiters, timeout=poll, return_when=asyncio.FIRST_COMPLETED)
                for w in waiters:
                    w.cancel()
            # Commits that arrive together are dispatched together: under a rush of group
            # commits a round per commit would cost more than the commits themselves.
            if gather and not stop.is_set():
                await asyncio.sleep(gather)
