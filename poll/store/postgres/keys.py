"""A debate's keys in PostgreSQL: the moderator's (stored as a hash, shown once), the tag
moderator sessions carry, and the projector's key."""

from __future__ import annotations

import hmac

import asyncpg

from ..fresh import hash_key, new_moderator_key, new_screen_key, new_tag
from .base import PostgresBase


class KeyQueries(PostgresBase):
    """The keys of the `debates` table."""

    async def new_key(self, debate_id: str, *, end_sessions: bool = True) -> tuple[str, str]:
        """Replace the debate's moderator key and, with `end_sessions`, the session tag, so every
        moderator session made before ends; the new key and the (new or kept) tag."""
        key = new_moderator_key()

        async def update(db: asyncpg.Connection) -> str:
            if end_sessions:
                await db.execute("UPDATE debates SET key_tag = $1 WHERE id = $2",
                                 new_tag(), debate_id)
            tag = await db.fetchval(
                "UPDATE debates SET key_hash = $1 WHERE id = $2 RETURNING key_tag",
                hash_key(key), debate_id)
            return str(tag)

        return key, await self._write(update)

    async def check_key(self, debate_id: str, key: str) -> bool:
        """Whether `key` is this debate's moderator key (compared in constant time)."""
        rows = await self._read("SELECT key_hash FROM debates WHERE id = $1", (debate_id,))
        return bool(rows) and hmac.compare_digest(rows[0][0], hash_key(key))

    async def replace_screen_key(self, debate_id: str) -> str:
        """A new projector key (the old projector link stops working); returns it."""
        key = new_screen_key()

        async def update(db: asyncpg.Connection) -> None:
            await db.execute("UPDATE debates SET screen_key = $1 WHERE id = $2", key, debate_id)

        await self._write(update)
        return key
