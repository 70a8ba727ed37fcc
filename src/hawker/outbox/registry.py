"""Background handlers register here by name; the runner looks them up.

A task runs once per job ("<domain>.<handler>"), optionally subscribed to outbox topics;
a subscription may say which of a topic's events it wants (`when`, a test of the payload),
so events nobody acts on make no jobs (most order status changes interest one task or none).
A timer is a sweep that runs on every tick of the runner (payment window, remorse window),
so timers resume from the database after any restart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.broker import Broker
from hawker.config import Settings
from hawker.db import Database
from hawker.kit.clock import Clock


@dataclass(frozen=True)
class TaskContext:
    settings: Settings
    clock: Clock
    broker: Broker
    db: Database


TaskFn = Callable[[AsyncSession, dict[str, Any], TaskContext], Awaitable[None]]
# A long task (a video transcode) runs outside any transaction and opens its own short
# sessions through ctx.db, so minutes of CPU never hold the database's write lock.
LongTaskFn = Callable[[dict[str, Any], TaskContext], Awaitable[None]]
TimerFn = Callable[[AsyncSession, TaskContext], Awaitable[int]]

TASKS: dict[str, TaskFn] = {}
LONG_TASKS: dict[str, LongTaskFn] = {}
SUBSCRIPTIONS: dict[str, list[str]] = {}
Wanted = Callable[[dict[str, Any]], bool]
WHEN: dict[str, Wanted] = {}  # task name -> the events (payloads) of its topics it wants
TIMERS: dict[str, TimerFn] = {}


def task(
    name: str, *, topics: tuple[str, ...] = (), when: Wanted | None = None
) -> Callable[[TaskFn], TaskFn]:
    def register(fn: TaskFn) -> TaskFn:
        if name in TASKS and TASKS[name] is not fn:
            raise ValueError(f"task {name} registered twice")
        TASKS[name] = fn
        if when is not None:
            WHEN[name] = when
        for topic in topics:
            names = SUBSCRIPTIONS.setdefault(topic, [])
            if name not in names:
                names.append(name)
        return fn

    return register


def long_task(name: str, *, topics: tuple[str, ...] = ()) -> Callable[[LongTaskFn], LongTaskFn]:
    def register(fn: LongTaskFn) -> LongTaskFn:
        if name in LONG_TASKS and LONG_TASKS[name] is not fn:
            raise ValueError(f"task {name} registered twice")
        LONG_TASKS[name] = fn
        for topic in topics:
            names = SUBSCRIPTIONS.setdefault(topic, [])
            if name not in names:
                names.append(name)
        return fn

    return register


def wants(name: str, payload: dict[str, Any]) -> bool:
    """Does task `name` want a job for this event of one of its topics?"""
    when = WHEN.get(name)
    return when is None or when(payload)


def timer(name: str) -> Callable[[TimerFn], TimerFn]:
    def register(fn: TimerFn) -> TimerFn:
        TIMERS[name] = fn
        return fn

    return register
