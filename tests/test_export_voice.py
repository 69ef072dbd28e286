"""The room's voice in the report and the exports (issue 12): after an evening with reasons, +1s,
a hidden and a held reason, a changed vote, the floor and a translated statement, written to a
real SQLite file, a real server's report and downloads say what a reader would expect.

The evening is stored through the Store (the same writes the hub makes), before the server
starts; everything after that goes over HTTP to the running server, as a moderator or a reader
of the archive would go.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

import openpyxl
from support.checks import read_csv
from support.clients import Moderator, http_client
from support.debate import Debate
from support.server import run_poll
from test_report import section, text_of

from poll.model import Choice, FloorStatus, Vote
from poll.store import store_at

TRANSLATION = "Hybride onderwijs werkt"
A, N, D = Choice.AGREE, Choice.NEUTRAL, Choice.DISAGREE
VOTES = {"p_1": A, "p_2": A, "p_3": A, "p_7": A, "p_4": D, "p_5": D, "p_6": N}
# (author, text, who gave it a +1); p_6 first agreed, then changed to neutral
REASONS = [
    ("p_1", "Students choose their own pace.", {"p_2", "p_4", "p_5", "p_6"}),
    ("p_2", "=1+2", {"p_1", "p_3"}),
    ("p_3", "<script>alert(1)</script> works", {"p_1"}),
    ("p_7", "A fourth agreeing reason.", set()),
    ("p_4", "Nobody listens online.", {"p_1", "p_2", "p_3"}),  # hidden by the moderator
    ("p_5", "Hallways matter.", {"p_4"}),
    ("p_6", "Only an idiot would vote.", set()),  # held by the word list
]
HIDDEN, HELD = REASONS[4][1], REASONS[6][1]
NAMES = ("Annelies", "Bartholomeus")  # first names typed when asking for the floor


async def store_evening(db, lang: str = "en") -> tuple[Debate, dict[str, int]]:
    """The evening, written to the site's database file: the debate, its votes, reasons, +1s,
    the moderator's flags and the floor. Returns the debate and each reason's id by author."""
    async with store_at(db) as store:
        debate, key = await store.create_debate(
            "Voice night", lang, ["Hybrid teaching works", "Exams should go"],
            translations=[TRANSLATION, ""])
        first = debate.statements[0]
        await store.record_vote(Vote(debate.id, first.id, "p_6", A, f"v-{lang}-6-first"))
        for n, (who, choice) in enumerate(VOTES.items()):
            await store.record_vote(Vote(debate.id, first.id, who, choice, f"v-{lang}-{n}"))
        ids = {}
        for who, text, plus in REASONS:
            reason = await store.save_reason(debate.id, first.id, 1, who, text, held=text == HELD)
            ids[who] = reason.id
            for voter in plus:
                await store.plus_one(reason.id, voter, True)
        await store.mark_reason(debate.id, ids["p_4"], hidden=True, held=False)
        ann = await store.ask_floor(debate.id, first.id, "p_4", NAMES[0], D, "tok-a")
        await store.set_floor_status(debate.id, [ann.id], FloorStatus.WITHDRAWN)
        await store.ask_floor(debate.id, first.id, "p_4", NAMES[0], D, "tok-a2")
        bart = await store.ask_floor(debate.id, first.id, "p_1", NAMES[1], A, "tok-b")
        await store.set_floor_status(debate.id, [bart.id], FloorStatus.CALLED)
    statements = [{"id": s.id, "position": s.position, "text": s.text}
                  for s in debate.statements]
    return Debate(debate.id, debate.join_code, debate.title, statements,
                  moderator_url=f"/d/{debate.id}/moderate?key={key}"), ids


def top_list(page: str, stance: str) -> list[tuple[str, str]]:
    """(text, +1s) of the report's top reasons of one stance, in the order printed."""
    block = section(page, f'data-stance="{stance}"')
    block = block[:block.index("</ol>")]
    return [(text_of(text), plus) for text, plus in re.findall(
        r'report-reason__text[^>]*>(.*?)</span>\s*<span class="report-reason__plus" '
        r'data-plus="(\d+)"', block, re.S)]


async def test_the_report_prints_the_rooms_top_reasons_and_the_floor(site):
    debate, _ = await store_evening(site.db)
    dutch, _ = await store_evening(site.db, "nl")
    server = site.start()
    mod = await Moderator(server, debate).sign_in()
    reader = http_client(server)
    try:
        page = (await mod.get(f"/d/{debate.id}/report")).text
        first = section(page, 'id="statement-1"')
        assert re.search(r'<p class="report-statement__translation" lang="nl" dir="auto" '
                         rf'data-translation>{TRANSLATION}</p>', first), first[:800]
        # per stance the three most +1'd the room could see, with their +1s
        assert top_list(first, "agree") == [
            ("Students choose their own pace.", "4"), ("=1+2", "2"),
            ("<script>alert(1)</script> works", "1")]
        assert "&lt;script&gt;alert(1)&lt;/script&gt; works" in first, "hostile text stays text"
        assert "A fourth agreeing reason." not in first, "three per stance"
        assert top_list(first, "disagree") == [("Hallways matter.", "1")]
        assert HIDDEN not in page and HELD not in page, "hidden and held stay off the report"
        assert 'data-stance="neutral"' not in first, "the only neutral reason is held"
        counts = text_of(section(first, "data-reasons-count"))
        assert ("7 reasons given · 1 hidden by the moderator · 1 held back by the word list"
                in counts), counts
        assert ("2 participants asked for the floor; 1 was given it."
                in text_of(section(first, "data-floor")))
        assert not any(name in page for name in NAMES), "first names stay off the report"
        assert "data-voice" not in section(page, 'id="statement-2"'), "nothing said there"

        # a reader of the archive: unpublished, no round was revealed, so no reasons yet
        public = (await reader.get(f"/d/{debate.id}/report")).text
        assert "Students choose their own pace." not in public
        assert "data-reasons-count" not in public and "data-floor" in public
        response = await mod.post(f"/d/{debate.id}/publish", {"published": "1"})
        assert response.status_code in (200, 303), response.text[:300]
        public = (await reader.get(f"/d/{debate.id}/report")).text
        assert top_list(section(public, 'id="statement-1"'), "agree")[0] == (
            "Students choose their own pace.", "4")

        # the Dutch report says it in Dutch, the translation marked as English
        dutch_mod = await Moderator(server, dutch).sign_in()
        nl = section((await dutch_mod.get(f"/d/{dutch.id}/report")).text, 'id="statement-1"')
        await dutch_mod.aclose()
        assert 'lang="en" dir="auto" data-translation' in nl
        assert "7 redenen gegeven" in text_of(section(nl, "data-reasons-count")), nl
        assert "2 deelnemers vroegen het woord" in text_of(section(nl, "data-floor"))
    finally:
        await reader.aclose()
        await mod.aclose()


async def test_every_export_carries_every_reason_safely(site):
    debate, ids = await store_evening(site.db)
    server = site.start()
    mod = await Moderator(server, debate).sign_in()
    sid = debate.sid(1)
    try:
        # reasons.csv: every reason, hidden and held ones marked, hostile text neutralised
        response = await mod.export("export.csv?table=reasons")
        assert response.headers["content-type"].startswith("text/csv")
        assert f'filename="{debate.id}-reasons.csv"' in response.headers["content-disposition"]
        rows = read_csv(response.text)
        assert list(rows[0]) == ["debate", "statement_id", "position", "statement", "round",
                                 "reason_id", "participant", "stance", "plus", "hidden", "held",
                                 "created_at", "text"]
        by_author = {r["participant"]: r for r in rows}
        assert len(rows) == len(REASONS)
        assert [r["text"] for r in rows] == [
            "'=1+2" if text == "=1+2" else text for _, text, _ in REASONS]
        assert {who: int(r["plus"]) for who, r in by_author.items()} == {
            who: len(plus) for who, _, plus in REASONS}
        assert by_author["p_4"]["hidden"] == "1" and by_author["p_4"]["held"] == "0"
        assert by_author["p_6"]["held"] == "1" and by_author["p_1"]["hidden"] == "0"
        assert by_author["p_6"]["stance"] == "neutral", "the author's vote now"
        assert by_author["p_5"]["stance"] == "disagree"
        assert all(r["round"] == "1" and r["statement_id"] == str(sid) for r in rows)
        assert by_author["p_1"]["reason_id"] == str(ids["p_1"]) and by_author["p_1"]["created_at"]

        # statements.csv: the translation and the voice in numbers
        statements = read_csv((await mod.export("export.csv?table=statements")).text)
        assert statements[0]["translation"] == TRANSLATION and statements[1]["translation"] == ""
        assert [(s["reasons"], s["reasons_hidden"], s["reasons_held"], s["floor_asked"],
                 s["floor_called"]) for s in statements] == [
            ("7", "1", "1", "2", "1"), ("0", "0", "0", "0", "0")]

        # floor.csv: every request with its stance and status, no first names
        floor_csv = (await mod.export("export.csv?table=floor")).text
        floor = read_csv(floor_csv)
        assert [(f["participant"], f["stance"], f["status"]) for f in floor] == [
            ("p_4", "disagree", "withdrawn"), ("p_4", "disagree", "waiting"),
            ("p_1", "agree", "called")]
        assert not any(name in floor_csv for name in NAMES)

        # the results CSV keeps its shape; an unknown table is a 404
        results = read_csv((await mod.export("export.csv")).text)
        assert list(results[0])[:4] == ["position", "statement_id", "statement", "round"]
        assert "translation" not in results[0]
        assert (await mod.get(f"/d/{debate.id}/export.csv?table=nope")).status_code == 404

        # `poll export` writes the same table from the database file
        out = site.directory / "reasons.csv"
        done = run_poll("export", debate.id, "--format", "reasons-csv", "-o", out, "--db", site.db)
        assert done.returncode == 0, done.stderr
        assert [r["text"] for r in read_csv(out.read_text("utf-8"))] == [r["text"] for r in rows]

        # JSON: texts exactly as typed, flags as booleans, the floor without names
        doc_response = await mod.export("export.json")
        doc = doc_response.json()
        assert doc["statements"][0]["translation"] == TRANSLATION
        assert doc["statements"][0]["floor"] == {"asked": 2, "called": 1}
        reasons = {r["participant"]: r for r in doc["reasons"]}
        assert reasons["p_2"]["text"] == "=1+2" and reasons["p_2"]["plus"] == 2
        assert reasons["p_4"]["hidden"] is True and reasons["p_6"]["held"] is True
        assert reasons["p_3"]["text"] == "<script>alert(1)</script> works"
        assert set(doc["floor"][0]) == {"id", "statement_id", "participant", "stance", "status",
                                        "created_at"}
        assert not any(name in doc_response.text for name in NAMES)

        # the workbook: Statements, Reasons and Floor sheets; a formula stays text
        book = openpyxl.load_workbook(io.BytesIO((await mod.export("export.xlsx")).content))
        assert {"Statements", "Reasons", "Floor"} <= set(book.sheetnames)
        sheet = book["Reasons"]
        header = [c.value for c in sheet[1]]
        text_col = header.index("text")
        cells = {row[header.index("participant")].value: row for row in sheet.iter_rows(min_row=2)}
        risky = cells["p_2"][text_col]
        assert risky.value == "=1+2" and risky.data_type == "s" and risky.quotePrefix
        assert cells["p_4"][header.index("hidden")].value == 1
        assert cells["p_1"][header.index("plus")].value == 4
        translation = [c.value for c in book["Statements"][2]]
        assert TRANSLATION in translation

        # the Pol.is set keeps Pol.is's shape: no reason becomes a comment
        with zipfile.ZipFile(io.BytesIO((await mod.export("polis.zip")).content)) as archive:
            assert sorted(archive.namelist()) == sorted(
                ["summary.csv", "comments.csv", "votes.csv", "participants-votes.csv"])
            comments = list(csv.reader(io.StringIO(archive.read("comments.csv").decode())))
            votes = list(csv.reader(io.StringIO(archive.read("votes.csv").decode())))
            matrix = list(csv.reader(io.StringIO(
                archive.read("participants-votes.csv").decode())))
        assert comments[0] == ["timestamp", "datetime", "comment-id", "author-id", "agrees",
                               "disagrees", "moderated", "is-meta", "is-seed",
                               "group-informed-consensus", "comment-body"]
        assert len(comments) == 3, "two statements, no reasons"
        assert votes[0] == ["timestamp", "datetime", "comment-id", "voter-id", "vote"]
        assert matrix[0][:6] == ["participant", "group-id", "n-comments", "n-votes", "n-agree",
                                 "n-disagree"]
    finally:
        await mod.aclose()
