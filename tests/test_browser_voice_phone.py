"""The room's voice on the phone, in a real browser (issue 12): a phone votes and says why, sees
its reason with its stance; once the moderator reveals, another phone reads it under "Agree" and
+1s it, and both see the count; a phone asks for the floor and learns it has it when the moderator
calls its side; a Dutch and an English phone each read the statement in their own language; a
held reason waits for the moderator; phones +1 the waiting proposals; hostile text stays
text. Then the same without JavaScript.

Chromium at phone size against a real server; Playwright's auto-waiting `expect(...)`, never
fixed sleeps.
"""

from __future__ import annotations

import re

from playwright.async_api import Page, expect
from support.browser import Accessibility, Browser, check_phone, status, tap
from support.clients import csrf_fields, http_client
from support.html import parse_page

HOSTILE = '<img src=x onerror=alert(1)> "=1+2"'


def reasons(page: Page):
    return page.locator("[data-reasons]")


def side(page: Page, stance: str):
    return page.locator(f"[data-reasons] .reasons__side[data-stance={stance}]")


async def vote_and_say_why(phone: Page, choice: str, why: str) -> None:
    await tap(phone, choice)
    await expect(status(phone)).to_have_text(f"Your vote: {choice} — counted")
    box = phone.locator("[data-reason-box]")
    await expect(box).to_be_visible()
    await expect(box).to_have_attribute("open", "")  # just voted: the question is open
    await phone.get_by_label("Why did you vote this way?").fill(why)
    await expect(phone.locator("[data-reason-count]")).to_have_text(f"{len(why)} / 280 characters")
    await phone.get_by_role("button", name="Send reason").click()


async def test_a_reason_its_plus_one_and_the_count_on_both_phones(chromium: Browser, site,
                                                                  moderator) -> None:
    debate = site.new("Voices", ["Hybrid hubs are the future."])
    server = site.start()
    mod = await moderator(server, debate)
    await mod.show(debate.sid(1), "open")
    author = await chromium.phone(debate.join_url)
    fan = await chromium.phone(debate.join_url, device="second phone")
    await expect(status(author)).to_have_text("Choose your answer")
    await expect(author.locator("[data-reason-box]")).to_be_hidden()  # not before voting

    await vote_and_say_why(author, "Agree", HOSTILE)
    mine = author.locator("[data-my-reason]")
    await expect(mine.locator("[data-my-text]")).to_have_text(HOSTILE)
    await expect(mine.locator("[data-my-stance]")).to_have_text("Agree")
    await expect(author.locator("[data-reason-summary]")).to_have_text("Edit your reason")
    await expect(author.locator("[data-announce]")).to_have_text("Your reason is saved.")

    await tap(fan, "Disagree")
    await expect(status(fan)).to_have_text("Your vote: Disagree — counted")
    await expect(reasons(fan).locator("[data-reasons-hint]")).to_have_text(
        "The room's reasons appear here once the results are shown.")
    await expect(fan.locator(".reason")).to_have_count(0)  # nobody is swayed before the reveal

    await mod.control("reveal")
    agree = side(fan, "agree")
    await expect(agree.get_by_role("heading")).to_have_text("Agree")
    await expect(agree.locator(".reason__text")).to_have_text(HOSTILE)
    plus = agree.get_by_role("button", name="+1")
    await expect(plus).to_have_attribute("aria-pressed", "false")
    await plus.click()
    await expect(plus).to_have_attribute("aria-pressed", "true")
    await expect(agree.locator("[data-plus-count]")).to_have_text("1 +1")
    # the author sees the count on its own reason, and has no +1 for itself
    own = side(author, "agree")
    await expect(own.locator("[data-plus-count]")).to_have_text("1 +1")
    await expect(own.locator(".reason__own")).to_have_text("Your reason")
    await expect(own.get_by_role("button", name="+1")).to_have_count(0)
    # hostile text stays text on both phones: no element came out of it
    for phone in (author, fan):
        assert await phone.locator("[data-reasons] img, [data-my-reason] img").count() == 0
    await fan.evaluate("window.scrollTo(0, 0)")  # back to the statement after scrolling down
    await check_phone(fan, "the room's reasons")
    axe = Accessibility()
    await axe.audit(fan, "the room's reasons")
    await axe.audit(author, "one's own reason")

    # a reload restores the pressed +1 (welcome.plussed, and the page itself)
    await fan.reload()
    await expect(side(fan, "agree").get_by_role("button", name="+1")).to_have_attribute(
        "aria-pressed", "true")
    await side(fan, "agree").get_by_role("button", name="+1").click()  # taken back
    await expect(side(author, "agree").locator("[data-plus-count]")).to_have_text("0 +1s")
    axe.check()


async def test_the_phone_asks_for_the_floor_and_is_told_it_has_it(chromium: Browser, site,
                                                                  moderator) -> None:
    debate = site.new("The floor", ["Every teacher must be hybrid."])
    server = site.start()
    mod = await moderator(server, debate)
    await mod.show(debate.sid(1), "open")
    phone = await chromium.phone(debate.join_url)
    await expect(status(phone)).to_have_text("Choose your answer")
    await expect(phone.get_by_role("button", name="I want to speak")).to_be_hidden()
    await tap(phone, "Agree")
    await phone.get_by_label("Your first name (optional)").fill("Ann")
    await phone.get_by_role("button", name="I want to speak").click()
    await expect(phone.locator("[data-floor-status]")).to_have_text("You're on the list (Agree)")
    withdraw = phone.get_by_role("button", name="Withdraw")
    await expect(withdraw).to_be_visible()
    await withdraw.click()
    await expect(phone.get_by_role("button", name="I want to speak")).to_be_visible()
    await phone.get_by_role("button", name="I want to speak").click()
    await expect(phone.locator("[data-floor-status]")).to_have_text("You're on the list (Agree)")
    await phone.reload()  # the welcome's token: still on the list
    await expect(phone.locator("[data-floor-status]")).to_have_text("You're on the list (Agree)")

    assert (await mod.post(f"/d/{debate.id}/floor", {"side": "agree"})).status_code == 303
    await expect(phone.locator("[data-floor-called]")).to_have_text("You have the floor")
    await expect(phone.locator("[data-announce]")).to_have_text("You have the floor")
    await expect(phone.get_by_role("button", name="Done speaking")).to_be_visible()
    await phone.evaluate("window.scrollTo(0, 0)")
    await check_phone(phone, "the floor")
    axe = Accessibility()
    await axe.audit(phone, "the floor")
    axe.check()


async def test_each_browser_reads_the_statement_in_its_own_language(chromium: Browser,
                                                                    site, moderator) -> None:
    debate = site.new("Tweetalig", [
        "Elke docent moet hybride zijn. | Every teacher must be hybrid.",
        "Stages moeten betaald worden. | Internships should be paid.",
    ], "nl")
    server = site.start()
    mod = await moderator(server, debate)
    dutch = await chromium.page("nl phone", debate.join_url, locale="nl-NL")
    english = await chromium.page("en phone", debate.join_url, locale="en-GB")
    for page, text, lang in ((dutch, "Elke docent moet hybride zijn.", "nl"),
                             (english, "Every teacher must be hybrid.", "en")):
        statement = page.locator("[data-statement-text]")
        await expect(statement).to_have_text(text)
        await expect(statement).to_have_attribute("lang", lang)
    await mod.control("next")  # the script picks the language on a new statement too
    for page, text, lang in ((dutch, "Stages moeten betaald worden.", "nl"),
                             (english, "Internships should be paid.", "en")):
        statement = page.locator("[data-statement-text]")
        await expect(statement).to_have_text(text)
        await expect(statement).to_have_attribute("lang", lang)


async def test_a_held_reason_waits_for_the_moderator(chromium: Browser, site, moderator) -> None:
    debate = site.new("Held", ["Exams should go."], "en", "--visibility", "live")
    server = site.start()
    mod = await moderator(server, debate)
    assert (await mod.post(f"/d/{debate.id}/settings", {"held_words": "nonsense"})).status_code \
        == 303
    await mod.show(debate.sid(1), "open")
    phone = await chromium.phone(debate.join_url)
    await vote_and_say_why(phone, "Disagree", "This is nonsense.")
    await expect(phone.locator("[data-my-note]")).to_have_text(
        "Waiting for the moderator before the room sees it.")
    await expect(phone.locator("[data-my-stance]")).to_have_text("Disagree")
    await expect(phone.locator("[data-reasons-none]")).to_have_text("No reasons yet.")
    # an empty reason is refused by the browser; one too long cannot be typed
    await phone.locator("[data-reason-summary]").click()
    field = phone.get_by_label("Why did you vote this way?")
    await field.fill("x" * 300)
    await expect(field).to_have_value("x" * 280)
    await phone.get_by_role("button", name="Remove").click()
    await expect(phone.locator("[data-my-reason]")).to_be_hidden()
    await expect(phone.locator("[data-reason-summary]")).to_have_text("Why? (optional)")
    await mod.control("close")
    await expect(phone.locator("[data-reason-box]")).to_be_hidden()
    # a reason sent just as voting closed: the refusal is said in words (and to screen readers)
    await phone.evaluate("""() => {
      const form = document.querySelector('[data-reason-form]');
      form.elements.text.value = 'Too late.';
      form.requestSubmit();
    }""")
    said = "Reasons can be given while voting is open."
    await expect(phone.locator("[data-voice-error]")).to_have_text(said)
    await expect(phone.locator("[data-announce]")).to_have_text(said)


def tag_of(html: str, marker: str) -> str:
    """The first opening tag that carries the attribute `marker` (a name, or `name="value"`)."""
    found = re.search(rf"<[^<>]*\s{re.escape(marker)}(?=[\s>=])[^<>]*>", html)
    assert found, f"no element with {marker}"
    return found.group(0)


def shown(html: str, marker: str) -> bool:
    """Whether the element with `marker` is shown (has no `hidden` attribute)."""
    return re.search(r"\shidden(?=[\s>])", tag_of(html, marker)) is None


def actions(html: str) -> set[str]:
    return {form.get("action", "") for form in parse_page(html).forms}


async def test_without_javascript_the_reason_form_and_the_reasons_are_plain_html(site,
                                                                              moderator) -> None:
    debate = site.new("No script", ["Statement one"])
    server = site.start()
    mod = await moderator(server, debate)
    await mod.show(debate.sid(1), "open")
    code = debate.join_code
    statement = str(debate.sid(1))
    async with http_client(server) as author, http_client(server) as fan:
        page = await author.get(f"/j/{code}")
        assert not shown(page.text, "data-reason-box") and not shown(page.text, "data-floor")
        fields, headers = csrf_fields(author, page.text)
        voted = await author.post(f"/j/{code}/vote", data={
            **fields, "statement": statement, "choice": "agree"}, headers=headers)
        assert voted.status_code == 303
        page = await author.get(f"/j/{code}")
        assert shown(page.text, "data-reason-box")
        assert " open" in tag_of(page.text, "data-reason-box")  # the question is open
        assert f"/j/{code}/reason" in actions(page.text) and "Why? (optional)" in page.text
        assert 'maxlength="280"' in tag_of(page.text, 'id="reason-text"')
        given = await author.post(f"/j/{code}/reason", data={
            **fields, "statement": statement, "text": HOSTILE}, headers=headers)
        assert given.status_code == 303
        page = await author.get(f"/j/{code}")
        assert "<img src=x" not in page.text and "&lt;img src=x onerror=alert(1)&gt;" in page.text
        assert shown(page.text, "data-my-reason") and "Edit your reason" in page.text
        assert f"/j/{code}/reason/remove" in actions(page.text)
        assert shown(page.text, "data-floor") and f"/j/{code}/floor" in actions(page.text)

        page = await fan.get(f"/j/{code}")
        fan_fields, fan_headers = csrf_fields(fan, page.text)
        await fan.post(f"/j/{code}/vote", data={
            **fan_fields, "statement": statement, "choice": "disagree"}, headers=fan_headers)
        page = await fan.get(f"/j/{code}")
        assert shown(page.text, "data-reasons-hint") and "data-reason=" not in page.text
        await mod.control("reveal")
        page = await fan.get(f"/j/{code}")
        assert not shown(page.text, "data-reasons-hint")
        assert "&lt;img src=x onerror=alert(1)&gt;" in page.text and "<img src=x" not in page.text
        reason_id = re.search(r'data-reason="(\d+)"', page.text).group(1)
        assert f"/j/{code}/plus" in actions(page.text)
        plussed = await fan.post(f"/j/{code}/plus", data={
            **fan_fields, "reason": reason_id, "on": "1"}, headers=fan_headers)
        assert plussed.status_code == 303
        page = await fan.get(f"/j/{code}")
        assert 'aria-pressed="true"' in tag_of(page.text, f'data-plus="{reason_id}"')
        assert ">1 +1<" in page.text

        asked = await fan.post(f"/j/{code}/floor", data={**fan_fields, "name": "Dee"},
                               headers=fan_headers)
        assert asked.status_code == 303
        page = await fan.get(f"/j/{code}")
        assert "on the list (Disagree)" in page.text and shown(page.text, "data-floor-waiting")
        assert not shown(page.text, "data-floor-called")
        assert (await mod.post(f"/d/{debate.id}/floor", {"side": "disagree"})).status_code == 303
        page = await fan.get(f"/j/{code}")
        assert shown(page.text, "data-floor-called") and "You have the floor" in page.text


async def test_phones_see_waiting_proposals_and_plus_one_them(chromium: Browser, site,
                                                              moderator) -> None:
    debate = site.new("Ideas", ["Exams should go."])
    server = site.start()
    mod = await moderator(server, debate)
    settings = await mod.post(f"/d/{debate.id}/settings",
                              {"proposals": "1", "proposals_public": "1"})
    assert settings.status_code == 303
    proposer = await chromium.phone(debate.join_url)
    reader = await chromium.phone(debate.join_url, device="second phone")
    await expect(reader.locator("[data-room-proposals]")).to_be_hidden()  # none waiting yet
    await proposer.get_by_text("Propose a statement").click()
    await proposer.get_by_label("Your statement for the moderator").fill(HOSTILE)
    await proposer.get_by_role("button", name="Send to the moderator").click()
    await expect(proposer.locator("[data-propose-thanks]")).to_be_visible()

    waiting = reader.locator("[data-room-proposals]")  # told without a reload
    await expect(waiting.locator(".reason__text")).to_have_text(HOSTILE)
    assert await waiting.locator("img").count() == 0
    plus = waiting.get_by_role("button", name="+1")
    await plus.click()
    await expect(plus).to_have_attribute("aria-pressed", "true")
    await expect(proposer.locator("[data-room-proposals] [data-plus-count]")).to_have_text("1 +1")
    await reader.reload()  # welcome.proposal_plus and the page keep the +1
    await expect(reader.locator("[data-room-proposals]").get_by_role("button", name="+1")
                 ).to_have_attribute("aria-pressed", "true")
