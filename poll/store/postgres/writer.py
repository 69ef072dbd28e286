"""The PostgreSQL store's writer: one task on one connection per process, committing queued
writes together, as SQLite's writer does (`poll.store.sqlite.writer`).

PostgreSQL would take writes from many connections at once, but batching is what makes a burst
of votes cheap: whatever is queued when the writer wakes is committed in ONE transaction (one WAL
flush for the burst), and each write's future resolves only after COMMIT. A run of votes is ONE
statement however many there are (`INSERT ... SELECT FROM unnest(...)`), idempotent on
(participant, client id); a vote recorded `while_open` is inserted only when the debate's row, read
in the same statement under FOR SHARE, still has voting open on its statement and round, so a
close committed by another process refuses every later vote. Single statements queued side by
side (+1s) go as one `executemany`; functions run each under a savepoint, so one refused write
does not undo the votes beside it. Several processes each have their own writer: their
transactions meet in the database, which keeps the promises above between them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg

from ...model import Vote
from .. import StoreError, VotingClosed
from ..fresh import now

T = TypeVar("T")
WriteFn = Callable[[asyncpg.Connection], Awaitable[T]]
Connect = Callable[[], Awaitable[asyncpg.Connection]]
Statement = tuple[str, tuple[Any, ...]]  # SQL and its parameters

# The debate's row is read under FOR SHARE: a close (an UPDATE of that row) by another process
# waits for this transaction, or, committed first, is what this statement sees.
INSERT_VOTES = """
INSERT INTO votes (debate_id, statement_id, participant, client_id, choice, cast_at, round)
SELECT v.debate_id, v.statement_id, v.participant, v.client_id, v.choice, v.cast_at, v.round
FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
            $7::integer[], $8::boolean[])
     WITH ORDINALITY AS v(debate_id, statement_id, participant, client_id, choice, cast_at,
                          round, while_open, n)
JOIN debates d ON d.id = v.debate_id
WHERE NOT v.while_open
   OR (d.phase = 'open' AND d.current_statement = v.statement_id AND d.round = v.round)
ORDER BY v.n
FOR SHARE OF d
ON CONFLICT (participant, client_id) DO NOTHING
RETURNING participant, client_id
"""

STORED_ALREADY = """
SELECT participant, client_id FROM votes
WHERE (participant, client_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
"""


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
    """The writer task and its queue, on a connection of its own (made again by `connect` when
    the database dropped it)."""

    def __init__(self, db: asyncpg.Connection, connect: Connect, *, max_batch: int = 500) -> None:
        self.db = db
        self._connect = connect
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
        """Run one statement in the next transaction (with the same statement queued beside it,
        in one `executemany`); returns after COMMIT."""
        await self._submit(_Write(None, None, (sql, params)))

    async def record_vote(self, vote: Vote, *, while_open: bool = False) -> bool:
        """Insert a vote; after COMMIT, True when stored, False when it repeats a stored
        (participant, client id). `while_open`: VotingClosed when the debate's stage in the
        database does not take it (and it is no repeat)."""
        return bool(await self._submit(_Write(vote, None, while_open=while_open)))

    async def stop(self) -> None:
        """Commit everything queued, then end the task and close the connection."""
        if not self._task.done():
            await self._queue.put(None)
        await self._task
        await self.db.close()

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
        results: list[Any] = []
        try:
            if self.db.is_closed():  # the database restarted or dropped us: connect again
                self.db = await self._connect()
            db = self.db
            async with db.transaction():
                for run in _runs(batch):
                    if run[0].vote is not None:
                        results.extend(await _guarded_votes(db, run))
                    elif run[0].statement is not None:
                        results.extend(await _execute_many(db, run))
                    else:
                        for item in run:
                            results.append(await _guarded(db, item))
        except Exception as exc:  # the whole transaction failed (connection lost, disk full)
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
    """Consecutive runs of votes, of one statement and of functions, in order (a vote queued
    before a close is written before it)."""
    runs: list[list[_Write]] = []
    for item in batch:
        if runs and runs[-1][0].kind() == item.kind():
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


def _store_error(exc: Exception) -> Exception:
    """What a refused write raises: the database's refusal as a StoreError with its message (a
    function's own exception as it is)."""
    if isinstance(exc, asyncpg.PostgresError):
        return StoreError(str(exc))
    return exc


async def _guarded(db: asyncpg.Connection, item: _Write) -> Any:
    # A savepoint per function, so one refused write does not undo the rest of the batch. A lost
    # connection is no refusal: it fails the whole batch (the caller's except).
    try:
        async with db.transaction():
            if item.statement is not None:
                await db.execute(item.statement[0], *item.statement[1])
                return None
            assert item.fn is not None
            return await item.fn(db)
    except (asyncpg.InterfaceError, OSError):
        raise
    except Exception as exc:
        return _Failed(_store_error(exc))


async def _execute_many(db: asyncpg.Connection, run: list[_Write]) -> list[Any]:
    # One savepoint and one executemany for the run; if a row is refused, each on its own, so
    # the others still count and only the refused one raises.
    sql = run[0].statement[0]  # type: ignore[index]
    try:
        async with db.transaction():
            await db.executemany(sql, [item.statement[1] for item in run])  # type: ignore[index]
    except asyncpg.PostgresError:
        return [await _guarded(db, item) for item in run]
    return [None] * len(run)


async def _guarded_votes(db: asyncpg.Connection, run: list[_Write]) -> list[Any]:
    # The whole run in one statement under a savepoint; a vote the database refuses (a statement
    # that does not exist) makes it go again one vote at a time, so only that one fails.
    try:
        async with db.transaction():
            return await _insert_votes(db, run)
    except asyncpg.IntegrityConstraintViolationError:  # anything else fails the whole batch
        if len(run) == 1:
            return [_Failed(StoreError("this vote names no statement of the debate"))]
    return [(await _guarded_votes(db, [item]))[0] for item in run]


async def _insert_votes(db: asyncpg.Connection, run: list[_Write]) -> list[Any]:
    stamp = now()
    votes = [item.vote for item in run if item.vote is not None]
    columns: list[list[Any]] = [
        [v.debate_id for v in votes], [v.statement_id for v in votes],
        [v.participant for v in votes], [v.client_id for v in votes],
        [v.choice.value for v in votes], [v.cast_at or stamp for v in votes],
        [v.round for v in votes], [item.while_open for item in run]]
    fresh = {(r[0], r[1]) for r in await db.fetch(INSERT_VOTES, *columns)}
    missing = [v for v in votes if (v.participant, v.client_id) not in fresh]
    repeats: set[tuple[str, str]] = set()
    if missing:
        repeats = {(r[0], r[1]) for r in await db.fetch(
            STORED_ALREADY, [v.participant for v in missing], [v.client_id for v in missing])}
        repeats -= fresh
    results: list[Any] = []
    for item, v in zip(run, votes, strict=True):
        key = (v.participant, v.client_id)
        if key in fresh:
            results.append(True)
            fresh.discard(key)  # a repeat within the same batch is a repeat too
            repeats.add(key)
        elif key in repeats:
            results.append(False)
        elif item.while_open:
            results.append(_Failed(VotingClosed("voting on this statement is closed")))
        else:
            results.append(_Failed(StoreError("no such debate")))
    return results
