"""uvicorn's websocket protocol (`websockets-sansio`), made lighter for thousands of idle phones.

Per connection, uvicorn 0.54 and 0.55 keep three things bigger than they need to be (about
3.5 KB of the 20 KB a phone costs the server, docs/performance.md):

- the handshake response, headers and all, read only while the handshake is answered;
- an `asyncio.Queue` for messages from the client: three 760-byte deques, where one list does;
- an `asyncio.Event` that says whether the socket can take more: one more deque.

It also stops reading the socket after every message and starts again when the app has read it:
two changes to the event loop's selector (two `epoll_ctl` calls) per vote, a quarter of the
server's time in a 10,000-phone vote burst (docs/performance.md, "Cheaper votes and
switches"). Here reading pauses only once `INBOX_PAUSE` messages wait unread, which still
stops a client that sends faster than the app reads.

`LeanWebSocketProtocol` replaces those, and offers one thing more: `send_text_now`, a text frame
written at once, without a coroutine, when the socket can take it (under
`scope["extensions"][SEND_NOW]`). At 10,000 phones a frame that needs a task per phone to be sent
was the largest cost of a broadcast (docs/performance.md, "The room's voice"). The live-server
tests run every socket through it.
"""

from __future__ import annotations

import asyncio
from importlib.metadata import version
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.exceptions import InvalidState
from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.protocol import OPEN

# The uvicorn releases whose protocol internals (`queue`, `writable`, `response`) this was
# written and tested against; with any other, `poll serve` uses uvicorn's own protocol.
TESTED_UVICORN = ("0.54.", "0.55.")  # 0.55 changed only the handshake's error paths

# The scope's extension under which `send_text_now` is offered to the app (the ASGI spec lets a
# server add its own): `(text) -> bool`, True if the frame was written.
SEND_NOW = "poll.websocket.send_text_now"

# Unread messages from one client before its socket stops being read (each at most
# `Settings.max_frame_bytes`): a phone sends one at a time and waits for the answer.
INBOX_PAUSE = 4


def websocket_protocol() -> type[WebSocketsSansIOProtocol] | str:
    """The lean protocol when the installed uvicorn is one it was tested with, else uvicorn's
    stock "websockets-sansio" (correct, about 5 KB more per phone)."""
    if version("uvicorn").startswith(TESTED_UVICORN):
        return LeanWebSocketProtocol
    return "websockets-sansio"


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    """`WebSocketsSansIOProtocol` with a lighter inbox and writable flag, and which lets go of the
    handshake response once the handshake has been answered, and which can write a text frame
    without a coroutine (`send_text_now`)."""

    # The last text framed by send_text_now, and its frame: a broadcast hands the same string to
    # every phone, and a server's frame (unmasked, no extension: per-message deflate is off) is
    # the same bytes on every socket, so it is built once per broadcast instead of per phone.
    _framed: tuple[str, bytes] = ("", b"")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = _Inbox()  # type: ignore[assignment]
        self.writable = _Flag()  # type: ignore[assignment]

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        if self.response.status_code == 101:  # else there is no scope and no app
            self.scope["extensions"][SEND_NOW] = self.send_text_now  # type: ignore[assignment]

    def send_text_now(self, text: str) -> bool:
        """Write `text` as a text frame now if the socket can take it: accepted, not closing,
        not paused by a full write buffer. False, and nothing written, otherwise: then the
        caller awaits the ASGI `send`, which waits or raises as it should.

        The caller keeps the order of its frames: it calls this only when none of its own sends
        is queued or in flight (`poll.broadcast.Subscriber` does)."""
        # This runs once per phone per broadcast, so each check counts. OPEN covers accepted
        # (a refused handshake never opens) and not closing (sending or receiving a close frame
        # leaves OPEN); a lost connection has a closing transport.
        conn = self.conn
        if conn.state is not OPEN or not self.writable.is_set() or self.transport.is_closing():
            return False
        if not conn.writes and not conn.extensions and not conn.expect_continuation_frame:
            framed = LeanWebSocketProtocol._framed
            if framed[0] is not text:
                framed = (text, Frame(Opcode.TEXT, text.encode()).serialize(mask=False,
                                                                         extensions=[]))
                LeanWebSocketProtocol._framed = framed
            self.transport.write(framed[1])
            return True
        try:
            conn.send_text(text.encode())
        except InvalidState:
            return False
        self.transport.write(b"".join(conn.data_to_send()))
        return True

    def send_receive_event_to_app(self) -> None:
        # uvicorn's, but pausing only when the inbox is full (see the module's docstring)
        data = self.frames[0] if len(self.frames) == 1 else b"".join(self.frames)
        self.frames = []
        if self.close_sent:
            return  # the app is past `websocket.close`: uvicorn drops the message too
        if self.curr_msg_data_type == "text":
            try:
                text = data.decode()
            except UnicodeDecodeError:
                self.conn.send_close(1007)
                self.handle_parser_exception()
                return
            self.queue.put_nowait({"type": "websocket.receive", "text": text})
        else:
            self.queue.put_nowait({"type": "websocket.receive", "bytes": data})
        if not self.read_paused and self.queue.qsize() >= INBOX_PAUSE:
            self.read_paused = True
            self.transport.pause_reading()

    async def receive(self) -> Any:
        message = await self.queue.get()
        if self.read_paused and self.queue.qsize() < INBOX_PAUSE:
            self.read_paused = False
            self.transport.resume_reading()
        return message

    async def send(self, message: Any) -> None:
        await super().send(message)
        if self.handshake_complete and self.response is not None:
            # uvicorn reads it only in handle_connect and when accepting.
            self.response = None  # type: ignore[assignment]


class _Inbox:
    """What uvicorn needs of its queue (`put_nowait`, `get`, `empty`) for one reader at a time,
    which is how an ASGI app reads a websocket."""

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: list[Any] = []
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: Any) -> None:
        self._items.append(item)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items)

    async def get(self) -> Any:
        """The oldest message, once there is one."""
        while not self._items:
            if self._waiter is not None:
                raise RuntimeError("another task is already reading this websocket")
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.pop(0)


class _Flag:
    """What uvicorn needs of its `writable` event (`set`, `clear`, `wait`); the list of waiters
    exists only while someone waits (a socket whose client reads too slowly)."""

    __slots__ = ("_set", "_waiters")

    def __init__(self) -> None:
        self._set = True  # uvicorn sets it at once
        self._waiters: list[asyncio.Future[None]] | None = None

    def set(self) -> None:
        self._set = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._set = False

    def is_set(self) -> bool:
        return self._set

    async def wait(self) -> None:
        """Return once the flag is set (at once if it is)."""
        if self._set:
            return
        waiter = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        try:
            await waiter
        finally:
            if self._waiters is not None and waiter in self._waiters:
                self._waiters.remove(waiter)
