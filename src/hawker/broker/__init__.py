"""Fan-out, hot counters and rate limits behind one small interface.

`MemoryBroker` serves the embedded default (one process); `RedisBroker` serves
deployments with several processes. Both pass the same test suite.
"""

from __future__ import annotations

from hawker.broker.base import Broker, Subscription
from hawker.broker.memory import MemoryBroker


def create_broker(redis_url: str | None, prefix: str = "hawker:") -> Broker:
    if redis_url:
        from hawker.broker.redis import RedisBroker

        return RedisBroker(redis_url, prefix=prefix)
    return MemoryBroker()


__all__ = ["Broker", "MemoryBroker", "Subscription", "create_broker"]
