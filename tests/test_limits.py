"""Limits that keep one client from taking the server: socket caps, vote rate, slow readers."""

from __future__ import annotations

import asyncio
import contextlib
import socket

from support.clients import new_participant, open_socket, screen_cookie, socket_url
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed


async def test_sockets_past_the_per_address_cap_are_told_to_come_back_later(site):
    debate = site.new("Capped", ["One"])
    server = site.start("--max-connections-per-ip", "3")
    held = [await open_socket(site, debate, "phone", new_participant()) for _ in range(3)]
    try:
        cookie = await screen_cookie(site, debate)
        async with connect(socket_url(server, debate, "screen"),
                           additional_headers={"Cookie": cookie}) as extra:
            await extra.wait_closed()
            assert extra.close_code == 1013
        await held[0].close()
        # a freed slot can be taken again: the server frees it when it has handled the close, a
        # moment after the client's close handshake, so retry like a page would
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20
        while True:
            again = await open_socket(site, debate, "screen")
            with contextlib.suppress(AssertionError):  # closed at once: the slot is not free yet
                state = await again.recv_type("state")
                break
            assert again.ws.close_code == 1013 and loop.time() < deadline, again.ws.close_code
            await asyncio.sleep(0.1)
        assert state["count"] == 1
        await again.close()
    finally:
        await asyncio.gather(*(p.close() for p in held), return_exceptions=True)


async def test_one_phone_hammering_votes_is_slowed_down_not_the_others(site, moderator):
    debate = site.new("Rate", ["One"])
    server = site.start()
    mod = await moderator(server, debate)
    await mod.show(debate.sid(1), "open")
    hammer = await open_socket(site, debate, "phone", new_participant())
    calm = await open_socket(site, debate, "phone", new_participant())
    try:
        answers = [await hammer.cast(debate.sid(1), "agree") for _ in range(30)]
        kinds = [a.get("code", a["type"]) for a in answers]
        assert kinds.count("ack") == 20 and kinds.count("rate_limited") == 10, kinds
        assert (await calm.cast(debate.sid(1), "neutral"))["type"] == "ack"
    finally:
        await hammer.close()
        await calm.close()


async def test_a_client_that_never_reads_does_not_delay_the_others(site, moderator):
    """A projector that stops reading: its socket fills up, the server drops it (it would
    reconnect and resync), and every other page keeps getting each update at once."""
    debate = site.new("Slow reader", ["One"])
    server = site.start()
    mod = await moderator(server, debate)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # fills after a few frames
    sock.connect(("127.0.0.1", server.port))
    stuck = await connect(socket_url(server, debate, "screen"), sock=sock, max_queue=1,
                          compression=None,
                          additional_headers={"Cookie": await screen_cookie(site, debate)})
    stuck.transport.pause_reading()
    watcher = await open_socket(site, debate, "screen")
    edits = 250  # well past what a 128 KiB send buffer and a 64-frame queue hold
    try:
        for n in range(edits):
            text = f"Edit {n} " + "x" * 4900
            response = await mod.post(f"/d/{debate.id}/statements/{debate.sid(1)}",
                                      {"text": text}, json_reply=True)
            assert response.status_code == 200, response.text[:300]
            # every edit reaches the healthy screen before the next one is made
            await watcher.recv_until(
                lambda f, t=text: f["type"] == "state" and f["statement"]["text"] == t)
        stuck.transport.resume_reading()
        received = 0
        with contextlib.suppress(ConnectionClosed):
            async with asyncio.timeout(60):
                async for _ in stuck:
                    received += 1
        # dropped: "try again later" (1013) when the close frame got through, else a plain close
        assert stuck.close_code in (1013, 1006), stuck.close_code
        assert received < edits, "the stuck screen was dropped, not fed without bound"
    finally:
        await watcher.close()
        await stuck.close()


def test_a_burst_across_a_window_turn_is_limited_as_one_burst(monkeypatch) -> None:
    # The clock is the one part a test cannot wait out (a minute per case): it is set by hand.
    from poll import limits

    clock = [59.0]
    monkeypatch.setattr(limits.time, "monotonic", lambda: clock[0])
    tries = limits._Windows(5, 60)
    assert [tries.hit("phone") for _ in range(5)] == [True] * 5
    clock[0] = 61.0  # the fixed window turned two seconds later: the five are still recent
    assert not tries.hit("phone") and tries.spent("phone")
    assert tries.hit("another phone")
    clock[0] = 60.0 + 59.0  # the first five have slid out of the last minute
    assert tries.hit("phone")
    clock[0] = 600.0  # long quiet: everything forgotten
    assert [tries.hit("phone") for _ in range(5)] == [True] * 5
