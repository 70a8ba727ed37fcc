"""64-bit time-ordered ids generated in-process (no database round trip).

Layout: 41 bits of milliseconds since 2024-01-01 UTC, 10 bits of node id, 12 bits of
sequence. Ids sort by creation time, fit in a signed BIGINT, and travel as strings in JSON.
"""

from __future__ import annotations

import os
import threading
import time

EPOCH_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z
NODE_BITS = 10
SEQ_BITS = 12
MAX_NODE = (1 << NODE_BITS) - 1
MAX_SEQ = (1 << SEQ_BITS) - 1


class IdGenerator:
    def __init__(self, node: int | None = None) -> None:
        if node is None:
            node = int.from_bytes(os.urandom(2), "big") & MAX_NODE
        if not 0 <= node <= MAX_NODE:
            raise ValueError("node out of range")
        self.node = node
        self._lock = threading.Lock()
        self._last_ms = -1
        self._seq = 0

    def next_id(self) -> int:
        with self._lock:
            now = int(time.time() * 1000) - EPOCH_MS
            if now < self._last_ms:
                now = self._last_ms  # clock stepped back: keep monotonic
            if now == self._last_ms:
                self._seq = (self._seq + 1) & MAX_SEQ
                if self._seq == 0:
                    now = self._last_ms + 1  # borrow the next millisecond
            else:
                self._seq = 0
            self._last_ms = now
            return (now << (NODE_BITS + SEQ_BITS)) | (self.node << SEQ_BITS) | self._seq


_default = IdGenerator()


def new_id() -> int:
    return _default.next_id()


def id_time_ms(value: int) -> int:
    """Unix milliseconds at which an id was generated."""
    return (value >> (NODE_BITS + SEQ_BITS)) + EPOCH_MS
