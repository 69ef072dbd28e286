"""SQLite storage through aiosqlite: schema, migrations, the single writer, and queries.

SQLite allows one writer at a time, so every write goes through one writer task on one connection
(DESIGN invariant 1); reads use a second connection, which WAL lets run beside the writer. Votes are
group-committed: whatever is queued when the writer wakes is written in one transaction, and each
vote's future resolves only after COMMIT (invariant 2).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import aiosqlite

from .model import (
    Choice,
    Debate,
    DebateSettings,
    Group,
    LiveState,
    Phase,
    Proposal,
    ProposalStatus,
    Scale,
    Statement,
    Tally,
    TallyKey,
    Visibility,
    Vote,
)

# Forward migrations, one per schema version: MIGRATIONS[n] takes a database from version n to n+1.
# Never edit a released entry; append a new one (invariant 7).
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE debates (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        lang TEXT NOT NULL,
        join_code TEXT NOT NULL UNIQUE,
        key_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        current_statement INTEGER,
        phase TEXT NOT NULL DEFAULT 'waiting',
        revealed INTEGER NOT NULL DEFAULT 0,
        demo TEXT UNIQUE
    );
    CREATE TABLE statements (
        id INTEGER PRIMARY KEY,
        debate_id TEXT NOT NULL REFERENCES debates(id),
        position INTEGER NOT NULL,
        text TEXT NOT NULL,
        UNIQUE (debate_id, position)
    );
    CREATE TABLE votes (
        id INTEGER PRIMARY KEY,
        debate_id TEXT NOT NULL REFERENCES debates(id),
        statement_id INTEGER NOT NULL REFERENCES statements(id),
        participant TEXT NOT NULL,
        client_id TEXT NOT NULL,
        choice TEXT NOT NULL CHECK (choice IN ('agree', 'neutral', 'disagree')),
        cast_at TEXT NOT NULL,
        UNIQUE (participant, client_id)
    );
    CREATE INDEX votes_by_debate ON votes (debate_id, id);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 2: the optional room code check
    """
    ALTER TABLE debates ADD COLUMN room_code TEXT;
    CREATE TABLE admitted (
        debate_id TEXT NOT NULL REFERENCES debates(id),
        participant TEXT NOT NULL,
        admitted_at TEXT NOT NULL,
        PRIMARY KEY (debate_id, participant)
    );
    """,
    # 3: debate formats (issue 6): scales, visibility, rounds, groups, proposals, timer, notes.
    # The votes table is rebuilt because SQLite cannot change a CHECK constraint in place.
    """
    ALTER TABLE debates ADD COLUMN scale TEXT NOT NULL DEFAULT 'three';
    ALTER TABLE debates ADD COLUMN visibility TEXT NOT NULL DEFAULT 'reveal';
    ALTER TABLE debates ADD COLUMN proposals INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE debates ADD COLUMN round INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE debates ADD COLUMN show_groups INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE debates ADD COLUMN timer_ends REAL;
    ALTER TABLE debates ADD COLUMN timer_reveal INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE debates ADD COLUMN peak_connected INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE debates ADD COLUMN copied_from TEXT;
    ALTER TABLE statements ADD COLUMN notes TEXT NOT NULL DEFAULT '';
    ALTER TABLE statements ADD COLUMN rounds INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE statements ADD COLUMN proposed INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE audience_groups (
        id INTEGER PRIMARY KEY,
        debate_id TEXT NOT NULL REFERENCES debates(id),
        position INTEGER NOT NULL,
        name TEXT NOT NULL
    );
    CREATE INDEX audience_groups_by_debate ON audience_groups (debate_id, position);
    CREATE TABLE members (
        debate_id TEXT NOT NULL REFERENCES debates(id),
        participant TEXT NOT NULL,
        group_id INTEGER REFERENCES audience_groups(id),
        chosen_at TEXT NOT NULL,
        PRIMARY KEY (debate_id, participant)
    );
    CREATE TABLE proposals (
        id INTEGER PRIMARY KEY,
        debate_id TEXT NOT NULL REFERENCES debates(id),
        participant TEXT NOT NULL,
        text TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'approved', 'rejected')),
        created_at TEXT NOT NULL,
        decided_at TEXT,
        statement_id INTEGER REFERENCES statements(id)
    );
    CREATE INDEX proposals_by_debate ON proposals (debate_id, status, id);
    CREATE TABLE votes_v3 (
        id INTEGER PRIMARY KEY,
        debate_id TEXT NOT NULL REFERENCES debates(id),
        statement_id INTEGER NOT NULL REFERENCES statements(id),
        participant TEXT NOT NULL,
        client_id TEXT NOT NULL,
        choice TEXT NOT NULL CHECK (choice IN
            ('strongly_agree', 'agree', 'neutral', 'disagree', 'strongly_disagree')),
        cast_at TEXT NOT NULL,
        round INTEGER NOT NULL DEFAULT 1 CHECK (round IN (1, 2)),
        UNIQUE (participant, client_id)
    );
    INSERT INTO votes_v3 (id, debate_id, statement_id, participant, client_id, choice, cast_at)
        SELECT id, debate_id, statement_id, participant, client_id, choice, cast_at FROM votes;
    DROP TABLE votes;
    ALTER TABLE votes_v3 RENAME TO votes;
    CREATE INDEX votes_by_debate ON votes (debate_id, id);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

# Join codes avoid characters that are easy to misread on a projector (0/O, 1/I/L).
JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_LENGTH = 6
ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


class StoreError(Exception):
    """A write the store refused (the message says why)."""


def now() -> str:
    """The current time as ISO 8601 in UTC, to the millisecond."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def hash_key(key: str) -> str:
    # The key is 32 random bytes, so a plain SHA-256 is enough; no slow KDF needed.
    return hashlib.sha256(key.encode()).hexdigest()


def normalise_code(code: str) -> str:
    """A join code as typed by a person: case and surrounding spaces do not matter."""
    return code.strip().upper().replace(" ", "")


@dataclass(slots=True)
class DebateSummary:
    debate: Debate
    statements: int
    participants: int
    votes: int


@dataclass(slots=True)
class VoteRow:
    """One archived vote, as exported."""

    statement_id: int
    position: int
    statement: str
    participant: str
    choice: str
    cast_at: str
    vote_id: str  # made by the phone; (participant, vote_id) is stored once
    round: int = 1
    group: str | None = None  # the participant's audience group (their latest pick)


class Store(Protocol):
    """What the hub, views and CLI need from storage (invariant 9: a PostgreSQL store fits here)."""

    async def create_debate(
        self, title: str, lang: str, statements: Sequence[str], *, demo: str | None = None,
        settings: DebateSettings | None = None, groups: Sequence[str] = (),
        notes: Sequence[str] = (), copied_from: str | None = None,
    ) -> tuple[Debate, str]: ...
    async def duplicate_debate(self, debate_id: str) -> tuple[Debate, str]: ...
    async def debate(self, debate_id: str) -> Debate | None: ...
    async def debate_by_code(self, code: str) -> Debate | None: ...
    async def demo_debate(self, name: str) -> Debate | None: ...
    async def summaries(self) -> list[DebateSummary]: ...
    async def tallies(self, debate_id: str) -> dict[TallyKey, Tally]: ...
    async def members(self, debate_id: str) -> dict[str, int]: ...
    async def counting_down(self) -> list[str]: ...
    async def proposals(self, debate_id: str,
                        status: ProposalStatus | None = None) -> list[Proposal]: ...
    async def votes(self, debate_id: str) -> list[VoteRow]: ...
    async def check_key(self, debate_id: str, key: str) -> bool: ...
    async def new_key(self, debate_id: str) -> str: ...
    async def record_vote(self, vote: Vote) -> bool: ...
    async def save_live(self, debate_id: str, live: LiveState) -> None: ...
    async def set_room_code(self, debate_id: str, code: str | None) -> None: ...
    async def admit(self, debate_id: str, participant: str) -> None: ...
    async def admitted(self, debate_id: str) -> set[str]: ...
    async def add_statement(self, debate_id: str, text: str) -> Statement: ...
    async def edit_statement(self, debate_id: str, statement_id: int, text: str,
                             notes: str | None = None) -> Statement: ...
    async def set_settings(self, debate_id: str, settings: DebateSettings) -> None: ...
    async def set_groups(self, debate_id: str, names: Sequence[str]) -> list[Group]: ...
    async def join_group(self, debate_id: str, participant: str, group_id: int | None) -> None: ...
    async def add_proposal(self, debate_id: str, participant: str, text: str) -> Proposal: ...
    async def decide_proposal(self, debate_id: str, proposal_id: int, approve: bool,
                              text: str | None = None) -> tuple[Proposal, Statement | None]: ...
    async def save_peak(self, debate_id: str, connected: int) -> None: ...
    async def secret(self, name: str) -> str: ...


_WriteFn = Callable[[aiosqlite.Connection], Awaitable[Any]]


class _Write:
    """One queued write: a vote (batched) or a function run inside the batch's transaction."""

    __slots__ = ("fn", "future", "vote")

    def __init__(self, vote: Vote | None, fn: _WriteFn | None) -> None:
        self.vote = vote
        self.fn = fn
        self.future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()


class SQLiteStore:
    """The embedded default store: one SQLite file in WAL mode."""

    def __init__(self, path: Path | str, *, max_batch: int = 500) -> None:
        self.path = Path(path)
        self.max_batch = max_batch
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._queue: asyncio.Queue[_Write | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    async def open(self) -> SQLiteStore:
        """Open both connections, apply pending migrations and start the writer task."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # isolation_level=None: the writer issues BEGIN/COMMIT itself, one transaction a batch.
            self._writer = await aiosqlite.connect(self.path, isolation_level=None)
            for pragma in (
                "PRAGMA journal_mode=WAL",
                # NORMAL in WAL survives a crash of the process; see docs/reliability.md.
                "PRAGMA synchronous=NORMAL",
                "PRAGMA foreign_keys=ON",
                "PRAGMA busy_timeout=5000",
            ):
                await self._writer.execute(pragma)
            await self._check_integrity(self._writer)
            await self._migrate(self._writer)
            self._reader = await aiosqlite.connect(self.path, isolation_level=None)
            await self._reader.execute("PRAGMA busy_timeout=5000")
            self._reader.row_factory = aiosqlite.Row
        except BaseException as exc:
            # An open connection's thread would keep the process alive after the error.
            await self.close()
            if isinstance(exc, sqlite3.DatabaseError):
                raise StoreError(
                    f"{self.path} is damaged or not a debate-poll database ({exc}). Restore a "
                    "backup made with `poll backup`, or move the file away to start afresh."
                ) from exc
            raise
        self._task = asyncio.create_task(self._write_loop(), name="poll-store-writer")
        return self

    async def close(self) -> None:
        """Finish every queued write, then close the connections."""
        if self._task is not None:
            await self._queue.put(None)
            await self._task
            self._task = None
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._reader = self._writer = None

    async def __aenter__(self) -> SQLiteStore:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _check_integrity(self, db: aiosqlite.Connection) -> None:
        # quick_check: the structural checks of integrity_check, fast enough for every start.
        problems = [row[0] for row in await db.execute_fetchall("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise StoreError(
                f"{self.path} is damaged ({'; '.join(problems[:3])}). Restore a backup made with "
                "`poll backup`, or move the file away to start afresh."
            )

    async def _migrate(self, db: aiosqlite.Connection) -> None:
        (version,) = (await db.execute_fetchall("PRAGMA user_version"))[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has schema version {version}; this release knows up to "
                f"{SCHEMA_VERSION}. Upgrade debate-poll to open it."
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            await db.execute("BEGIN IMMEDIATE")
            try:
                for sql in MIGRATIONS[target - 1].split(";"):
                    if sql.strip():
                        await db.execute(sql)
                await db.execute(f"PRAGMA user_version = {target}")
                await db.execute("COMMIT")
            except BaseException:
                await db.execute("ROLLBACK")
                raise

    # -- the single writer ---------------------------------------------------------------------

    async def _submit(self, item: _Write) -> Any:
        if self._task is None or self._task.done():
            raise StoreError("the store is closed")
        self._queue.put_nowait(item)
        return await item.future

    async def _write(self, fn: Callable[[aiosqlite.Connection], Awaitable[Any]]) -> Any:
        """Run `fn` inside the writer's next transaction; return its result after COMMIT."""
        return await self._submit(_Write(None, fn))

    async def record_vote(self, vote: Vote) -> bool:
        """Archive a vote. Returns after COMMIT: True when stored, False when it was a repeat
        (same participant and client id), which is stored only once."""
        return bool(await self._submit(_Write(vote, None)))

    async def _write_loop(self) -> None:
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
        db = self._writer
        assert db is not None
        results: list[Any] = []
        try:
            await db.execute("BEGIN IMMEDIATE")
            for run in _runs(batch):
                if run[0].vote is not None:
                    results.extend(await self._insert_votes(db, run))
                else:
                    for item in run:
                        results.append(await self._guarded(db, item))
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

    @staticmethod
    async def _guarded(db: aiosqlite.Connection, item: _Write) -> Any:
        # A savepoint per function, so one refused write does not undo the rest of the batch.
        assert item.fn is not None
        await db.execute("SAVEPOINT op")
        try:
            result = await item.fn(db)
        except Exception as exc:
            await db.execute("ROLLBACK TO op")
            await db.execute("RELEASE op")
            return _Failed(exc)
        await db.execute("RELEASE op")
        return result

    @staticmethod
    async def _insert_votes(db: aiosqlite.Connection, run: list[_Write]) -> list[bool]:
        # Three statements per run, however many votes: rows above `before` are the new ones.
        ((before,),) = await db.execute_fetchall("SELECT coalesce(max(id), 0) FROM votes")
        stamp = now()
        rows = []
        for item in run:
            v = item.vote
            assert v is not None
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
        stored = []
        for item in run:
            v = item.vote
            assert v is not None
            key = (v.participant, v.client_id)
            stored.append(key in fresh)
            fresh.discard(key)  # a repeat within the same batch is a repeat too
        return stored

    # -- writes --------------------------------------------------------------------------------

    async def create_debate(
        self, title: str, lang: str, statements: Sequence[str], *, demo: str | None = None,
        settings: DebateSettings | None = None, groups: Sequence[str] = (),
        notes: Sequence[str] = (), copied_from: str | None = None,
    ) -> tuple[Debate, str]:
        """Create a debate with its statements (and their notes, by position), settings and
        audience groups; returns it and its moderator key (shown once)."""
        key = secrets.token_urlsafe(24)
        created = now()
        settings = settings or DebateSettings()

        async def insert(db: aiosqlite.Connection) -> Debate:
            for _ in range(20):
                debate_id = "".join(secrets.choice(ID_ALPHABET) for _ in range(8))
                code = "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_LENGTH))
                taken = await db.execute_fetchall(
                    "SELECT 1 FROM debates WHERE id = ? OR join_code = ?", (debate_id, code)
                )
                if not taken:
                    break
            else:
                raise StoreError("could not find a free join code")
            await db.execute(
                "INSERT INTO debates (id, title, lang, join_code, key_hash, created_at, demo,"
                " scale, visibility, proposals, copied_from)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (debate_id, title, lang, code, hash_key(key), created, demo,
                 settings.scale.value, settings.visibility.value, int(settings.proposals),
                 copied_from),
            )
            items = []
            for position, text in enumerate(statements, start=1):
                note = notes[position - 1] if position <= len(notes) else ""
                cursor = await db.execute(
                    "INSERT INTO statements (debate_id, position, text, notes) VALUES (?, ?, ?, ?)",
                    (debate_id, position, text, note),
                )
                assert cursor.lastrowid is not None
                items.append(Statement(cursor.lastrowid, debate_id, position, text, note))
            first = items[0].id if items else None
            await db.execute(
                "UPDATE debates SET current_statement = ? WHERE id = ?", (first, debate_id)
            )
            made = await _insert_groups(db, debate_id, groups)
            return Debate(debate_id, title, lang, code, created, items, LiveState(first),
                          settings=settings, groups=made, copied_from=copied_from)

        debate = await self._write(insert)
        return debate, key

    async def duplicate_debate(self, debate_id: str) -> tuple[Debate, str]:
        """A new debate with this one's statements, notes, settings and groups, and no votes."""
        original = await self.debate(debate_id)
        if original is None:
            raise StoreError("no such debate")
        return await self.create_debate(
            original.title, original.lang, [s.text for s in original.statements],
            settings=original.settings, groups=[g.name for g in original.groups],
            notes=[s.notes for s in original.statements], copied_from=original.id)

    async def new_key(self, debate_id: str) -> str:
        """Replace the debate's moderator key with a new one and return it."""
        key = secrets.token_urlsafe(24)

        async def update(db: aiosqlite.Connection) -> None:
            await db.execute(
                "UPDATE debates SET key_hash = ? WHERE id = ?", (hash_key(key), debate_id)
            )

        await self._write(update)
        return key

    async def save_live(self, debate_id: str, live: LiveState) -> None:
        """Persist the live state, so a restart resumes exactly here."""

        async def update(db: aiosqlite.Connection) -> None:
            await db.execute(
                "UPDATE debates SET current_statement = ?, phase = ?, revealed = ?, round = ?,"
                " show_groups = ?, timer_ends = ?, timer_reveal = ? WHERE id = ?",
                (live.statement_id, live.phase.value, int(live.revealed), live.round,
                 int(live.show_groups), live.timer_ends, int(live.timer_reveal), debate_id),
            )
            if live.round > 1:
                await db.execute(
                    "UPDATE statements SET rounds = max(rounds, ?) WHERE id = ? AND debate_id = ?",
                    (live.round, live.statement_id, debate_id))

        await self._write(update)

    async def add_statement(self, debate_id: str, text: str) -> Statement:
        """Append a statement to the debate."""

        async def insert(db: aiosqlite.Connection) -> Statement:
            ((last,),) = await db.execute_fetchall(
                "SELECT coalesce(max(position), 0) FROM statements WHERE debate_id = ?",
                (debate_id,),
            )
            cursor = await db.execute(
                "INSERT INTO statements (debate_id, position, text) VALUES (?, ?, ?)",
                (debate_id, last + 1, text),
            )
            assert cursor.lastrowid is not None
            return Statement(cursor.lastrowid, debate_id, last + 1, text)

        return await self._write(insert)

    async def edit_statement(self, debate_id: str, statement_id: int, text: str,
                             notes: str | None = None) -> Statement:
        """Replace a statement's text (and its notes, unless None); its votes stay."""

        async def update(db: aiosqlite.Connection) -> Statement:
            await db.execute(
                "UPDATE statements SET text = ?, notes = coalesce(?, notes)"
                " WHERE id = ? AND debate_id = ?",
                (text, notes, statement_id, debate_id),
            )
            rows = await db.execute_fetchall(
                "SELECT position, notes, rounds, proposed FROM statements"
                " WHERE id = ? AND debate_id = ?",
                (statement_id, debate_id),
            )
            if not rows:
                raise StoreError("no such statement")
            position, stored_notes, rounds, proposed = rows[0]
            return Statement(statement_id, debate_id, position, text, stored_notes, rounds,
                             bool(proposed))

        return await self._write(update)

    async def set_settings(self, debate_id: str, settings: DebateSettings) -> None:
        """Change how the debate votes (scale) and shows results, and whether the audience may
        propose statements."""

        async def update(db: aiosqlite.Connection) -> None:
            await db.execute(
                "UPDATE debates SET scale = ?, visibility = ?, proposals = ? WHERE id = ?",
                (settings.scale.value, settings.visibility.value, int(settings.proposals),
                 debate_id))

        await self._write(update)

    async def set_groups(self, debate_id: str, names: Sequence[str]) -> list[Group]:
        """Make the debate's audience groups `names`, in order: a group keeps its id (and its
        members) when its position stays, so renaming is safe; members of a removed group are
        left without a group."""

        async def update(db: aiosqlite.Connection) -> list[Group]:
            old = await db.execute_fetchall(
                "SELECT id FROM audience_groups WHERE debate_id = ? ORDER BY position",
                (debate_id,))
            ids = [r[0] for r in old]
            for gid, name in zip(ids, names, strict=False):
                await db.execute("UPDATE audience_groups SET name = ? WHERE id = ?", (name, gid))
            for gid in ids[len(names):]:
                await db.execute("UPDATE members SET group_id = NULL WHERE group_id = ?", (gid,))
                await db.execute("DELETE FROM audience_groups WHERE id = ?", (gid,))
            if len(names) > len(ids):
                await _insert_groups(db, debate_id, names[len(ids):], start=len(ids) + 1)
            rows = await db.execute_fetchall(
                "SELECT id, name FROM audience_groups WHERE debate_id = ? ORDER BY position",
                (debate_id,))
            return [Group(r[0], r[1]) for r in rows]

        return await self._write(update)

    async def join_group(self, debate_id: str, participant: str, group_id: int | None) -> None:
        """Record the audience group this participant says they belong to (their latest pick
        counts)."""

        async def upsert(db: aiosqlite.Connection) -> None:
            await db.execute(
                "INSERT INTO members (debate_id, participant, group_id, chosen_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (debate_id, participant)"
                " DO UPDATE SET group_id = excluded.group_id, chosen_at = excluded.chosen_at",
                (debate_id, participant, group_id, now()))

        await self._write(upsert)

    async def counting_down(self) -> list[str]:
        """The ids of debates whose countdown was running when the server last stopped."""
        rows = await self._read("SELECT id FROM debates WHERE timer_ends IS NOT NULL")
        return [r[0] for r in rows]

    async def members(self, debate_id: str) -> dict[str, int]:
        """Each participant's audience group id (participants without a group are left out)."""
        rows = await self._read(
            "SELECT participant, group_id FROM members"
            " WHERE debate_id = ? AND group_id IS NOT NULL",
            (debate_id,))
        return {r[0]: r[1] for r in rows}

    async def add_proposal(self, debate_id: str, participant: str, text: str) -> Proposal:
        """Queue a statement proposed by an attendee for the moderator."""
        created = now()

        async def insert(db: aiosqlite.Connection) -> Proposal:
            cursor = await db.execute(
                "INSERT INTO proposals (debate_id, participant, text, created_at)"
                " VALUES (?, ?, ?, ?)", (debate_id, participant, text, created))
            assert cursor.lastrowid is not None
            return Proposal(cursor.lastrowid, debate_id, participant, text,
                            ProposalStatus.PENDING, created)

        return await self._write(insert)

    async def proposals(self, debate_id: str,
                        status: ProposalStatus | None = None) -> list[Proposal]:
        """The debate's proposals, oldest first (only those with `status`, when given)."""
        sql = ("SELECT id, participant, text, status, created_at, statement_id FROM proposals"
               " WHERE debate_id = ?")
        params: list[Any] = [debate_id]
        if status is not None:
            sql += " AND status = ?"
            params.append(status.value)
        return [Proposal(r[0], debate_id, r[1], r[2], ProposalStatus(r[3]), r[4], r[5])
                for r in await self._read(sql + " ORDER BY id", params)]

    async def decide_proposal(self, debate_id: str, proposal_id: int, approve: bool,
                              text: str | None = None) -> tuple[Proposal, Statement | None]:
        """Approve a pending proposal (as `text` when given: the moderator may edit it), which
        appends it to the debate's statements, or reject it."""
        decided = now()

        async def decide(db: aiosqlite.Connection) -> tuple[Proposal, Statement | None]:
            rows = await db.execute_fetchall(
                "SELECT participant, text, status, created_at FROM proposals"
                " WHERE id = ? AND debate_id = ?", (proposal_id, debate_id))
            if not rows:
                raise StoreError("no such proposal")
            participant, original, status, created = rows[0]
            if status != ProposalStatus.PENDING:
                raise StoreError("this proposal was decided already")
            statement = None
            if approve:
                final = text or original
                ((last,),) = await db.execute_fetchall(
                    "SELECT coalesce(max(position), 0) FROM statements WHERE debate_id = ?",
                    (debate_id,))
                cursor = await db.execute(
                    "INSERT INTO statements (debate_id, position, text, proposed)"
                    " VALUES (?, ?, ?, 1)", (debate_id, last + 1, final))
                assert cursor.lastrowid is not None
                statement = Statement(cursor.lastrowid, debate_id, last + 1, final,
                                      proposed=True)
            new_status = ProposalStatus.APPROVED if approve else ProposalStatus.REJECTED
            await db.execute(
                "UPDATE proposals SET status = ?, decided_at = ?, statement_id = ? WHERE id = ?",
                (new_status.value, decided, statement.id if statement else None, proposal_id))
            return (Proposal(proposal_id, debate_id, participant, original, new_status, created,
                             statement.id if statement else None), statement)

        return await self._write(decide)

    async def save_peak(self, debate_id: str, connected: int) -> None:
        """Remember the most phones connected at once, when `connected` beats it."""

        async def update(db: aiosqlite.Connection) -> None:
            await db.execute(
                "UPDATE debates SET peak_connected = max(peak_connected, ?) WHERE id = ?",
                (connected, debate_id))

        await self._write(update)

    async def set_room_code(self, debate_id: str, code: str | None) -> None:
        """Require `code` from phones before they vote (None: no check)."""

        async def update(db: aiosqlite.Connection) -> None:
            await db.execute("UPDATE debates SET room_code = ? WHERE id = ?", (code, debate_id))

        await self._write(update)

    async def admit(self, debate_id: str, participant: str) -> None:
        """Remember that this participant typed the room code."""

        async def insert(db: aiosqlite.Connection) -> None:
            await db.execute(
                "INSERT INTO admitted (debate_id, participant, admitted_at) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING", (debate_id, participant, now()))

        await self._write(insert)

    async def admitted(self, debate_id: str) -> set[str]:
        """The participants who typed this debate's room code."""
        rows = await self._read("SELECT participant FROM admitted WHERE debate_id = ?",
                                (debate_id,))
        return {r[0] for r in rows}

    async def secret(self, name: str) -> str:
        """A random secret kept in the database under `name`, made on first use."""
        rows = await self._read("SELECT value FROM meta WHERE key = ?", (name,))
        if rows:
            return str(rows[0][0])
        value = secrets.token_urlsafe(32)

        async def insert(db: aiosqlite.Connection) -> str:
            await db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                (name, value),
            )
            ((stored,),) = await db.execute_fetchall(
                "SELECT value FROM meta WHERE key = ?", (name,))
            return str(stored)

        return await self._write(insert)

    # -- reads ---------------------------------------------------------------------------------

    async def _read(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        assert self._reader is not None, "store not open"
        return list(await self._reader.execute_fetchall(sql, tuple(params)))

    async def _debate_where(self, clause: str, value: str) -> Debate | None:
        rows = await self._read(
            "SELECT id, title, lang, join_code, created_at, current_statement, phase, revealed,"
            " room_code, scale, visibility, proposals, round, show_groups, timer_ends,"
            f" timer_reveal, peak_connected, copied_from FROM debates WHERE {clause}",
            (value,),
        )
        if not rows:
            return None
        r = rows[0]
        statements = [
            Statement(s["id"], r["id"], s["position"], s["text"], s["notes"], s["rounds"],
                      bool(s["proposed"]))
            for s in await self._read(
                "SELECT id, position, text, notes, rounds, proposed FROM statements"
                " WHERE debate_id = ? ORDER BY position",
                (r["id"],),
            )
        ]
        groups = [Group(g[0], g[1]) for g in await self._read(
            "SELECT id, name FROM audience_groups WHERE debate_id = ? ORDER BY position",
            (r["id"],))]
        live = LiveState(r["current_statement"], Phase(r["phase"]), bool(r["revealed"]),
                         r["round"], bool(r["show_groups"]), r["timer_ends"],
                         bool(r["timer_reveal"]))
        settings = DebateSettings(Scale(r["scale"]), Visibility(r["visibility"]),
                                  bool(r["proposals"]))
        return Debate(r["id"], r["title"], r["lang"], r["join_code"], r["created_at"],
                      statements, live, r["room_code"], settings, groups, r["copied_from"],
                      r["peak_connected"])

    async def debate(self, debate_id: str) -> Debate | None:
        """The debate with this id (statements and live state included), or None."""
        return await self._debate_where("id = ?", debate_id)

    async def debate_by_code(self, code: str) -> Debate | None:
        """The debate with this join code (any case), or None."""
        return await self._debate_where("join_code = ?", normalise_code(code))

    async def demo_debate(self, name: str) -> Debate | None:
        """The demo debate created under `name`, or None."""
        return await self._debate_where("demo = ?", name)

    async def summaries(self) -> list[DebateSummary]:
        """Every debate, newest first, with its size."""
        rows = await self._read(
            "SELECT d.id,"
            " (SELECT count(*) FROM statements s WHERE s.debate_id = d.id) AS statements,"
            " (SELECT count(DISTINCT participant) FROM votes v WHERE v.debate_id = d.id) AS people,"
            " (SELECT count(*) FROM votes v WHERE v.debate_id = d.id) AS votes"
            " FROM debates d ORDER BY d.created_at DESC, d.id"
        )
        out = []
        for r in rows:
            debate = await self.debate(r["id"])
            if debate is not None:
                out.append(DebateSummary(debate, r["statements"], r["people"], r["votes"]))
        return out

    async def tallies(self, debate_id: str) -> dict[TallyKey, Tally]:
        """Every (statement, round)'s tally rebuilt from the committed votes (latest choice
        counts), on the debate's scale."""
        rows = await self._read("SELECT scale FROM debates WHERE id = ?", (debate_id,))
        scale = Scale(rows[0][0]) if rows else Scale.THREE
        tallies: dict[TallyKey, Tally] = {}
        for statement_id, round_, participant, choice in await self._read(
            "SELECT statement_id, round, participant, choice FROM votes WHERE debate_id = ?"
            " ORDER BY id",
            (debate_id,),
        ):
            key = (statement_id, round_)
            tally = tallies.get(key)
            if tally is None:
                tally = tallies[key] = Tally(scale)
            tally.apply(participant, Choice(choice))
        return tallies

    async def votes(self, debate_id: str) -> list[VoteRow]:
        """Every vote cast in the debate, in the order they were stored."""
        return [
            VoteRow(r["statement_id"], r["position"], r["text"], r["participant"], r["choice"],
                    r["cast_at"], r["client_id"], r["round"], r["grp"])
            for r in await self._read(
                "SELECT v.statement_id, s.position, s.text, v.participant, v.choice, v.cast_at,"
                " v.client_id, v.round, g.name AS grp"
                " FROM votes v JOIN statements s ON s.id = v.statement_id"
                " LEFT JOIN members m"
                " ON m.debate_id = v.debate_id AND m.participant = v.participant"
                " LEFT JOIN audience_groups g ON g.id = m.group_id"
                " WHERE v.debate_id = ? ORDER BY v.id",
                (debate_id,),
            )
        ]

    async def check_key(self, debate_id: str, key: str) -> bool:
        """Whether `key` is this debate's moderator key (compared in constant time)."""
        rows = await self._read("SELECT key_hash FROM debates WHERE id = ?", (debate_id,))
        return bool(rows) and hmac.compare_digest(rows[0][0], hash_key(key))

    async def schema_version(self) -> int:
        ((version,),) = await self._read("PRAGMA user_version")
        return int(version)


async def _insert_groups(db: aiosqlite.Connection, debate_id: str, names: Sequence[str],
                         start: int = 1) -> list[Group]:
    made = []
    for position, name in enumerate(names, start=start):
        cursor = await db.execute(
            "INSERT INTO audience_groups (debate_id, position, name) VALUES (?, ?, ?)",
            (debate_id, position, name))
        assert cursor.lastrowid is not None
        made.append(Group(cursor.lastrowid, name))
    return made


@dataclass(slots=True)
class _Failed:
    error: Exception


def _runs(batch: list[_Write]) -> list[list[_Write]]:
    """Split a batch into consecutive runs of votes and of functions, keeping the order."""
    runs: list[list[_Write]] = []
    for item in batch:
        if runs and (runs[-1][0].vote is None) == (item.vote is None):
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


async def backup(source: Path | str, target: Path | str) -> int:
    """Copy the database at `source` to `target` with SQLite's online backup API, consistent even
    while a server writes to it; returns the number of votes in the copy after checking it."""
    source, target = Path(source), Path(target)
    if not source.is_file():
        raise StoreError(f"no database at {source}")
    if target.exists():
        raise StoreError(f"{target} exists already; choose a new file name")
    async with (
        aiosqlite.connect(f"file:{source}?mode=ro", uri=True) as src,
        aiosqlite.connect(target) as dst,
    ):
        await src.execute("PRAGMA busy_timeout=5000")
        await src.backup(dst)
        ((check,),) = await dst.execute_fetchall("PRAGMA integrity_check")
        if check != "ok":
            raise StoreError(f"the copy in {target} failed its integrity check: {check}")
        ((votes,),) = await dst.execute_fetchall("SELECT count(*) FROM votes")
    return int(votes)
