from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI

from hawker.flash.engine import FlashEngine, engine_of


@pytest.fixture
async def engine(app: FastAPI) -> AsyncIterator[FlashEngine]:
    """The app's flash engine, stopped (its writer drained) at the end of the test."""
    e = engine_of(app)
    try:
        yield e
    finally:
        await e.stop()
