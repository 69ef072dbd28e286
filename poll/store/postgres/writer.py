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

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg

from .. import StoreError, VotingClosed
from ..batch import Failed, GroupCommit, Write, fail, runs, settle
from ..fresh import now

T = TypeVar("T")
WriteFn = Callable[[asyncpg.Connection], Awaitable[T]]
Connect = Callable[[], Awaitable[asyncpg.Connection]]

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


_Write = Write[asyncpg.Connection]


class Writer(GroupCommit[asyncpg.Connection]):
    """The writer task and its queue, on a connection of its own (made again by `connect` when
    the database dropped it)."""

    def __init__(self, db: asyncpg.Connection, connect: Connect, *, max_batch: int = 500) -> None:
        super().__init__(db, max_batch=max_batch)
        self._connect = connect

    async def stop(self) -> None:
        """Commit everything queued, then end the task and close the connection."""
        await super().stop()
        await self.db.close()

    async def commit(self, batch: list[_Write]) -> None:
        results: list[Any] = []
        try:
            if self.db.is_closed():  # the database restarted or dropped us: connect again
                self.db = await self._connect()
            db = self.db
            async with db.transaction():
                for run in runs(batch):
                    if run[0].vote is not None:
                        results.extend(await _guarded_votes(db, run))
                    elif run[0].statement is not None:
                        results.extend(await _execute_many(db, run))
                    else:
                        for item in run:
                            results.append(await _guarded(db, item))
        except Exception as exc:  # the whole transaction failed (connection lost, disk full)
            fail(batch, exc)
            return
        settle(batch, results)


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
        return Failed(_store_error(exc))


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
            return [Failed(StoreError("this vote names no statement of the debate"))]
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
            results.append(Failed(VotingClosed("voting on this statement is closed")))
        else:
            results.append(Failed(StoreError("no such debate")))
    return results
