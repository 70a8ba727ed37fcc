from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from hawker.runtime import Runtime
from tests.factories.catalog import ensure_categories


@pytest.fixture
async def categories(rt: Runtime) -> AsyncIterator[None]:
    """The default category tree (migration 0003): the harness empties tables between tests."""
    await ensure_categories(rt)
    yield
