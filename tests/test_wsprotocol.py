"""The lean websocket protocol is used only with the uvicorn it was tested against."""

from __future__ import annotations

import pytest

from poll.ws import protocol as wsprotocol


def test_the_lean_protocol_only_with_a_tested_uvicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wsprotocol, "version", lambda _: "0.54.0")
    assert wsprotocol.websocket_protocol() is wsprotocol.LeanWebSocketProtocol
    monkeypatch.setattr(wsprotocol, "version", lambda _: "0.60.1")
    assert wsprotocol.websocket_protocol() == "websockets-sansio"


def test_the_installed_uvicorn_gets_the_lean_protocol() -> None:
    """What pyproject.toml lets pip install is a release the lean protocol was checked against:
    otherwise every phone and every vote would silently cost more."""
    assert wsprotocol.websocket_protocol() is wsprotocol.LeanWebSocketProtocol, (
        wsprotocol.version("uvicorn"))


async def test_a_text_frame_written_at_once_arrives_in_order_with_the_awaited_ones() -> None:
    """`send_text_now`, offered to the app in the scope, writes a frame on an open socket and
    refuses (False) once the close is sent; frames sent either way arrive in the order sent."""
    import asyncio
    import socket

    import uvicorn
    from websockets.asyncio.client import connect

    answers: list[bool] = []

    async def app(scope, receive, send) -> None:
        if scope["type"] != "websocket":
            return
        send_now = scope["extensions"][wsprotocol.SEND_NOW]
        await receive()
        answers.append(send_now("before the accept"))
        await send({"type": "websocket.accept"})
        answers.append(send_now("one"))
        await send({"type": "websocket.send", "text": "two"})
        answers.append(send_now("three"))
        await send({"type": "websocket.close", "code": 1000})
        answers.append(send_now("after the close"))

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, ws=wsprotocol.LeanWebSocketProtocol,
                                           lifespan="off", log_level="warning"))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        for _ in range(500):
            if server.started:
                break
            await asyncio.sleep(0.02)
        async with connect(f"ws://127.0.0.1:{port}/") as client:
            received = [message async for message in client]
        assert received == ["one", "two", "three"]
        assert answers == [False, True, True, False]
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, 30)


async def test_a_client_that_sends_faster_than_the_app_reads_is_held_back() -> None:
    """Reading pauses only once a few messages wait (not after each one, which cost two
    selector changes per vote), and still pauses: a flood waits in the client's own buffers,
    not in the server's memory. Every message arrives, in order."""
    import asyncio
    import socket

    import uvicorn
    from websockets.asyncio.client import connect

    waiting: list[int] = []
    received: list[str] = []
    server: uvicorn.Server

    async def app(scope, receive, send) -> None:
        if scope["type"] != "websocket":
            return
        await receive()
        await send({"type": "websocket.accept"})
        (protocol,) = server.server_state.connections
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            waiting.append(protocol.queue.qsize())
            received.append(message["text"][:8])
            if len(received) % 20 == 0:
                await asyncio.sleep(0.05)  # a slow app: the client gets ahead
            if len(received) == 300:
                await send({"type": "websocket.send", "text": "all read"})

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, ws=wsprotocol.LeanWebSocketProtocol,
                                           lifespan="off", log_level="warning"))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        for _ in range(500):
            if server.started:
                break
            await asyncio.sleep(0.02)
        # no compression: 30 KB of one letter would shrink to a few bytes a message
        async with connect(f"ws://127.0.0.1:{port}/", compression=None) as client:
            for n in range(300):
                await client.send(f"{n:08d}" + "x" * 30_000)
            assert await asyncio.wait_for(client.recv(), 60) == "all read"
        assert received == [f"{n:08d}" for n in range(300)]
        assert max(waiting) >= 1, "the app never fell behind: the test shows nothing"
        # one read from the socket (at most 256 KB) parses up to eight more after the pause;
        # without a pause, the app falls hundreds behind
        assert max(waiting) <= wsprotocol.INBOX_PAUSE + 20, max(waiting)
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, 30)
