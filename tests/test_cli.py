"""The command line as an organiser uses it: `poll new`, `poll list`, `poll export`,
`poll serve --demo`, each run as a real subprocess on a real database file."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import sqlite3
import subprocess
from pathlib import Path

import httpx
from support.checks import CHOICES, assert_percent, counts_of, read_csv
from support.clients import location_path, new_participant, open_socket
from support.server import describe, write_statements

CODE = r"[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}"


def list_json(poll_cli, db: Path) -> list[dict]:
    proc = poll_cli("list", "--db", db, "--json")
    assert proc.returncode == 0, describe(proc)
    rows = json.loads(proc.stdout)
    assert isinstance(rows, list), rows
    return rows


async def test_new_prints_working_links(site, poll_cli):
    source = write_statements(
        site.directory / "statements.txt",
        [
            "# statements for the test debate",
            "",
            "Eerste stelling",
            "   ",
            "Tweede stelling",
            "# a comment between statements",
            "Derde stelling: 50% of meer?",
        ],
    )
    proc = poll_cli(
        "new",
        "Werkt de CLI?",
        "--statements",
        source,
        "--db",
        site.db,
        "--lang",
        "nl",
        "--json",
        "--public-url",
        site.url,
    )
    assert proc.returncode == 0, describe(proc)
    data = json.loads(proc.stdout)  # exactly one JSON object, nothing else on stdout
    assert isinstance(data, dict)
    assert set(data) >= {"id", "join_code", "moderator_url", "screen_url", "join_url", "statements"}
    assert re.fullmatch(r"[a-z0-9]{8}", data["id"]), data["id"]
    assert re.fullmatch(CODE, data["join_code"]), data["join_code"]
    assert data["join_url"] == f"{site.url}/j/{data['join_code']}"
    # the projector's link carries a key of its own (not the moderator's)
    assert re.fullmatch(rf"{re.escape(site.url)}/d/{data['id']}/screen\?key=\S+",
                        data["screen_url"]), data["screen_url"]
    assert data["screen_url"].split("key=")[1] not in data["moderator_url"]
    assert re.fullmatch(
        rf"{re.escape(site.url)}/d/{data['id']}/moderate\?key=\S+", data["moderator_url"]
    ), data["moderator_url"]
    statements = data["statements"]
    assert [(s["position"], s["text"]) for s in statements] == [
        (1, "Eerste stelling"),
        (2, "Tweede stelling"),
        (3, "Derde stelling: 50% of meer?"),
    ]
    assert all(isinstance(s["id"], int) for s in statements)
    assert len({s["id"] for s in statements}) == 3

    # the same without --json: readable text with the same kind of links
    human = poll_cli(
        "new", "Tweede debat", "--statements", source, "--db", site.db, "--public-url", site.url
    )
    assert human.returncode == 0, describe(human)
    with_key = re.search(
        rf"{re.escape(site.url)}/d/([a-z0-9]{{8}})/moderate\?key=(\S+)", human.stdout
    )
    assert with_key, human.stdout
    second_id = with_key.group(1)
    second_screen = re.search(rf"{re.escape(site.url)}/d/{second_id}/screen\?key=\S+",
                              human.stdout)
    assert second_screen, human.stdout
    second_code = re.search(rf"{re.escape(site.url)}/j/({CODE})\b", human.stdout)
    assert second_code, human.stdout

    site.start()
    async with httpx.AsyncClient(follow_redirects=False, trust_env=False, timeout=20) as client:
        for debate_id, code, moderator_url, screen_url in (
            (data["id"], data["join_code"], data["moderator_url"], data["screen_url"]),
            (second_id, second_code.group(1), with_key.group(0), second_screen.group(0)),
        ):
            phone_page = await client.get(f"{site.url}/j/{code}")
            assert phone_page.status_code == 200 and "Eerste stelling" in phone_page.text
            assert (await client.get(screen_url)).status_code == 303  # the projector's key
            screen = await client.get(f"{site.url}/d/{debate_id}/screen")
            assert screen.status_code == 200 and code in screen.text
            signed_in = await client.get(moderator_url)
            assert signed_in.status_code == 303, signed_in.status_code
            page = await client.get(f"{site.url}{location_path(signed_in)}")
            assert page.status_code == 200 and "Derde stelling: 50% of meer?" in page.text


async def test_list_and_export_after_an_event(site, poll_cli, moderator):
    debate = site.new("Export via de CLI", ["Gewone stelling", '=HYPERLINK("http://x")', "Derde"])
    site.new("Een ander debat", ["Alleen deze"])
    s1, s2 = debate.sid(1), debate.sid(2)
    server = site.start()
    mod = await moderator(server, debate)
    phones = [await open_socket(site, debate, "phone", new_participant()) for _ in range(7)]
    first = ["agree", "agree", "neutral", "disagree", "disagree", "disagree", "agree"]
    try:
        await mod.show(s1, "open")
        for phone, choice in zip(phones, first, strict=True):
            assert (await phone.cast(s1, choice))["type"] == "ack"
        final = [*first[:-1], "neutral"]  # the last phone changes its mind
        assert (await phones[-1].cast(s1, "neutral"))["type"] == "ack"
        await mod.show(s2, "open")
        for phone in phones[:3]:
            assert (await phone.cast(s2, "disagree"))["type"] == "ack"
    finally:
        await asyncio.gather(*(p.close() for p in phones))
    server.stop()

    rows = {r["id"]: r for r in list_json(poll_cli, site.db)}
    assert len(rows) == 2
    row = rows[debate.id]
    assert row["join_code"] == debate.join_code and row["title"] == "Export via de CLI"
    assert row["statements"] == 3 and row["votes"] == 7 + 1 + 3, row
    human = poll_cli("list", "--db", site.db)
    assert human.returncode == 0, describe(human)
    for r in rows.values():
        assert r["id"] in human.stdout and r["join_code"] in human.stdout
        assert r["title"] in human.stdout

    # results per statement, to stdout, by debate id
    proc = poll_cli("export", debate.id, "--format", "csv", "--db", site.db)
    assert proc.returncode == 0, describe(proc)
    results = read_csv(proc.stdout)
    # one row per statement and round (each had one round here)
    assert list(results[0]) == [
        "position",
        "statement_id",
        "statement",
        "round",
        "agree",
        "neutral",
        "disagree",
        "total",
        "agree_pct",
        "neutral_pct",
        "disagree_pct",
    ]
    assert [r["round"] for r in results] == ["1", "1", "1"]
    assert [r["statement_id"] for r in results] == [str(s["id"]) for s in debate.statements]
    assert [r["statement"] for r in results] == [
        "Gewone stelling",
        '\'=HYPERLINK("http://x")',
        "Derde",
    ]
    expected = counts_of(final)
    assert {c: int(results[0][c]) for c in CHOICES} == expected
    assert int(results[0]["total"]) == 7
    assert sum(int(results[0][f"{c}_pct"]) for c in CHOICES) == 100
    assert (results[1]["disagree"], results[1]["total"], results[1]["disagree_pct"]) == (
        "3",
        "3",
        "100",
    )
    assert (results[2]["total"], results[2]["agree_pct"]) == ("0", "0")

    # every vote, to a file, by join code
    out = site.directory / "votes.csv"
    proc = poll_cli("export", debate.join_code, "--format", "votes-csv", "-o", out, "--db", site.db)
    assert proc.returncode == 0, describe(proc)
    votes = list(csv.DictReader(io.StringIO(out.read_text("utf-8").removeprefix("\ufeff"))))
    assert list(votes[0]) == [
        "debate",
        "statement_id",
        "position",
        "statement",
        "round",
        "participant",
        "group",
        "choice",
        "cast_at",
    ]
    assert {(v["round"], v["group"]) for v in votes} == {("1", "")}
    assert len(votes) == 11
    assert sorted(v["choice"] for v in votes if v["statement_id"] == str(s1)) == sorted(
        [*first, "neutral"]
    )
    assert [v["statement"] for v in votes if v["statement_id"] == str(s2)] == [
        '\'=HYPERLINK("http://x")'
    ] * 3

    # everything as JSON; the join code works in lower case too
    proc = poll_cli("export", debate.join_code.lower(), "--format", "json", "--db", site.db)
    assert proc.returncode == 0, describe(proc)
    doc = json.loads(proc.stdout)
    assert doc["debate"]["id"] == debate.id
    assert [s["text"] for s in doc["statements"]] == [
        "Gewone stelling",
        '=HYPERLINK("http://x")',
        "Derde",
    ]
    assert [s["id"] for s in doc["statements"]] == [s["id"] for s in debate.statements]
    assert [s["position"] for s in doc["statements"]] == [1, 2, 3]
    results = doc["statements"][0]["results"]
    assert results["counts"] == expected and results["total"] == 7
    assert_percent(results)
    assert len(doc["votes"]) == 11


def test_mistakes_give_a_clear_message_and_create_nothing(site, poll_cli):
    debate = site.new("Het enige debat", ["Een stelling"])

    unknown = poll_cli("export", "nosuchid", "--format", "csv", "--db", site.db)
    assert unknown.returncode != 0
    assert "nosuchid" in unknown.stderr, unknown.stderr
    assert "Traceback" not in unknown.stderr and unknown.stdout == ""

    empty = write_statements(site.directory / "empty.txt", ["# only comments", "", "   "])
    missing = site.directory / "does-not-exist.txt"
    for source in (empty, missing):
        proc = poll_cli("new", "Leeg", "--statements", source, "--db", site.db, "--json")
        assert proc.returncode != 0, describe(proc)
        assert proc.stderr.strip() and "Traceback" not in proc.stderr, proc.stderr
        assert proc.stdout.strip() == "", proc.stdout
    assert "statement" in poll_cli("new", "Leeg", "--statements", empty, "--db", site.db).stderr
    assert (
        str(missing.name)
        in poll_cli("new", "Leeg", "--statements", missing, "--db", site.db).stderr
    )

    assert [r["id"] for r in list_json(poll_cli, site.db)] == [debate.id]


async def test_serve_demo_creates_the_demo_debate_once(site, poll_cli):
    found = []
    for _ in range(2):
        server = site.start("--demo")
        out = server.wait_for_output(
            lambda text: "key=" in text and "/screen" in text and "/j/" in text
        )
        moderator_url = re.search(
            rf"{re.escape(site.url)}/d/([a-z0-9]{{8}})/moderate\?key=\S+", out
        )
        assert moderator_url, out
        debate_id = moderator_url.group(1)
        assert f"{site.url}/d/{debate_id}/screen" in out
        code = re.search(rf"{re.escape(site.url)}/j/({CODE})\b", out)
        assert code, out
        example = re.search(rf"{re.escape(site.url)}/d/([a-z0-9]{{8}})/report", out)
        assert example, out
        async with httpx.AsyncClient(follow_redirects=False, trust_env=False, timeout=20) as c:
            assert (await c.get(moderator_url.group(0))).status_code == 303
            page = await c.get(f"{site.url}/d/{debate_id}/moderate")
            assert page.status_code == 200
            # the demo has the day's audience groups
            assert all(g in page.text for g in ("Werkveld", "Hogeschool", "Kennisinstelling",
                                                "Overheid")), page.text[:3000]
            assert (await c.get(f"{site.url}/j/{code.group(1)}")).status_code == 200
            assert (await c.get(f"{site.url}/d/{debate_id}/screen")).status_code == 200
            report = await c.get(example.group(0))
            assert report.status_code == 200
            assert "Overheid" in report.text
        found.append((debate_id, code.group(1), example.group(1)))
        server.stop()

    assert found[0] == found[1], found
    rows = {r["id"]: r for r in list_json(poll_cli, site.db)}
    assert set(rows) == {found[0][0], found[0][2]}
    demo, example_row = rows[found[0][0]], rows[found[0][2]]
    assert demo["statements"] == 5 and demo["votes"] == 0, demo
    # the finished example: 90 simulated people, a statement proposed by the audience
    assert example_row["statements"] == 6 and example_row["participants"] == 90, example_row


def test_a_database_from_a_newer_release_is_refused_with_a_message(site, poll_cli):
    site.new("Een debat", ["Een stelling"])
    with sqlite3.connect(site.db) as raw:
        raw.execute("PRAGMA user_version = 999")
    for args in (
        ("list", "--db", site.db),
        ("export", "x", "--db", site.db),
        ("serve", "--db", site.db, "--host", "127.0.0.1", "--port", site.port),
    ):
        try:
            proc = poll_cli(*args, timeout=30)
        except subprocess.TimeoutExpired as exc:
            said = exc.stderr.decode() if isinstance(exc.stderr, bytes) else exc.stderr
            raise AssertionError(
                f"`poll {args[0]}` on a newer database did not exit within 30 s (it said: {said!r})"
            ) from None
        assert proc.returncode != 0, describe(proc)
        assert "999" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


async def test_new_sets_the_rooms_voice(site, moderator, connect):
    """`poll new --reasons always --held-words ...`: the room sees reasons before results, and a
    reason with a held word waits for the moderator."""
    debate = site.new("Voices from the command line", ["Every teacher must be hybrid."], "en",
                      "--reasons", "always", "--held-words", "idiot, stupid",
                      "--screen-languages", "both", "--proposals-public")
    server = site.start()
    mod = await moderator(server, debate)
    await mod.show(debate.sid(1), "open")
    author, reader = (await connect(server, debate, participant=new_participant()),
                      await connect(server, debate, participant=new_participant()))
    assert (await author.cast(debate.sid(1), "agree"))["type"] == "ack"
    assert (await reader.cast(debate.sid(1), "disagree"))["type"] == "ack"
    await author.send({"type": "reason", "id": "r-1", "statement": debate.sid(1),
                       "text": "Only an idiot would teach in one room only."})
    assert (await author.recv_type("reason"))["held"] is True
    await author.send({"type": "reason", "id": "r-2", "statement": debate.sid(1),
                       "text": "Students are not always in the room."})
    assert (await author.recv_type("reason"))["held"] is False
    # results are not revealed, yet with --reasons always the room reads the (unheld) reason
    shown = await reader.recv_until(lambda f: f["type"] == "reasons" and f["top"].get("agree"),
                                    what="the reason, before any reveal")
    assert [r["text"] for r in shown["top"]["agree"]] == ["Students are not always in the room."]


def test_new_refuses_an_overlong_held_word_list(site, poll_cli):
    source = write_statements(site.directory / "statements.txt", ["One"])
    proc = poll_cli("new", "Too many", "--statements", source, "--db", site.db,
                    "--held-words", " ".join(f"w{i}" for i in range(300)))
    assert proc.returncode != 0
    assert "--held-words" in proc.stderr and "Traceback" not in proc.stderr
