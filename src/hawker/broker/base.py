from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Protocol


class Subscription(Protocol):
    def __aiter__(self) -> AsyncIterator[bytes]: ...

    async def close(self) -> None: ...


class Broker(Protocol):
    name: str

    async def publish(self, channel: str, message: bytes) -> None:
        """Deliver to every current subscriber of the channel, in any process."""

    async def publish_many(self, messages: Sequence[tuple[str, bytes]]) -> None:
        """`publish` for each (channel, message), in order, in one round trip."""

    async def subscribe(self, channel: str) -> Subscription:
        """Start receiving the channel's messages published from now on."""

    async def hit(self, key: str, window_seconds: int) -> int:
        """Count one hit in a fixed window; returns the hits so far in this window."""

    async def incr(self, key: str, amount: int = 1) -> int:
        """Add to a counter and return its new value."""

    async def get_int(self, key: str) -> int:
        """A counter's value (0 when absent)."""

    async def max_int(self, key: str, value: int) -> int:
        """Raise the counter to `value` if it is lower (a high-water mark); returns the result."""

    async def set_if_absent(self, key: str, value: str, ttl_seconds: int) -> bool:
        """Set the key only if it does not exist; True when this call set it."""

    async def delete(self, key: str) -> None: ...

    async def close(self) -> None: ...
