"""Who thinks alike, in the exports: the demo's finished example (90 simulated people in three
opinion camps across the four audience groups) downloaded by its moderator from a real server as
JSON, as the workbook and as the Pol.is set, the same from `poll export` (which computes the map
in its own process), and
the Pol.is set read back by red-dwarf's own CSV loader over HTTP on 127.0.0.1, with no other
network, finding the same groups."""

from __future__ import annotations

import csv
import io
import socket
import subprocess
import sys
import time
import warnings
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

import httpx
import openpyxl
import pytest
from support.clients import Moderator
from support.debate import Debate
from support.server import free_port, run_poll

from poll.demo_debate import ensure_example
from poll.exports.opinion import group_informed_consensus
from poll.store import store_at

PARTICIPANT_COLUMNS = ["participant", "group-id", "n-comments", "n-votes", "n-agree",
                       "n-disagree"]
COMMENT_COLUMNS = ["timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees",
                   "moderated", "is-meta", "is-seed", "group-informed-consensus",
                   "comment-body"]


async def make_example(db: Path) -> tuple[str, str, str]:
    """The demo's finished example in `db`: (debate id, join code, a moderator key)."""
    async with store_at(str(db)) as store:
        example = await ensure_example(store)
        key, _ = await store.new_key(example.id)
    return example.id, example.join_code, key


def rows(archive: zipfile.ZipFile, name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(archive.read(name).decode("utf-8"))))


def partition(groups: dict[str, list[str]]) -> set[frozenset[str]]:
    return {frozenset(members) for members in groups.values()}


def opinion_groups(document: dict) -> dict[str, list[str]]:
    members: dict[str, list[str]] = defaultdict(list)
    for placed in document["opinion"]["placed"]:
        if placed["group"] is not None:
            members[placed["group"]].append(placed["participant"])
    return members


async def test_the_example_exports_who_thinks_alike(site, tmp_path):
    debate_id, code, key = await make_example(site.db)
    server = site.start()
    mod = await Moderator(server, Debate(debate_id, code, "", [], moderator_url=(
        f"{server.url}/d/{debate_id}/moderate?key={key}"))).sign_in()
    try:
        document = (await mod.export("export.json")).json()
        book = openpyxl.load_workbook(io.BytesIO((await mod.export("export.xlsx")).content))
        with zipfile.ZipFile(io.BytesIO((await mod.export("polis.zip")).content)) as archive:
            matrix = rows(archive, "participants-votes.csv")
            comments = rows(archive, "comments.csv")
            summary = dict((r[0], r[1]) for r in rows(archive, "summary.csv"))
    finally:
        await mod.aclose()
    server.stop()

    opinion = document["opinion"]
    assert (opinion["min_votes"], opinion["min_participants"]) == (3, 10)
    assert opinion["computed_at"] and opinion["why_no_groups"] is None
    assert opinion["voters"] == 90 and len(opinion["placed"]) == 90
    groups = opinion_groups(document)
    assert sorted(groups) == ["A", "B", "C"]
    assert [g["size"] for g in opinion["groups"]] == [len(groups[g]) for g in "ABC"]
    assert all(g["representative"] for g in opinion["groups"])
    # the participants are the votes' anonymous ids; each opinion group mixes audience groups
    audience = {v["participant"]: v["group"] for v in document["votes"]}
    assert set(audience) == {p["participant"] for p in opinion["placed"]}
    for members in groups.values():
        assert len({audience[p] for p in members}) >= 3, Counter(audience[p] for p in members)
    # every camp wants universities and companies to do more; they part on the rest
    position = {s["id"]: s["position"] for s in document["statements"]}
    assert {position[s["statement_id"]] for s in opinion["consensus"]} == {4, 5}
    assert {position[d["statement_id"]] for d in opinion["divisive"]} == {1, 2, 3, 6}

    # the Pol.is set: Pol.is's columns, group-id its numeric opinion group id (A = 0, ...)
    assert matrix[0][:6] == PARTICIPANT_COLUMNS
    assert Counter(r[1] for r in matrix[1:]) == {
        str(i): len(groups[letter]) for i, letter in enumerate("ABC")}
    assert (summary["groups"], summary["voters-in-conv"]) == ("3", "90")
    assert comments[0] == COMMENT_COLUMNS
    seeds = {r[2]: (r[7], r[8]) for r in comments[1:]}
    proposed = next(s["id"] for s in document["statements"] if s["proposed"])
    assert seeds.pop(str(proposed)) == ("false", "false"), "the audience's statement"
    assert set(seeds.values()) == {("false", "true")}, "the moderator's statements are seeds"
    assert all(0 < float(r[9]) < 1 for r in comments[1:])

    # the moderator's workbook carries the same map
    placed = {p["participant"]: p["group"] for p in opinion["placed"]}
    sheet = book["Opinion map"].iter_rows(min_row=2, values_only=True)
    assert {r[0]: r[1] for r in sheet} == placed

    # `poll export` (no server: the map computed in its own process) finds the same groups
    proc = run_poll("export", debate_id, "--format", "json", "--db", site.db)
    assert proc.returncode == 0, proc.stderr
    import json

    assert partition(opinion_groups(json.loads(proc.stdout))) == partition(groups)


@pytest.fixture
def served(tmp_path):
    """Serves a directory over HTTP on 127.0.0.1 (python -m http.server) until the test ends."""
    processes: list[subprocess.Popen[bytes]] = []

    def serve(directory: Path) -> str:
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
             "--directory", str(directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(process)
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(url + "summary.csv", trust_env=False, timeout=5).raise_for_status()
                return url
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "http.server did not start"
                time.sleep(0.2)

    yield serve
    for process in processes:
        process.terminate()
        process.wait(timeout=30)


def only_loopback(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """From here on this process connects to 127.0.0.1 only: any other address raises (and is
    recorded), so a loader that reaches for pol.is fails the test."""
    elsewhere: list[object] = []
    connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> None:
        host = address[0] if isinstance(address, tuple) else address
        if host not in ("127.0.0.1", "::1"):
            elsewhere.append(address)
            raise OSError(f"the test allows 127.0.0.1 only, not {address!r}")
        connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    return elsewhere


@pytest.mark.filterwarnings("ignore")
async def test_red_dwarfs_loader_reads_our_polis_set(site, tmp_path, served, monkeypatch):
    debate_id, _, _ = await make_example(site.db)
    out = tmp_path / "polis.zip"
    proc = run_poll("export", debate_id, "--format", "polis", "--out", out, "--db", site.db)
    assert proc.returncode == 0, proc.stderr
    files = tmp_path / "polis"
    with zipfile.ZipFile(out) as archive:
        archive.extractall(files)
        ours = {int(r[0]): r[1] for r in rows(archive, "participants-votes.csv")[1:]}
    url = served(files)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # red-dwarf's pydantic models warn at import time
        from reddwarf.data_loader import Loader
        from reddwarf.implementations.polis import run_pipeline
    from sklearn.metrics import adjusted_rand_score

    elsewhere = only_loopback(monkeypatch)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        loader = Loader(directory_url=url, is_cache_enabled=False)
    assert not elsewhere, f"the loader reached beyond 127.0.0.1: {elsewhere}"
    assert not [w for w in said if "is_meta" in str(w.message)], [str(w.message) for w in said]
    assert len(loader.comments_data) == 6
    assert all(c["is_meta"] is False for c in loader.comments_data)
    assert len({v["participant_id"] for v in loader.votes_data}) == 90
    assert {v["vote"] for v in loader.votes_data} == {-1, 0, 1}, "agree = +1, as Pol.is exports"

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # Pol.is places people with 7 votes; a six-statement debate needs our threshold, 3
        theirs = run_pipeline(
            votes=loader.votes_data, random_state=0, min_user_vote_threshold=3,
            meta_statement_ids=[c["statement_id"] for c in loader.comments_data
                                if c["is_meta"]]).participants_df
    clustered = theirs["cluster_id"].dropna()
    assert clustered.nunique() == 3, clustered.value_counts()
    people = sorted(int(p) for p in clustered.index)
    agreement = adjusted_rand_score([int(clustered[p]) for p in people],
                                    [int(ours[p]) for p in people])
    assert agreement >= 0.8, agreement


async def test_poll_export_writes_the_map_into_the_workbook(site, tmp_path):
    """`poll export --format xlsx` (the map computed in the command's own process): a sheet of
    each participant's group and position as the JSON has them, and a sheet of what each group
    believes, what every group shares and what divides them, in the statements' words."""
    debate_id, _, _ = await make_example(site.db)
    proc = run_poll("export", debate_id, "--format", "json", "--db", site.db)
    assert proc.returncode == 0, proc.stderr
    import json

    document = json.loads(proc.stdout)
    opinion = document["opinion"]
    out = tmp_path / "book.xlsx"
    proc = run_poll("export", debate_id, "--format", "xlsx", "--out", out, "--db", site.db)
    assert proc.returncode == 0, proc.stderr
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[-2:] == ["Opinion map", "Opinion groups"]

    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r[0]}
    assert summary["Opinion groups"] == ", ".join(
        f"{g['letter']} {g['size']}" for g in opinion["groups"])  # "A 38, B 32, C 20"
    assert summary["Opinion groups"] == "A 38, B 32, C 20"

    people = list(book["Opinion map"].iter_rows(values_only=True))
    assert people[0] == ("participant", "opinion_group", "x", "y")
    # the same map: every placed participant, the same letter and position as in the JSON
    assert {(p, g, x, y) for p, g, x, y in people[1:]} == {
        (p["participant"], p["group"], p["x"], p["y"]) for p in opinion["placed"]}
    assert {r[1] for r in people[1:]} == {"A", "B", "C"}
    voters = {r[5] for r in book["Votes"].iter_rows(min_row=2, values_only=True)}
    assert {r[0] for r in people[1:]} <= voters, "the Votes sheet's anonymous ids"

    beliefs = list(book["Opinion groups"].iter_rows(values_only=True))
    assert beliefs[0][:8] == ("kind", "group", "group_size", "position", "statement",
                              "direction", "share_pct", "votes")
    text = {s["position"]: s["text"] for s in document["statements"]}
    rows = [dict(zip(beliefs[0], r, strict=True)) for r in beliefs[1:]]
    representative = [r for r in rows if r["kind"] == "representative"]
    assert {r["group"] for r in representative} == {"A", "B", "C"}
    for group in opinion["groups"]:
        mine = [r for r in representative if r["group"] == group["letter"]]
        assert [r["position"] for r in mine] == [
            next(s["position"] for s in document["statements"] if s["id"] == b["statement_id"])
            for b in group["representative"]], "most representative first"
        for r, b in zip(mine, group["representative"], strict=True):
            assert r["group_size"] == group["size"] and r["statement"] == text[r["position"]]
            assert r["direction"] == b["direction"] and r["votes"] == b["voters"]
            assert r["share_pct"] == round(100 * b["count"] / b["voters"])
    assert {r["position"] for r in rows if r["kind"] == "consensus"} == {4, 5}
    divisive = [r for r in rows if r["kind"] == "divisive"]
    assert {r["position"] for r in divisive} == {1, 2, 3, 6}
    assert all(r["agreeing_groups"] and r["disagreeing_groups"] and r["spread_points"] > 0
               for r in divisive)


def test_group_informed_consensus_is_poliss_formula() -> None:
    """Pol.is (math/src/polismath/math/conversation.clj, :group-aware-consensus): per comment
    the product over the groups of (agrees + 1) / (votes + 2), passes counted among the votes,
    a group that did not vote on it counting 1/2; participants in no group left out."""
    groups = {1: 0, 2: 0, 3: 1, 4: 1, 5: 1}  # participant -> group; 6 is in none
    votes = {
        10: {1: 1, 2: -1, 3: 1, 4: 1, 5: 0, 6: -1},  # group 0: 1 of 2 agree; group 1: 2 of 3
        11: {1: 1, 2: 1, 6: 1},  # group 1 did not vote on it
        12: {3: -1, 4: -1, 5: -1},  # group 0 did not vote; group 1: none of 3 agree
    }
    got = group_informed_consensus(groups, votes)
    # by hand: (1+1)/(2+2) * (2+1)/(3+2) = 0.5 * 0.6
    assert got[10] == pytest.approx(0.30)
    assert got[11] == pytest.approx((2 + 1) / (2 + 2) * (0 + 1) / (0 + 2))  # 0.375
    assert got[12] == pytest.approx(0.5 * (0 + 1) / (3 + 2))  # 0.1
    assert group_informed_consensus({}, votes) == {}, "no groups: no consensus figure"
