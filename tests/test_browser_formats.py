"""Debate formats in a real browser (issue 6): audience groups, a second round with its swing,
proposals from the audience, the countdown, the five-point scale with results after voting.

Phones, the projector and the moderator page are real pages in Debian's Chromium
(tests/support/browser.py) against a real server; each test asserts what people see on screen.
Waits are Playwright's auto-waiting `expect(...)` with generous timeouts, never fixed sleeps;
nothing measures speed.
"""

from __future__ import annotations

import re

from playwright.async_api import Page, expect
from support.browser import (
    SMALL_PHONE,
    Accessibility,
    Browser,
    Screenshots,
    bar,
    check_phone,
    status,
    tap,
)

THANKS = "Thank you! The moderator will look at your statement."
APPROVED = "Lunch on campus should be free."
STATEMENTS = [
    "Internships should be paid.",
    "Every teacher should be able to teach hybrid.",
]


async def click(page: Page, name: str) -> None:
    await page.get_by_role("button", name=name, exact=True).click()


async def no_sideways_scroll(page: Page) -> None:
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"the page is {width}px wide on a {viewport}px screen"


# --------------------------------------------------------------------------------------------------
# 1. groups and a second round, across two phones, the projector and the moderator page


async def test_groups_and_a_second_round(chromium: Browser, site, screenshots: Screenshots):
    debate = site.new("Formats", STATEMENTS, "en", "--group", "Werkveld", "--group", "Hogeschool")
    server = site.start()
    axe = Accessibility()

    mod = await chromium.desktop(debate.moderator_url)
    await expect(mod.locator("[data-position]")).to_have_text("Statement 1 of 2")
    projector = await chromium.projector(debate.screen_url)
    phone1 = await chromium.phone(debate.join_url, device="phone 1")
    phone2 = await chromium.phone(debate.join_url, device="phone 2", size=SMALL_PHONE)

    # -- each phone is asked once which group it belongs to ----------------------------------
    for phone in (phone1, phone2):
        await expect(phone.get_by_text("Who are you?")).to_be_visible()
    await axe.audit(phone2, "phone: who are you?")
    await screenshots.save(phone2, "phone-groups")
    for phone in (phone1, phone2):
        await check_phone(phone, "group question")
    await tap(phone1, "Werkveld")
    await tap(phone2, "Hogeschool")
    await expect(phone1.get_by_text("Group: Werkveld")).to_be_visible()
    await expect(phone2.get_by_text("Group: Hogeschool")).to_be_visible()
    await expect(phone1.get_by_role("button", name="Werkveld", exact=True)).to_be_hidden()
    await check_phone(phone1, "group chosen")
    # asked once: after a reload the question stays closed, the group is remembered
    await phone1.reload()
    await expect(phone1.get_by_text("Group: Werkveld")).to_be_visible()
    await expect(phone1.get_by_role("button", name="Werkveld", exact=True)).to_be_hidden()

    # -- round 1: both agree -----------------------------------------------------------------
    await click(mod, "Open voting")
    await expect(mod.get_by_role("button", name="Vote again (round 2)")).to_be_disabled()
    await tap(phone1, "Agree")
    await tap(phone2, "Agree")
    await expect(status(phone1)).to_have_text("Your vote: Agree — counted")
    await expect(status(phone2)).to_have_text("Your vote: Agree — counted")
    await expect(mod.locator(".live__tally [data-voted]")).to_have_text("2 voted")
    await click(mod, "Close voting")
    await expect(status(phone1)).to_have_text("Voting is closed — your vote: Agree")

    # -- the moderator starts round 2 after the discussion ---------------------------------------
    await click(mod, "Vote again (round 2)")
    await expect(mod.locator("[data-round]")).to_have_text("Round 2")
    await expect(projector.locator("[data-round]")).to_have_text("Round 2")
    for phone in (phone1, phone2):
        await expect(phone.locator("[data-round]")).to_have_text("Round 2")
        await expect(status(phone)).to_have_text("Round 2: you can vote again")
        await check_phone(phone, "round 2")
        await expect(phone.get_by_role("button", name="Agree", exact=True)).to_have_attribute(
            "aria-pressed", "false"
        )
    await expect(mod.get_by_role("button", name="Vote again (round 2)")).to_be_disabled()

    # phone 1 changed its mind, phone 2 did not
    await tap(phone1, "Disagree")
    await tap(phone2, "Agree")
    await expect(status(phone1)).to_have_text("Your vote: Disagree — counted")
    await expect(status(phone2)).to_have_text("Your vote: Agree — counted")
    await expect(mod.locator(".live__tally [data-voted]")).to_have_text("2 voted")

    # -- the moderator sees both rounds, the swing and the split by group ------------------------
    live = mod.locator(".live__tally")
    await expect(live.locator(".swing__text")).to_have_text("Disagree +50 points")
    await expect(live.locator(".swing__note")).to_have_text(
        "Counts only the 2 people who voted in both rounds"
    )
    await expect(live.locator(".compare__title")).to_have_text(["Round 1", "Round 2"])
    groups = live.locator("[data-groups] .gsplit__row")
    await expect(groups).to_have_count(2)
    await expect(groups.nth(0)).to_contain_text("Werkveld")
    await expect(groups.nth(0)).to_contain_text("0% agree")
    await expect(groups.nth(1)).to_contain_text("Hogeschool")
    await expect(groups.nth(1)).to_contain_text("100% agree")

    # -- reveal with the groups on the projector -------------------------------------------------
    await expect(projector.locator("[data-results]")).to_be_hidden()
    await click(mod, "Close voting")
    await click(mod, "Groups on screen")
    await expect(mod.get_by_role("button", name="Groups on screen")).to_have_attribute(
        "aria-pressed", "true"
    )
    await click(mod, "Reveal results")
    results = projector.locator("[data-results]")
    await expect(results).to_be_visible()
    await expect(results.locator(".swing__text")).to_have_text("Disagree +50 points")
    await expect(results.locator(".swing__note")).to_have_text(
        "Counts only the 2 people who voted in both rounds"
    )
    await expect(results.locator(".compare__title")).to_have_text(["Round 1", "Round 2"])
    await expect(results.locator(".compare [data-choice=agree] [data-pct]")).to_have_text(
        ["100%", "50%"]
    )
    split = results.locator("[data-groups] .gsplit__row")
    await expect(split).to_have_count(2)
    await expect(split.nth(0)).to_contain_text("Werkveld")
    await expect(split.nth(0)).to_contain_text("0% agree")
    await expect(split.nth(1)).to_contain_text("100% agree")
    await screenshots.save(projector, "projector-round2-groups")
    # the moderator's list marks the statement on which the groups differ most
    differ = mod.locator(".srow").nth(0).locator("[data-differ]")
    await expect(differ).to_have_text("Groups differ most here: 100 points apart in agreeing")
    await axe.audit(projector, "projector: round 2 with groups")
    # phones see the current round's result once revealed, never the group split
    await expect(bar(phone1, "agree", "pct")).to_have_text("50%")
    await expect(phone1.locator("[data-swing]")).to_have_text("Disagree +50 points")
    await expect(phone1.locator(".gsplit__row")).to_have_count(0)

    # the projector drops the split when the moderator hides it
    await click(mod, "Groups on screen")
    await expect(split).to_have_count(0)

    # -- a phone changes its group later --------------------------------------------------------
    await phone2.get_by_text("Group: Hogeschool").click()
    await check_phone(phone2, "changing the group")
    await tap(phone2, "Werkveld")
    await expect(phone2.get_by_text("Group: Werkveld")).to_be_visible()

    await axe.audit(mod, "moderator: round 2")
    await screenshots.save(mod, "moderator-round2")
    await axe.audit(phone1, "phone: round 2 revealed")

    # -- the report: both rounds, the swing, the split by group ---------------------------------
    report = await chromium.desktop(f"{server.url}/d/{debate.id}/report")
    await expect(report.get_by_role("heading", name="Summary")).to_be_visible()
    await expect(report.get_by_text("Disagree +50 points").first).to_be_visible()
    chart = report.get_by_role("img", name="Round 2: Agree 50% (1 vote)", exact=False)
    await expect(chart).to_be_visible()
    await axe.audit(report, "report with two rounds and groups")
    heading = report.get_by_role("heading", name="Statement 1", exact=False).first
    await heading.scroll_into_view_if_needed()
    await screenshots.save(report, "report")
    axe.check()
    chromium.assert_same_origin(server.url)


# --------------------------------------------------------------------------------------------------
# 2. a statement proposed by the audience, edited and approved by the moderator


async def test_audience_proposes_and_moderator_approves(chromium: Browser, site):
    debate = site.new("Proposals", STATEMENTS, "en", "--proposals")
    site.start()
    mod = await chromium.desktop(debate.moderator_url)
    await expect(mod.locator("[data-list-count]")).to_have_text("2 statements")
    await expect(mod.get_by_text("No proposals waiting")).to_be_visible()
    phone = await chromium.phone(debate.join_url)

    await check_phone(phone, "proposals, closed")
    await phone.get_by_text("Propose a statement").click()
    await check_phone(phone, "propose form")
    await phone.get_by_label("Your statement for the moderator").fill("Lunch should be free")
    await phone.get_by_role("button", name="Send to the moderator").tap()
    # the notice, not the screen reader's copy of it (which follows 50 ms later)
    await expect(phone.get_by_role("status").filter(has_text=THANKS)).to_be_visible()
    await expect(phone.get_by_label("Your statement for the moderator")).to_be_hidden()

    # the same text again is refused with the server's message
    await phone.get_by_text("Propose a statement").click()
    await phone.get_by_label("Your statement for the moderator").fill("Lunch should be free")
    await phone.get_by_role("button", name="Send to the moderator").tap()
    await expect(phone.get_by_text("This statement was proposed already.")).to_be_visible()
    await check_phone(phone, "propose form, refused")

    # a phone without JavaScript proposes through the plain form
    plain = await chromium.phone(debate.join_url, device="no-js phone", js=False)
    await plain.get_by_text("Propose a statement").click()
    await check_phone(plain, "no script, propose form")
    await plain.get_by_label("Your statement for the moderator").fill("Exams should be optional")
    async with plain.expect_navigation():
        await plain.get_by_role("button", name="Send to the moderator").tap()
    await expect(plain.get_by_text(THANKS)).to_be_visible()
    await check_phone(plain, "no script, proposal sent")

    # -- the moderator's queue, live ---------------------------------------------------------------
    queue = mod.locator("[data-proposals] .proposal")
    await expect(queue).to_have_count(2)
    await expect(mod.locator("[data-proposals-count]")).to_have_text("2 waiting")
    first = queue.filter(has=mod.get_by_role("textbox", name="Proposed statement")).nth(0)
    await expect(first.get_by_role("textbox")).to_have_value("Lunch should be free")
    await first.get_by_role("textbox").fill(APPROVED)
    await first.get_by_role("button", name="Approve").click()
    await expect(queue).to_have_count(1)
    await queue.nth(0).get_by_role("button", name="Reject").click()
    await expect(queue).to_have_count(0)
    await expect(mod.get_by_text("No proposals waiting")).to_be_visible()

    # the approved statement joins the list without a reload, marked as the audience's
    await expect(mod.locator("[data-list-count]")).to_have_text("3 statements")
    row = mod.locator(".srow").nth(2)
    await expect(row.locator("[data-row-text]")).to_have_text(APPROVED)
    await expect(row.get_by_text("From the audience")).to_be_visible()
    await expect(mod.get_by_text("Exams should be optional")).to_have_count(0)

    # shown, it carries the mark on the moderator page and reaches the phones
    await row.get_by_role("button", name="Show statement 3").click()
    await expect(mod.locator("[data-statement-text]")).to_have_text(APPROVED)
    await expect(mod.locator("[data-proposed-label]")).to_be_visible()
    await expect(phone.locator("[data-statement-text]")).to_have_text(APPROVED)


# --------------------------------------------------------------------------------------------------
# 3. the countdown closes voting on phones and the projector


async def test_countdown_closes_voting(chromium: Browser, site):
    debate = site.new("Countdown", STATEMENTS, "en")
    site.start()
    mod = await chromium.desktop(debate.moderator_url)
    projector = await chromium.projector(debate.screen_url)
    phone = await chromium.phone(debate.join_url)

    # the moderator's notes on a statement, shown beside it while it is on screen
    first_row = mod.locator(".srow").nth(0)
    await first_row.locator("summary").click()
    notes = first_row.get_by_label("Notes (your verdict; printed in the report)")
    await notes.fill("Keep it short.")
    async with mod.expect_navigation():
        await first_row.get_by_role("button", name="Save").click()
    await expect(mod.locator("[data-notes-text]")).to_have_text("Keep it short.")

    await click(mod, "Open voting")
    await tap(phone, "Agree")
    await expect(status(phone)).to_have_text("Your vote: Agree — counted")

    # a countdown that reveals the results when it ends
    await mod.get_by_label("Then reveal the results").check()
    await mod.get_by_label("Seconds").fill("5")
    await click(mod, "Start")
    for page in (projector, phone, mod):
        await expect(page.locator("[data-timer]")).to_contain_text("Time left")
    await check_phone(phone, "countdown")
    await expect(projector.locator("[data-timer-value]")).to_have_text(re.compile(r"^0:0[0-5]$"))
    # at zero the server closes voting and reveals
    await expect(status(phone)).to_have_text("Voting is closed — your vote: Agree")
    await expect(projector.locator("[data-phase-text]")).to_have_text("Voting is closed")
    await expect(projector.locator("[data-results]")).to_be_visible()
    await expect(bar(projector, "agree", "pct")).to_have_text("100%")
    for page in (projector, phone, mod):
        await expect(page.locator("[data-timer]")).to_be_hidden()
    await expect(phone.get_by_role("button", name="Disagree", exact=True)).to_be_disabled()

    # a quick 60 s countdown on the next statement opens voting; Stop ends it, voting stays open
    await click(mod, "Next")
    await expect(projector.locator("[data-statement-text]")).to_have_text(STATEMENTS[1])
    await click(mod, "60 s")
    timer_value = projector.locator("[data-timer-value]")
    await expect(timer_value).to_have_text(re.compile(r"^[01]:[0-5]\d$"))
    await expect(status(phone)).to_have_text("Choose your answer")
    await click(mod, "Stop the countdown")
    await expect(projector.locator("[data-timer]")).to_be_hidden()
    await expect(phone.locator("[data-timer]")).to_be_hidden()
    await expect(projector.locator("[data-phase-text]")).to_have_text("Voting is open")
    await expect(mod.locator("[data-notes]")).to_be_hidden()  # statement 2 has no notes

    # the debate duplicated as a template: a new debate, same statements, no votes
    first_url = mod.url
    async with mod.expect_navigation():
        await mod.get_by_role("button", name="Duplicate as template").click()
    await expect(mod).to_have_url(re.compile(r"/d/[a-z0-9]+/moderate$"))
    assert mod.url != first_url
    await expect(mod.get_by_role("heading", name="Countdown")).to_be_visible()
    await expect(mod.get_by_role("textbox", name="Moderator link")).to_be_visible()
    await expect(mod.locator("[data-list-count]")).to_have_text("2 statements")
    await expect(mod.locator(".live__tally [data-voted]")).to_have_text("0 voted")


# --------------------------------------------------------------------------------------------------
# 4. a five-point debate made with the form, results on a phone once it has voted


async def test_five_point_scale_with_results_after_voting(chromium: Browser, site):
    server = site.start()
    mod = await chromium.desktop(f"{server.url}/new")
    await mod.get_by_label("Title").fill("Five points")
    await mod.get_by_label("Language of the phone and screen pages").select_option("en")
    await mod.get_by_label("Statements", exact=True).fill("\n".join(STATEMENTS))
    await mod.get_by_label("Answers").select_option("five")
    await mod.get_by_label("Show results").select_option("voted")
    await mod.get_by_role("button", name="Create debate").click()
    await expect(mod).to_have_url(re.compile(r"/d/[a-z0-9]+/moderate$"))
    join_link = mod.locator(".links div", has_text="Join link for phones").get_by_role("link")
    join = await join_link.inner_text()
    screen_link = mod.locator(".links div", has_text="Projector screen").get_by_role("link")
    projector = await chromium.projector(await screen_link.inner_text())  # carries its key
    phone1 = await chromium.phone(join, device="phone 1", size=SMALL_PHONE)
    phone2 = await chromium.phone(join, device="phone 2", size=SMALL_PHONE)

    labels = ["Strongly agree", "Agree", "Neutral", "Disagree", "Strongly disagree"]
    await expect(phone1.locator(".choice__label")).to_have_text(labels)
    await click(mod, "Open voting")
    await expect(phone1.get_by_role("button", name="Strongly agree")).to_be_enabled()

    # phone 1 votes and sees the results; phone 2 has not voted and does not
    await tap(phone1, "Strongly agree")
    await expect(status(phone1)).to_have_text("Your vote: Strongly agree — counted")
    await expect(phone1.locator("[data-results]")).to_be_visible()
    await expect(phone1.locator("[data-mean]")).to_have_text("mean 5.0 / 5")
    await expect(phone2.locator("[data-results]")).to_be_hidden()
    for phone in (phone1, phone2):
        await check_phone(phone, "five points")
    # the projector shows them live under this setting
    await expect(projector.locator("[data-results]")).to_be_visible()
    await expect(bar(projector, "strongly_agree", "pct")).to_have_text("100%")

    await tap(phone2, "Agree")
    await expect(phone2.locator("[data-results]")).to_be_visible()
    for page in (phone1, phone2, projector):
        await expect(page.locator("[data-mean]").first).to_have_text("mean 4.5 / 5")
        await expect(bar(page, "strongly_agree", "pct")).to_have_text("50%")
        await expect(bar(page, "agree", "pct")).to_have_text("50%")
        await expect(bar(page, "strongly_disagree", "pct")).to_have_text("0%")
    await expect(mod.locator(".live__tally [data-mean]").first).to_have_text("mean 4.5 / 5")
    for phone in (phone1, phone2):
        await no_sideways_scroll(phone)

    # the scale is locked now: the moderator's settings say why
    await mod.get_by_text("Settings", exact=True).click()
    await mod.get_by_label("Answers").select_option("three")
    await mod.get_by_role("button", name="Save settings").click()
    await expect(mod.locator("[data-error]")).to_contain_text("The scale cannot change after votes")
    axe = Accessibility()
    await axe.audit(phone1, "phone: five-point results")
    await axe.audit(mod, "moderator: five-point, settings open")
    axe.check()
