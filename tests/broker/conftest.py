from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Drop the Redis parameter when no Redis is configured (CI always configures one)."""
    if os.environ.get("HAWKER_TEST_REDIS_URL"):
        return
    items[:] = [i for i in items if "[redis]" not in i.nodeid]
