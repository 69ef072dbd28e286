"""The lean websocket protocol is used only with the uvicorn it was tested against."""

from __future__ import annotations

import pytest

from poll.ws import protocol as wsprotocol


def test_the_lean_protocol_only_with_a_tested_uvicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wsprotocol, "version", lambda _: "0.54.0")
    assert wsprotocol.websocket_protocol() is wsprotocol.LeanWebSocketProtocol
    monkeypatch.setattr(wsprotocol, "version", lambda _: "0.60.1")
    assert wsprotocol.websocket_protocol() == "websockets-sansio"


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
