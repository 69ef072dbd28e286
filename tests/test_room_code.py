"""The optional room code: a forwarded join link alone cannot vote; the code on the screen can."""

from __future__ import annotations

from support.clients import (
    csrf_fields,
    http_client,
    new_participant,
    open_socket,
    signed_participant,
)


async def test_phones_must_type_the_code_on_the_projector_before_they_vote(site, moderator):
    debate = site.new("Room only", ["One"])
    server = site.start()
    mod = await moderator(server, debate)
    await mod.show(debate.sid(1), "open")
    outsider, insider = new_participant(), new_participant()
    phone = await open_socket(site, debate, "phone", outsider)
    screen = await open_socket(site, debate, "screen")
    try:
        reply = await mod.post(f"/d/{debate.id}/room-code", {"required": "1"}, json_reply=True)
        assert reply.status_code == 200
        code = reply.json()["room_code"]
        assert code and code.isdigit() and len(code) == 4
        # the projector shows the code; phones only learn that one is needed
        on_screen = await screen.recv_until(lambda f: f["type"] == "state" and f["room_check"])
        assert on_screen["room_code"] == code
        told = await phone.recv_until(lambda f: f["type"] == "state" and f["room_check"])
        assert "room_code" not in told or told["room_code"] is None
        refused = await phone.cast(debate.sid(1), "agree")
        assert refused["type"] == "error" and refused["code"] == "not_admitted", refused
        async with http_client(server) as projector:
            assert (await projector.get(debate.screen_url)).status_code == 303  # its key
            page = await projector.get(f"/d/{debate.id}/screen")
            assert code in page.text

        async with http_client(server, cookies={"poll_participant": signed_participant(insider)}
                               ) as browser:
            vote_page = await browser.get(f"/j/{debate.join_code}")
            assert 'name="room_code"' in vote_page.text and code not in vote_page.text
            fields, headers = csrf_fields(browser, vote_page.text)
            wrong = await browser.post(f"/j/{debate.join_code}/admit",
                                       data={"room_code": "0000" if code != "0000" else "1111",
                                             **fields}, headers=headers)
            assert wrong.status_code == 403
            right = await browser.post(f"/j/{debate.join_code}/admit",
                                       data={"room_code": f" {code} ", **fields}, headers=headers)
            assert right.status_code == 303
            assert 'name="room_code"' not in (await browser.get(f"/j/{debate.join_code}")).text
        admitted = await open_socket(site, debate, "phone", insider)
        assert (await admitted.recv_type("welcome"))["admitted"] is True
        assert (await admitted.cast(debate.sid(1), "agree"))["type"] == "ack"
        await admitted.close()

        # once the moderator stops asking, the outsider may vote too
        await mod.post(f"/d/{debate.id}/room-code", {"required": "0"}, json_reply=True)
        await phone.recv_until(lambda f: f["type"] == "state" and not f["room_check"])
        assert (await phone.cast(debate.sid(1), "disagree"))["type"] == "ack"
    finally:
        await phone.close()
        await screen.close()
