"""The room's voice on a real server, over real sockets and plain forms: a phone gives a reason,
another +1s it, the moderator sees both live, spotlights it and the projector shows it; the floor
gives each side its turn; a Dutch and an English phone each read the statement in their own
language; hostile text stays text."""

from __future__ import annotations

import json

from support.clients import csrf_fields, http_client, new_participant

HOSTILE = '<img src=x onerror=alert(1)> "=1+2"'


async def test_a_reason_its_plus_ones_and_the_spotlight_reach_every_page(site, moderator,
                                                                        connect) -> None:
    debate = site.new("Voices live", ["Hybrid hubs are the future."], "en",
                      "--visibility", "live")
    server = site.start()
    mod = await moderator(server, debate)
    await mod.show(debate.sid(1), "open")
    desk = await connect(server, debate, "moderator", cookie=mod.cookie_header())
    screen = await connect(server, debate, "screen")
    author, fan = new_participant(), new_participant()
    writer = await connect(server, debate, participant=author)
    reader = await connect(server, debate, participant=fan)
    assert (await writer.cast(debate.sid(1), "agree"))["type"] == "ack"
    assert (await reader.cast(debate.sid(1), "disagree"))["type"] == "ack"

    await writer.send({"type": "reason", "id": "r-1", "statement": debate.sid(1),
                       "text": HOSTILE})
    saved = await writer.recv_type("reason")
    assert saved["text"] == HOSTILE and saved["held"] is False
    listed = await reader.recv_until(
        lambda f: f["type"] == "reasons" and f["top"].get("agree"), what="the reason")
    assert listed["top"]["agree"][0]["text"] == HOSTILE  # as typed: the pages escape it
    await reader.send({"type": "plus", "reason": saved["id"], "on": True})
    assert (await reader.recv_type("plus"))["on"] is True
    await writer.send({"type": "plus", "reason": saved["id"], "on": True})
    assert (await writer.recv_type("error"))["code"] == "not_allowed"  # not one's own
    ranked = await desk.recv_until(
        lambda f: f["type"] == "reasons" and f.get("all") and f["all"][0]["plus"] == 1,
        what="the moderator's list with the +1")
    assert ranked["all"][0]["stance"] == "agree"

    response = await mod.post(f"/d/{debate.id}/reasons/{saved['id']}", {"action": "spotlight"},
                              json_reply=True)
    assert response.status_code == 200, response.text
    shown = await screen.recv_until(lambda f: f["type"] == "state" and f.get("spotlight"))
    assert shown["spotlight"] == {"id": saved["id"], "text": HOSTILE, "stance": "agree"}
    assert (await mod.post(f"/d/{debate.id}/spotlight-off", {})).status_code == 303
    await screen.recv_until(lambda f: f["type"] == "state" and f["spotlight"] is None)


async def test_the_floor_alternates_sides_and_the_called_phone_knows(site, moderator,
                                                                     connect) -> None:
    debate = site.new("The floor", ["Every teacher must be hybrid."], "en")
    server = site.start()
    mod = await moderator(server, debate)
    await mod.show(debate.sid(1), "open")
    phones = {}
    for name, choice in (("Ann", "agree"), ("Bob", "agree"), ("Dee", "disagree")):
        phone = await connect(server, debate, participant=new_participant())
        assert (await phone.cast(debate.sid(1), choice))["type"] == "ack"
        await phone.send({"type": "floor", "name": name})
        phones[name] = (phone, (await phone.recv_type("floor_asked"))["token"])
    assert (await mod.post(f"/d/{debate.id}/floor", {"side": "disagree"})).status_code == 303
    dee, dee_token = phones["Dee"]
    called = await dee.recv_until(lambda f: f["type"] == "floor" and f["called"])
    assert called["called"] == dee_token
    assert (await mod.post(f"/d/{debate.id}/floor", {"side": "agree"})).status_code == 303
    ann, ann_token = phones["Ann"]
    await ann.recv_until(lambda f: f["type"] == "floor" and f["called"] == ann_token)
    refused = await mod.post(f"/d/{debate.id}/floor", {"side": "disagree"}, json_reply=True)
    assert refused.status_code == 409 and refused.json()["error"] == "nobody_waiting"


async def test_each_phone_reads_the_statement_in_its_own_language(site, connect) -> None:
    (site.directory / "pairs.txt").write_text(
        "Elke docent moet hybride zijn. | Every teacher must be hybrid.\n", "utf-8")
    from support.server import run_poll
    made = run_poll("new", "Tweetalig", "--statements", site.directory / "pairs.txt",
                    "--db", site.db, "--lang", "nl", "--json", "--public-url", site.url)
    assert made.returncode == 0, made.stderr
    code = json.loads(made.stdout)["join_code"]
    server = site.start()
    for language, text in (("nl-NL,nl;q=0.9", "Elke docent moet hybride zijn."),
                           ("en-GB,en;q=0.9", "Every teacher must be hybrid.")):
        async with http_client(server) as phone:
            page = await phone.get(f"/j/{code}", headers={"Accept-Language": language})
            assert page.status_code == 200 and text in page.text, language


async def test_a_reason_through_the_plain_form(site, moderator) -> None:
    debate = site.new("No script", ["Statement one"], "en")
    server = site.start()
    mod = await moderator(server, debate)
    await mod.show(debate.sid(1), "open")
    async with http_client(server) as phone:
        page = await phone.get(f"/j/{debate.join_code}")
        fields, headers = csrf_fields(phone, page.text)
        vote = await phone.post(f"/j/{debate.join_code}/vote", data={
            **fields, "statement": str(debate.sid(1)), "choice": "agree"}, headers=headers)
        assert vote.status_code == 303
        early = await phone.post(f"/j/{debate.join_code}/reason", data={
            **fields, "statement": str(debate.sid(1)), "text": "x" * 281},
            headers={**headers, "Accept": "application/json"})
        assert early.status_code == 400 and early.json()["error"] == "bad_reason"
        given = await phone.post(f"/j/{debate.join_code}/reason", data={
            **fields, "statement": str(debate.sid(1)), "text": "Because it works."},
            headers=headers)
        assert given.status_code == 303
    exported = (await mod.export("export.json")).json()
    assert exported["debate"]["title"] == "No script"


async def test_a_changed_vote_moves_the_reason_and_a_reconnect_gets_the_lists(
        site, moderator, connect) -> None:
    """The author changes their vote: the room sees the reason under its new side without any
    other change. A phone that connects later gets the room's reasons and the floor at once,
    and its own held reason comes back marked held."""
    debate = site.new("Moving reasons", ["Hybrid hubs are the future."], "en",
                      "--visibility", "live", "--held-words", "nonsense")
    server = site.start()
    mod = await moderator(server, debate)
    await mod.show(debate.sid(1), "open")
    author, other = new_participant(), new_participant()
    writer = await connect(server, debate, participant=author)
    assert (await writer.cast(debate.sid(1), "agree"))["type"] == "ack"
    await writer.send({"type": "reason", "id": "r-1", "statement": debate.sid(1),
                       "text": "Companies know what the region needs."})
    saved = await writer.recv_type("reason")
    reader = await connect(server, debate, participant=other)
    # the snapshot holds the list the room last got; what changed since follows at the phones'
    # pace, with no further change needed
    first = await reader.recv_type("reasons")
    assert first["shown"] is True
    if not first["top"].get("agree"):  # connected before the room's list had it: it follows
        first = await reader.recv_until(
            lambda f: f["type"] == "reasons" and f["top"].get("agree"),
            what="the reason given before this phone connected")
    assert [r["id"] for r in first["top"]["agree"]] == [saved["id"]]
    assert (await writer.cast(debate.sid(1), "disagree"))["type"] == "ack"
    moved = await reader.recv_until(
        lambda f: f["type"] == "reasons" and f["top"].get("disagree"), what="the moved reason")
    assert [r["id"] for r in moved["top"]["disagree"]] == [saved["id"]]
    assert "agree" not in moved["top"]

    assert (await reader.cast(debate.sid(1), "agree"))["type"] == "ack"
    await reader.send({"type": "reason", "id": "r-2", "statement": debate.sid(1),
                       "text": "This is nonsense."})
    assert (await reader.recv_type("reason"))["held"] is True
    again = await connect(server, debate, participant=other)
    welcome = await again.recv_type("welcome")
    assert welcome["reason"]["held"] is True and welcome["reason"]["hidden"] is False
