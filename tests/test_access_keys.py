"""Who may see and do what, over HTTP (in-process): the projector's own key, signed participant
ids, moderator sessions that end with their key, sign-out, the report before it is published, a
throttle on room codes, and moderator pages kept out of caches.

Each test is what an outsider with a forwarded link, or a curious phone, would try.
"""

from __future__ import annotations

import re

import httpx
from support.clients import create_on_web, csrf_fields, participant_in, signed_participant


async def test_the_projector_opens_only_with_its_own_key(app) -> None:
    debate = await app.new("Projector key", ["One", "Two"])
    assert debate.screen_url and "key=" in debate.screen_url
    key = debate.screen_url.split("key=")[1]
    async with app.client() as stranger:
        # the debate id alone opens neither the projector nor its QR code
        assert (await stranger.get(f"/d/{debate.id}/screen")).status_code == 401
        assert (await stranger.get(f"/d/{debate.id}/qr.svg")).status_code == 401
        # a wrong key, or the moderator's, is no projector key
        assert (await stranger.get(f"/d/{debate.id}/screen?key=wrong{key}")).status_code == 401
        mod_key = debate.moderator_url.split("key=")[1]  # type: ignore[union-attr]
        assert (await stranger.get(f"/d/{debate.id}/screen?key={mod_key}")).status_code == 401
        # ... and the projector link opens the moderator page for nobody
        assert (await stranger.get(f"/d/{debate.id}/moderate?key={key}")).status_code == 401
    async with app.client() as beamer:
        opened = await beamer.get(debate.screen_url)
        assert opened.status_code == 303
        assert opened.headers["location"] == f"/d/{debate.id}/screen"  # the key leaves the bar
        page = await beamer.get(f"/d/{debate.id}/screen")
        assert page.status_code == 200 and debate.join_code in page.text
        assert (await beamer.get(f"/d/{debate.id}/qr.svg")).status_code == 200
        # the projector is no moderator
        assert (await beamer.get(f"/d/{debate.id}/moderate")).status_code == 401


async def test_a_phone_never_learns_the_debate_id(app) -> None:
    debate = await app.new("Phones and ids", ["One"])
    async with app.phone() as phone:
        page = await phone.get(f"/j/{debate.join_code}")
        assert page.status_code == 200
        assert debate.id not in page.text
        assert f"/j/{debate.join_code}/ws" in page.text  # its socket goes by join code


async def test_a_participant_id_the_server_did_not_sign_is_not_taken(app) -> None:
    debate = await app.new("Signed ids", ["One"])
    async with app.client() as phone:
        phone.cookies.set("poll_participant", "p_ChosenByClient1", domain="testserver.local")
        page = await phone.get(f"/j/{debate.join_code}")
        given = participant_in(page.cookies.get("poll_participant"))
        assert given and given != "p_ChosenByClient1", "a chosen id is replaced by a new one"
    async with app.client() as thief:
        # a signature of another id does not fit this one
        other = signed_participant("p_someone_else_1").split(".", 1)[1]
        thief.cookies.set("poll_participant", f"p_victim_00001.{other}",
                          domain="testserver.local")
        page = await thief.get(f"/j/{debate.join_code}")
        assert participant_in(page.cookies.get("poll_participant")) != "p_victim_00001"
    async with app.phone("p_genuine_0001") as genuine:
        page = await genuine.get(f"/j/{debate.join_code}")
        assert participant_in(page.cookies.get("poll_participant")) == "p_genuine_0001"


async def test_a_new_moderator_key_ends_every_other_session_and_the_old_link(app) -> None:
    debate = await app.new("Replaced key", ["One"])
    first = await app.moderator(debate)
    second = await app.moderator(debate)  # e.g. a laptop left signed in
    response = await first.post(f"/d/{debate.id}/keys", {"which": "moderator"})
    assert response.status_code == 303
    page = (await first.http.get(f"/d/{debate.id}/moderate")).text
    new_link = re.search(rf"https?://[^\s\"'<>]+/d/{debate.id}/moderate\?key=[^\s\"'<>&]+", page)
    assert new_link, "the new moderator link is shown once"
    # the other browser is signed out, the old link no longer signs anyone in
    assert (await second.http.get(f"/d/{debate.id}/moderate")).status_code == 401
    async with app.client() as someone:
        assert (await someone.get(debate.moderator_url)).status_code == 401
        assert (await someone.get(new_link.group(0))).status_code == 303
    # the browser that asked stays the moderator
    assert (await first.http.get(f"/d/{debate.id}/moderate")).status_code == 200


async def test_a_new_projector_key_ends_the_old_projector_link(app) -> None:
    debate = await app.new("Replaced projector", ["One"])
    mod = await app.moderator(debate)
    async with app.client() as beamer:
        assert (await beamer.get(debate.screen_url)).status_code == 303
        assert (await mod.post(f"/d/{debate.id}/keys", {"which": "projector"})).status_code == 303
        assert (await beamer.get(f"/d/{debate.id}/screen")).status_code == 401
        assert (await beamer.get(debate.screen_url)).status_code == 401
    page = (await mod.http.get(f"/d/{debate.id}/moderate")).text
    fresh = re.search(rf"https?://[^\s\"'<>]+/d/{debate.id}/screen\?key=[^\s\"'<>&]+", page)
    assert fresh and fresh.group(0) != debate.screen_url
    async with app.client() as beamer:
        assert (await beamer.get(fresh.group(0))).status_code == 303


async def test_signing_out_ends_the_moderator_session(app) -> None:
    debate = await app.new("Sign out", ["One"])
    mod = await app.moderator(debate)
    response = await mod.post(f"/d/{debate.id}/sign-out", {})
    assert response.status_code == 303
    assert (await mod.http.get(f"/d/{debate.id}/moderate")).status_code == 401
    assert (await mod.http.get(f"/d/{debate.id}/export.csv")).status_code == 401


async def test_moderator_pages_and_files_are_kept_out_of_caches(app) -> None:
    debate = await app.new("No store", ["One"])
    mod = await app.moderator(debate)
    for path in ("moderate", "export.csv", "votes.csv", "export.json", "export.xlsx",
                 "polis.zip", "report"):
        response = await mod.http.get(f"/d/{debate.id}/{path}")
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-store", path
    state = await mod.post(f"/d/{debate.id}/control", {"action": "open"}, json_reply=True)
    assert state.headers["cache-control"] == "no-store"
    async with app.client() as login:
        assert (await login.get(f"/d/{debate.id}/moderate")).headers["cache-control"] == "no-store"


async def test_until_it_is_published_the_report_shows_only_what_the_room_saw(app) -> None:
    debate = await app.new("Hidden results", ["Shown statement", "Hidden statement"])
    mod = await app.moderator(debate)
    s1, s2 = debate.sid(1), debate.sid(2)
    notes = {"text": "Shown statement", "notes": "Verdict: a clear yes"}
    assert (await mod.post(f"/d/{debate.id}/statements/{s1}", notes)).status_code == 303
    await mod.show(s1, "open")
    async with app.phone() as phone:
        page = await phone.get(f"/j/{debate.join_code}")
        fields, headers = csrf_fields(phone, page.text)
        vote = {**fields, "statement": str(s1), "choice": "agree"}
        assert (await phone.post(f"/j/{debate.join_code}/vote", data=vote,
                                 headers=headers)).status_code == 303
        await mod.show(s1, "closed", revealed=True)  # the room saw statement 1's results
        await mod.show(s2, "open")
        page = await phone.get(f"/j/{debate.join_code}")
        fields, headers = csrf_fields(phone, page.text)
        vote = {**fields, "statement": str(s2), "choice": "disagree"}
        assert (await phone.post(f"/j/{debate.join_code}/vote", data=vote,
                                 headers=headers)).status_code == 303
    await mod.show(s2, "closed")  # closed, never revealed

    async with app.client() as reader:
        report = (await reader.get(f"/d/{debate.id}/report")).text
        assert "Not published yet" in report
        assert "Agree 100%" in report, "statement 1 was revealed: its chart is there"
        assert "Disagree 100%" not in report, "statement 2 was never shown to the room"
        assert "have not been shown to the room yet" in report
        assert "Verdict: a clear yes" not in report, "the notes wait for the publication"
        assert "Most agreed" in report and "Most divided" not in report
    moderator_view = (await mod.http.get(f"/d/{debate.id}/report")).text
    assert "Disagree 100%" in moderator_view and "Verdict: a clear yes" in moderator_view

    assert (await mod.post(f"/d/{debate.id}/publish", {"published": "1"})).status_code == 303
    async with app.client() as reader:
        report = (await reader.get(f"/d/{debate.id}/report")).text
        assert "Not published yet" not in report
        assert "Disagree 100%" in report and "Verdict: a clear yes" in report


async def test_wrong_room_codes_are_throttled_per_phone(app) -> None:
    debate = await app.new("Room code tries", ["One"])
    mod = await app.moderator(debate)
    required = await mod.post(f"/d/{debate.id}/room-code", {"required": "1"}, json_reply=True)
    code = required.json()["room_code"]
    wrong = [guess for guess in (f"{n:04d}" for n in range(9)) if guess != code][:8]
    async with app.phone() as guesser:
        page = await guesser.get(f"/j/{debate.join_code}")
        statuses = []
        for guess in wrong:
            fields, headers = csrf_fields(guesser, page.text)
            answer = await guesser.post(f"/j/{debate.join_code}/admit",
                                        data={**fields, "room_code": guess},
                                        headers=headers)
            statuses.append(answer.status_code)
        assert statuses[:5] == [403] * 5 and statuses[5:] == [429] * 3, statuses


async def test_on_an_https_address_every_cookie_is_secure_and_browsers_keep_to_https(
        make_app) -> None:
    app = await make_app(public_url="https://vote.example.org")
    base = "https://vote.example.org"  # as the browser behind the proxy sees it
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app.asgi), base_url=base,
                                 headers={"Origin": base}) as browser:
        debate, _ = await create_on_web(browser, "Over https", ["One"])
        assert debate.moderator_url
        signed_in = await browser.get(debate.moderator_url)
        assert signed_in.status_code == 303
        phone_page = await browser.get(f"/j/{debate.join_code}")
        assert phone_page.headers["strict-transport-security"].startswith("max-age=")
        cookies = [*signed_in.headers.get_list("set-cookie"),
                   *phone_page.headers.get_list("set-cookie")]
        names = {c.split("=", 1)[0] for c in cookies}
        assert {"poll_session", "poll_participant"} <= names, names
        assert all("; secure" in c.lower() for c in cookies), cookies
        assert all(c.secure for c in browser.cookies.jar), [c.name for c in browser.cookies.jar]


async def test_on_an_http_address_there_is_no_hsts(app) -> None:
    async with app.client() as anyone:
        assert "strict-transport-security" not in (await anyone.get("/")).headers
