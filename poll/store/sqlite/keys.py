"""A debate's keys in SQLite: the moderator's (stored as a hash, shown once), the tag moderator
sessions carry, and the projector's key."""

from __future__ import annotations

import hmac

import aiosqlite

from ..fresh import hash_key, new_moderator_key, new_screen_key, new_tag
from .base import SQLiteBase


class KeyQueries(SQLiteBase):
    """The keys of the `debates` table."""

    async def new_key(self, debate_id: str, *, end_sessions: bool = True) -> tuple[str, str]:
        """Replace the debate's moderator key and, with `end_sessions`, the session tag, so every
        moderator session made before ends; the new key and the (new or kept) tag."""
        key = new_moderator_key()

        async def update(db: aiosqlite.Connection) -> str:
            if end_sessions:
                await db.execute("UPDATE debates SET key_tag = ? WHERE id = ?",
                                 (new_tag(), debate_id))
            await db.execute("UPDATE debates SET key_hash = ? WHERE id = ?",
                             (hash_key(key), debate_id))
            ((tag,),) = await db.execute_fetchall("SELECT key_tag FROM debates WHERE id = ?",
                                                  (debate_id,))
            return str(tag)

        return key, await self._write(update)

    async def check_key(self, debate_id: str, key: str) -> bool:
        """Whether `key` is this debate's moderator key (compared in constant time)."""
        rows = await self._read("SELECT key_hash FROM debates WHERE id = ?", (debate_id,))
        return bool(rows) and hmac.compare_digest(rows[0][0], hash_key(key))

    async def replace_screen_key(self, debate_id: str) -> str:
        """A new projector key (the old projector link stops working); returns it."""
        key = new_screen_key()

        async def update(db: aiosqlite.Connection) -> None:
            await db.execute("UPDATE debates SET screen_key = ? WHERE id = ?", (key, debate_id))

        await self._write(update)
        return key
