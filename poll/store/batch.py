"""Group commit, for both stores: one writer task takes queued writes and commits them together.

Whatever is queued when the writer wakes goes into ONE transaction, and each write's future
resolves only after COMMIT, so a vote is acknowledged only once it is safe. A burst is what makes
this cheap: one commit (one WAL flush, one trip to the database) for many votes. What a batch
is written with is the store's own (`poll.store.sqlite.writer`, `poll.store.postgres.writer`);
the queue, the batching and what a write promises are here, once.

When writes keep coming (the last commit ended moments ago), the writer lingers a few
milliseconds before it takes the next batch, so a steady stream of votes is committed a handful
at a time instead of one commit per vote: at 1,000 votes a second most batches held one vote,
and each paid a whole transaction (docs/performance.md, "Cheaper votes"). A write that comes to
an idle writer is committed at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ..model import Vote
from . import StoreError

T = TypeVar("T")
Db = TypeVar("Db")

Statement = tuple[str, tuple[Any, ...]]  # SQL and its parameters

# A write that comes within BUSY seconds of the last commit waits LINGER seconds for company.
# 3 ms is well below what a person notices on an acknowledgement, and at 1,000 votes a second
# it gathers three or four votes per commit.
LINGER = 0.003
BUSY = 0.02


class Write(Generic[Db]):
    """One queued write: a vote (batched with the votes beside it), one statement (batched with
    the same statement beside it) or a function of the connection."""

    __slots__ = ("fn", "future", "statement", "vote", "while_open")

    def __init__(self, vote: Vote | None, fn: Callable[[Db], Awaitable[Any]] | None,
                 statement: Statement | None = None, while_open: bool = False) -> None:
        self.vote = vote
        self.while_open = while_open
        self.fn = fn
        self.statement = statement
        self.future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    def kind(self) -> object:
        """Writes of the same kind side by side go to the database together."""
        if self.vote is not None:
            return "vote"
        return "fn" if self.statement is None else self.statement[0]


@dataclass(slots=True)
class Failed:
    """The result of one write the database refused; the rest of its batch committed."""

    error: Exception


def runs(batch: list[Write[Db]]) -> list[list[Write[Db]]]:
    """Consecutive runs of votes, of one statement and of functions, in order (a vote queued
    before a close is written before it)."""
    found: list[list[Write[Db]]] = []
    for item in batch:
        if found and found[-1][0].kind() == item.kind():
            found[-1].append(item)
        else:
            found.append([item])
    return found


def settle(batch: list[Write[Db]], results: list[Any]) -> None:
    """Resolve each write's future with its result (a `Failed` raises its error)."""
    for item, result in zip(batch, results, strict=True):
        if item.future.done():
            continue
        if isinstance(result, Failed):
            item.future.set_exception(result.error)
        else:
            item.future.set_result(result)


def fail(batch: list[Write[Db]], exc: Exception) -> None:
    """The whole transaction failed (disk full, connection lost): every write raises."""
    for item in batch:
        if not item.future.done():
            item.future.set_exception(StoreError(f"could not save: {exc}"))


class GroupCommit(Generic[Db]):
    """The writer task and its queue; a store's writer says how a batch is committed."""

    def __init__(self, db: Db, *, max_batch: int = 500, linger: float = LINGER) -> None:
        self.db = db
        self.max_batch = max_batch
        self.linger = linger
        self._last_commit = float("-inf")
        self._queue: asyncio.Queue[Write[Db] | None] = asyncio.Queue()
        self._task: asyncio.Task[None] = asyncio.create_task(self._loop(),
                                                             name="poll-store-writer")

    async def write(self, fn: Callable[[Db], Awaitable[T]]) -> T:
        """Run `fn` inside the next transaction; its result once committed. An exception `fn`
        raises is raised here (its savepoint is rolled back; the rest of the batch commits)."""
        result: T = await self._submit(Write(None, fn))
        return result

    async def execute(self, sql: str, params: tuple[Any, ...]) -> None:
        """Run one statement in the next transaction; returns after COMMIT. The same statement
        queued beside it runs in the same `executemany`: one trip to the database for a burst
        of +1s instead of three each (docs/performance.md, "The room's voice")."""
        await self._submit(Write(None, None, (sql, params)))

    async def record_vote(self, vote: Vote, *, while_open: bool = False) -> bool:
        """Insert a vote; after COMMIT, True when stored, False when it repeats a stored
        (participant, client id). `while_open`: VotingClosed when the debate's stage in the
        database does not take it (and it is no repeat)."""
        return bool(await self._submit(Write(vote, None, while_open=while_open)))

    async def stop(self) -> None:
        """Commit everything queued, then end the task."""
        if not self._task.done():
            await self._queue.put(None)
        await self._task

    async def commit(self, batch: list[Write[Db]]) -> None:
        """Write the batch in one transaction and resolve every write's future; never raises."""
        raise NotImplementedError

    async def _submit(self, item: Write[Db]) -> Any:
        if self._task.done():
            raise StoreError("the store is closed")
        self._queue.put_nowait(item)
        return await item.future

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        stopping = False
        while not stopping:
            item = await self._queue.get()
            if item is None:
                break
            if (self.linger and loop.time() - self._last_commit < BUSY
                    and self._queue.qsize() < self.max_batch):
                await asyncio.sleep(self.linger)
            batch = [item]
            while len(batch) < self.max_batch and not self._queue.empty():
                more = self._queue.get_nowait()
                if more is None:
                    stopping = True
                    break
                batch.append(more)
            await self.commit(batch)
            self._last_commit = loop.time()
