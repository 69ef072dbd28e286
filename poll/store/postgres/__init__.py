"""The store for more than one process or machine: PostgreSQL, through asyncpg.

The same tables and schema versions as SQLite (`migrations`), the same promises: a write returns
after COMMIT, votes are batched by one writer task per process (`writer`), idempotent on
(participant, client id), and checked against the debate's committed stage in the statement that
inserts them when recorded `while_open`. Reads use a small pool beside the writer (`base`).

asyncpg rather than psycopg 3: it speaks PostgreSQL's binary protocol natively on asyncio, and
a whole batch of votes goes as arrays in one statement, and an archive as one COPY
(docs/scaling.md).
"""

from __future__ import annotations

from .archive import ArchiveQueries
from .audience import AudienceQueries
from .debates import DebateQueries
from .keys import KeyQueries
from .statements import StatementQueries
from .voice import VoiceQueries
from .votes import VoteQueries


class PostgresStore(DebateQueries, StatementQueries, KeyQueries, VoteQueries, AudienceQueries,
                    VoiceQueries, ArchiveQueries):
    """`poll.store.Store` on one PostgreSQL database. `await PostgresStore(url).open()`, or
    `async with PostgresStore(url) as store:`; each query module holds one group of tables."""


__all__ = ["PostgresStore"]
