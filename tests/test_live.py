"""A live event against a real server: phones vote over websockets, the projector and the moderator
follow, and the export keeps what was counted.

One server serves the whole module; each test has its own debate on it (made with `poll new` before
the server starts), so the tests do not depend on each other's order.
"""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass

import pytest
from support.checks import CHOICES, assert_percent, counts_of, read_csv, tally_matches
from support.clients import Phone, new_participant
from support.debate import Debate
from support.server import Server

# -- hostile text: what an attendee or a careless moderator could paste ----------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = "\"'><img src=x onerror=alert(1)>"
ARABIC = "هل يجب أن يكون التعليم الهجين مجانيا؟"
HEBREW = "האם הלמידה ההיברידית היא העתיד?"
EMOJI = "🗳️👍🏽🎉"
LONG = ("Lange stelling over hybride onderwijs " * 200)[:4999] + "!"
FORMULA = '=HYPERLINK("http://x")'
JS_LINK = "javascript:alert(document.cookie)"
HOSTILE_TITLE = f"{SCRIPT} Debat {EMOJI} {ARABIC}"
HOSTILE_STATEMENTS = [
    f"{SCRIPT} is geen stelling",
    f"{IMG} ook niet",
    f"Emoji {EMOJI} en Arabisch: {ARABIC}",
    f"עברית: {HEBREW}",
    LONG,
    FORMULA,
    "+31 6 is een telefoonnummer",
    "@SUM(A1) telt op",
    "-5 graden in de zaal",
    f"{JS_LINK} is geen link",
]


@dataclass
class Live:
    server: Server
    debates: dict[str, Debate]


@pytest.fixture(scope="module")
def live(tmp_path_factory, make_site):
    site = make_site(tmp_path_factory.mktemp("live"))
    three = ["Statement one", "Statement two", "Statement three"]
    names = ["fifty", "next", "repeat", "closed", "malformed", "connected", "reconnect"]
    debates = {name: site.new(f"Debate {name}", three) for name in names}
    assert len(LONG) == 5000
    debates["hostile"] = site.new(HOSTILE_TITLE, HOSTILE_STATEMENTS, lang="nl")
    try:
        server = site.start()
        yield Live(server, debates)
    finally:
        site.close()


async def join(connect, server: Server, debate: Debate, n: int) -> list[Phone]:
    """n phones with their own participant cookies, each past its welcome and first state."""
    phones = await asyncio.gather(
        *(connect(server, debate, "phone", new_participant()) for _ in range(n))
    )
    for phone in phones:
        welcome = await phone.recv_type("welcome")
        assert welcome["participant"] == phone.participant, welcome
        await phone.recv_type("state")
    return list(phones)


def is_state_for(statement: int):
    return lambda f: f.get("type") == "state" and (f.get("statement") or {}).get("id") == statement


def rows_for(rows: list[dict[str, str]], statement: int) -> list[dict[str, str]]:
    return [r for r in rows if r["statement_id"] == str(statement)]


def other(choice: str) -> str:
    return CHOICES[(CHOICES.index(choice) + 1) % 3]


# --------------------------------------------------------------------------------------------------


async def test_fifty_phones_vote_and_the_room_sees_the_tally(live, moderator, connect):
    server, debate = live.server, live.debates["fifty"]
    s1 = debate.sid(1)
    mod = await moderator(server, debate)
    await mod.show(s1, "open")
    screen = await connect(server, debate, "screen")
    mod_ws = await connect(server, debate, "moderator", cookie=mod.cookie_header())
    assert (await screen.recv_type("state"))["phase"] == "open"
    phones = await join(connect, server, debate, 50)

    first = ["agree"] * 23 + ["neutral"] * 9 + ["disagree"] * 18
    random.Random(7).shuffle(first)
    acks = await asyncio.gather(*(p.cast(s1, c) for p, c in zip(phones, first, strict=True)))
    for ack, choice in zip(acks, first, strict=True):
        assert (ack["type"], ack["statement"], ack["choice"]) == ("ack", s1, choice), ack

    # hidden: the projector shows how many voted, not what
    seen = await screen.recv_until(lambda f: tally_matches(f, s1, total=50), what="50 votes")
    assert seen["counts"] is None and seen["percent"] is None, seen
    assert seen["connected"] == 50, seen
    # the moderator always sees the numbers
    expected = counts_of(first)
    seen = await mod_ws.recv_until(lambda f: tally_matches(f, s1, total=50, counts=expected))
    assert_percent(seen)

    # ten phones change their minds: only their last choice counts
    final = list(first)
    for i in range(10):
        final[i] = other(first[i])
    acks = await asyncio.gather(*(phones[i].cast(s1, final[i]) for i in range(10)))
    assert all(a["type"] == "ack" for a in acks), acks
    expected = counts_of(final)
    seen = await mod_ws.recv_until(lambda f: tally_matches(f, s1, total=50, counts=expected))
    assert_percent(seen)
    tallies = [f for f in screen.frames if f.get("type") == "tally"]
    assert tallies and all(f["counts"] is None for f in tallies), (
        "hidden results reached the screen"
    )

    # reveal: the projector gets the numbers
    state = await mod.control("reveal")
    assert state["revealed"] is True and state["results"]["counts"] == expected, state
    shown = await screen.recv_until(lambda f: f.get("type") == "state" and f.get("revealed"))
    assert shown["results"]["counts"] == expected and shown["results"]["total"] == 50, shown
    assert_percent(shown["results"])

    # one more change while revealed: the screen's tally carries the new counts
    final[10] = other(final[10])
    assert (await phones[10].cast(s1, final[10]))["type"] == "ack"
    expected = counts_of(final)
    seen = await screen.recv_until(lambda f: tally_matches(f, s1, total=50, counts=expected))
    assert_percent(seen)

    # the export: every vote cast is kept, the latest choice per phone is counted
    votes = read_csv((await mod.export("votes.csv")).text)
    assert len(rows_for(votes, s1)) == 50 + 10 + 1
    results = {r["position"]: r for r in read_csv((await mod.export("export.csv")).text)}
    row = results["1"]
    assert {c: int(row[c]) for c in CHOICES} == expected, row
    assert int(row["total"]) == 50
    assert sum(int(row[f"{c}_pct"]) for c in CHOICES) == 100, row


async def test_next_statement_reaches_every_phone_and_late_votes_are_refused(
    live, moderator, connect
):
    server, debate = live.server, live.debates["next"]
    s1, s2 = debate.sid(1), debate.sid(2)
    mod = await moderator(server, debate)
    await mod.show(s1, "open")
    phones = await join(connect, server, debate, 50)
    acks = await asyncio.gather(*(p.cast(s1, CHOICES[i % 3]) for i, p in enumerate(phones[:12])))
    assert all(a["type"] == "ack" for a in acks), acks
    before = (await mod.export("export.json")).json()

    state = await mod.control("next")
    assert state["statement"]["id"] == s2 and state["phase"] == "waiting", state
    frames = await asyncio.gather(
        *(p.recv_until(is_state_for(s2), what="the next statement") for p in phones)
    )
    for frame in frames:
        assert frame["phase"] == "waiting", frame
        assert frame["statement"]["text"] == "Statement two", frame
        assert frame["statement"]["position"] == 2 and frame["count"] == 3, frame
        assert frame["revealed"] is False and frame["results"] is None, frame

    # phones that were too late for the first statement
    late = await asyncio.gather(*(p.cast(s1, "disagree") for p in phones[:20]))
    for reply in late:
        assert reply["type"] == "error", reply
        assert reply["code"] in ("not_current", "voting_closed"), reply
    # and nobody votes on the new one before the moderator opens it
    early = await phones[30].cast(s2, "agree")
    assert (early["type"], early["code"]) == ("error", "voting_closed"), early
    # once the new statement is open, a phone still showing the old one is told it moved on
    await mod.control("open")
    await phones[31].recv_until(lambda f: f.get("type") == "state" and f["phase"] == "open")
    stale = await phones[31].cast(s1, "agree")
    assert (stale["type"], stale["code"]) == ("error", "not_current"), stale

    after = (await mod.export("export.json")).json()
    assert after["votes"] == before["votes"]
    assert after["statements"] == before["statements"]


async def test_a_repeated_vote_is_acknowledged_again_and_counted_once(live, moderator, connect):
    server, debate = live.server, live.debates["repeat"]
    s1 = debate.sid(1)
    mod = await moderator(server, debate)
    await mod.show(s1, "open")
    mod_ws = await connect(server, debate, "moderator", cookie=mod.cookie_header())
    participant = new_participant()
    phone = await connect(server, debate, "phone", participant)

    first = await phone.cast(s1, "neutral", vote_id="v-1700000000-ab12")
    again = await phone.cast(s1, "neutral", vote_id="v-1700000000-ab12")
    assert (
        first
        == again
        == {"type": "ack", "id": "v-1700000000-ab12", "statement": s1, "choice": "neutral",
              "round": 1}
    )
    # the page reloads and sends its unacknowledged vote once more, on a new connection
    await phone.close()
    phone = await connect(server, debate, "phone", participant)
    welcome = await phone.recv_type("welcome")
    assert welcome["votes"] == {str(s1): "neutral"}, welcome
    third = await phone.cast(s1, "neutral", vote_id="v-1700000000-ab12")
    assert third["type"] == "ack", third

    await mod_ws.recv_until(
        lambda f: tally_matches(f, s1, total=1, counts={"agree": 0, "neutral": 1, "disagree": 0})
    )
    votes = rows_for(read_csv((await mod.export("votes.csv")).text), s1)
    assert len(votes) == 1, votes
    assert votes[0]["choice"] == "neutral"


async def test_no_vote_is_stored_while_voting_is_not_open(live, moderator, connect):
    server, debate = live.server, live.debates["closed"]
    s1 = debate.sid(1)
    mod = await moderator(server, debate)
    await mod.show(s1, "waiting")
    participant = new_participant()
    phone = await connect(server, debate, "phone", participant)
    assert (await phone.recv_type("state"))["phase"] == "waiting"

    refused = await phone.cast(s1, "agree", vote_id="too-early")
    assert refused["type"] == "error" and refused["code"] == "voting_closed", refused
    assert refused["message"], refused

    await mod.control("open")
    await phone.recv_until(lambda f: f.get("type") == "state" and f["phase"] == "open")
    assert (await phone.cast(s1, "agree"))["type"] == "ack"

    await mod.control("close")
    await phone.recv_until(lambda f: f.get("type") == "state" and f["phase"] == "closed")
    refused = await phone.cast(s1, "disagree", vote_id="too-late")
    assert refused["type"] == "error" and refused["code"] == "voting_closed", refused

    votes = rows_for(read_csv((await mod.export("votes.csv")).text), s1)
    assert [v["choice"] for v in votes] == ["agree"], votes
    await phone.close()
    phone = await connect(server, debate, "phone", participant)
    assert (await phone.recv_type("welcome"))["votes"] == {str(s1): "agree"}


async def test_malformed_frames_get_an_error_and_the_phone_can_still_vote(live, moderator, connect):
    server, debate = live.server, live.debates["malformed"]
    s1 = debate.sid(1)
    mod = await moderator(server, debate)
    await mod.show(s1, "open")
    mod_ws = await connect(server, debate, "moderator", cookie=mod.cookie_header())
    phone = await connect(server, debate, "phone", new_participant())
    await phone.recv_type("state")

    def vote(**fields):
        return json.dumps(
            {"type": "vote", "id": "v-x", "statement": s1, "choice": "agree", **fields}
        )

    bad = [
        ("this is not json {", "bad_message"),
        ("[1, 2, 3]", "bad_message"),
        ('"vote"', "bad_message"),
        ('{"type": "dance"}', "bad_message"),
        ('{"no_type": 1}', "bad_message"),
        ('{"type": "vote"}', "bad_message"),
        (json.dumps({"type": "vote", "id": "v-x", "choice": "agree"}), "bad_message"),
        (vote(statement="one"), "bad_message"),
        (vote(statement=True), "bad_message"),
        (vote(statement=None), "bad_message"),
        (vote(id=12345), "bad_message"),
        # a list is both mistyped and "not agree, neutral or disagree": either code says it
        (vote(choice=["agree"]), ("bad_message", "bad_choice")),
        (vote(choice="maybe"), "bad_choice"),
        (vote(statement=987654321), "unknown_statement"),
        (vote(pad="x" * 3 * 1024), "too_large"),
    ]
    choices = iter(CHOICES * 10)
    last = None
    for frame, code in bad:
        await phone.send(frame)
        error = await phone.recv_type("error")
        assert error["code"] in (code if isinstance(code, tuple) else (code,)), (frame[:80], error)
        assert isinstance(error.get("message"), str) and error["message"], error
        # the same connection still works
        last = next(choices)
        ack = await phone.cast(s1, last)
        assert (ack["type"], ack["choice"]) == ("ack", last), (frame[:80], ack)

    await phone.send({"type": "ping"})
    await phone.recv_type("pong")
    # nothing from the malformed frames was counted: one phone, its last choice
    await mod_ws.recv_until(lambda f: tally_matches(f, s1, total=1, counts=counts_of([last])))
    votes = rows_for(read_csv((await mod.export("votes.csv")).text), s1)
    assert len(votes) == len(bad), votes

    # a screen is not a phone
    screen = await connect(server, debate, "screen")
    await screen.recv_type("tally")
    await screen.send({"type": "vote", "id": "v-screen", "statement": s1, "choice": "agree"})
    assert (await screen.recv_type("error"))["code"] == "not_allowed"

    # a frame far beyond any vote ends that connection (close code 1009); others carry on
    await phone.send(
        {"type": "vote", "id": "v-huge", "statement": s1, "choice": "agree", "pad": "x" * 70_000}
    )
    assert await phone.wait_closed() == 1009
    other_phone = await connect(server, debate, "phone", new_participant())
    assert (await other_phone.cast(s1, "agree"))["type"] == "ack"


async def test_the_screen_counts_connected_phones(live, connect):
    server, debate = live.server, live.debates["connected"]
    screen = await connect(server, debate, "screen")
    assert (await screen.recv_type("tally"))["connected"] == 0

    phones = await join(connect, server, debate, 5)
    await screen.recv_until(lambda f: f.get("type") == "tally" and f["connected"] == 5)

    await phones[0].close()
    await phones[1].close()
    await screen.recv_until(lambda f: f.get("type") == "tally" and f["connected"] == 3)

    # the same phone in a second tab is still one phone
    second_tab = await connect(server, debate, "phone", phones[2].participant)
    await second_tab.recv_type("welcome")
    newcomer = (await join(connect, server, debate, 1))[0]
    await newcomer.close()
    screen.skip_all()
    await screen.recv_until(
        lambda f: f.get("type") == "tally" and f["connected"] == 3,
        what="connected == 3 (3 distinct phones, one of them in two tabs)",
    )
    for phone in (second_tab, *phones[2:]):
        await phone.close()
    await screen.recv_until(lambda f: f.get("type") == "tally" and f["connected"] == 0)


async def test_a_reconnecting_phone_gets_its_votes_and_the_current_state(live, moderator, connect):
    server, debate = live.server, live.debates["reconnect"]
    s1, s2 = debate.sid(1), debate.sid(2)
    mod = await moderator(server, debate)
    await mod.show(s1, "open")
    participant = new_participant()
    phone = await connect(server, debate, "phone", participant)
    welcome = await phone.recv_type("welcome")
    assert (welcome["participant"], welcome["votes"]) == (participant, {}), welcome

    assert (await phone.cast(s1, "agree"))["type"] == "ack"
    assert (await phone.cast(s1, "neutral"))["type"] == "ack"
    await mod.show(s2, "open", revealed=True)
    await phone.recv_until(is_state_for(s2))
    assert (await phone.cast(s2, "disagree"))["type"] == "ack"
    await phone.close()

    phone = await connect(server, debate, "phone", participant)
    welcome = await phone.recv_type("welcome")
    assert welcome["participant"] == participant
    assert welcome["votes"] == {str(s1): "neutral", str(s2): "disagree"}, welcome
    state = await phone.recv_type("state")
    assert state["statement"]["id"] == s2 and state["phase"] == "open", state
    assert state["revealed"] is True and state["results"]["counts"]["disagree"] == 1, state
    assert phone.frames.index(welcome) < phone.frames.index(state), "welcome comes first"

    # a phone without a cookie gets an id of its own for this connection
    anonymous = [await connect(server, debate, "phone") for _ in range(2)]
    ids = [(await a.recv_type("welcome"))["participant"] for a in anonymous]
    assert all(isinstance(i, str) and i for i in ids) and ids[0] != ids[1], ids
    assert participant not in ids
    ack = await anonymous[0].cast(s2, "agree")
    assert ack["type"] == "ack", ack


async def test_hostile_text_is_shown_escaped_and_exported_safely(live, moderator, connect):
    server, debate = live.server, live.debates["hostile"]
    mod = await moderator(server, debate)
    by_text = {s["text"]: s["id"] for s in debate.statements}
    assert list(by_text) == HOSTILE_STATEMENTS, "poll new changed the statements"

    # the websocket carries every text verbatim
    screen = await connect(server, debate, "screen")
    phone = await connect(server, debate, "phone", new_participant())
    assert (await screen.recv_type("state"))["debate"]["title"] == HOSTILE_TITLE
    order = [*HOSTILE_STATEMENTS[1:], HOSTILE_STATEMENTS[0]]  # the first one is on screen already
    for text in order:
        sid = by_text[text]
        assert (await mod.control("goto", sid))["statement"]["text"] == text
        for client in (screen, phone):
            frame = await client.recv_until(is_state_for(sid))
            assert frame["statement"]["text"] == text
            assert frame["debate"]["title"] == HOSTILE_TITLE

    # a vote on the formula statement, so the votes export has it too
    await mod.show(by_text[FORMULA], "open")
    assert (await phone.cast(by_text[FORMULA], "agree"))["type"] == "ack"
    # the pages, with the <script> statement on screen
    await mod.show(by_text[HOSTILE_STATEMENTS[0]], "open")
    pages = {
        "screen": f"/d/{debate.id}/screen",
        "vote": f"/j/{debate.join_code}",
        "moderate": f"/d/{debate.id}/moderate",
        "archive": "/archive",
        "results": f"/d/{debate.id}/results",
    }
    escaped_script = "&lt;script&gt;alert(1)&lt;/script&gt;"
    for name, path in pages.items():
        response = await mod.get(path)
        assert response.status_code == 200, (name, response.status_code)
        body = response.text
        assert SCRIPT not in body, f"raw <script> in the {name} page"
        assert "<img src=x" not in body, f"raw <img> in the {name} page"
        assert escaped_script in body, f"the {name} page does not show the title escaped"
        assert ARABIC in body and EMOJI in body, f"the {name} page lost the title's text"
        assert 'href="javascript:' not in body and "src=\"javascript:" not in body, name
    for name in ("moderate", "results"):
        body = (await mod.get(pages[name])).text
        assert "&lt;img src=x onerror=alert(1)&gt;" in body, name
        assert HEBREW in body and LONG in body, name
    for name in ("screen", "vote"):  # the current statement, as plain HTML before any script
        body = (await mod.get(pages[name])).text
        assert f"{escaped_script} is geen stelling" in body, name

    # spreadsheets: no cell starts a formula
    results = read_csv((await mod.export("export.csv")).text)
    statements = [r["statement"] for r in results]
    assert f"'{FORMULA}" in statements
    assert "'+31 6 is een telefoonnummer" in statements
    assert "'@SUM(A1) telt op" in statements
    assert "'-5 graden in de zaal" in statements
    assert LONG in statements and f"{IMG} ook niet" in statements
    assert FORMULA not in statements
    votes = read_csv((await mod.export("votes.csv")).text)
    assert [v["statement"] for v in votes] == [f"'{FORMULA}"], votes
    # JSON is not a spreadsheet: it keeps the text as written
    doc = (await mod.export("export.json")).json()
    assert [s["text"] for s in doc["statements"]] == HOSTILE_STATEMENTS
    assert doc["debate"]["title"] == HOSTILE_TITLE
