"""Imports every domain's tasks module so their handlers and timers register."""

from __future__ import annotations

import importlib

TASK_MODULES: tuple[str, ...] = (
    "hawker.catalog.tasks",
    "hawker.flash.tasks",
    "hawker.fulfillment.tasks",
    "hawker.idempotency.tasks",
    "hawker.live.tasks",
    "hawker.media.tasks",
    "hawker.orders.tasks",
)


def register_all() -> None:
    for name in TASK_MODULES:
        importlib.import_module(name)
