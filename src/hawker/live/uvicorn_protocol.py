"""uvicorn's WebSocket protocol with the room's fast path (see hawker.live.transport).

`hawker serve` runs uvicorn with `ws=RoomWebSocketProtocol`.
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from hawker.live.transport import FRAMES_EXTENSION


class RoomWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's WebSocket protocol plus the `hawker.websocket.frames` extension."""

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)
        if scope is not None:
            scope.setdefault("extensions", {})[FRAMES_EXTENSION] = self.write_frame

    def write_frame(self, frame: bytes, limit: int) -> bool:
        if not self.handshake_complete or self.close_sent or self.disconnected:
            return True  # closing or gone: nothing more is sent, and it is not lagging
        transport = self.transport
        if transport.is_closing():
            return True
        if transport.get_write_buffer_size() > limit:
            return False
        transport.write(frame)
        return True
