"""Storage behind one small interface: the `Store` protocol, its row types and its error.

The hub, the views, the sockets and the exports import only this module; which backend runs is
decided once, by `open_store(url)` (called by `poll.app` and `poll.cli`): SQLite
(`sqlite:///path`, or a plain file path; `poll.store.sqlite`) or PostgreSQL
(`postgresql://user@host/db`; `poll.store.postgres`, which needs the `postgres` extra, `pip
install 'debate-poll[postgres]'`, and is imported only when such a URL is opened).
`poll.store.copy` moves an archive between them.

Every backend keeps the same promises: a write returns only after it is committed; a vote is
stored once per (participant, client id), so a phone may resend it safely; a vote recorded
`while_open` is checked against the debate's committed stage in the transaction that inserts it;
votes are committed in batches; the schema only moves forward (migrations, numbered alike).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlparse, urlsplit, urlunsplit

from ..model import (
    Choice,
    Debate,
    DebateSettings,
    FloorRequest,
    FloorStatus,
    Group,
    Proposal,
    ProposalStatus,
    Reason,
    Stage,
    Statement,
    Vote,
)
from ..tally import Tally, TallyKey

# The schema version this release's migrations reach, the same number under every backend (each
# backend's migrations list one entry per version): a new version is a migration in each.
SCHEMA_VERSION = 7


class StoreError(Exception):
    """A write or read the store could not do (the message says why, for people)."""


class VotingClosed(StoreError):
    """A vote recorded `while_open` that the debate's committed stage does not take: voting on
    its statement and round was closed (or moved on), perhaps by another process."""


@dataclass(slots=True)
class DebateSummary:
    """A debate with its size, for the archive and `poll list`."""

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
    """What the hub, views, exports and CLI need from storage. Every write returns only after its
    transaction committed; a refused write raises StoreError."""

    async def close(self) -> None: ...

    # debates
    async def create_debate(
        self, title: str, lang: str, statements: Sequence[str], *, demo: str | None = None,
        settings: DebateSettings | None = None, groups: Sequence[str] = (),
        notes: Sequence[str] = (), copied_from: str | None = None,
        translations: Sequence[str] = (),
    ) -> tuple[Debate, str]: ...
    async def duplicate_debate(self, debate_id: str) -> tuple[Debate, str]: ...
    async def debate(self, debate_id: str) -> Debate | None: ...
    async def debate_by_code(self, code: str) -> Debate | None: ...
    async def demo_debate(self, name: str) -> Debate | None: ...
    async def summaries(self) -> list[DebateSummary]: ...
    async def counting_down(self) -> list[str]: ...
    async def check_key(self, debate_id: str, key: str) -> bool: ...
    async def new_key(self, debate_id: str, *, end_sessions: bool = True
                      ) -> tuple[str, str]: ...
    async def replace_screen_key(self, debate_id: str) -> str: ...
    async def publish_report(self, debate_id: str, published: bool) -> None: ...
    async def save_stage(self, debate_id: str, stage: Stage) -> None: ...
    async def set_settings(self, debate_id: str, settings: DebateSettings) -> None: ...
    async def save_peak(self, debate_id: str, connected: int) -> None: ...
    # statements
    async def add_statement(self, debate_id: str, text: str,
                            translation: str = "") -> Statement: ...
    async def edit_statement(self, debate_id: str, statement_id: int, text: str,
                             notes: str | None = None,
                             translation: str | None = None) -> Statement: ...
    # votes
    async def record_vote(self, vote: Vote, *, while_open: bool = False) -> bool: ...
    async def tallies(self, debate_id: str) -> dict[TallyKey, Tally]: ...
    async def votes(self, debate_id: str) -> list[VoteRow]: ...
    # the audience: room code, groups, proposals
    async def set_room_code(self, debate_id: str, code: str | None) -> None: ...
    async def admit(self, debate_id: str, participant: str) -> None: ...
    async def admitted(self, debate_id: str) -> set[str]: ...
    async def set_groups(self, debate_id: str, names: Sequence[str]) -> list[Group]: ...
    async def join_group(self, debate_id: str, participant: str, group_id: int | None) -> None: ...
    async def members(self, debate_id: str) -> dict[str, int]: ...
    async def skipped(self, debate_id: str) -> set[str]: ...
    async def add_proposal(self, debate_id: str, participant: str, text: str) -> Proposal: ...
    async def proposals(self, debate_id: str,
                        status: ProposalStatus | None = None) -> list[Proposal]: ...
    async def decide_proposal(self, debate_id: str, proposal_id: int, approve: bool,
                              text: str | None = None) -> tuple[Proposal, Statement | None]: ...
    # the room's voice: reasons and their +1s, the floor, +1s on proposals
    async def save_reason(self, debate_id: str, statement_id: int, round_: int,
                          participant: str, text: str, held: bool) -> Reason: ...
    async def remove_reason(self, debate_id: str, reason_id: int) -> None: ...
    async def mark_reason(self, debate_id: str, reason_id: int, *, hidden: bool,
                          held: bool) -> None: ...
    async def plus_one(self, reason_id: int, participant: str, on: bool) -> None: ...
    async def reasons(self, debate_id: str) -> list[Reason]: ...
    async def reason_votes(self, debate_id: str) -> dict[int, set[str]]: ...
    async def ask_floor(self, debate_id: str, statement_id: int, participant: str, name: str,
                        stance: Choice | None, token: str) -> FloorRequest: ...
    async def set_floor_status(self, debate_id: str, request_ids: Sequence[int],
                               status: FloorStatus) -> None: ...
    async def floor_requests(self, debate_id: str) -> list[FloorRequest]: ...
    async def vote_proposal(self, proposal_id: int, participant: str, on: bool) -> None: ...
    async def proposal_votes(self, debate_id: str) -> dict[int, set[str]]: ...
    # the server's own facts: secrets (the session signing key), the address it announced
    async def secret(self, name: str) -> str: ...
    async def fact(self, name: str) -> str | None: ...
    async def remember(self, name: str, value: str) -> None: ...


def sqlite_path(url: str) -> Path | None:
    """The file an SQLite URL or plain path names (`sqlite:///poll.db`, `sqlite:////abs/poll.db`,
    `poll.db`), or None when `url` names another kind of database."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        if parsed.netloc:
            raise StoreError(f"{url}: write sqlite:///relative.db or sqlite:////absolute.db")
        return Path(unquote(parsed.path[1:]))
    if parsed.scheme and len(parsed.scheme) > 1:  # one letter: a Windows drive, still a path
        return None
    return Path(url)


POSTGRES_SCHEMES = ("postgresql", "postgres")


def shown_url(url: str | Path) -> str:
    """The database's name with any password in it left out, for messages and logs."""
    parts = urlsplit(str(url))
    if parts.password is None:
        return str(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def is_postgres(url: str | Path) -> bool:
    """Whether `url` names a PostgreSQL database (postgresql://... or postgres://...)."""
    return urlparse(str(url)).scheme in POSTGRES_SCHEMES


async def open_store(url: str | Path, *, max_batch: int = 500) -> Store:
    """The opened store `url` names (migrations applied, writer running); close it with
    `await store.close()`. Raises StoreError for a database it cannot open or does not know."""
    if is_postgres(url):
        try:  # the backend is chosen here and nowhere else; its driver is an optional extra
            from .postgres import PostgresStore
        except ImportError as exc:
            raise StoreError("PostgreSQL needs the asyncpg driver, which is not installed: "
                             "pip install 'debate-poll[postgres]'") from exc
        return await PostgresStore(str(url), max_batch=max_batch).open()
    path = sqlite_path(str(url))
    if path is None:
        scheme = urlparse(str(url)).scheme
        raise StoreError(f"{url}: unknown kind of database {scheme!r}; give an SQLite file "
                         "(poll.db or sqlite:///poll.db) or postgresql://user@host/database")
    from .sqlite import SQLiteStore

    return await SQLiteStore(path, max_batch=max_batch).open()


@asynccontextmanager
async def store_at(url: str | Path, *, max_batch: int = 500) -> AsyncIterator[Store]:
    """`async with store_at(url) as store:` the store `url` names, closed (every queued write
    finished) when the block ends."""
    store = await open_store(url, max_batch=max_batch)
    try:
        yield store
    finally:
        await store.close()
