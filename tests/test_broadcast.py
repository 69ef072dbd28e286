"""Broadcasting never waits on a slow client (DESIGN invariant 4)."""

from __future__ import annotations

import asyncio

import pytest

from poll.broadcast import MemoryPubSub, Subscriber, Watchdog


async def eventually(condition, timeout: float = 10.0) -> None:
    """Wait until `condition()` holds; generous, so a busy machine does not fail the test."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


async def test_a_stuck_client_does_not_delay_the_others_and_is_dropped() -> None:
    pubsub = MemoryPubSub()
    received: list[str] = []
    stuck = asyncio.Event()

    async def fast(frame: str) -> None:
        received.append(frame)

    async def never(frame: str) -> None:
        await stuck.wait()

    owner = asyncio.create_task(asyncio.sleep(3600))  # stands for the slow connection's task
    quick = Subscriber(fast)
    slow = Subscriber(never, max_pending=5, owner=owner)
    async with pubsub.subscribe("d:screen", quick), pubsub.subscribe("d:screen", slow):
        for i in range(10):
            await pubsub.publish("d:screen", f"state{i}")
        await eventually(lambda: len(received) == 10)
        assert received == [f"state{i}" for i in range(10)]
        # the slow client's queue overflowed: it is given up on instead of growing forever,
        # and the task serving its connection is told
        assert slow.dropped and not quick.dropped
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(owner, 5)


async def test_tally_frames_are_latest_only() -> None:
    sent: list[str] = []
    gate = asyncio.Event()

    async def send(frame: str) -> None:
        await gate.wait()
        sent.append(frame)

    sub = Subscriber(send)
    sub.push("state")
    for i in range(50):
        sub.offer(f"tally{i}")
    gate.set()
    await eventually(lambda: len(sent) >= 2)
    await asyncio.sleep(0.05)  # room for a wrong third frame to show up
    assert sent == ["state", "tally49"]


async def test_the_watchdog_drops_a_socket_that_accepts_nothing() -> None:
    async def hang(frame: str) -> None:
        await asyncio.sleep(3600)

    async def fine(frame: str) -> None:
        return None

    watchdog = Watchdog(send_timeout=0.05, every=0.01)
    owners = [asyncio.create_task(asyncio.sleep(3600)) for _ in range(2)]
    stuck, healthy = Subscriber(hang, owner=owners[0]), Subscriber(fine, owner=owners[1])
    watchdog.watch(stuck)
    watchdog.watch(healthy)
    guard = asyncio.create_task(watchdog.run())
    stuck.push("state")
    healthy.push("state")
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(owners[0], 10)
    assert stuck.dropped and not healthy.dropped
    guard.cancel()
    owners[1].cancel()


async def test_frames_go_out_at_once_when_the_socket_takes_them_and_keep_their_order() -> None:
    """With the server's synchronous send (poll.ws.protocol's `send_text_now`), a frame to a
    socket that can take it is written without a sender task; once the socket cannot, frames
    queue, and none is written ahead of them until the queue is empty."""
    wire: list[str] = []
    socket_takes = True
    gate = asyncio.Event()

    def now(frame: str) -> bool:
        if socket_takes:
            wire.append(frame)
        return socket_takes

    async def send(frame: str) -> None:
        await gate.wait()
        wire.append(frame)

    sub = Subscriber(send, send_now=now)
    sub.push("state1")
    sub.offer("tally1")
    assert wire == ["state1", "tally1"]  # written there and then
    assert sub._sender is None  # and no task started for them

    socket_takes = False  # the write buffer is full
    sub.push("state2")
    socket_takes = True  # it drains, but state2 is still waiting in the outbox
    sub.push("state3")
    sub.offer("tally2")
    assert wire == ["state1", "tally1"]
    gate.set()
    await eventually(lambda: len(wire) == 5)
    assert wire == ["state1", "tally1", "state2", "state3", "tally2"]
    await eventually(lambda: sub._sender is None)
    sub.push("state4")
    assert wire[-1] == "state4"


async def test_a_socket_that_breaks_while_written_at_once_ends_the_connection() -> None:
    owner = asyncio.create_task(asyncio.sleep(3600))

    def broken(frame: str) -> bool:
        raise ConnectionResetError

    async def send(frame: str) -> None:
        raise AssertionError("not reached")

    sub = Subscriber(send, owner=owner, send_now=broken)
    sub.push("state")
    assert sub.stopped and not sub.dropped
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(owner, 5)


async def test_a_large_channel_is_served_in_turns_and_keeps_the_order_of_its_frames(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A frame to many subscribers lets other work run between chunks (a vote's answer does not
    wait for thousands of sends), yet two frames published one after the other reach every
    subscriber in that order, and one who joins meanwhile gets only the later one."""
    from poll.broadcast import memory

    monkeypatch.setattr(memory, "CHUNK", 2)
    pubsub = MemoryPubSub()
    wires: list[list[str]] = [[] for _ in range(7)]

    def writer(wire: list[str]):  # written at once, as the lean protocol does
        def now(frame: str) -> bool:
            wire.append(frame)
            return True
        return now

    async def unused(frame: str) -> None:
        raise AssertionError("written at once instead")

    subscribers = [Subscriber(unused, send_now=writer(wire)) for wire in wires[:6]]
    late = Subscriber(unused, send_now=writer(wires[6]))
    meanwhile: list[int] = []

    async def vote() -> None:  # other work, e.g. a vote being answered
        meanwhile.append(sum(map(len, wires)))

    for subscriber in subscribers:
        await pubsub.subscribe("d:phone", subscriber).__aenter__()
    first = asyncio.create_task(pubsub.publish("d:phone", "reasons1"))
    answering = asyncio.create_task(vote())
    second = asyncio.create_task(pubsub.publish("d:phone", "tally1", latest_only=True))
    await asyncio.sleep(0)
    await pubsub.subscribe("d:phone", late).__aenter__()
    await asyncio.gather(first, answering, second)
    assert meanwhile and 0 < meanwhile[0] < 12  # answered while the frames were going out
    assert wires[:6] == [["reasons1", "tally1"]] * 6
    assert wires[6] == []  # joined after both were published: its snapshot is newer
    await pubsub.publish("d:phone", "tally2", latest_only=True)
    assert all(wire[-1] == "tally2" for wire in wires)
    assert pubsub._turns == {} and pubsub._queued == {}  # quiet again
