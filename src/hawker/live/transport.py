"""The room's fast path to viewers' sockets under `hawker serve` (uvicorn).

A room sends the same frame to thousands of viewers several times a second. Through ASGI
every one of those sends is a coroutine through the framework and the server, which frames
and encodes the text again for each viewer. `hawker serve` runs its WebSockets on
`hawker.live.uvicorn_protocol.RoomWebSocketProtocol`, which offers the application one more
ASGI extension, `hawker.websocket.frames`: a plain function that writes an already-framed
WebSocket message straight to the connection's transport. The room frames each message once
(`text_frame`) and hands the same bytes to every viewer, synchronously, with no task switch
per viewer.

The function answers False, and writes nothing, when more than `limit` bytes already wait in
the connection's write buffer: that viewer is lagging. Frames are sent uncompressed (RSV1
clear), which RFC 7692 allows even on a connection that negotiated permessage-deflate.

Under any other server (or in tests driving the ASGI app directly) the extension is absent
and the room uses ordinary ASGI sends.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

FRAMES_EXTENSION = "hawker.websocket.frames"

FrameWriter = Callable[[bytes, int], bool]


def text_frame(payload: bytes) -> bytes:
    """One unmasked, unfragmented WebSocket text frame (a server's) carrying `payload`."""
    n = len(payload)
    if n < 126:
        head = bytes((0x81, n))
    elif n < 1 << 16:
        head = bytes((0x81, 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x81, 127)) + n.to_bytes(8, "big")
    return head + payload


def frame_writer(scope: Any) -> FrameWriter | None:
    """The connection's frame writer, when the server offers one."""
    extensions = scope.get("extensions") or {}
    writer = extensions.get(FRAMES_EXTENSION)
    return writer if callable(writer) else None
