"""Issue 12, "The room's voice", as one evening in the room, every page a real Chromium page against
a real server: a debate in Dutch with its English translation; the moderator's page and the
projector (signed in through its projector link) open, a Dutch phone and an English phone join by
the join link and each reads the statement in its own language while the projector shows both.
The moderator opens voting by its button; the Dutch phone votes "Eens" and says why, the English
phone votes the other way and says why; the moderator reveals; the English phone reads the Dutch
reason under "Agree" and +1s it, and the moderator's page shows it under "Eens" with its +1. The
moderator puts it in the spotlight (the projector shows it large with its stance) and takes it
off with the S key. Both phones ask for the floor; "Next from agree", then "Next from disagree":
each phone is told it has the floor in its own language, the projector says who speaks. Last, a
hostile reason stays text on every page, in the spotlight too, and no script of it runs.

The screenshots of the README's "What it looks like" (voice rows) are taken here. Waits are
Playwright's auto-waiting `expect(...)`; nothing is timed.
"""

from __future__ import annotations

from playwright.async_api import Locator, Page, expect
from support.browser import PHONE, Accessibility, Browser, Screenshots, check_phone, status, tap

HOSTILE = '<img src=x onerror=alert(1)> "=1+2"'
DUTCH, ENGLISH = ("Elke docent moet hybride kunnen lesgeven.",
                  "Every teacher should be able to teach hybrid.")
STATEMENTS = [f"{DUTCH} | {ENGLISH}", "Campusdagen doen ertoe. | Campus days matter."]
WHY_DUTCH = "Studenten met een baan kunnen dan toch de les volgen."
WHY_ENGLISH = "Not every subject works online."


async def phone_in(chromium: Browser, device: str, url: str, locale: str) -> Page:
    """A phone (390x844, touch) whose browser asks for `locale`."""
    return await chromium.page(device, url, locale=locale, viewport=PHONE, is_mobile=True,
                               has_touch=True, device_scale_factor=2)


def no_dialogs(page: Page, seen: list[str]) -> None:
    """Any alert() a hostile text managed to run would land here."""
    page.on("dialog", lambda dialog: (seen.append(dialog.message), dialog.dismiss()))


def desk_reason(desk: Page, stance: str, text: str) -> Locator:
    """A reason on the moderator's page, under the stance of its author's vote."""
    return desk.locator(f'[data-reasons-panel] [data-stance="{stance}"] .dreason', has_text=text)


async def say_why(phone: Page, choice: str, counted: str, label: str, why: str, send: str) -> None:
    """The phone votes `choice` and sends its reason (the page's words in its own language)."""
    await tap(phone, choice)
    await expect(status(phone)).to_have_text(counted)
    await phone.get_by_label(label).fill(why)
    await phone.get_by_role("button", name=send).click()
    await expect(phone.locator("[data-my-reason] [data-my-text]")).to_have_text(why)
    await expect(phone.locator("[data-my-reason] [data-my-stance]")).to_have_text(choice)


async def test_the_rooms_voice_in_two_languages_on_every_page(
    chromium: Browser, site, screenshots: Screenshots
) -> None:
    debate = site.new("De stem van de zaal", STATEMENTS, "nl", "--screen-languages", "both")
    server = site.start()
    dialogs: list[str] = []
    axe = Accessibility()

    # -- 1. the moderator, the projector and two phones open; each reads its own language -------
    desk = await chromium.desktop(debate.moderator_url, device="moderator")
    projector = await chromium.projector(debate.screen_url)
    dutch = await phone_in(chromium, "Dutch phone", debate.join_url, "nl-NL")
    english = await phone_in(chromium, "English phone", debate.join_url, "en-GB")
    for page in (desk, projector, dutch, english):
        no_dialogs(page, dialogs)
    await expect(desk.get_by_role("heading", name="De stem van de zaal")).to_be_visible()
    for page, text, lang in ((dutch, DUTCH, "nl"), (english, ENGLISH, "en")):
        await expect(page.locator("[data-statement-text]")).to_have_text(text)
        await expect(page.locator("[data-statement-text]")).to_have_attribute("lang", lang)
    await expect(projector.locator("[data-statement-text]")).to_have_text(DUTCH)
    translation = projector.locator("[data-statement-translation]")
    await expect(translation).to_have_text(ENGLISH)
    await expect(translation).to_have_attribute("lang", "en")
    await expect(projector.locator("[data-connected]")).to_have_text("2 verbonden")
    await expect(status(dutch)).to_have_text("Het stemmen is nog niet begonnen")
    await expect(status(english)).to_have_text("Voting has not started yet")

    # -- 2. voting opens by the moderator's button; each phone votes and says why --------------
    await desk.get_by_role("button", name="Stemmen openen").click()
    await expect(status(dutch)).to_have_text("Kies je antwoord")
    await expect(status(english)).to_have_text("Choose your answer")
    await say_why(dutch, "Eens", "Je stem: Eens — geteld", "Waarom stemde je zo?", WHY_DUTCH,
                  "Reden versturen")
    await say_why(english, "Disagree", "Your vote: Disagree — counted",
                  "Why did you vote this way?", WHY_ENGLISH, "Send reason")
    await expect(projector.locator("[data-voted]")).to_have_text("2 gestemd")
    await expect(projector.locator("[data-results]")).to_be_hidden()
    await screenshots.save(projector, "projector-two-languages")
    # the moderator sees each reason under its author's vote before the room does
    await expect(desk_reason(desk, "agree", WHY_DUTCH).locator(".dreason__text")).to_have_text(
        WHY_DUTCH)
    await expect(desk_reason(desk, "disagree", WHY_ENGLISH)).to_be_visible()
    await expect(english.locator("[data-reasons-hint]")).to_have_text(
        "The room's reasons appear here once the results are shown.")

    # -- the moderator reveals; the English phone reads the Dutch reason and +1s it -------------
    await desk.get_by_role("button", name="Uitslag tonen").click()
    await expect(projector.locator("[data-results]")).to_be_visible()
    agree = english.locator('[data-reasons] .reasons__side[data-stance="agree"]')
    await expect(agree.get_by_role("heading")).to_have_text("Agree")
    await expect(agree.locator(".reason__text")).to_have_text([WHY_DUTCH])
    plus = agree.get_by_role("button", name="+1")
    await plus.click()
    await expect(plus).to_have_attribute("aria-pressed", "true")
    await expect(agree.locator("[data-plus-count]")).to_have_text("1 +1")
    # the Dutch phone sees both sides in Dutch, its own reason marked and counted
    eens = dutch.locator('[data-reasons] .reasons__side[data-stance="agree"]')
    await expect(eens.get_by_role("heading")).to_have_text("Eens")
    await expect(eens.locator(".reason__own")).to_have_text("Jouw reden")
    await expect(eens.locator("[data-plus-count]")).to_have_text("1 +1")
    oneens = dutch.locator('[data-reasons] .reasons__side[data-stance="disagree"]')
    await expect(oneens.get_by_role("heading")).to_have_text("Oneens")
    await expect(oneens.locator(".reason__text")).to_have_text([WHY_ENGLISH])
    dutch_item = desk_reason(desk, "agree", WHY_DUTCH)
    await expect(dutch_item.locator("[data-reason-plus]")).to_have_text("1 +1")
    await expect(desk.locator('[data-reasons-panel] [data-stance="agree"] .dstance__label')
                 ).to_have_text("Eens")
    await expect(desk.locator("[data-reasons-count]")).to_have_text("2 redenen")
    await english.locator("[data-reasons]").evaluate("n => n.scrollIntoView({block: 'start'})")
    await screenshots.save(english, "phone-reasons")
    await english.evaluate("window.scrollTo(0, 0)")
    await check_phone(english, "the room's reasons")
    await axe.audit(english, "the English phone's reasons")

    # -- 3. the spotlight: the projector shows the reason large, with its stance ---------------
    spot = projector.locator("[data-spot]")
    await expect(spot).to_be_hidden()
    await dutch_item.get_by_role("button", name="Uitlichten").click()
    await expect(spot.locator("[data-spot-text]")).to_have_text(WHY_DUTCH)
    await expect(spot.locator("[data-spot-stance]")).to_have_text("Eens")
    await expect(projector.locator("[data-results]")).to_be_hidden()
    await expect(dutch_item.locator("[data-reason-spotlit]")).to_have_text("Op de beamer")
    await expect(desk.locator("[data-spotlight-text]")).to_have_text(WHY_DUTCH)
    size = await spot.locator("[data-spot-text]").evaluate(
        "n => parseFloat(getComputedStyle(n).fontSize)")
    assert size >= 30, f"the spotlight is {size}px, not large"
    await screenshots.save(projector, "projector-spotlight")
    await screenshots.save(desk, "moderator-reasons")
    await axe.audit(desk, "the moderator's reasons with one in the spotlight")
    await desk.locator(".mod__title").click()  # focus leaves the reason's buttons
    await desk.keyboard.press("s")
    await expect(spot).to_be_hidden()
    await expect(projector.locator("[data-results]")).to_be_visible()
    await expect(dutch_item.get_by_role("button", name="Uitlichten")).to_have_attribute(
        "aria-pressed", "false")

    # -- 4. the floor: both phones ask; the moderator calls one side, then the other -----------
    await dutch.get_by_label("Je voornaam (niet verplicht)").fill("Anouk")
    await dutch.get_by_role("button", name="Ik wil iets zeggen").click()
    await expect(dutch.locator("[data-floor-status]")).to_have_text("Je staat op de lijst (Eens)")
    await english.get_by_label("Your first name (optional)").fill("Ben")
    await english.get_by_role("button", name="I want to speak").click()
    await expect(english.locator("[data-floor-status]")).to_have_text(
        "You're on the list (Disagree)")
    floor = desk.locator("[data-floor-panel]")
    await expect(floor.locator("[data-floor-count]")).to_have_text("2 wachten")
    speaking = projector.locator("[data-floor-speaking]")
    on_next = projector.locator("[data-floor-next]")
    await expect(on_next).to_have_text("Hierna: Anouk (Eens), Ben (Oneens)")

    await floor.get_by_role("button", name="Volgende van eens").click()
    await expect(dutch.locator("[data-floor-called]")).to_have_text("Je hebt het woord")
    await expect(dutch.get_by_role("button", name="Klaar met spreken")).to_be_visible()
    await expect(speaking).to_have_text("Aan het woord: Anouk (Eens)")
    await expect(on_next).to_have_text("Hierna: Ben (Oneens)")
    await expect(floor.locator("[data-speaking]")).to_have_text("Aan het woord: Anouk (Eens)")
    await expect(english.locator("[data-floor-called]")).to_be_hidden()
    await expect(floor.locator('[data-stance="disagree"] li')).to_have_text(["Ben"])
    await floor.scroll_into_view_if_needed()
    await desk.mouse.move(0, 0)  # no button under the pointer, drawn as hovered
    await screenshots.save(desk, "moderator-floor")
    await screenshots.save(projector, "projector-floor")
    await dutch.locator("[data-floor]").scroll_into_view_if_needed()
    await screenshots.save(dutch, "phone-floor")
    await dutch.evaluate("window.scrollTo(0, 0)")
    await check_phone(dutch, "the floor, in Dutch")
    await axe.audit(dutch, "the Dutch phone with the floor")

    await floor.get_by_role("button", name="Volgende van oneens").click()
    await expect(english.locator("[data-floor-called]")).to_have_text("You have the floor")
    await expect(english.get_by_role("button", name="Done speaking")).to_be_visible()
    await expect(speaking).to_have_text("Aan het woord: Ben (Oneens)")
    await expect(on_next).to_be_hidden()
    await expect(dutch.locator("[data-floor-called]")).to_be_hidden()  # its turn is over

    # -- 5. a hostile reason stays text on every page, and in the spotlight --------------------
    await english.locator("[data-reason-summary]").click()  # "Edit your reason"
    await english.get_by_label("Why did you vote this way?").fill(HOSTILE)
    await english.get_by_role("button", name="Send reason").click()
    await expect(english.locator("[data-my-reason] [data-my-text]")).to_have_text(HOSTILE)
    await expect(dutch.locator(
        '[data-reasons] .reasons__side[data-stance="disagree"] .reason__text')).to_have_text(
        [HOSTILE])
    hostile_item = desk_reason(desk, "disagree", HOSTILE)
    await expect(hostile_item.locator(".dreason__text")).to_have_text(HOSTILE)
    await hostile_item.get_by_role("button", name="Uitlichten").click()
    await expect(spot.locator("[data-spot-text]")).to_have_text(HOSTILE)
    await expect(spot.locator("[data-spot-stance]")).to_have_text("Oneens")
    await desk.get_by_role("button", name="Haal van de beamer").click()
    await expect(spot).to_be_hidden()
    for page, where in ((dutch, "[data-reasons] img, [data-my-reason] img"),
                        (english, "[data-reasons] img, [data-my-reason] img"),
                        (desk, "[data-reasons-panel] img"), (projector, ".stage img")):
        assert await page.locator(where).count() == 0, f"an <img> came out of the text: {where}"
    assert dialogs == [], f"hostile text ran as script: {dialogs}"
    chromium.assert_same_origin(server.url)
    axe.check()
