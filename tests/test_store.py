"""The archive: what is written survives, votes are stored once, the schema only moves forward.

Every test that takes `store` (or `database_url`) runs on both backends, an SQLite file and a real
PostgreSQL server; the SQLite files of older releases and SQLite's own settings are tested on
SQLite, PostgreSQL's version table and the close committed by another process on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from poll.model import Choice, FloorStatus, Phase, Stage, Vote
from poll.store import Store, StoreError, VotingClosed, store_at
from poll.store.sqlite import SQLiteStore
from poll.store.sqlite.migrations import MIGRATIONS, SCHEMA_VERSION


@pytest.fixture
async def store(database_url: str):
    async with store_at(database_url) as s:
        yield s


async def test_a_created_debate_reads_back_with_its_statements(store: Store) -> None:
    debate, key = await store.create_debate("Title", "nl", ["One", "Two"])
    again = await store.debate(debate.id)
    assert again is not None
    assert [s.text for s in again.statements] == ["One", "Two"]
    assert [s.position for s in again.statements] == [1, 2]
    assert again.stage == Stage(again.statements[0].id, Phase.WAITING, False)
    assert await store.debate_by_code(debate.join_code.lower()) == again
    assert await store.check_key(debate.id, key)
    assert not await store.check_key(debate.id, key + "x")


async def test_the_key_is_stored_only_as_a_hash(store: Store) -> None:
    _, key = await store.create_debate("Title", "en", ["One"])
    dump = repr(await store.dump())  # type: ignore[attr-defined]  # every row of every table
    assert "Title" in dump
    assert key not in dump


async def test_a_repeated_vote_is_stored_once(store: Store) -> None:
    debate, _ = await store.create_debate("T", "en", ["One"])
    sid = debate.statements[0].id
    vote = Vote(debate.id, sid, "p_1", Choice.AGREE, "v1")
    assert await store.record_vote(vote) is True
    assert await store.record_vote(vote) is False
    # the same id from another participant is a different vote
    assert await store.record_vote(Vote(debate.id, sid, "p_2", Choice.AGREE, "v1")) is True
    assert len(await store.votes(debate.id)) == 2


async def test_a_burst_of_votes_is_group_committed_and_each_answered(store: Store) -> None:
    debate, _ = await store.create_debate("T", "en", ["One"])
    sid = debate.statements[0].id
    votes = [Vote(debate.id, sid, f"p_{i % 50}", list(Choice)[i % 3], f"v{i}")
             for i in range(300)]
    # the same vote twice inside one burst: stored once
    results = await asyncio.gather(*(store.record_vote(v) for v in [*votes, votes[0]]))
    assert results.count(True) == 300
    assert results[-1] is False
    tallies = await store.tallies(debate.id)
    assert tallies[(sid, 1)].total == 50
    # each participant's last vote is the one that counts
    assert tallies[(sid, 1)].choices["p_0"] == list(Choice)[250 % 3]


async def test_live_state_and_edits_survive_reopening(database_url: str) -> None:
    async with store_at(database_url) as store:
        debate, _ = await store.create_debate("T", "en", ["One", "Two"])
        second = debate.statements[1]
        await store.save_stage(debate.id, Stage(second.id, Phase.OPEN, True))
        await store.edit_statement(debate.id, second.id, "Two, edited")
        added = await store.add_statement(debate.id, "Three")
        await store.record_vote(Vote(debate.id, second.id, "p_1", Choice.NEUTRAL, "v"))
    async with store_at(database_url) as store:
        again = await store.debate(debate.id)
        assert again is not None
        assert again.stage == Stage(second.id, Phase.OPEN, True)
        assert [s.text for s in again.statements] == ["One", "Two, edited", "Three"]
        assert again.statements[2].id == added.id
        assert (await store.tallies(debate.id))[(second.id, 1)].choices == {"p_1": Choice.NEUTRAL}


async def test_editing_a_statement_of_another_debate_is_refused(store: Store) -> None:
    first, _ = await store.create_debate("A", "en", ["One"])
    other, _ = await store.create_debate("B", "en", ["Two"])
    with pytest.raises(StoreError):
        await store.edit_statement(first.id, other.statements[0].id, "hijack")
    assert (await store.debate(other.id)).statements[0].text == "Two"  # type: ignore[union-attr]


async def test_a_failed_write_does_not_undo_the_votes_beside_it(store: Store) -> None:
    debate, _ = await store.create_debate("T", "en", ["One"])
    sid = debate.statements[0].id
    ok = store.record_vote(Vote(debate.id, sid, "p_1", Choice.AGREE, "v1"))
    bad = store.edit_statement(debate.id, 999_999, "nothing")
    results = await asyncio.gather(ok, bad, return_exceptions=True)
    assert results[0] is True
    assert isinstance(results[1], StoreError)
    assert len(await store.votes(debate.id)) == 1


async def test_schema_is_versioned_and_a_newer_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "poll.db"
    async with SQLiteStore(path) as store:
        assert await store.schema_version() == SCHEMA_VERSION == len(MIGRATIONS)
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="Upgrade"):
        await SQLiteStore(path).open()


async def test_database_runs_in_wal_mode(tmp_path: Path) -> None:
    async with SQLiteStore(tmp_path / "poll.db"):
        pass
    with sqlite3.connect(tmp_path / "poll.db") as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_the_session_secret_is_made_once(store: Store) -> None:
    first = await store.secret("session_secret")
    assert len(first) >= 32
    assert await store.secret("session_secret") == first


async def test_an_archive_of_the_first_release_opens_and_keeps_everything(tmp_path: Path) -> None:
    """Invariant 7: forward migrations only; a version-1 file opens in this release."""
    path = tmp_path / "v1.db"
    with sqlite3.connect(path) as raw:
        raw.executescript(MIGRATIONS[0])
        raw.execute("INSERT INTO debates (id, title, lang, join_code, key_hash, created_at,"
                    " current_statement, phase, revealed) VALUES"
                    " ('old00001', 'Old', 'nl', 'OLD234', 'x', '2026-01-18T12:00:00+00:00', 1,"
                    " 'closed', 1)")
        raw.execute("INSERT INTO statements (id, debate_id, position, text) VALUES"
                    " (1, 'old00001', 1, 'Elke docent moet hybride zijn.')")
        raw.execute("INSERT INTO votes (debate_id, statement_id, participant, client_id, choice,"
                    " cast_at) VALUES ('old00001', 1, 'p_old', 'v1', 'agree', '2026-01-18')")
        raw.execute("PRAGMA user_version = 1")
    async with SQLiteStore(path) as store:
        assert await store.schema_version() == SCHEMA_VERSION
        debate = await store.debate("old00001")
        assert debate is not None and debate.room_code is None
        assert debate.stage == Stage(1, Phase.CLOSED, True)
        assert (await store.tallies("old00001"))[(1, 1)].choices == {"p_old": Choice.AGREE}


async def test_open_store_takes_a_path_or_an_sqlite_url_and_refuses_what_it_does_not_know(
        tmp_path: Path) -> None:
    from poll.store import open_store, store_at

    async with store_at(tmp_path / "plain.db") as plain:
        debate, _ = await plain.create_debate("By path", "en", ["One"])
    async with store_at(f"sqlite:///{tmp_path / 'plain.db'}") as by_url:
        found = await by_url.debate(debate.id)
        assert found is not None and found.title == "By path"
    with pytest.raises(StoreError, match="unknown kind of database"):
        await open_store("mysql://localhost/poll")


async def test_an_archive_of_the_previous_release_opens_and_takes_reasons(tmp_path: Path) -> None:
    """Schema v4 (the release before reasons) opens, keeps its debate and votes, and can take
    reasons, +1s, floor requests and translations from then on."""
    path = tmp_path / "v4.db"
    with sqlite3.connect(path) as raw:
        for sql in MIGRATIONS[:4]:
            raw.executescript(sql)
        raw.execute("INSERT INTO debates (id, title, lang, join_code, key_hash, created_at,"
                    " current_statement, phase, revealed) VALUES"
                    " ('prev0001', 'Vorige', 'nl', 'PRV234', 'x', '2026-11-30T12:00:00+00:00',"
                    " 1, 'open', 0)")
        raw.execute("INSERT INTO statements (id, debate_id, position, text) VALUES"
                    " (1, 'prev0001', 1, 'Elke docent moet hybride zijn.')")
        raw.execute("INSERT INTO votes (debate_id, statement_id, participant, client_id, choice,"
                    " cast_at) VALUES ('prev0001', 1, 'p_prev', 'v1', 'agree', '2026-11-30')")
        raw.execute("PRAGMA user_version = 4")
    async with SQLiteStore(path) as store:
        assert await store.schema_version() == SCHEMA_VERSION
        debate = await store.debate("prev0001")
        assert debate is not None and debate.statements[0].translation == ""
        assert (await store.tallies("prev0001"))[(1, 1)].choices == {"p_prev": Choice.AGREE}
        reason = await store.save_reason("prev0001", 1, 1, "p_prev", "Omdat het moet.", False)
        await store.plus_one(reason.id, "p_other", True)
        assert await store.reason_votes("prev0001") == {reason.id: {"p_other"}}
        edited = await store.edit_statement("prev0001", 1, debate.statements[0].text,
                                            translation="Every teacher must be hybrid.")
        assert edited.translation == "Every teacher must be hybrid."


async def test_reasons_their_plus_ones_and_the_floor_are_kept(store: Store) -> None:
    debate, _ = await store.create_debate("T", "en", ["One"], translations=["Een"])
    assert debate.statements[0].translation == "Een"
    sid = debate.statements[0].id
    first = await store.save_reason(debate.id, sid, 1, "p_1", "Because.", held=False)
    again = await store.save_reason(debate.id, sid, 1, "p_1", "Because, really.", held=True)
    assert again.id == first.id  # one reason per participant, statement and round
    await store.plus_one(first.id, "p_2", True)
    await store.plus_one(first.id, "p_2", True)  # a repeat changes nothing
    await store.plus_one(first.id, "p_3", True)
    await store.plus_one(first.id, "p_3", False)
    assert await store.reason_votes(debate.id) == {first.id: {"p_2"}}
    await store.mark_reason(debate.id, first.id, hidden=True, held=False)
    (kept,) = await store.reasons(debate.id)
    assert (kept.text, kept.hidden, kept.held) == ("Because, really.", True, False)
    request = await store.ask_floor(debate.id, sid, "p_2", "Ann", Choice.AGREE, "tok1")
    await store.set_floor_status(debate.id, [request.id], FloorStatus.CALLED)
    (called,) = await store.floor_requests(debate.id)
    assert (called.name, called.stance, called.status) == ("Ann", Choice.AGREE,
                                                           FloorStatus.CALLED)
    await store.remove_reason(debate.id, first.id)
    assert await store.reasons(debate.id) == []
    assert await store.reason_votes(debate.id) == {}


async def test_a_burst_of_plus_ones_is_stored_together_and_a_refused_one_undoes_none(
        store: Store) -> None:
    debate, _ = await store.create_debate("T", "en", ["One"])
    sid = debate.statements[0].id
    reason = await store.save_reason(debate.id, sid, 1, "p_author", "Because.", False)
    pluses = [store.plus_one(reason.id, f"p_{i}", True) for i in range(200)]
    # a +1 on a reason that does not exist (the foreign key refuses it), amid the others
    pluses.insert(100, store.plus_one(999_999, "p_x", True))
    results = await asyncio.gather(*pluses, return_exceptions=True)
    assert isinstance(results[100], Exception)
    assert [r for i, r in enumerate(results) if i != 100] == [None] * 200
    assert await store.reason_votes(debate.id) == {reason.id: {f"p_{i}" for i in range(200)}}
    await store.plus_one(reason.id, "p_0", False)  # taken back
    await store.plus_one(reason.id, "p_1", True)  # a repeat changes nothing
    assert len((await store.reason_votes(debate.id))[reason.id]) == 199


async def test_an_archive_of_the_release_before_the_map_opens_and_keeps_the_map_shown(
        tmp_path: Path) -> None:
    """Schema v5 (the room's voice, before the opinion map on the projector) opens with the map
    off, and the moderator's showing it is kept from then on."""
    path = tmp_path / "v5.db"
    with sqlite3.connect(path) as raw:
        for sql in MIGRATIONS[:5]:
            raw.executescript(sql)
        raw.execute("INSERT INTO debates (id, title, lang, join_code, key_hash, created_at,"
                    " current_statement, phase, revealed, show_groups) VALUES"
                    " ('prev0005', 'Vorige', 'nl', 'PRV567', 'x', '2027-01-30T12:00:00+00:00',"
                    " 1, 'closed', 1, 0)")
        raw.execute("INSERT INTO statements (id, debate_id, position, text) VALUES"
                    " (1, 'prev0005', 1, 'Hubs horen bij bedrijven.')")
        raw.execute("PRAGMA user_version = 5")
    async with SQLiteStore(path) as store:
        assert await store.schema_version() == SCHEMA_VERSION
        debate = await store.debate("prev0005")
        assert debate is not None and debate.stage == Stage(1, Phase.CLOSED, True)
        assert debate.stage.show_map is False
        await store.save_stage("prev0005", replace(debate.stage, show_map=True))
    async with SQLiteStore(path) as store:
        again = await store.debate("prev0005")
        assert again is not None and again.stage.show_map is True


async def test_votes_plus_ones_and_reasons_side_by_side_are_all_kept_in_order(
        store: SQLiteStore) -> None:
    """A room's burst as the writer meets it: votes, +1s, +1s taken back, new reasons and a
    refused edit interleaved in one batch. Each is answered as itself and the archive holds
    exactly what was answered, a +1 taken back after it was given staying taken back."""
    debate, _ = await store.create_debate("T", "en", ["One"])
    sid = debate.statements[0].id
    reason = await store.save_reason(debate.id, sid, 1, "p_author", "Because.", False)
    writes = []
    for i in range(60):
        writes.append(store.record_vote(Vote(debate.id, sid, f"p_{i}", Choice.AGREE, f"v{i}")))
        writes.append(store.plus_one(reason.id, f"p_{i}", True))
        if i % 3 == 0:
            writes.append(store.plus_one(reason.id, f"p_{i}", False))  # changed their mind
        if i % 10 == 0:
            writes.append(store.save_reason(debate.id, sid, 1, f"p_{i}", f"Reason {i}.", False))
        if i == 30:
            writes.append(store.edit_statement(debate.id, 999_999, "no such statement"))
    writes.append(store.record_vote(Vote(debate.id, sid, "p_0", Choice.AGREE, "v0")))  # repeat
    results = await asyncio.gather(*writes, return_exceptions=True)
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(refused) == 1 and isinstance(refused[0], StoreError), refused
    assert results.count(True) == 60 and results[-1] is False  # the repeat: stored once
    assert len(await store.votes(debate.id)) == 60
    plussed = (await store.reason_votes(debate.id))[reason.id]
    assert plussed == {f"p_{i}" for i in range(60) if i % 3}
    texts = {r.text for r in await store.reasons(debate.id)}
    assert texts == {"Because.", *(f"Reason {i}." for i in range(0, 60, 10))}

async def test_a_vote_recorded_while_open_is_taken_only_while_the_stage_takes_it(
        store: Store) -> None:
    """The check a worker leans on: the debate's committed stage, read in the vote's own
    transaction, decides; a repeat of a stored vote is still acknowledged after the close."""
    debate, _ = await store.create_debate("T", "en", ["One", "Two"])
    first, second = (s.id for s in debate.statements)

    def vote(participant: str, client_id: str, statement: int = first, round_: int = 1) -> Vote:
        return Vote(debate.id, statement, participant, Choice.AGREE, client_id, round=round_)

    with pytest.raises(VotingClosed):  # waiting: not opened yet
        await store.record_vote(vote("p_1", "v1"), while_open=True)
    await store.save_stage(debate.id, Stage(first, Phase.OPEN, False))
    assert await store.record_vote(vote("p_1", "v1"), while_open=True) is True
    with pytest.raises(VotingClosed):  # another statement than the one open
        await store.record_vote(vote("p_2", "v2", statement=second), while_open=True)
    with pytest.raises(VotingClosed):  # another round than the one open
        await store.record_vote(vote("p_2", "v3", round_=2), while_open=True)
    await store.save_stage(debate.id, Stage(first, Phase.CLOSED, False))
    assert await store.record_vote(vote("p_1", "v1"), while_open=True) is False  # a resend
    results = await asyncio.gather(
        store.record_vote(vote("p_3", "v4"), while_open=True),
        store.record_vote(vote("p_4", "v5")),  # unchecked (the demo's simulated votes)
        return_exceptions=True)
    assert isinstance(results[0], VotingClosed)
    assert results[1] is True
    assert {(v.participant, v.vote_id) for v in await store.votes(debate.id)} == {
        ("p_1", "v1"), ("p_4", "v5")}


async def test_a_vote_for_a_statement_that_does_not_exist_fails_alone(store: Store) -> None:
    debate, _ = await store.create_debate("T", "en", ["One"])
    sid = debate.statements[0].id
    burst = [store.record_vote(Vote(debate.id, sid, f"p_{i}", Choice.AGREE, "v"))
             for i in range(20)]
    burst.insert(10, store.record_vote(Vote(debate.id, 999_999, "p_x", Choice.AGREE, "v")))
    results = await asyncio.gather(*burst, return_exceptions=True)
    assert isinstance(results[10], StoreError)
    assert [r for i, r in enumerate(results) if i != 10] == [True] * 20
    assert len(await store.votes(debate.id)) == 20


# --------------------------------------------------------------------------------------------------
# PostgreSQL: several processes on one database


async def test_a_close_committed_by_another_process_refuses_its_later_votes(
        postgres_database: str) -> None:
    """Two stores on one database are two workers: what one commits, the other's votes obey."""
    async with store_at(postgres_database) as moderator, store_at(postgres_database) as worker:
        debate, _ = await moderator.create_debate("T", "en", ["One"])
        sid = debate.statements[0].id
        await moderator.save_stage(debate.id, Stage(sid, Phase.OPEN, False))
        assert await worker.record_vote(Vote(debate.id, sid, "p_1", Choice.AGREE, "v1"),
                                        while_open=True)
        await moderator.save_stage(debate.id, Stage(sid, Phase.CLOSED, True))
        with pytest.raises(VotingClosed):
            await worker.record_vote(Vote(debate.id, sid, "p_2", Choice.AGREE, "v2"),
                                     while_open=True)
        assert [v.participant for v in await moderator.votes(debate.id)] == ["p_1"]


async def test_a_vote_racing_an_uncommitted_close_waits_for_it_and_is_refused(
        postgres_database: str) -> None:
    """The vote reads the debate's row FOR SHARE: while a close is written but not committed the
    vote waits (seen in pg_stat_activity), and once the close commits the vote is refused; it is
    never stored on the stage the close was replacing."""
    import asyncpg

    async with store_at(postgres_database) as store:
        debate, _ = await store.create_debate("T", "en", ["One"])
        sid = debate.statements[0].id
        await store.save_stage(debate.id, Stage(sid, Phase.OPEN, False))
        closing = await asyncpg.connect(postgres_database)
        try:
            async with closing.transaction():
                await closing.execute("UPDATE debates SET phase = 'closed' WHERE id = $1",
                                      debate.id)
                vote = asyncio.create_task(store.record_vote(
                    Vote(debate.id, sid, "p_1", Choice.AGREE, "v1"), while_open=True))
                while not await closing.fetchval(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        " AND datname = current_database()"):
                    assert not vote.done(), f"the vote did not wait for the close: {vote}"
                    await asyncio.sleep(0.05)
        finally:
            await closing.close()
        with pytest.raises(VotingClosed):
            await vote
        assert await store.votes(debate.id) == []


async def test_workers_starting_together_migrate_once(postgres_database: str) -> None:
    async def open_and_count() -> int:
        async with store_at(postgres_database) as store:
            return await store.schema_version()  # type: ignore[attr-defined, no-any-return]

    assert await asyncio.gather(*(open_and_count() for _ in range(4))) == [SCHEMA_VERSION] * 4


async def test_postgres_schema_is_versioned_like_sqlite_and_a_newer_one_is_refused(
        postgres_database: str) -> None:
    import asyncpg

    from poll.store.postgres.migrations import MIGRATIONS as POSTGRES_MIGRATIONS

    assert len(POSTGRES_MIGRATIONS) == len(MIGRATIONS)  # each SQLite migration has its twin
    async with store_at(postgres_database) as store:
        assert await store.schema_version() == SCHEMA_VERSION  # type: ignore[attr-defined]
    raw = await asyncpg.connect(postgres_database)
    try:
        await raw.execute("UPDATE schema_version SET version = $1", SCHEMA_VERSION + 1)
    finally:
        await raw.close()
    with pytest.raises(StoreError, match="Upgrade"):
        await store_at(postgres_database).__aenter__()


async def test_a_database_that_cannot_be_reached_or_opened_is_said_so(
        postgres: object, monkeypatch: pytest.MonkeyPatch) -> None:
    from support.server import free_port

    from poll.store import open_store

    with pytest.raises(StoreError, match="cannot open the database") as refused:
        await open_store(f"postgresql://poll:hunter2@127.0.0.1:{free_port()}/nowhere")
    assert "hunter2" not in str(refused.value)  # the password is never printed
    monkeypatch.setitem(sys.modules, "poll.store.postgres", None)  # as if asyncpg were missing
    with pytest.raises(StoreError, match=r"pip install 'debate-poll\[postgres\]'"):
        await open_store("postgresql://poll@127.0.0.1/poll")


async def test_after_the_database_drops_its_connections_votes_are_stored_again(
        postgres_database: str) -> None:
    """A restart of PostgreSQL (here: every connection of the store terminated) loses nothing
    acknowledged: a vote in flight fails with a StoreError (the phone resends it), and the
    writer and the readers connect again."""
    import asyncpg

    async with store_at(postgres_database) as store:
        debate, _ = await store.create_debate("T", "en", ["One"])
        sid = debate.statements[0].id
        assert await store.record_vote(Vote(debate.id, sid, "p_1", Choice.AGREE, "v1"))
        admin = await asyncpg.connect(postgres_database)
        try:
            ended = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()")
            # the writer's connection (the readers' pool keeps none idle: it opens them when
            # asked, so a stopped server does not fill the log with its retries)
            assert ended >= 1
        finally:
            await admin.close()
        vote = Vote(debate.id, sid, "p_2", Choice.DISAGREE, "v2")
        outcomes = []
        for _ in range(3):  # as a phone would: resend until acknowledged
            try:
                outcomes.append(await store.record_vote(vote))
                break
            except StoreError as exc:
                outcomes.append(exc)
        assert outcomes[-1] is True, outcomes
        for _ in range(3):
            try:
                stored = await store.votes(debate.id)
                break
            except StoreError:
                continue
        assert [v.participant for v in stored] == ["p_1", "p_2"]

async def test_an_archive_of_the_release_before_the_moves_on_the_projector_opens(
        tmp_path: Path) -> None:
    """Schema v6 (the opinion map on the projector, before how minds moved there) opens with
    the moves off, its map setting kept, and the moderator's showing the moves is kept."""
    path = tmp_path / "v6.db"
    with sqlite3.connect(path) as raw:
        for sql in MIGRATIONS[:6]:
            raw.executescript(sql)
        raw.execute("INSERT INTO debates (id, title, lang, join_code, key_hash, created_at,"
                    " current_statement, phase, revealed, round, show_groups, show_map) VALUES"
                    " ('prev0006', 'Vorige', 'nl', 'PRV678', 'x', '2027-02-28T12:00:00+00:00',"
                    " 1, 'closed', 1, 2, 0, 1)")
        raw.execute("INSERT INTO statements (id, debate_id, position, text) VALUES"
                    " (1, 'prev0006', 1, 'Hubs horen bij bedrijven.')")
        raw.execute("PRAGMA user_version = 6")
    async with SQLiteStore(path) as store:
        assert await store.schema_version() == SCHEMA_VERSION
        debate = await store.debate("prev0006")
        assert debate is not None and debate.stage.round == 2
        assert debate.stage.show_map is True and debate.stage.show_moves is False
        await store.save_stage("prev0006", replace(debate.stage, show_map=False, show_moves=True))
    async with SQLiteStore(path) as store:
        again = await store.debate("prev0006")
        assert again is not None and again.stage.show_moves is True
        assert again.stage.show_map is False
