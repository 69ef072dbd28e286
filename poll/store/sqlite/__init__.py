"""The embedded default store: one SQLite file in WAL mode, through aiosqlite.

One writer task on one connection does every write, committing queued writes together (group
commit, `writer`); reads use their own connection beside it. The schema moves forward only
(`migrations`); `backup` copies a file safely while a server writes to it.
"""

from __future__ import annotations

from .archive import ArchiveQueries
from .audience import AudienceQueries
from .debates import DebateQueries
from .keys import KeyQueries
from .statements import StatementQueries
from .voice import VoiceQueries
from .votes import VoteQueries


class SQLiteStore(DebateQueries, StatementQueries, KeyQueries, VoteQueries, AudienceQueries,
                  VoiceQueries, ArchiveQueries):
    """`poll.store.Store` on one SQLite file. `await SQLiteStore(path).open()`, or
    `async with SQLiteStore(path) as store:`; each query module holds one group of tables."""


__all__ = ["SQLiteStore"]
