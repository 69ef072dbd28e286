"""The SQLite schema as forward migrations, and the check each start makes before using a file.

`PRAGMA user_version` holds the schema version. Each start applies the missing migrations in
order, each in its own transaction; a file from a newer release is refused rather than guessed at.
"""

from __future__ import annotations

from pathlib import Path

import aiosqlite

from .. import SCHEMA_VERSION, StoreError

# Forward migrations, one per schema version: MIGRATIONS[n] takes a database from version n to n+1.
# Never edit a released entry; append a new one: an archive written by any release must open in
# every later one.
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
    # 4: who may see what (issue 11): moderator sessions tied to the current key (key_tag), the
    # projector's own key, the report published by the moderator, and how far each statement's
    # results were revealed to the room (the report shows no more before it is published).
    """
    ALTER TABLE debates ADD COLUMN key_tag TEXT NOT NULL DEFAULT '';
    ALTER TABLE debates ADD COLUMN screen_key TEXT NOT NULL DEFAULT '';
    ALTER TABLE debates ADD COLUMN report_published INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE statements ADD COLUMN revealed_round INTEGER NOT NULL DEFAULT 0;
    UPDATE debates SET key_tag = lower(hex(randomblob(8))), screen_key = lower(hex(randomblob(16)));
    UPDATE statements SET revealed_round = rounds WHERE id IN
        (SELECT current_statement FROM debates WHERE revealed = 1);
    """,
    # 5: the room's voice (issue 12): reasons with their +1s, the floor, +1s on proposals, a
    # statement's translation, the reason in the spotlight, and the settings for all of it.
    """
    ALTER TABLE statements ADD COLUMN translation TEXT NOT NULL DEFAULT '';
    ALTER TABLE debates ADD COLUMN reasons_shown TEXT NOT NULL DEFAULT 'results';
    ALTER TABLE debates ADD COLUMN proposals_public INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE debates ADD COLUMN screen_languages TEXT NOT NULL DEFAULT 'one';
    ALTER TABLE debates ADD COLUMN held_words TEXT NOT NULL DEFAULT '';
    ALTER TABLE debates ADD COLUMN spotlight INTEGER;
    CREATE TABLE reasons (
        id INTEGER PRIMARY KEY,
        debate_id TEXT NOT NULL REFERENCES debates(id),
        statement_id INTEGER NOT NULL REFERENCES statements(id),
        round INTEGER NOT NULL DEFAULT 1,
        participant TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        hidden INTEGER NOT NULL DEFAULT 0,
        held INTEGER NOT NULL DEFAULT 0,
        UNIQUE (statement_id, round, participant)
    );
    CREATE INDEX reasons_by_debate ON reasons (debate_id, id);
    CREATE TABLE reason_votes (
        reason_id INTEGER NOT NULL REFERENCES reasons(id) ON DELETE CASCADE,
        participant TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (reason_id, participant)
    );
    CREATE TABLE proposal_votes (
        proposal_id INTEGER NOT NULL REFERENCES proposals(id),
        participant TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (proposal_id, participant)
    );
    CREATE TABLE floor_requests (
        id INTEGER PRIMARY KEY,
        debate_id TEXT NOT NULL REFERENCES debates(id),
        statement_id INTEGER NOT NULL REFERENCES statements(id),
        participant TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        stance TEXT,
        status TEXT NOT NULL DEFAULT 'waiting'
            CHECK (status IN ('waiting', 'called', 'withdrawn')),
        token TEXT NOT NULL,
        created_at TEXT NOT NULL,
        decided_at TEXT
    );
    CREATE INDEX floor_by_debate ON floor_requests (debate_id, status, id);
    """,
    # 6: who thinks alike (issue 13): the moderator may put the opinion map on the projector.
    """
    ALTER TABLE debates ADD COLUMN show_map INTEGER NOT NULL DEFAULT 0;
    """,
    # 7: how minds moved between a statement's two rounds, on the projector on demand.
    """
    ALTER TABLE debates ADD COLUMN show_moves INTEGER NOT NULL DEFAULT 0;
    """,
)
assert len(MIGRATIONS) == SCHEMA_VERSION, "one migration per schema version"


async def check_integrity(db: aiosqlite.Connection, path: Path) -> None:
    """Refuse a damaged file with a message that says what to do."""
    # quick_check: the structural checks of integrity_check, fast enough for every start.
    problems = [row[0] for row in await db.execute_fetchall("PRAGMA quick_check")]
    if problems != ["ok"]:
        raise StoreError(
            f"{path} is damaged ({'; '.join(problems[:3])}). Restore a backup made with "
            "`poll backup`, or move the file away to start afresh."
        )


async def migrate(db: aiosqlite.Connection, path: Path) -> None:
    """Bring the schema to SCHEMA_VERSION, one transaction per version."""
    ((version,),) = await db.execute_fetchall("PRAGMA user_version")
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} has schema version {version}; this release knows up to "
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
