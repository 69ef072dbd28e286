"""Who thinks alike, in the exports: the demo's finished example (90 simulated people in three
opinion camps across the four audience groups) downloaded by its moderator from a real server as
JSON and as the Pol.is set, the same from `poll export` (which starts a worker of its own), and
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
import pytest
from support.clients import Moderator
from support.debate import Debate
from support.server import free_port, run_poll

from poll.demo_debate import ensure_example
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

    # `poll export` (no server: a worker of its own) finds the same groups
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
