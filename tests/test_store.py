"""The archive: what is written survives, votes are stored once, the schema only moves forward."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from poll.model import Choice, FloorStatus, Phase, Stage, Vote
from poll.store import StoreError
from poll.store.sqlite import SQLiteStore
from poll.store.sqlite.migrations import MIGRATIONS, SCHEMA_VERSION


@pytest.fixture
async def store(tmp_path: Path):
    async with SQLiteStore(tmp_path / "poll.db") as s:
        yield s


async def test_a_created_debate_reads_back_with_its_statements(store: SQLiteStore) -> None:
    debate, key = await store.create_debate("Title", "nl", ["One", "Two"])
    again = await store.debate(debate.id)
    assert again is not None
    assert [s.text for s in again.statements] == ["One", "Two"]
    assert [s.position for s in again.statements] == [1, 2]
    assert again.stage == Stage(again.statements[0].id, Phase.WAITING, False)
    assert await store.debate_by_code(debate.join_code.lower()) == again
    assert await store.check_key(debate.id, key)
    assert not await store.check_key(debate.id, key + "x")


async def test_the_key_is_stored_only_as_a_hash(store: SQLiteStore, tmp_path: Path) -> None:
    _, key = await store.create_debate("Title", "en", ["One"])
    with sqlite3.connect(tmp_path / "poll.db") as raw:
        dump = "\n".join(raw.iterdump())
    assert key not in dump


async def test_a_repeated_vote_is_stored_once(store: SQLiteStore) -> None:
    debate, _ = await store.create_debate("T", "en", ["One"])
    sid = debate.statements[0].id
    vote = Vote(debate.id, sid, "p_1", Choice.AGREE, "v1")
    assert await store.record_vote(vote) is True
    assert await store.record_vote(vote) is False
    # the same id from another participant is a different vote
    assert await store.record_vote(Vote(debate.id, sid, "p_2", Choice.AGREE, "v1")) is True
    assert len(await store.votes(debate.id)) == 2


async def test_a_burst_of_votes_is_group_committed_and_each_answered(store: SQLiteStore) -> None:
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


async def test_live_state_and_edits_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "poll.db"
    async with SQLiteStore(path) as store:
        debate, _ = await store.create_debate("T", "en", ["One", "Two"])
        second = debate.statements[1]
        await store.save_stage(debate.id, Stage(second.id, Phase.OPEN, True))
        await store.edit_statement(debate.id, second.id, "Two, edited")
        added = await store.add_statement(debate.id, "Three")
        await store.record_vote(Vote(debate.id, second.id, "p_1", Choice.NEUTRAL, "v"))
    async with SQLiteStore(path) as store:
        again = await store.debate(debate.id)
        assert again is not None
        assert again.stage == Stage(second.id, Phase.OPEN, True)
        assert [s.text for s in again.statements] == ["One", "Two, edited", "Three"]
        assert again.statements[2].id == added.id
        assert (await store.tallies(debate.id))[(second.id, 1)].choices == {"p_1": Choice.NEUTRAL}


async def test_editing_a_statement_of_another_debate_is_refused(store: SQLiteStore) -> None:
    first, _ = await store.create_debate("A", "en", ["One"])
    other, _ = await store.create_debate("B", "en", ["Two"])
    with pytest.raises(StoreError):
        await store.edit_statement(first.id, other.statements[0].id, "hijack")
    assert (await store.debate(other.id)).statements[0].text == "Two"  # type: ignore[union-attr]


async def test_a_failed_write_does_not_undo_the_votes_beside_it(store: SQLiteStore) -> None:
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


async def test_database_runs_in_wal_mode(store: SQLiteStore, tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "poll.db") as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_the_session_secret_is_made_once(store: SQLiteStore) -> None:
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
        await open_store("postgresql://localhost/poll")


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


async def test_reasons_their_plus_ones_and_the_floor_are_kept(store: SQLiteStore) -> None:
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
        store: SQLiteStore) -> None:
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
