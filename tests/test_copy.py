"""`poll copy SRC DST`: a whole archive moves from SQLite to PostgreSQL and back, and every
export of every debate reads the same afterwards (CSV, JSON, the workbook's cells, the Pol.is
set): the demo's finished example, with the room's voice, the floor and the room code added."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
from support.server import describe, run_poll

from poll.demo_debate import ensure_demo, ensure_example
from poll.exports import FORMATS, export
from poll.exports.opinion import NEEDS_MAP, map_for_export
from poll.model import Choice, FloorStatus
from poll.store import store_at
from poll.store.copy import TABLES


async def fill(url: str) -> None:
    """The demo debate and the finished example, and a row in every table besides."""
    async with store_at(url) as store:
        await ensure_demo(store)
        example = await ensure_example(store)
        first = example.statements[0].id
        reason = await store.save_reason(example.id, first, 1, "p_demo000", "Omdat het kan.",
                                         held=False)
        await store.plus_one(reason.id, "p_demo001", True)
        request = await store.ask_floor(example.id, first, "p_demo002", "Ann", Choice.AGREE,
                                        "tok")
        await store.set_floor_status(example.id, [request.id], FloorStatus.CALLED)
        waiting = await store.add_proposal(example.id, "p_demo003", "Nog een stelling.")
        await store.vote_proposal(waiting.id, "p_demo004", True)
        await store.set_room_code(example.id, "1234")
        await store.admit(example.id, "p_demo005")
        await store.secret("session_secret")
        tables = await store.dump()  # type: ignore[attr-defined]
        assert [name for name in TABLES if not tables[name].rows] == [], "every table has rows"


def comparable(fmt: str, body: str | bytes) -> Any:
    """What a person reads in an export: the text, the workbook's cells, the set's files; of the
    JSON document all but when its opinion map was computed and how long that took."""
    if fmt == "xlsx":
        assert isinstance(body, bytes)
        book = openpyxl.load_workbook(io.BytesIO(body))
        return {sheet.title: [[c.value for c in row] for row in sheet.iter_rows()]
                for sheet in book.worksheets}
    if fmt == "polis":
        assert isinstance(body, bytes)
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return {name: archive.read(name) for name in archive.namelist()}
    if fmt == "json":
        assert isinstance(body, str)
        document = json.loads(body)
        for when in ("computed_at", "seconds"):  # the map's computation, not the archive
            document["opinion"].pop(when)
        return document
    return body


async def every_export(url: str) -> dict[tuple[str, str], Any]:
    """Every export of every debate in the archive at `url`, with its own opinion map."""
    out: dict[tuple[str, str], Any] = {}
    async with store_at(url) as store:
        for summary in await store.summaries():
            debate = summary.debate
            opinion = map_for_export(debate, await store.tallies(debate.id))
            for fmt in FORMATS:
                body = await export(store, debate, fmt, join_url=f"http://poll/j/{debate.join_code}",
                                    opinion=opinion if fmt in NEEDS_MAP else None)
                out[(debate.id, fmt)] = comparable(fmt, body)
    return out


async def poll_copy(source: str, target: str) -> str:
    proc = await asyncio.to_thread(run_poll, "copy", source, target)
    assert proc.returncode == 0, describe(proc)
    return proc.stdout


async def test_an_archive_goes_to_postgresql_and_back_and_every_export_is_the_same(
        tmp_path: Path, postgres_database: str) -> None:
    source = str(tmp_path / "poll.db")
    await fill(source)
    before = await every_export(source)
    assert len({debate for debate, _ in before}) == 2  # the demo and the finished example

    said = await poll_copy(source, postgres_database)
    assert "2 debates" in said and "every table checked" in said
    assert await every_export(postgres_database) == before

    back = str(tmp_path / "back.db")
    await poll_copy(postgres_database, back)
    assert await every_export(back) == before

    # the copies go on as archives: new ids follow the copied ones, the keys still sign in
    async with store_at(postgres_database) as store:
        debate, key = await store.create_debate("After the move", "en", ["Next"])
        assert debate.statements[0].id > max(
            s.id for summary in await store.summaries() for s in summary.debate.statements
            if summary.debate.id != debate.id)
        assert await store.check_key(debate.id, key)
        async with store_at(source) as original:
            assert await store.secret("session_secret") == await original.secret(
                "session_secret")  # moderator sessions survive the move


async def test_copy_refuses_a_target_with_debates_and_the_same_database(
        tmp_path: Path, postgres_database: str) -> None:
    source = str(tmp_path / "poll.db")
    async with store_at(source) as store:
        await store.create_debate("Here", "en", ["One"])
    async with store_at(postgres_database) as store:
        await store.create_debate("There already", "en", ["One"])
    proc = await asyncio.to_thread(run_poll, "copy", source, postgres_database)
    assert proc.returncode == 2 and "holds 1 debates already" in proc.stderr, describe(proc)
    proc = await asyncio.to_thread(run_poll, "copy", source, source)
    assert proc.returncode == 2 and "same database" in proc.stderr, describe(proc)
    async with store_at(postgres_database) as store:
        assert [s.debate.title for s in await store.summaries()] == ["There already"]
