"""Debate formats through a real server: phones pick groups and propose statements over real
websockets, the moderator runs a second round, a countdown and the settings over HTTP, and bad
input gets a clear 4xx (issue 6).

Duplicating a debate and refusing bad settings need no socket: those tests run in-process (the app
over httpx's ASGITransport); the others need the live websockets of a real server.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3

from support import WAIT
from support.checks import tally_matches
from support.clients import csrf_fields, http_client, new_participant, participant_in

# readable names for well-formed participant ids (the server ignores malformed cookies)
P = {name: new_participant() for name in (
    "p_ind1", "p_ind2", "p_ind3", "p_sch1", "p_sch2", "p_proposer", "p_locked", "p_timer")}


async def test_groups_and_a_second_round_reach_the_projector_and_the_moderator(
        site, moderator, connect):
    debate = site.new("Hubs", ["Hubs are the future", "Second"], "en",
                      "--group", "Industry", "--group", "School", "--visibility", "closed")
    assert [g["name"] for g in debate.raw["groups"]] == ["Industry", "School"]
    industry, school = (g["id"] for g in debate.raw["groups"])
    server = site.start()
    mod = await moderator(server, debate)
    screen = await connect(server, debate, "screen")
    desk = await connect(server, debate, "moderator", cookie=mod.cookie_header())
    state = await screen.recv_type("state")
    assert [g["name"] for g in state["debate"]["groups"]] == ["Industry", "School"]
    assert state["debate"]["visibility"] == "closed"

    picks = {P["p_ind1"]: industry, P["p_ind2"]: industry, P["p_ind3"]: industry,
             P["p_sch1"]: school, P["p_sch2"]: school}
    phones = {}
    for participant, group in picks.items():
        phone = await connect(server, debate, participant=participant)
        welcome = await phone.recv_type("welcome")
        assert welcome["group"] is None
        await phone.send({"type": "group", "group": group})
        assert await phone.recv_type("group") == {"type": "group", "group": group}
        phones[participant] = phone
    # a phone that reconnects remembers its group
    again = await connect(server, debate, participant=P["p_sch1"])
    assert (await again.recv_type("welcome"))["group"] == school

    s1 = debate.sid(1)
    await mod.control("open")
    first = {P["p_ind1"]: "agree", P["p_ind2"]: "disagree", P["p_ind3"]: "disagree",
             P["p_sch1"]: "disagree", P["p_sch2"]: "disagree"}
    for participant, choice in first.items():
        ack = await phones[participant].cast(s1, choice)
        assert (ack["type"], ack["round"]) == ("ack", 1), ack
    frame = await desk.recv_until(lambda f: tally_matches(f, s1, total=5))
    assert [(g["name"], g["agree"]) for g in frame["groups"]] == [("Industry", 33),
                                                                  ("School", 0)]
    # visibility "closed": the projector sees numbers once voting closes, not before
    assert (await screen.recv_until(lambda f: tally_matches(f, s1, total=5)))["counts"] is None
    closed = await mod.control("close")
    assert closed["results"]["percent"]["disagree"] == 80
    await screen.recv_until(lambda f: f.get("type") == "state" and f["phase"] == "closed"
                            and f["results"] is not None)

    state = await mod.control("round2")
    assert (state["round"], state["phase"], state["statement"]["rounds"]) == (2, "open", 2)
    # the old round's vote is refused when a phone says it meant round 1
    await phones[P["p_ind2"]].send({"type": "vote", "id": "v-old", "statement": s1,
                                 "choice": "agree", "round": 1})
    assert (await phones[P["p_ind2"]].reply_to("v-old"))["code"] == "not_current"
    second = {P["p_ind1"]: "agree", P["p_ind2"]: "agree", P["p_ind3"]: "agree",
              P["p_sch1"]: "agree", P["p_sch2"]: "disagree"}
    for participant, choice in second.items():
        assert (await phones[participant].cast(s1, choice))["round"] == 2
    await mod.control("close")
    await mod.control("show_groups")
    revealed = await mod.control("reveal")
    assert revealed["results"]["swing"]["points"] == 60  # agree 20% -> 80% among the same five
    frame = await screen.recv_until(
        lambda f: tally_matches(f, s1, total=5) and f.get("swing") is not None
        and f.get("groups") is not None)
    assert frame["round"] == 2 and frame["before"]["percent"]["agree"] == 20
    assert (frame["swing"]["leader"], frame["swing"]["draw"]) == ("agree", False)
    assert [(g["name"], g["agree"]) for g in frame["groups"]] == [("Industry", 100),
                                                                  ("School", 50)]
    # phones never get the split by group
    phone_state = await phones[P["p_sch2"]].recv_until(
        lambda f: f.get("type") == "state" and f["revealed"])
    assert phone_state["results"]["swing"]["points"] == 60
    assert "groups" not in phone_state["results"]

    # the archive keeps both rounds
    votes = (await mod.export("export.json")).json()
    assert votes["statements"][0]["results"]["total"] == 5


async def test_proposals_from_phones_reach_the_moderator_queue(site, moderator, connect):
    debate = site.new("Open floor", ["First"], "en", "--proposals")
    server = site.start()
    mod = await moderator(server, debate)
    desk = await connect(server, debate, "moderator", cookie=mod.cookie_header())
    assert (await desk.recv_type("proposals"))["pending"] == []
    phone = await connect(server, debate, participant=P["p_proposer"])
    await phone.recv_type("welcome")
    hostile = '<script>alert("x")</script> =HYPERLINK("http://evil")'
    await phone.send({"type": "propose", "id": "p-1", "text": hostile})
    assert await phone.recv_type("proposed") == {"type": "proposed", "id": "p-1"}
    queue = await desk.recv_until(lambda f: f.get("type") == "proposals" and f["pending"])
    (waiting,) = queue["pending"]
    assert waiting["text"] == hostile  # text stays text; pages set it with textContent

    for bad, code in ((
        {"type": "propose", "id": "p-2", "text": "x" * 301}, "bad_proposal"),
        ({"type": "propose", "id": "p-3", "text": "   "}, "bad_proposal"),
        ({"type": "propose", "text": "no id"}, "bad_message"),
        ({"type": "group", "group": "one"}, "bad_message"),
        ({"type": "group", "group": 424242}, "unknown_group"),
    ):
        await phone.send(bad)
        error = await phone.recv_type("error")
        assert error["code"] == code, (bad, error)
        assert error["message"]

    page = await mod.load_page()
    assert "&lt;script&gt;" in page.text and "<script>alert" not in page.text
    response = await mod.post(f"/d/{debate.id}/proposals/{waiting['id']}",
                              {"decision": "approve", "text": "Labs for all"},
                              json_reply=True)
    assert response.status_code == 200, response.text
    state = response.json()
    assert state["count"] == 2
    queue = await desk.recv_until(lambda f: f.get("type") == "proposals" and not f["pending"])
    assert queue["pending"] == []
    exported = (await mod.export("export.json")).json()
    assert [s["text"] for s in exported["statements"]] == ["First", "Labs for all"]

    # deciding again, or an unknown proposal: 404; a made-up decision: 400
    for path, data, status in (
        (f"/d/{debate.id}/proposals/{waiting['id']}", {"decision": "reject"}, 404),
        (f"/d/{debate.id}/proposals/999999", {"decision": "reject"}, 404),
        (f"/d/{debate.id}/proposals/{waiting['id']}", {"decision": "maybe"}, 400),
    ):
        response = await mod.post(path, data, json_reply=True)
        assert response.status_code == status, (path, data, response.status_code)
        assert response.json()["message"]

    # the moderator stops taking proposals: phones hear it and are refused
    response = await mod.post(f"/d/{debate.id}/settings", {"proposals": "0"}, json_reply=True)
    assert response.status_code == 200 and response.json()["debate"]["proposals"] is False
    await phone.send({"type": "propose", "id": "p-9", "text": "Too late"})
    assert (await phone.recv_type("error"))["code"] == "proposals_closed"


async def test_settings_and_controls_refuse_bad_input_with_a_4xx(app):
    # in-process: refusals over HTTP alone (good settings reaching the pages: the next test)
    debate = await app.new("Settings", ["One"], "en")
    mod = await app.moderator(debate)
    cases = [
        ("control", {"action": "timer", "seconds": "soon"}, 400),
        ("control", {"action": "timer", "seconds": "2"}, 400),
        ("control", {"action": "timer", "seconds": "99999999999"}, 400),
        ("control", {"action": "show_groups"}, 409),  # no groups
        ("control", {"action": "round2"}, 409),  # nobody voted
        ("settings", {"scale": "seven"}, 400),
        ("settings", {"visibility": "sometimes"}, 400),
        ("settings", {"groups": "\n".join(f"G{i}" for i in range(13))}, 400),
        ("settings", {"groups": "x" * 41}, 400),
        ("statements/" + str(debate.sid(1)), {"text": "One", "notes": "n" * 5001}, 400),
    ]
    for route, data, status in cases:
        response = await mod.post(f"/d/{debate.id}/{route}", data, json_reply=True)
        assert response.status_code == status, (route, data, response.status_code,
                                                response.text[:300])
        assert response.json()["message"], response.text


async def test_good_settings_reach_every_page_and_a_vote_locks_the_scale(site, moderator, connect):
    # (bad input for the same routes: the in-process test above)
    debate = site.new("Settings", ["One"], "en")
    server = site.start()
    mod = await moderator(server, debate)

    # good settings are applied and every page hears of them
    screen = await connect(server, debate, "screen")
    await screen.recv_type("state")
    response = await mod.post(f"/d/{debate.id}/settings", {
        "scale": "five", "visibility": "live", "groups": "Werkveld\nOverheid"}, json_reply=True)
    assert response.status_code == 200, response.text
    state = await screen.recv_until(lambda f: f.get("type") == "state"
                                    and f["debate"]["scale"] == "five"
                                    and f["debate"]["groups"])
    assert state["debate"]["visibility"] == "live"
    assert [g["name"] for g in state["debate"]["groups"]] == ["Werkveld", "Overheid"]
    assert len(state["debate"]["choices"]) == 5

    # once someone voted, the scale is locked (409, with a reason)
    phone = await connect(server, debate, participant=P["p_locked"])
    await mod.control("open")
    assert (await phone.cast(debate.sid(1), "strongly_agree"))["type"] == "ack"
    response = await mod.post(f"/d/{debate.id}/settings", {"scale": "two"}, json_reply=True)
    assert response.status_code == 409 and "scale" in response.json()["message"]

    # notes are kept with line breaks; the moderator frame carries them
    response = await mod.post(f"/d/{debate.id}/statements/{debate.sid(1)}",
                              {"text": "One", "notes": "Verdict:\r\nnot per se"},
                              json_reply=True)
    assert response.status_code == 200
    assert response.json()["statement_notes"] == "Verdict:\nnot per se"



async def test_a_countdown_closes_voting_for_every_page_even_across_a_restart(
        site, moderator, connect):
    debate = site.new("Countdown", ["One", "Two"], "en")
    server = site.start()
    mod = await moderator(server, debate)
    state = await mod.control("timer", seconds="5")
    assert state["phase"] == "open" and 0 < state["timer"]["seconds_left"] <= 5
    phone = await connect(server, debate, participant=P["p_timer"])
    seen = await phone.recv_type("state")
    assert seen["timer"] is not None
    closed = await phone.recv_until(lambda f: f.get("type") == "state" and f["phase"] == "closed",
                                    timeout=WAIT + 10)
    assert closed["timer"] is None

    # a countdown running when the server stops still ends after the restart
    await mod.control("next")
    await mod.control("timer", seconds="5", reveal="1")
    server.stop()
    server = site.start()
    # voting closes at zero even when no page reconnects: read the file, not a page
    for _ in range(600):
        with sqlite3.connect(f"file:{site.db}?mode=ro", uri=True) as raw:
            (phase,) = raw.execute("SELECT phase FROM debates WHERE id = ?",
                                   (debate.id,)).fetchone()
        if phase == "closed":
            break
        await asyncio.sleep(0.1)
    assert phase == "closed"
    screen = await connect(server, debate, "screen")
    done = await screen.recv_until(
        lambda f: f.get("type") == "state" and f["phase"] == "closed" and f["revealed"],
        timeout=WAIT + 10)
    assert done["statement"]["id"] == debate.sid(2)


async def test_duplicating_a_debate_over_http_signs_the_moderator_in(app):
    # in-process: a form and a session, no socket needed
    debate = await app.new("To copy", ["A", "B"], "en", groups="X,Y", scale="two")
    mod = await app.moderator(debate)
    response = await mod.post(f"/d/{debate.id}/duplicate", {}, json_reply=True)
    assert response.status_code == 201, response.text
    copy = response.json()
    assert copy["id"] != debate.id
    page = await mod.get(copy["moderate_url"])
    assert page.status_code == 200, "the browser that duplicated moderates the copy"
    exported = await mod.get(f"/d/{copy['id']}/export.json")
    doc = exported.json()
    assert [s["text"] for s in doc["statements"]] == ["A", "B"]
    assert json.dumps(doc).count('"votes": []') >= 1 or doc.get("votes") == []


async def test_phone_forms_without_javascript_pick_a_group_and_propose(site, connect):
    debate = site.new("Plain", ["One"], "en", "--group", "Alpha", "--group", "Beta", "--proposals")
    server = site.start()
    async with http_client(server) as phone:
        page = await phone.get(f"/j/{debate.join_code}")
        fields, headers = csrf_fields(phone, page.text)
        beta = debate.raw["groups"][1]["id"]
        response = await phone.post(f"/j/{debate.join_code}/group",
                                    data={**fields, "group": str(beta)}, headers=headers)
        assert response.status_code == 303
        for bad, status in (("abc", 400), ("999999", 404)):
            response = await phone.post(f"/j/{debate.join_code}/group",
                                        data={**fields, "group": bad}, headers=headers)
            assert response.status_code == status, (bad, response.status_code)
        response = await phone.post(f"/j/{debate.join_code}/propose",
                                    data={**fields, "text": "Plain proposal"}, headers=headers)
        assert response.status_code == 303
        thanks = await phone.get(response.headers["location"])
        assert thanks.status_code == 200
        response = await phone.post(f"/j/{debate.join_code}/propose",
                                    data={**fields, "text": "x" * 400}, headers=headers)
        assert response.status_code == 400
    participant = participant_in(phone.cookies.get("poll_participant"))
    screen_phone = await connect(server, debate, participant=participant)
    assert (await screen_phone.recv_type("welcome"))["group"] == beta
    await asyncio.sleep(0)


async def test_hostile_group_names_stay_text_everywhere(site, moderator, connect):
    hostile = '<img src=x onerror=alert(1)>'
    debate = site.new("Hostile groups", ["One"], "en")
    server = site.start()
    mod = await moderator(server, debate)
    response = await mod.post(f"/d/{debate.id}/settings", {"groups": f"{hostile}\n=1+1"},
                              json_reply=True)
    assert response.status_code == 200
    assert [g["name"] for g in response.json()["debate"]["groups"]] == [hostile, "=1+1"]
    for path in (f"/d/{debate.id}/moderate", f"/j/{debate.join_code}",
                 f"/d/{debate.id}/report"):
        page = await mod.get(path)
        assert page.status_code == 200
        assert "<img src=x" not in page.text, path
    phone = await connect(server, debate, participant=new_participant())
    state = await phone.recv_type("state")
    assert state["debate"]["groups"][0]["name"] == hostile  # JSON text, shown with textContent
