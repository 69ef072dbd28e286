"""Group commit (`poll.store.batch`): writes that keep coming share a commit, a lone write does
not wait for company, and each write still gets its own answer."""

from __future__ import annotations

import asyncio
from typing import Any

from poll.store.batch import Failed, GroupCommit, Write, settle


class Recording(GroupCommit[None]):
    """Commits nothing; remembers each batch and answers each write with its position."""

    def __init__(self, linger: float) -> None:
        super().__init__(None, linger=linger)
        self.batches: list[list[str]] = []

    async def commit(self, batch: list[Write[None]]) -> None:
        self.batches.append([item.statement[0] for item in batch if item.statement])
        settle(batch, [Failed(ValueError(i.statement[0])) if i.statement and
                       i.statement[0] == "refused" else None for i in batch])


async def test_writes_that_come_while_the_writer_is_busy_share_one_commit() -> None:
    writer = Recording(linger=0.5)
    await writer.execute("first", ())  # the writer is busy from here on
    second = asyncio.ensure_future(writer.execute("second", ()))
    await asyncio.sleep(0)  # the writer takes "second" and lingers for company
    third = asyncio.ensure_future(writer.execute("third", ()))
    await asyncio.gather(second, third)
    await writer.stop()
    assert writer.batches == [["first"], ["second", "third"]]


async def test_a_write_to_an_idle_writer_is_committed_at_once() -> None:
    writer = Recording(linger=30)
    # an idle writer does not linger: this would take 30 s if it did
    await asyncio.wait_for(writer.execute("alone", ()), 10)
    await writer.stop()
    assert writer.batches == [["alone"]]


async def test_a_refused_write_fails_alone_in_its_shared_commit() -> None:
    writer = Recording(linger=0.5)
    await writer.execute("first", ())
    results: tuple[Any, ...] = await asyncio.gather(
        writer.execute("kept", ()), writer.execute("refused", ()), writer.execute("also", ()),
        return_exceptions=True)
    await writer.stop()
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], ValueError)
    assert writer.batches[-1] == ["kept", "refused", "also"]
