"""The single writer: every write to the SQLite file goes through one task on one connection.

SQLite allows one writer at a time, so writes queue here instead of contending for the lock; the
queue and the group commit are `poll.store.batch`'s. Votes in a batch are inserted with three
statements however many there are (a vote recorded `while_open` only when the debate's row, read
in the same transaction, still has voting open on its statement and round); single statements
queued side by side (+1s) go as one `executemany`; other writes (functions) run in the same
transaction, each under a savepoint, so one refused write does not undo the votes beside it.

Votes and single statements need no answer from the event loop between their SQL statements, so
each stretch of them (with the BEGIN before it and the COMMIT after it, where they border the
batch) runs as ONE call on the database's thread. Every call there is a trip out of the event
loop and back, which waits for the loop's next turn: with 10,000 phones' frames in the loop, a
batch of votes, +1s and reasons side by side took dozens of trips and the writer fell behind
(docs/performance.md, "Cheaper votes and switches"). A batch of votes alone is one
trip.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiosqlite

from .. import StoreError, VotingClosed
from ..batch import Failed, GroupCommit, Write, fail, runs, settle
from ..fresh import now

T = TypeVar("T")
WriteFn = Callable[[aiosqlite.Connection], Awaitable[T]]
_Write = Write[aiosqlite.Connection]


class Writer(GroupCommit[aiosqlite.Connection]):
    """The writer task and its queue, on the connection it was given (and owns from then on)."""

    async def commit(self, batch: list[_Write]) -> None:
        db = self.db
        results: list[Any] = []
        try:
            segments = _segments(batch)
            for n, segment in enumerate(segments):
                first, last = n == 0, n == len(segments) - 1
                if isinstance(segment, list):  # votes and statements: one trip for the stretch
                    results.extend(await _on_db_thread(db, _in_thread, segment, first, last))
                    continue
                if first:
                    await db.execute("BEGIN IMMEDIATE")
                results.append(await _guarded(db, segment))
                if last:
                    await db.execute("COMMIT")
        except Exception as exc:  # the whole transaction failed (disk full, I/O error)
            if db.in_transaction:
                await db.execute("ROLLBACK")
            fail(batch, exc)
            return
        settle(batch, results)


def _segments(batch: list[_Write]) -> list[list[_Write] | _Write]:
    """The batch in order, as stretches of votes and statements (lists) and single functions."""
    segments: list[list[_Write] | _Write] = []
    for item in batch:
        if item.fn is not None:
            segments.append(item)
        elif segments and isinstance(segments[-1], list):
            segments[-1].append(item)
        else:
            segments.append([item])
    return segments


async def _on_db_thread(db: aiosqlite.Connection, fn: Callable[..., T], *args: Any) -> T:
    """`fn(sqlite3 connection, *args)` run on the connection's own thread, in one trip.

    aiosqlite has no public way to run a function there; `_execute` is how its own methods do
    it. Every vote the tests store goes through here, so an aiosqlite that changes it fails
    them before it ships."""
    run: Callable[..., Awaitable[T]] = db._execute
    return await run(fn, db._conn, *args)


def _in_thread(conn: sqlite3.Connection, stretch: list[_Write], begin: bool,
               commit: bool) -> list[Any]:
    # Runs on the database's thread: plain sqlite3 calls, in the batch's order.
    if begin:
        conn.execute("BEGIN IMMEDIATE")
    results: list[Any] = []
    for run in runs(stretch):
        if run[0].vote is not None:
            results.extend(_guarded_votes(conn, run))
        else:
            results.extend(_execute_many(conn, run))
    if commit:
        conn.execute("COMMIT")
    return results


async def _guarded(db: aiosqlite.Connection, item: _Write) -> Any:
    # A savepoint per function, so one refused write does not undo the rest of the batch.
    await db.execute("SAVEPOINT op")
    try:
        assert item.fn is not None
        result = await item.fn(db)
    except Exception as exc:
        await db.execute("ROLLBACK TO op")
        await db.execute("RELEASE op")
        return Failed(exc)
    await db.execute("RELEASE op")
    return result


def _execute_many(conn: sqlite3.Connection, run: list[_Write]) -> list[Any]:
    # One savepoint and one executemany for the run; if a row is refused, each on its own, so
    # the others still count and only the refused one raises.
    sql = run[0].statement[0]  # type: ignore[index]
    conn.execute("SAVEPOINT many")
    try:
        conn.executemany(sql, [item.statement[1] for item in run])  # type: ignore[index]
    except Exception:
        conn.execute("ROLLBACK TO many")
        conn.execute("RELEASE many")
        return [_one(conn, item) for item in run]
    conn.execute("RELEASE many")
    return [None] * len(run)


def _one(conn: sqlite3.Connection, item: _Write) -> Any:
    assert item.statement is not None
    conn.execute("SAVEPOINT one")
    try:
        conn.execute(*item.statement)
    except Exception as exc:
        conn.execute("ROLLBACK TO one")
        conn.execute("RELEASE one")
        return Failed(exc)
    conn.execute("RELEASE one")
    return None


def _guarded_votes(conn: sqlite3.Connection, run: list[_Write]) -> list[Any]:
    # The run under one savepoint; a vote the database refuses (a statement that does not exist)
    # makes it go again one vote at a time, so only that one fails.
    conn.execute("SAVEPOINT votes")
    try:
        results = _insert_votes(conn, run)
    except sqlite3.IntegrityError:  # anything else (disk full) fails the whole batch
        conn.execute("ROLLBACK TO votes")
        conn.execute("RELEASE votes")
        if len(run) == 1:
            return [Failed(StoreError("this vote names no statement of the debate"))]
        return [_guarded_votes(conn, [item])[0] for item in run]
    conn.execute("RELEASE votes")
    return results


def _insert_votes(conn: sqlite3.Connection, run: list[_Write]) -> list[Any]:
    # Three statements per run, however many votes: rows above `before` are the new ones.
    # (The writer holds SQLite's write lock: no close can come between the check and the insert.)
    taking = _stages(conn, {i.vote.debate_id for i in run if i.while_open and i.vote})
    ((before,),) = conn.execute("SELECT coalesce(max(id), 0) FROM votes").fetchall()
    stamp = now()
    rows = []
    for item in run:
        v = item.vote
        assert v is not None
        if item.while_open and taking.get(v.debate_id) != (v.statement_id, v.round):
            continue
        rows.append((v.debate_id, v.statement_id, v.participant, v.client_id, v.choice.value,
                     v.cast_at or stamp, v.round))
    conn.executemany(
        "INSERT INTO votes (debate_id, statement_id, participant, client_id, choice, cast_at,"
        " round) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (participant, client_id) DO NOTHING",
        rows,
    )
    fresh = {
        (p, c)
        for p, c in conn.execute(
            "SELECT participant, client_id FROM votes WHERE id > ?", (before,)
        ).fetchall()
    }
    stored: list[Any] = []
    for item in run:
        v = item.vote
        assert v is not None
        key = (v.participant, v.client_id)
        if key in fresh:
            stored.append(True)
            fresh.discard(key)  # a repeat within the same batch is a repeat too
        elif item.while_open and not conn.execute(
                "SELECT 1 FROM votes WHERE participant = ? AND client_id = ?", key).fetchall():
            stored.append(Failed(VotingClosed("voting on this statement is closed")))
        else:
            stored.append(False)
    return stored


def _stages(conn: sqlite3.Connection, debate_ids: set[str]) -> dict[str, tuple[int, int]]:
    """The (statement, round) each of these debates has voting open on, as committed."""
    taking: dict[str, tuple[int, int]] = {}
    for debate_id in debate_ids:
        for statement_id, round_ in conn.execute(
                "SELECT current_statement, round FROM debates WHERE id = ? AND phase = 'open'",
                (debate_id,)).fetchall():
            taking[debate_id] = (statement_id, round_)
    return taking
