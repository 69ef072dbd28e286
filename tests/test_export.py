"""Every export after a real evening in the new formats (tests/support/formats_event.py): CSV and
JSON with rounds and groups, the XLSX workbook read back, the Pol.is CSV set, and `poll export`
writing the binary ones.

It stays on a real server: the phones of the evening vote over real websockets, and the exports'
checks read what those votes became; `poll export` then reads the same database file.
"""

from __future__ import annotations

import csv
import io
import os
import pty
import subprocess
import sys
import zipfile

import openpyxl
from support import formats_event
from support.checks import read_csv
from support.formats_event import GROUPS, NOTES, ROUND_1, ROUND_2, SECOND, STATEMENTS
from support.server import ROOT, describe, poll_env, run_poll

HOSTILE = STATEMENTS[1]  # =HYPERLINK(...)


def polis_csv(archive: zipfile.ZipFile, name: str) -> list[list[str]]:
    raw = archive.read(name)
    assert not raw.startswith(b"\xef\xbb\xbf"), "Pol.is files carry no byte-order mark"
    return list(csv.reader(io.StringIO(raw.decode("utf-8"))))


async def test_every_export_after_an_evening_with_groups_and_two_rounds(site, tmp_path):
    server = site.start()
    event = await formats_event.run(server)
    mod, debate = event.moderator, event.debate
    s1, s2, s3 = event.sid(1), event.sid(2), event.sid(3)
    group_of = {name: {"W": "Werkveld", "H": "Hogeschool"}.get(name[0], "")
                for name in event.participants}
    try:
        # results.csv: a row per statement and round
        rows = read_csv((await mod.export("export.csv")).text)
        assert [(r["position"], r["round"]) for r in rows] == [
            ("1", "1"), ("1", "2"), ("2", "1"), ("3", "1")]
        assert [(r["agree"], r["neutral"], r["disagree"], r["total"]) for r in rows[:3]] == [
            ("3", "1", "2", "6"), ("4", "1", "1", "6"), ("2", "1", "3", "6")]
        assert rows[2]["statement"] == "'" + HOSTILE, "a formula is neutralised"
        assert rows[2]["statement_id"] == str(s2)

        # votes.csv: round and group on every vote
        votes = read_csv((await mod.export("votes.csv")).text)
        assert len(votes) == 18
        who = {p: n for n, p in event.participants.items()}
        for vote in votes:
            name = who[vote["participant"]]
            assert vote["group"] == group_of[name], vote
            expected = {(str(s1), "1"): ROUND_1, (str(s1), "2"): ROUND_2,
                        (str(s2), "1"): SECOND}[(vote["statement_id"], vote["round"])]
            assert vote["choice"] == expected[name], vote

        # JSON: settings, groups, attendance, rounds, split, swing, notes, proposals
        doc = (await mod.export("export.json")).json()
        assert doc["settings"] == {"scale": "three", "choices": ["agree", "neutral", "disagree"],
                                   "visibility": "reveal", "proposals": False}
        assert [g["name"] for g in doc["groups"]] == GROUPS
        assert doc["attendance"]["participants"] == 6
        assert doc["attendance"]["votes_counted"] == doc["attendance"]["votes_cast"] == 18
        first = doc["statements"][0]
        assert first["notes"] == NOTES and first["rounds"] == 2
        assert [r["round"] for r in first["results_by_round"]] == [1, 2]
        assert first["results"] == {k: v for k, v in first["results_by_round"][1].items()
                                    if k != "round"}, "results: the latest round"
        assert first["swing"]["leader"] == "agree" and first["swing"]["points"] == 17
        assert first["swing"]["voters"] == 6
        split = {g["name"]: g["agree"] for g in first["groups"]}
        assert split == {"Werkveld": 100, "Hogeschool": 50, None: 0}
        assert doc["statements"][2]["results"]["total"] == 0
        assert doc["highlights"]["most_divided"]["statement_id"] == s2
        assert doc["highlights"]["groups_differ"]["points"] == 67
        assert doc["proposals"] == []
        assert {v["round"] for v in doc["votes"]} == {1, 2}

        # XLSX: the sheets, read back; text stays text, nothing is a formula
        response = await mod.export("export.xlsx")
        assert response.headers["content-type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        assert f'filename="{debate.id}-results.xlsx"' in response.headers["content-disposition"]
        path = tmp_path / "results.xlsx"
        path.write_bytes(response.content)
        book = openpyxl.load_workbook(path)
        assert book.sheetnames == ["Summary", "Results", "Groups", "Swing", "Votes", "Proposals",
                                  "Statements", "Reasons", "Floor", "Opinion map",
                                  "Opinion groups"]
        results = list(book["Results"].iter_rows(values_only=True))
        assert results[0][:4] == ("position", "statement_id", "statement", "round")
        hostile = book["Results"].cell(row=4, column=3)
        assert hostile.value == HOSTILE and hostile.data_type == "s" and hostile.quotePrefix
        summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r[0]}
        assert summary["Title"] == formats_event.TITLE and summary["Participants"] == 6
        assert summary["Most changed"].startswith("1. Hybrid teaching works (agree +17")
        groups = [r for r in book["Groups"].iter_rows(values_only=True)][1:]
        assert [(r[0], r[3], r[-1]) for r in groups if r[0] == 1] == [
            (1, "Werkveld", 100), (1, "Hogeschool", 50), (1, "(no group)", 0)]
        swing = list(book["Swing"].iter_rows(values_only=True))
        assert len(swing) == 2 and swing[1][0] == 1 and swing[1][-3:] == ("agree", 17, False)
        assert book["Votes"].max_row == 1 + 18
        assert book["Summary"].column_dimensions["B"].width > 20, "columns are sized"
        with zipfile.ZipFile(path) as xlsx:
            sheets = [n for n in xlsx.namelist() if n.startswith("xl/worksheets/sheet")]
            assert sheets and not any(b"<f>" in xlsx.read(n) for n in sheets), "no formulas"

        # Pol.is: the four files, their exact headers, its vote encoding
        response = await mod.export("polis.zip")
        assert response.headers["content-type"] == "application/zip"
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        assert sorted(archive.namelist()) == sorted(
            ["summary.csv", "comments.csv", "votes.csv", "participants-votes.csv"])
        summary = polis_csv(archive, "summary.csv")
        assert [r[0] for r in summary] == ["topic", "url", "voters", "voters-in-conv",
                                           "commenters", "comments", "groups",
                                           "conversation-description"]
        facts = dict((r[0], r[1]) for r in summary)
        assert facts["url"] == f"{server.url}/j/{debate.join_code}"
        # six phones are too few for an opinion map: no Pol.is groups
        assert (facts["voters"], facts["comments"], facts["groups"]) == ("6", "3", "0")

        comments = polis_csv(archive, "comments.csv")
        assert comments[0] == ["timestamp", "datetime", "comment-id", "author-id", "agrees",
                               "disagrees", "moderated", "is-meta", "is-seed",
                               "group-informed-consensus", "comment-body"]
        by_id = {int(r[2]): r for r in comments[1:]}
        assert sorted(by_id) == sorted([s1, s2, s3])
        # the latest round counts: statement 1 had 4 agree, 1 disagree in round 2
        assert by_id[s1][4:7] == ["4", "1", "1"] and by_id[s2][4:7] == ["2", "3", "1"]
        assert by_id[s2][10] == "'" + HOSTILE
        assert by_id[s1][7:10] == ["false", "true", ""], "a seed; no groups, no consensus"
        assert by_id[s1][3] == "0", "the moderator (author 0) wrote the statements"
        assert "GMT+0000 (Coordinated Universal Time)" in by_id[s1][1]

        polis_votes = polis_csv(archive, "votes.csv")
        assert polis_votes[0] == ["timestamp", "datetime", "comment-id", "voter-id", "vote"]
        assert len(polis_votes) == 1 + 12  # one per participant and statement, latest round
        assert {r[4] for r in polis_votes[1:]} == {"1", "0", "-1"}

        matrix = polis_csv(archive, "participants-votes.csv")
        assert matrix[0] == ["participant", "group-id", "n-comments", "n-votes", "n-agree",
                             "n-disagree", str(s1), str(s2), str(s3)]
        encode = {"agree": "1", "neutral": "0", "disagree": "-1"}
        expected_rows = {
            (str(i), "", "0", "2",  # group-id: the opinion group, and there is no map
             str([ROUND_2[name], SECOND[name]].count("agree")),
             str([ROUND_2[name], SECOND[name]].count("disagree")),
             encode[ROUND_2[name]], encode[SECOND[name]], "")
            for i, name in enumerate(formats_event.PHONES, start=1)}
        assert {tuple(r) for r in matrix[1:]} == expected_rows
    finally:
        await event.close()
    server.stop()

    # `poll export --format xlsx|polis --out FILE` writes the same files
    for fmt, name in (("xlsx", "cli.xlsx"), ("polis", "cli.zip")):
        out = tmp_path / name
        proc = run_poll("export", debate.id, "--format", fmt, "--out", out, "--db", site.db)
        assert proc.returncode == 0, describe(proc)
        assert zipfile.is_zipfile(out), fmt
    assert openpyxl.load_workbook(tmp_path / "cli.xlsx").sheetnames[0] == "Summary"
    with zipfile.ZipFile(tmp_path / "cli.zip") as archive:
        assert "participants-votes.csv" in archive.namelist()

    # ... to stdout when it is a file, but never to a terminal
    with (tmp_path / "piped.xlsx").open("wb") as sink:
        piped = subprocess.run([sys.executable, "-m", "poll", "export", debate.id, "--format",
                                "xlsx", "--db", str(site.db)], cwd=ROOT, env=poll_env(),
                               stdout=sink, stderr=subprocess.PIPE, check=False, timeout=120)
    assert piped.returncode == 0, piped.stderr
    assert openpyxl.load_workbook(tmp_path / "piped.xlsx").sheetnames[-1] == "Opinion groups"
    leader, follower = pty.openpty()
    try:
        refused = subprocess.run(
            [sys.executable, "-m", "poll", "export", debate.id, "--format", "polis",
             "--db", str(site.db)], cwd=ROOT, env=poll_env(), stdout=follower,
            stderr=subprocess.PIPE, check=False, timeout=120)
    finally:
        os.close(follower)
        os.close(leader)
    assert refused.returncode != 0
    assert b"--out FILE" in refused.stderr and b"Traceback" not in refused.stderr
