"""The single writer: every write to the SQLite file goes through one task on one connection.

SQLite allows one writer at a time, so writes queue here instead of contending for the lock.
Whatever is queued when the writer wakes is committed in ONE transaction (group commit: one
fsync for a whole burst of votes), and each write's future resolves only after COMMIT, so a vote
is acknowledged only once it is safe on disk. Votes in a batch are inserted with three statements
however many there are (a vote recorded `while_open` only when the debate's row, read in the same
transaction, still has voting open on its statement and round); single statements queued side by
side (+1s) go as one `executemany`; other writes (functions) run in the same transaction, each
under a savepoint, so one refused write does not undo the votes beside it.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import aiosqlite

from ...model import Vote
from .. import StoreError, VotingClosed
from ..fresh import now

T = TypeVar("T")
WriteFn = Callable[[aiosqlite.Connection], Awaitable[T]]


Statement = tuple[str, tuple[Any, ...]]  # SQL and its parameters


class _Write:
    """One queued write: a vote (batched with the votes beside it), one statement (batched with
    the same statement beside it) or a function."""

    __slots__ = ("fn", "future", "statement", "vote", "while_open")

    def __init__(self, vote: Vote | None, fn: WriteFn[Any] | None,
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
class _Failed:
    error: Exception


class Writer:
    """The writer task and its queue, on the connection it was given (and owns from then on)."""

    def __init__(self, db: aiosqlite.Connection, *, max_batch: int = 500) -> None:
        self.db = db
        self.max_batch = max_batch
        self._queue: asyncio.Queue[_Write | None] = asyncio.Queue()
        self._task: asyncio.Task[None] = asyncio.create_task(self._loop(),
                                                             name="poll-store-writer")

    async def write(self, fn: WriteFn[T]) -> T:
        """Run `fn` inside the next transaction; its result once committed. An exception `fn`
        raises is raised here (its savepoint is rolled back; the rest of the batch commits)."""
        result: T = await self._submit(_Write(None, fn))
        return result

    async def execute(self, sql: str, params: tuple[Any, ...]) -> None:
        """Run one statement in the next transaction; returns after COMMIT. The same statement
        queued beside it runs in the same `executemany`: one trip to the database's thread for a
        burst of +1s instead of three each (docs/performance.md, "The room's voice")."""
        await self._submit(_Write(None, None, (sql, params)))

    async def record_vote(self, vote: Vote, *, while_open: bool = False) -> bool:
        """Insert a vote; after COMMIT, True when stored, False when it repeats a stored
        (participant, client id). `while_open`: VotingClosed when the debate's stage in the
        database does not take it (and it is no repeat)."""
        return bool(await self._submit(_Write(vote, None, while_open=while_open)))

    async def stop(self) -> None:
        """Commit everything queued, then end the task."""
        if not self._task.done():
            await self._queue.put(None)
        await self._task

    async def _submit(self, item: _Write) -> Any:
        if self._task.done():
            raise StoreError("the store is closed")
        self._queue.put_nowait(item)
        return await item.future

    async def _loop(self) -> None:
        stopping = False
        while not stopping:
            item = await self._queue.get()
            if item is None:
                break
            batch = [item]
            while len(batch) < self.max_batch and not self._queue.empty():
                more = self._queue.get_nowait()
                if more is None:
                    stopping = True
                    break
                batch.append(more)
            await self._commit(batch)

    async def _commit(self, batch: list[_Write]) -> None:
        db = self.db
        results: list[Any] = []
        try:
            await db.execute("BEGIN IMMEDIATE")
            for run in _runs(batch):
                if run[0].vote is not None:
                    results.extend(await _guarded_votes(db, run))
                elif run[0].statement is not None:
                    results.extend(await _execute_many(db, run))
                else:
                    for item in run:
                        results.append(await _guarded(db, item))
            await db.execute("COMMIT")
        except Exception as exc:  # the whole transaction failed (disk full, I/O error)
            if db.in_transaction:
                await db.execute("ROLLBACK")
            for item in batch:
                if not item.future.done():
                    item.future.set_exception(StoreError(f"could not save: {exc}"))
            return
        for item, result in zip(batch, results, strict=True):
            if item.future.done():
                continue
            if isinstance(result, _Failed):
                item.future.set_exception(result.error)
            else:
                item.future.set_result(result)


def _runs(batch: list[_Write]) -> list[list[_Write]]:
    """Split a batch into consecutive runs of votes, of one statement and of functions, keeping
    the order (a vote queued before a close is written before it)."""
    runs: list[list[_Write]] = []
    for item in batch:
        if runs and runs[-1][0].kind() == item.kind():
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


async def _guarded(db: aiosqlite.Connection, item: _Write) -> Any:
    # A savepoint per function, so one refused write does not undo the rest of the batch.
    await db.execute("SAVEPOINT op")
    try:
        if item.statement is not None:
            await db.execute(*item.statement)
            result = None
        else:
            assert item.fn is not None
            result = await item.fn(db)
    except Exception as exc:
        await db.execute("ROLLBACK TO op")
        await db.execute("RELEASE op")
        return _Failed(exc)
    await db.execute("RELEASE op")
    return result


async def _execute_many(db: aiosqlite.Connection, run: list[_Write]) -> list[Any]:
    # One savepoint and one executemany for the run; if a row is refused, each on its own, so
    # the others still count and only the refused one raises.
    sql = run[0].statement[0]  # type: ignore[index]
    await db.execute("SAVEPOINT many")
    try:
        await db.executemany(sql, [item.statement[1] for item in run])  # type: ignore[index]
    except Exception:
        await db.execute("ROLLBACK TO many")
        await db.execute("RELEASE many")
        return [await _guarded(db, item) for item in run]
    await db.execute("RELEASE many")
    return [None] * len(run)


async def _guarded_votes(db: aiosqlite.Connection, run: list[_Write]) -> list[Any]:
    # The run under one savepoint; a vote the database refuses (a statement that does not exist)
    # makes it go again one vote at a time, so only that one fails.
    await db.execute("SAVEPOINT votes")
    try:
        results = await _insert_votes(db, run)
    except sqlite3.IntegrityError:  # anything else (disk full) fails the whole batch
        await db.execute("ROLLBACK TO votes")
        await db.execute("RELEASE votes")
        if len(run) == 1:
            return [_Failed(StoreError("this vote names no statement of the debate"))]
        return [(await _guarded_votes(db, [item]))[0] for item in run]
    await db.execute("RELEASE votes")
    return results


async def _insert_votes(db: aiosqlite.Connection, run: list[_Write]) -> list[Any]:
    # Three statements per run, however many votes: rows above `before` are the new ones.
    # (The writer holds SQLite's write lock: no close can come between the check and the insert.)
    taking = await _stages(db, {i.vote.debate_id for i in run if i.while_open and i.vote})
    ((before,),) = await db.execute_fetchall("SELECT coalesce(max(id), 0) FROM votes")
    stamp = now()
    rows = []
    for item in run:
        v = item.vote
        assert v is not None
        if item.while_open and taking.get(v.debate_id) != (v.statement_id, v.round):
            continue
        rows.append((v.debate_id, v.statement_id, v.participant, v.client_id, v.choice.value,
                     v.cast_at or stamp, v.round))
    await db.executemany(
        "INSERT INTO votes (debate_id, statement_id, participant, client_id, choice, cast_at,"
        " round) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (participant, client_id) DO NOTHING",
        rows,
    )
    fresh = {
        (p, c)
        for p, c in await db.execute_fetchall(
            "SELECT participant, client_id FROM votes WHERE id > ?", (before,)
        )
    }
    stored: list[Any] = []
    for item in run:
        v = item.vote
        assert v is not None
        key = (v.participant, v.client_id)
        if key in fresh:
            stored.append(True)
            fresh.discard(key)  # a repeat within the same batch is a repeat too
        elif item.while_open and not await db.execute_fetchall(
                "SELECT 1 FROM votes WHERE participant = ? AND client_id = ?", key):
            stored.append(_Failed(VotingClosed("voting on this statement is closed")))
        else:
            stored.append(False)
    return stored


async def _stages(db: aiosqlite.Connection, debate_ids: set[str]) -> dict[str, tuple[int, int]]:
    """The (statement, round) each of these debates has voting open on, as committed."""
    taking: dict[str, tuple[int, int]] = {}
    for debate_id in debate_ids:
        for statement_id, round_ in await db.execute_fetchall(
                "SELECT current_statement, round FROM debates WHERE id = ? AND phase = 'open'",
                (debate_id,)):
            taking[debate_id] = (statement_id, round_)
    return taking
