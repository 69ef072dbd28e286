"""`poll serve`'s listening socket: what every connection it accepts inherits."""

from __future__ import annotations

import asyncio
import socket

from poll.cli.serve import listen


async def test_accepted_connections_do_not_hold_back_small_writes() -> None:
    """Accepted connections have TCP_NODELAY (asyncio sets it on sockets that name TCP): a
    response's body, written after its headers, and a frame written right after another go out
    at once instead of waiting for the client's delayed acknowledgement (up to 40 ms each)."""
    sock = listen("127.0.0.1", 0, 64 * 1024)
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("socket")
        accepted.set_result(peer.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    server = await asyncio.start_server(on_connect, sock=sock)
    async with server:
        _, client = await asyncio.open_connection("127.0.0.1", sock.getsockname()[1])
        try:
            assert await asyncio.wait_for(accepted, 30) != 0
        finally:
            client.close()
