"""The moderator's desk and the projector for the room's voice, in Debian's Chromium against a real
server: reasons from phones (websocket clients) under their stance with their +1s, the spotlight
put on the projector by a click and taken off with the S key, a hidden reason gone from the
projector, the floor taken in turns from both sides, a debate in two languages on the projector;
hostile text stays text. And the same desk as plain forms, without JavaScript (httpx).

Waits are Playwright's auto-waiting `expect(...)` and the socket clients' `recv_until`; nothing
here is timed.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from playwright.async_api import Locator, Page, expect
from support.browser import Browser
from support.clients import Phone, csrf_fields, new_participant

HOSTILE = '<img src=x onerror=alert(1)> "=1+2"'
STATEMENTS = ["Every teacher should be able to teach hybrid.", "Campus days matter."]
NOT_ONLINE = "Not every subject works online."


async def reason(phone: Phone, statement: int, text: str) -> int:
    """The phone gives its reason; returns the reason's id."""
    await phone.send({"type": "reason", "id": f"r-{phone.participant}", "statement": statement,
                      "text": text})
    answer = await phone.recv_until(lambda f: f.get("type") in ("reason", "error"))
    assert answer["type"] == "reason", answer
    return answer["id"]


async def ask_floor(phone: Phone, name: str = "") -> None:
    await phone.send({"type": "floor", "name": name} if name else {"type": "floor"})
    answer = await phone.recv_until(lambda f: f.get("type") in ("floor_asked", "error"))
    assert answer["type"] == "floor_asked" and answer["token"], answer


async def font_px(locator: Locator) -> float:
    return float(await locator.evaluate("n => parseFloat(getComputedStyle(n).fontSize)"))


async def expect_pressed(button: Locator, pressed: bool) -> None:
    await expect(button).to_have_attribute("aria-pressed", "true" if pressed else "false")


class PlainPhone:
    """A phone without JavaScript: its vote page's forms, posted as a browser would."""

    def __init__(self, client: Any, code: str, fields: dict, headers: dict):
        self.client, self.code, self.fields, self.headers = client, code, fields, headers

    @classmethod
    async def open(cls, app: Any, code: str) -> PlainPhone:
        client = app.phone(new_participant())
        page = await client.get(f"/j/{code}")
        return cls(client, code, *csrf_fields(client, page.text))

    async def post(self, form: str, **data: Any) -> None:
        answer = await self.client.post(f"/j/{self.code}/{form}", data={**self.fields, **data},
                                        headers=self.headers)
        assert answer.status_code == 303, (form, answer.status_code, answer.text[:500])


def no_dialogs(page: Page, seen: list[str]) -> None:
    """Any alert() a hostile text managed to run would land here."""
    page.on("dialog", lambda dialog: (seen.append(dialog.message), dialog.dismiss()))


async def test_reasons_spotlight_and_floor_on_the_desk_and_projector(
    chromium: Browser, site, moderator, connect
):
    debate = site.new("Voices", STATEMENTS, "en")
    server = site.start()
    sid = debate.sid(1)
    mod = await moderator(server, debate)
    await mod.post(f"/d/{debate.id}/settings", {"reasons": "always"}, json_reply=True)
    await mod.control("open")

    desk = await chromium.desktop(debate.moderator_url, device="moderator")
    projector = await chromium.projector(debate.screen_url)
    dialogs: list[str] = []
    no_dialogs(desk, dialogs)
    no_dialogs(projector, dialogs)

    # -- phones vote and give reasons; another phone +1s the first ---------------------------
    ann, bob, cas = [await connect(server, debate, "phone", new_participant()) for _ in range(3)]
    for phone, choice in ((ann, "agree"), (bob, "disagree"), (cas, "agree")):
        assert (await phone.cast(sid, choice))["type"] == "ack"
    hostile = await reason(ann, sid, HOSTILE)
    await reason(bob, sid, NOT_ONLINE)
    await reason(cas, sid, "Students can join from anywhere.")
    await cas.send({"type": "plus", "reason": hostile, "on": True})
    assert (await cas.recv_until(lambda f: f.get("type") in ("plus", "error")))["type"] == "plus"

    panel = desk.locator("[data-reasons-panel]")
    agree = panel.locator('[data-stance="agree"]')
    disagree = panel.locator('[data-stance="disagree"]')
    hostile_item = agree.locator(".dreason", has_text=HOSTILE)
    await expect(hostile_item.locator(".dreason__text")).to_have_text(HOSTILE)
    await expect(hostile_item.locator("[data-reason-plus]")).to_have_text("1 +1")
    await expect(agree.locator("[data-stance-count]")).to_have_text("2")
    await expect(disagree.locator(".dreason__text")).to_have_text([NOT_ONLINE])
    await expect(panel.locator("[data-reasons-count]")).to_have_text("3 reasons")
    assert await panel.locator("img").count() == 0

    # -- sorted by +1s (the default) or newest first, and the choice is remembered -----------
    texts = agree.locator(".dreason__text")
    await expect(texts).to_have_text([HOSTILE, "Students can join from anywhere."])
    await panel.get_by_role("button", name="Newest").click()
    await expect(texts).to_have_text(["Students can join from anywhere.", HOSTILE])
    await desk.reload()
    await expect_pressed(panel.get_by_role("button", name="Newest"), True)
    await expect(texts).to_have_text(["Students can join from anywhere.", HOSTILE])
    await panel.get_by_role("button", name="Most +1s").click()
    await expect(texts).to_have_text([HOSTILE, "Students can join from anywhere."])

    # -- the spotlight: a click puts the reason on the projector, large and with its stance ---
    spot = projector.locator("[data-spot]")
    await expect(spot).to_be_hidden()
    await hostile_item.get_by_role("button", name="Spotlight").click()
    await expect(spot.locator("[data-spot-text]")).to_have_text(HOSTILE)
    await expect(spot.locator("[data-spot-stance]")).to_have_text("Agree")
    await expect(projector.locator("[data-results]")).to_be_hidden()
    size = await font_px(spot.locator("[data-spot-text]"))
    assert size >= 30, f"the spotlight is {size}px, not large"
    assert await projector.locator(".stage img").count() == 0
    await expect_pressed(hostile_item.get_by_role("button", name="Spotlight"), True)
    await expect(hostile_item.locator("[data-reason-spotlit]")).to_be_visible()
    await expect(panel.locator("[data-spotlight-text]")).to_have_text(HOSTILE)

    # -- S takes it off; S on a focused reason puts that one on --------------------------------
    await desk.locator(".mod__title").click()  # focus leaves the reason's buttons
    await desk.keyboard.press("s")
    await expect(spot).to_be_hidden()
    await expect_pressed(hostile_item.get_by_role("button", name="Spotlight"), False)
    other = disagree.locator(".dreason").first
    await other.locator(".dreason__text").click()
    await desk.keyboard.press("s")
    await expect(spot.locator("[data-spot-text]")).to_have_text(NOT_ONLINE)
    await expect(spot.locator("[data-spot-stance]")).to_have_text("Disagree")

    # -- hiding it takes it off the projector; the desk keeps it, dimmed and labelled ---------
    await other.get_by_role("button", name="Hide").click()
    await expect(spot).to_be_hidden()
    await expect(other).to_have_class(re.compile(r"\bis-hidden\b"))
    await expect(other.locator("[data-reason-hidden]")).to_have_text("Hidden")
    await expect(other.get_by_role("button", name="Show")).to_be_visible()
    await expect(other.get_by_role("button", name="Spotlight")).to_be_disabled()

    # -- the floor: two sides wait, the moderator calls them in turn ---------------------------
    floor = desk.locator("[data-floor-panel]")
    speaking = projector.locator("[data-floor-speaking]")
    on_next = projector.locator("[data-floor-next]")
    next_agree = floor.get_by_role("button", name="Next from agree")
    next_disagree = floor.get_by_role("button", name="Next from disagree")
    await expect(next_agree).to_be_disabled()
    await ask_floor(ann, "Ann")
    await ask_floor(bob, "Bob")
    await ask_floor(cas)
    await expect(floor.locator("[data-floor-count]")).to_have_text("3 waiting")
    await expect(floor.locator('[data-stance="agree"] li')).to_have_text(["Ann", "anonymous"])
    await expect(floor.locator('[data-stance="disagree"] li')).to_have_text(["Bob"])
    await expect(on_next).to_have_text("Next: Ann (Agree), Bob (Disagree)")
    await expect(speaking).to_be_hidden()

    await next_agree.click()
    await expect(floor.locator("[data-speaking]")).to_have_text("Speaking: Ann (Agree)")
    await expect(speaking).to_have_text("Speaking: Ann (Agree)")
    # the first waiting of each side, the longest waiting first
    await expect(on_next).to_have_text("Next: Bob (Disagree), anonymous (Agree)")
    await next_disagree.click()
    await expect(speaking).to_have_text("Speaking: Bob (Disagree)")
    await expect(floor.locator("[data-speaking]")).to_have_text("Speaking: Bob (Disagree)")
    await expect(next_disagree).to_be_disabled()  # nobody of that side waits now
    await next_agree.click()
    await expect(speaking).to_have_text("Speaking: anonymous (Agree)")
    await expect(next_agree).to_be_disabled()
    await expect(on_next).to_be_hidden()

    # -- a projector opened now shows the same from the server's page --------------------------
    await other.get_by_role("button", name="Show").click()
    await expect(other).not_to_have_class(re.compile(r"\bis-hidden\b"))
    await hostile_item.get_by_role("button", name="Spotlight").click()
    await expect(spot.locator("[data-spot-text]")).to_have_text(HOSTILE)
    await projector.reload()
    await expect(projector.locator("[data-spot-text]")).to_have_text(HOSTILE)
    await expect(speaking).to_have_text("Speaking: anonymous (Agree)")
    assert await projector.locator(".stage img").count() == 0
    assert dialogs == [], f"hostile text ran as script: {dialogs}"


async def test_a_debate_in_two_languages_on_the_projector(chromium: Browser, site, moderator):
    debate = site.new("Twee talen", [
        "Elke docent moet hybride kunnen lesgeven. | Every teacher should be able to teach hybrid.",
    ], "nl")
    server = site.start()
    projector = await chromium.projector(debate.screen_url)
    text = projector.locator("[data-statement-text]")
    translation = projector.locator("[data-statement-translation]")
    await expect(text).to_have_text("Elke docent moet hybride kunnen lesgeven.")
    await expect(translation).to_be_hidden()  # one language until the moderator asks for both

    mod = await moderator(server, debate)
    answer = await mod.post(f"/d/{debate.id}/settings", {"screen_languages": "both"},
                            json_reply=True)
    assert answer.status_code == 200, answer.text[:500]
    await expect(translation).to_have_text("Every teacher should be able to teach hybrid.")
    await expect(translation).to_have_attribute("lang", "en")
    big, small = await font_px(text), await font_px(translation)
    assert small < big, (small, big)
    await projector.reload()
    await expect(translation).to_have_text("Every teacher should be able to teach hybrid.")
    await expect(text).to_have_text("Elke docent moet hybride kunnen lesgeven.")


# --------------------------------------------------------------------------------------------------
# without JavaScript: every desk action is a plain form


def reason_ids(html: str) -> dict[str, int]:
    """The reasons on a moderator page, by text."""
    found = re.findall(
        r'data-reason-id="(\d+)"[^>]*>\s*<p class="dreason__text" dir="auto">([^<]*)</p>', html)
    return {unescape(text): int(rid) for rid, text in found}


async def test_the_desk_works_as_plain_forms(app):
    debate, mod = await app.web_debate("Plain", ["Eerste stelling | First statement", "Tweede"],
                                       "nl")
    base = f"/d/{debate.id}"
    settings = await mod.post(f"{base}/settings", {
        "reasons": "always", "proposals_public": "1", "screen_languages": "both",
        "held_words": "banaan, kiwi\nperen"})
    assert settings.status_code == 303
    page = (await mod.load_page()).text
    assert re.search(r'<option value="always" selected>', page)
    assert re.search(r'id="set-proposals-public" name="proposals_public" value="1" checked', page)
    assert re.search(r'<option value="both" selected>', page)
    assert ">banaan\nkiwi\nperen</textarea>" in page
    assert "First statement</textarea>" in page  # the translation field of statement 1
    await mod.control("open")

    sid = debate.sid(1)
    texts = {"p1": HOSTILE, "p2": "Niet elk vak past online.", "p3": "Een banaan is geen argument."}
    for who, choice in (("p1", "agree"), ("p2", "disagree"), ("p3", "agree")):
        phone = await PlainPhone.open(app, debate.join_code)
        await phone.post("vote", statement=sid, choice=choice)
        await phone.post("reason", statement=sid, text=texts[who])

    page = (await mod.load_page()).text
    ids = reason_ids(page)
    assert set(ids) == set(texts.values()), ids
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    held = page.split(f'data-reason-id="{ids[texts["p3"]]}"', 1)[1].split("</li>", 1)[0]
    # shown, in Dutch
    assert "data-reason-held>Vastgehouden: bevat een woord van de lijst</span>" in held
    assert 'value="approve"' in held
    other = page.split(f'data-reason-id="{ids[HOSTILE]}"', 1)[1].split("</li>", 1)[0]
    assert "data-reason-held hidden>" in other and 'value="approve"' not in other
    # approve the held one, hide another, spotlight the hostile one
    for rid, action in ((ids[texts["p3"]], "approve"), (ids[texts["p2"]], "hide"),
                        (ids[HOSTILE], "spotlight")):
        answer = await mod.post(f"{base}/reasons/{rid}", {"action": action})
        assert answer.status_code == 303, (action, answer.text[:500])
    screen = (await mod.get(f"{base}/screen")).text
    assert 'data-spotlight="on"' in screen
    assert "&lt;img src=x onerror=alert(1)&gt;" in screen and "<img src=x" not in screen
    assert 'lang="en" dir="auto" data-statement-translation>First statement</p>' in screen
    off = await mod.post(f"{base}/spotlight-off", {})
    assert off.status_code == 303
    assert 'data-spotlight="off"' in (await mod.get(f"{base}/screen")).text

    # the floor, without JavaScript
    phone = await PlainPhone.open(app, debate.join_code)
    await phone.post("vote", statement=sid, choice="disagree")
    await phone.post("floor", name="Dee")
    page = (await mod.load_page()).text
    assert re.search(r'value="disagree" data-side="disagree">', page)  # enabled
    called = await mod.post(f"{base}/floor", {"side": "disagree"})
    assert called.status_code == 303, called.text[:500]
    page = (await mod.load_page()).text
    assert "Aan het woord: Dee (Oneens)" in page
    assert "Aan het woord: Dee (Oneens)" in (await mod.get(f"{base}/screen")).text

    # a statement added and edited with its translation
    added = await mod.post(f"{base}/statements", {"text": "Derde", "translation": "Third"})
    assert added.status_code == 303
    page = (await mod.load_page()).text
    assert ">Third</textarea>" in page
