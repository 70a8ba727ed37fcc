"""uvicorn's HTTP protocol with the buy press answered inside the protocol (the fast lane).

A buy press through uvicorn's ASGI machinery costs more than the purchase itself: a scope
dictionary, a request-response cycle with its event, a task, the middleware stack, two
`send` messages whose headers are checked one by one. At thousands of presses a second that
is most of a core. `FlashLaneProtocol` is uvicorn's httptools protocol that keeps the body of
POST /api/v1/flash/deals/{id}/buy itself, asks `buy.answer_press` (the same function the
ASGI route uses) and writes the pre-serialised answer to the socket. Every other request,
and a press that arrives pipelined behind another request on the same connection, takes
uvicorn's ordinary path to the application, where `BuyRoute` answers it the same way.

`hawker serve` runs uvicorn with `http=FlashLaneProtocol`.
"""

from __future__ import annotations

import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from hawker.flash.buy import (
    MAX_BODY_BYTES,
    PREFIX,
    SUFFIX,
    answer_at_once,
    answer_press,
    response_head,
)
from hawker.flash.engine import TRY_AGAIN_ANSWER, Answer, FlashEngine, engine_of

log = logging.getLogger("hawker.flash")

_PREFIX = PREFIX.encode()
_SUFFIX = SUFFIX.encode()


class _NoEvent:
    """Stands in for a cycle's message event: uvicorn sets it when the connection drops."""

    def set(self) -> None:
        pass


_NO_EVENT = _NoEvent()


class _Press:
    """One buy press in the lane. It takes the place of uvicorn's request-response cycle on
    the connection (`protocol.cycle`) until it is answered, so uvicorn queues a request
    pipelined behind it and `connection_lost` / `shutdown` find what they expect."""

    __slots__ = ("body", "disconnected", "headers", "keep_alive", "path", "response_complete")

    message_event = _NO_EVENT

    def __init__(self, path: str, headers: list[tuple[bytes, bytes]], keep_alive: bool) -> None:
        self.path = path
        self.headers = headers
        self.keep_alive = keep_alive
        self.body: bytearray | None = bytearray()  # None: larger than MAX_BODY_BYTES
        self.response_complete = False
        self.disconnected = False


_engines: dict[int, FlashEngine] = {}  # id(uvicorn's loaded app) -> the flash engine


class FlashLaneProtocol(HttpToolsProtocol):
    _press: _Press | None = None

    def on_message_begin(self) -> None:
        # A press answered at once re-arms the keep-alive timer inside `data_received`; a
        # request pipelined behind it in the same read must not run under that timer.
        self._unset_keepalive_if_required()
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        url: bytes = self.url
        if (
            self.parser.get_method() == b"POST"
            and url.startswith(_PREFIX)
            and url.endswith(_SUFFIX)
            and (self.cycle is None or self.cycle.response_complete)
            and not self.pipeline
            and not self.expect_100_continue
            and not self.root_path
            and self.parser.get_http_version() == "1.1"
        ):
            press = _Press(url.decode("latin-1"), self.headers, self.parser.should_keep_alive())
            self._press = press
            self.cycle = press  # type: ignore[assignment]
            return
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        press = self._press
        if press is None:
            super().on_body(body)
        elif press.body is not None:
            press.body += body
            if len(press.body) > MAX_BODY_BYTES:
                press.body = None

    def on_message_complete(self) -> None:
        press = self._press
        if press is None:
            super().on_message_complete()
            return
        self._press = None
        try:
            at_once = answer_at_once(self._lane_engine(), press.path, press.headers)
        except Exception:
            log.exception("answering a buy press failed")
            at_once = TRY_AGAIN_ANSWER
        if at_once is not None:  # no task, no coroutine: written before the next read
            self._respond(press, at_once)
            return
        task = self.loop.create_task(self._answer(press))
        task.add_done_callback(self.tasks.discard)
        self.tasks.add(task)

    def _lane_engine(self) -> FlashEngine:
        engine = _engines.get(id(self.app))
        if engine is None:
            app: Any = self.app
            while not hasattr(app, "hawker_app"):  # under uvicorn's own middleware
                app = app.app
            engine = _engines[id(self.app)] = engine_of(app.hawker_app)
        return engine

    async def _answer(self, press: _Press) -> None:
        try:
            raw = bytes(press.body) if press.body is not None else None
            answer = await answer_press(self._lane_engine(), press.path, press.headers, raw)
        except Exception:
            log.exception("answering a buy press failed")
            answer = TRY_AGAIN_ANSWER
        self._respond(press, answer)

    def _respond(self, press: _Press, answer: Answer) -> None:
        if press.disconnected or self.transport.is_closing():
            press.response_complete = True
            return
        head = [STATUS_LINE[answer.status]]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        for name, value in response_head(answer):
            head += [name, b": ", value, b"\r\n"]
        if not press.keep_alive:
            head.append(b"connection: close\r\n")
        head += [b"\r\n", answer.body]
        self.transport.write(b"".join(head))
        if self.access_log:
            self.access_logger.info(
                '%s - "POST %s HTTP/1.1" %d',
                f"{self.client[0]}:{self.client[1]}" if self.client else "",
                press.path,
                answer.status,
            )
        press.response_complete = True
        if not press.keep_alive:
            self.transport.close()
        self.on_response_complete()
