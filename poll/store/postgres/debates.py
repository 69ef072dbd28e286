"""Debates in PostgreSQL: creating and copying them, reading them whole (with their statements
and groups), their stage, settings and report. The SQL is SQLite's (`poll.store.sqlite.debates`)
with `$n` parameters, RETURNING for new ids and GREATEST for SQLite's two-argument max."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from ...model import (
    Debate,
    DebateSettings,
    Group,
    Stage,
    Statement,
)
from ...text import normalise_code
from .. import DebateSummary, StoreError
from .. import rows as from_row
from ..fresh import (
    hash_key,
    new_debate_id,
    new_join_code,
    new_moderator_key,
    new_screen_key,
    new_tag,
    now,
)
from .audience import insert_groups
from .base import PostgresBase

DEBATE_COLUMNS = (
    "id, title, lang, join_code, created_at, current_statement, phase, revealed, room_code,"
    " scale, visibility, proposals, round, show_groups, timer_ends, timer_reveal,"
    " peak_connected, copied_from, key_tag, screen_key, report_published, reasons_shown,"
    " proposals_public, screen_languages, held_words, spotlight, show_map, show_moves")


class DebateQueries(PostgresBase):
    """The `debates` and `statements` tables."""

    async def create_debate(
        self, title: str, lang: str, statements: Sequence[str], *, demo: str | None = None,
        settings: DebateSettings | None = None, groups: Sequence[str] = (),
        notes: Sequence[str] = (), copied_from: str | None = None,
        translations: Sequence[str] = (),
    ) -> tuple[Debate, str]:
        """Create a debate with its statements (and their notes and translations, by position),
        settings and audience groups; returns it and its moderator key (shown once)."""
        key, tag, screen_key = new_moderator_key(), new_tag(), new_screen_key()
        created = now()
        settings = settings or DebateSettings()

        async def insert(db: asyncpg.Connection) -> Debate:
            for _ in range(20):
                debate_id, code = new_debate_id(), new_join_code()
                taken = await db.fetchval(
                    "SELECT 1 FROM debates WHERE id = $1 OR join_code = $2", debate_id, code)
                if not taken:
                    break
            else:
                raise StoreError("could not find a free join code")
            await db.execute(
                "INSERT INTO debates (id, title, lang, join_code, key_hash, created_at, demo,"
                " copied_from, key_tag, screen_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
                " $10)",
                debate_id, title, lang, code, hash_key(key), created, demo, copied_from, tag,
                screen_key)
            await _write_settings(db, debate_id, settings)
            items = []
            for position, text in enumerate(statements, start=1):
                note = notes[position - 1] if position <= len(notes) else ""
                other = translations[position - 1] if position <= len(translations) else ""
                statement_id = await db.fetchval(
                    "INSERT INTO statements (debate_id, position, text, notes, translation)"
                    " VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    debate_id, position, text, note, other)
                items.append(Statement(statement_id, debate_id, position, text, note,
                                       translation=other))
            first = items[0].id if items else None
            await db.execute(
                "UPDATE debates SET current_statement = $1 WHERE id = $2", first, debate_id)
            made = await insert_groups(db, debate_id, groups)
            return Debate(debate_id, title, lang, code, created, items, Stage(first),
                          settings=settings, groups=made, copied_from=copied_from, key_tag=tag,
                          screen_key=screen_key)

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
            notes=[s.notes for s in original.statements], copied_from=original.id,
            translations=[s.translation for s in original.statements])

    async def save_stage(self, debate_id: str, stage: Stage) -> None:
        """Persist the stage, so a restart resumes exactly here. Committed, it is what every
        process's votes recorded `while_open` are checked against."""

        async def update(db: asyncpg.Connection) -> None:
            await db.execute(
                "UPDATE debates SET current_statement = $1, phase = $2, revealed = $3,"
                " round = $4, show_groups = $5, timer_ends = $6, timer_reveal = $7,"
                " spotlight = $8, show_map = $9, show_moves = $10 WHERE id = $11",
                stage.statement_id, stage.phase.value, int(stage.revealed), stage.round,
                int(stage.show_groups), stage.timer_ends, int(stage.timer_reveal),
                stage.spotlight, int(stage.show_map), int(stage.show_moves), debate_id)
            if stage.round > 1:
                await db.execute(
                    "UPDATE statements SET rounds = GREATEST(rounds, $1)"
                    " WHERE id = $2 AND debate_id = $3", stage.round, stage.statement_id,
                    debate_id)
            if stage.revealed:
                await db.execute(
                    "UPDATE statements SET revealed_round = GREATEST(revealed_round, $1)"
                    " WHERE id = $2 AND debate_id = $3", stage.round, stage.statement_id,
                    debate_id)

        await self._write(update)

    async def set_settings(self, debate_id: str, settings: DebateSettings) -> None:
        """Change how the debate votes (scale) and shows results and reasons, and what the
        audience may do (propose, +1 proposals), the projector's languages and the held words."""

        async def update(db: asyncpg.Connection) -> None:
            await _write_settings(db, debate_id, settings)

        await self._write(update)

    async def save_peak(self, debate_id: str, connected: int) -> None:
        """Remember the most phones connected at once, when `connected` beats it."""

        async def update(db: asyncpg.Connection) -> None:
            await db.execute(
                "UPDATE debates SET peak_connected = GREATEST(peak_connected, $1) WHERE id = $2",
                connected, debate_id)

        await self._write(update)

    async def publish_report(self, debate_id: str, published: bool) -> None:
        """Open the report's results to everyone who may open it (or close them again)."""

        async def update(db: asyncpg.Connection) -> None:
            await db.execute("UPDATE debates SET report_published = $1 WHERE id = $2",
                             int(published), debate_id)

        await self._write(update)

    async def counting_down(self) -> list[str]:
        """The ids of debates whose countdown was running when the server last stopped."""
        rows = await self._read("SELECT id FROM debates WHERE timer_ends IS NOT NULL")
        return [r[0] for r in rows]

    async def _debate_where(self, clause: str, value: str) -> Debate | None:
        rows = await self._read(f"SELECT {DEBATE_COLUMNS} FROM debates WHERE {clause}", (value,))
        if not rows:
            return None
        r = rows[0]
        statements = [from_row.statement(s, r["id"]) for s in await self._read(
            f"SELECT {from_row.STATEMENT_COLUMNS} FROM statements WHERE debate_id = $1"
            " ORDER BY position", (r["id"],))]
        groups = [Group(g[0], g[1]) for g in await self._read(
            "SELECT id, name FROM audience_groups WHERE debate_id = $1 ORDER BY position",
            (r["id"],))]
        return from_row.debate(r, statements, groups)

    async def debate(self, debate_id: str) -> Debate | None:
        """The debate with this id (statements and stage included), or None."""
        return await self._debate_where("id = $1", debate_id)

    async def debate_by_code(self, code: str) -> Debate | None:
        """The debate with this join code (any case), or None."""
        return await self._debate_where("join_code = $1", normalise_code(code))

    async def demo_debate(self, name: str) -> Debate | None:
        """The demo debate created under `name`, or None."""
        return await self._debate_where("demo = $1", name)

    async def summaries(self) -> list[DebateSummary]:
        """Every debate, newest first, with its size."""
        rows = await self._read(
            "SELECT d.id,"
            " (SELECT count(*) FROM statements s WHERE s.debate_id = d.id) AS statements,"
            " (SELECT count(DISTINCT participant) FROM votes v WHERE v.debate_id = d.id) AS people,"
            " (SELECT count(*) FROM votes v WHERE v.debate_id = d.id) AS votes"
            " FROM debates d ORDER BY d.created_at DESC, d.id")
        out = []
        for r in rows:
            debate = await self.debate(r["id"])
            if debate is not None:
                out.append(DebateSummary(debate, r["statements"], r["people"], r["votes"]))
        return out


async def _write_settings(db: asyncpg.Connection, debate_id: str,
                          settings: DebateSettings) -> None:
    await db.execute(
        "UPDATE debates SET scale = $1, visibility = $2, proposals = $3, reasons_shown = $4,"
        " proposals_public = $5, screen_languages = $6, held_words = $7 WHERE id = $8",
        settings.scale.value, settings.visibility.value, int(settings.proposals),
        settings.reasons.value, int(settings.proposals_public), settings.screen_languages.value,
        "\n".join(settings.held_words), debate_id)
