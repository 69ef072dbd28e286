"""The debate in a real browser: Debian's Chromium driven by Playwright, against a real server.

What people do and what they see: the moderator creates a debate by pasting statements, the
projector shows the QR code, phones (touch, small viewports) scan it, vote and follow the moderator
without reloading; a phone without JavaScript votes through the plain form; pages recover by
themselves after a server restart; axe-core finds no serious accessibility problem; no page loads
anything from another origin. Screenshots of each state go to docs/screenshots/ when
UPDATE_SCREENSHOTS=1 (else to tmp_path).

Waits are Playwright's auto-waiting `expect(...)` with generous timeouts (tests/support/browser.py),
never fixed sleeps; nothing here measures speed.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Page, expect
from support.browser import (
    FINISH_TRANSITIONS,
    PROJECTOR,
    SMALL_PHONE,
    Accessibility,
    AckGate,
    Browser,
    MainFrameNavigations,
    Screenshots,
    assert_one_line,
    bar,
    check_phone,
    decode_qr,
    marker,
    set_marker,
    status,
    tap,
)
from support.checks import read_csv
from support.server import Server

STATEMENTS = [
    "Every teacher should be able to teach hybrid.",
    "Students learn more on campus than at home.",
    "Tech hubs belong in every school.",
]
ORGANISER_PASSWORD = "correct horse battery"
RECOVER_MS = 45_000  # a reconnect waits for its backoff (up to 15 s) on top of a server start


# --------------------------------------------------------------------------------------------------
# what the pages show


def statement(page: Page):
    return page.locator("[data-statement-text]")


async def expect_no_percentages(projector: Page) -> None:
    await expect(projector.locator("[data-results]")).to_be_hidden()
    visible = await projector.locator(".stage").inner_text()
    assert "%" not in visible, f"the projector shows a percentage before the reveal:\n{visible}"


# --------------------------------------------------------------------------------------------------
# 1. the whole debate, as people do it (also: 5. no request leaves the origin, 6. screenshots)


async def test_whole_debate_in_a_real_browser(
    chromium: Browser, start_server, tmp_path: Path, screenshots: Screenshots
):
    server: Server = start_server(tmp_path / "poll.db")

    # -- the moderator creates the debate by pasting the statements ------------------------------
    mod = await chromium.desktop(f"{server.url}/new")
    await mod.get_by_label("Title").fill("Hybrid tech hubs")
    await mod.get_by_label("Language of the phone and screen pages").select_option("en")
    await mod.get_by_label("Statements", exact=True).fill("\n".join(STATEMENTS) + "\n")
    await mod.get_by_role("button", name="Create debate").click()
    await expect(mod).to_have_url(re.compile(r"/d/[a-z0-9]+/moderate$"))
    debate_id = mod.url.rstrip("/").split("/")[-2]
    await expect(mod.get_by_role("heading", name="Hybrid tech hubs")).to_be_visible()
    key_link = mod.get_by_role("textbox", name="Moderator link")
    await expect(key_link).to_have_value(re.compile(rf"/d/{debate_id}/moderate\?key=\S+"))
    # a new debate starts on its first statement, voting not open yet
    await expect(mod.locator("[data-position]")).to_have_text("Statement 1 of 3")
    await expect(statement(mod)).to_have_text(STATEMENTS[0])
    # the moderator link is shown once: not again after a reload
    await mod.reload()
    await expect(mod.get_by_role("heading", name="Hybrid tech hubs")).to_be_visible()
    await expect(mod.get_by_role("textbox", name="Moderator link")).to_have_count(0)
    join_on_moderator = await (
        mod.locator(".links div", has_text="Join link for phones").get_by_role("link").inner_text()
    )

    # -- the projector, opened from the moderator page's screen link -----------------------------
    async with mod.context.expect_page() as popup:
        await mod.get_by_role("link", name="Open screen").click()
    projector = await popup.value
    await projector.set_viewport_size(PROJECTOR)
    await expect(projector).to_have_url(f"{server.url}/d/{debate_id}/screen")
    await expect(statement(projector)).to_have_text(STATEMENTS[0])
    await expect(projector.locator("[data-position]")).to_have_text("1 / 3")
    await expect(projector.locator(".join__qr svg")).to_be_visible()

    # -- phones read the join link from the QR code on the projector -----------------------------
    join_url = await decode_qr(projector.locator(".join__qr svg"))
    join_code = (await projector.locator(".join__code").inner_text()).strip()
    join_text = (await projector.locator(".join__url.join__lobby").inner_text()).strip()
    assert join_url == f"{server.url}/j/{join_code}", (join_url, join_code)
    assert join_url.split("://", 1)[1] == join_text, (join_url, join_text)
    assert join_url == join_on_moderator, (join_url, join_on_moderator)

    gate = AckGate()  # phone 1's acks are held back once, to see "counted" only after the ack
    phone1 = await chromium.phone(device="phone 1")
    await gate.install(phone1)
    await phone1.goto(join_url)
    phone2 = await chromium.phone(join_url, device="phone 2")
    phone3 = await chromium.phone(join_url, device="phone 3", size=SMALL_PHONE)
    phones = [phone1, phone2, phone3]
    for phone in phones:
        await expect(statement(phone)).to_have_text(STATEMENTS[0])
        await expect(phone.locator("[data-position]")).to_have_text("1 / 3")
        await expect(status(phone)).to_have_text("Voting has not started yet")
        await expect(phone.get_by_role("button", name="Agree", exact=True)).to_be_disabled()
    await expect(projector.locator("[data-connected]")).to_have_text("3 connected")
    await screenshots.save(projector, "projector-waiting")
    await screenshots.save(phone2, "phone-waiting")
    for phone in (phone2, phone3):
        await check_phone(phone, "waiting")

    # from here on, nothing may reload a phone
    navigations = {}
    for phone in phones:
        await set_marker(phone)
        navigations[phone] = MainFrameNavigations(phone)

    # -- the moderator opens voting (button) ---------------------------------------------------
    await mod.get_by_role("button", name="Open voting").click()
    for phone in phones:
        await expect(status(phone)).to_have_text("Choose your answer")
        await expect(phone.get_by_role("button", name="Agree", exact=True)).to_be_enabled()
    await expect(projector.locator("[data-phase-text]")).to_have_text("Voting is open")
    await expect(mod.get_by_role("button", name="Close voting")).to_be_visible()
    # the QR code moves to a corner while voting, and still reads as the join link
    assert await decode_qr(projector.locator(".join__qr svg")) == join_url
    await screenshots.save(projector, "projector-open")
    for phone in (phone2, phone3):
        await check_phone(phone, "open")

    # -- the phones vote: Agree / Agree / Disagree; "counted" only after the server's ack --------
    await tap(phone1, "Agree")
    await expect(status(phone1)).to_have_text("Your vote: Agree — sending…")
    # the server stored it (the moderator sees it) while phone 1 has not heard back yet
    await expect(mod.locator(".live__tally [data-voted]")).to_have_text("1 voted")
    await gate.wait_held(1)
    await expect(status(phone1)).to_have_text("Your vote: Agree — sending…")
    await expect(status(phone1)).not_to_have_class(re.compile(r"\bis-counted\b"))
    gate.release()
    await expect(status(phone1)).to_have_text("Your vote: Agree — counted")

    await tap(phone2, "Agree")
    await tap(phone3, "Disagree")
    await expect(status(phone2)).to_have_text("Your vote: Agree — counted")
    await expect(status(phone3)).to_have_text("Your vote: Disagree — counted")
    await expect(phone3.get_by_role("button", name="Disagree", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    await screenshots.save(phone1, "phone-voted")
    for phone in phones:
        await check_phone(phone, "voted")

    # the moderator always sees the live counts; the projector only how many voted
    await expect(bar(mod, "agree", "count", ".live__tally")).to_have_text("2 votes")
    await expect(bar(mod, "disagree", "count", ".live__tally")).to_have_text("1 vote")
    await expect(projector.locator("[data-voted]")).to_have_text("3 voted")
    await expect_no_percentages(projector)

    # -- one phone changes its mind ------------------------------------------------------------
    await tap(phone2, "Disagree")
    await expect(status(phone2)).to_have_text("Your vote: Disagree — counted")
    await expect(bar(mod, "agree", "count", ".live__tally")).to_have_text("1 vote")
    await expect(bar(mod, "disagree", "count", ".live__tally")).to_have_text("2 votes")
    await expect(mod.locator(".live__tally [data-voted]")).to_have_text("3 voted")
    await expect(projector.locator("[data-voted]")).to_have_text("3 voted")
    await expect_no_percentages(projector)

    # -- the moderator closes voting with the keyboard (o) -------------------------------------
    await mod.keyboard.press("o")
    await expect(mod.get_by_role("button", name="Reopen voting")).to_be_visible()
    await expect(status(phone1)).to_have_text("Voting is closed — your vote: Agree")
    await expect(status(phone2)).to_have_text("Voting is closed — your vote: Disagree")
    await expect(status(phone3)).to_have_text("Voting is closed — your vote: Disagree")
    for phone in phones:
        await expect(phone.get_by_role("button", name="Neutral", exact=True)).to_be_disabled()
    await expect(projector.locator("[data-phase-text]")).to_have_text("Voting is closed")
    await expect_no_percentages(projector)
    await screenshots.save(phone1, "phone-closed")
    await check_phone(phone3, "closed")

    # -- reveal: the projector shows counts and percentages ------------------------------------
    await mod.get_by_role("button", name="Reveal results").click()
    await expect(projector.locator("[data-results]")).to_be_visible()
    expected = {"agree": ("33%", "1 vote"), "neutral": ("0%", "0 votes"),
                "disagree": ("67%", "2 votes")}  # fmt: skip
    for choice, (pct, count) in expected.items():
        await expect(bar(projector, choice, "pct")).to_have_text(pct)
        await expect(bar(projector, choice, "count")).to_have_text(count)
        await expect(bar(phone1, choice, "pct")).to_have_text(pct)
    await expect(phone1.locator("[data-total]")).to_have_text("3 votes")
    await expect(mod.get_by_role("button", name="Hide results")).to_be_visible()
    await screenshots.save(projector, "projector-revealed")
    await screenshots.save(phone1, "phone-revealed")
    for phone in (phone1, phone3):
        await check_phone(phone, "revealed")
    await screenshots.save(mod, "moderator")

    # -- next statement (→): every phone follows without a reload ----------------------------------
    await mod.keyboard.press("ArrowRight")
    await expect(mod.locator("[data-position]")).to_have_text("Statement 2 of 3")
    for page in [projector, *phones]:
        await expect(statement(page)).to_have_text(STATEMENTS[1])
    for phone in phones:
        await expect(phone.locator("[data-position]")).to_have_text("2 / 3")
        await expect(status(phone)).to_have_text("Voting has not started yet")
        await expect(phone.locator("[data-results]")).to_be_hidden()
        assert await marker(phone) == "kept", "the phone page was reloaded"
        assert navigations[phone].count == 0, "the phone page navigated"
    await expect(projector.locator("[data-results]")).to_be_hidden()

    # -- the exports, downloaded from the moderator page ---------------------------------------
    async with mod.expect_download() as download_info:
        await mod.get_by_role("link", name="Results (CSV)").click()
    download = await download_info.value
    results = read_csv(Path(await download.path()).read_text(encoding="utf-8"))
    assert [r["statement"] for r in results] == STATEMENTS, results
    first = results[0]
    assert (first["agree"], first["neutral"], first["disagree"], first["total"]) == (
        "1", "0", "2", "3",
    ), first  # fmt: skip
    assert (first["agree_pct"], first["neutral_pct"], first["disagree_pct"]) == (
        "33", "0", "67",
    ), first  # fmt: skip
    assert all(r["total"] == "0" for r in results[1:]), results

    async with mod.expect_download() as download_info:
        await mod.get_by_role("link", name="All votes (CSV)").click()
    download = await download_info.value
    votes = read_csv(Path(await download.path()).read_text(encoding="utf-8"))
    assert len(votes) == 4, votes  # three votes and one change of mind: both stay in the archive
    assert {v["statement"] for v in votes} == {STATEMENTS[0]}, votes
    assert len({v["participant"] for v in votes}) == 3, votes
    assert sorted(v["choice"] for v in votes) == ["agree", "agree", "disagree", "disagree"]
    by_participant: dict[str, list[str]] = {}
    for v in votes:
        by_participant.setdefault(v["participant"], []).append(v["choice"])
    assert sorted(by_participant.values()) == [["agree"], ["agree", "disagree"], ["disagree"]]

    # -- 5. every request any page made went to the app itself ---------------------------------
    chromium.assert_same_origin(server.url)


# --------------------------------------------------------------------------------------------------
# 2. a phone without JavaScript


async def test_phone_without_javascript_votes_through_the_form(chromium: Browser, site, moderator):
    debate = site.new("No script", STATEMENTS[:2])
    server = site.start()
    mod = await moderator(server, debate)
    await mod.show(debate.sid(1), "open")
    projector = await chromium.projector(debate.screen_url)
    await expect(statement(projector)).to_have_text(STATEMENTS[0])

    phone = await chromium.phone(
        f"{server.url}/j/{debate.join_code}", device="no-js phone", js=False
    )
    await expect(statement(phone)).to_have_text(STATEMENTS[0])
    await expect(status(phone)).to_have_text("Choose your answer")
    await expect(phone.get_by_role("link", name="Refresh this page")).to_be_visible()
    await check_phone(phone, "no script, open")

    async with phone.expect_navigation():
        await tap(phone, "Agree")
    await expect(phone).to_have_url(f"{server.url}/j/{debate.join_code}")
    await expect(status(phone)).to_have_text("Your vote: Agree — counted")
    await expect(phone.get_by_role("button", name="Agree", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    await expect(projector.locator("[data-voted]")).to_have_text("1 voted")
    await check_phone(phone, "no script, voted")

    # the moderator closes voting; the phone still shows the open page and tries again
    await mod.control("close")
    await expect(projector.locator("[data-phase-text]")).to_have_text("Voting is closed")
    async with phone.expect_navigation():
        await tap(phone, "Disagree")
    # the vote that came too late is not counted, and the page says so once
    alert = phone.get_by_role("alert")
    await expect(alert).to_have_text(
        "Your vote (Disagree) was not counted: voting had closed before it reached the server."
    )
    await expect(status(phone)).to_have_text("Voting is closed — your vote: Agree")
    visible = await phone.locator("body").inner_text()
    assert visible.lower().count("voting is closed") == 1, visible
    await check_phone(phone, "no script, the 409 page")
    await expect(phone.get_by_role("button", name="Disagree", exact=True)).to_be_disabled()
    await expect(phone.get_by_role("button", name="Agree", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )

    # what was counted: the one Agree
    await mod.control("reveal")
    await expect(bar(projector, "agree", "count")).to_have_text("1 vote")
    await expect(bar(projector, "disagree", "count")).to_have_text("0 votes")
    chromium.assert_same_origin(server.url)


# --------------------------------------------------------------------------------------------------
# 3. the server restarts; the page reconnects by itself


async def test_phone_recovers_after_a_server_restart(chromium: Browser, site, moderator):
    debate = site.new("Restart", STATEMENTS[:2])
    server = site.start()
    mod = await moderator(server, debate)
    await mod.show(debate.sid(1), "open")

    phone = await chromium.phone(f"{server.url}/j/{debate.join_code}")
    await expect(status(phone)).to_have_text("Choose your answer")
    await set_marker(phone)
    navigations = MainFrameNavigations(phone)
    await tap(phone, "Neutral")
    await expect(status(phone)).to_have_text("Your vote: Neutral — counted")
    badge = phone.locator("[data-connection]")
    await expect(badge).to_be_hidden()

    server.stop()
    await expect(badge).to_be_visible()
    await expect(badge).to_have_text("reconnecting…")

    # a new server on the same database and port; at once (most likely before the phone is back)
    # the moderator closes voting and reveals: the phone must pick that up from the snapshot
    server = site.start()
    mod = await moderator(server, debate)
    await mod.control("close")
    await mod.control("reveal")
    await expect(badge).to_be_hidden(timeout=RECOVER_MS)
    await expect(status(phone)).to_have_text(
        "Voting is closed — your vote: Neutral", timeout=RECOVER_MS
    )
    await expect(phone.get_by_role("button", name="Neutral", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    await expect(bar(phone, "neutral", "pct")).to_have_text("100%")
    await expect(phone.locator("[data-total]")).to_have_text("1 vote")

    # and it follows the new server live
    await mod.control("next")
    await expect(statement(phone)).to_have_text(STATEMENTS[1])
    await expect(status(phone)).to_have_text("Voting has not started yet")
    assert await marker(phone) == "kept", "the phone page was reloaded"
    assert navigations.count == 0, "the phone page navigated"
    chromium.assert_same_origin(server.url)


# --------------------------------------------------------------------------------------------------
# 4. axe-core on every page in its main states


async def test_no_serious_accessibility_violations(chromium: Browser, site, moderator):
    debate = site.new("Accessible debate", STATEMENTS)
    # with an organiser password, so its sign-in page is audited too
    server = site.start("--admin-password", ORGANISER_PASSWORD)
    axe = Accessibility()
    base = server.url

    front = await chromium.desktop(f"{base}/")
    await axe.audit(front, "front page")
    await front.get_by_label("Join code").fill("ZZZZZZ")
    await front.get_by_role("button", name="Join", exact=True).click()
    await expect(front.get_by_role("alert")).to_be_visible()
    await axe.audit(front, "front page, unknown code")

    await front.goto(f"{base}/new")
    password = front.get_by_label("Organiser password")
    await expect(password).to_be_visible()
    await axe.audit(front, "organiser sign-in")
    await password.fill("not the password")
    await front.get_by_role("button", name="Sign in").click()
    await expect(front.get_by_role("alert")).to_be_visible()
    await axe.audit(front, "organiser sign-in, wrong password")
    await front.get_by_label("Organiser password").fill(ORGANISER_PASSWORD)
    await front.get_by_role("button", name="Sign in").click()
    await expect(front.get_by_role("heading", name="New debate")).to_be_visible()
    await axe.audit(front, "new debate")
    await front.get_by_label("Title").fill("Made in the browser")
    await front.get_by_label("Language of the phone and screen pages").select_option("en")
    await front.get_by_role("button", name="Create debate").click()  # no statements yet
    await expect(front.get_by_role("alert")).to_be_visible()
    await axe.audit(front, "new debate, errors")
    await front.get_by_label("Statements", exact=True).fill("\n".join(STATEMENTS))
    await front.get_by_role("button", name="Create debate").click()
    await expect(front.get_by_role("textbox", name="Moderator link")).to_be_visible()
    await axe.audit(front, "moderator, just created (link shown once)")

    login = await chromium.desktop(f"{base}/d/{debate.id}/moderate", device="stranger")
    await expect(login.get_by_label("Moderator key")).to_be_visible()
    await axe.audit(login, "moderator sign-in")

    mod_page = await chromium.desktop(debate.moderator_url, device="moderator")
    await expect(mod_page.get_by_role("button", name="Open voting")).to_be_enabled()
    await axe.audit(mod_page, "moderator, waiting")
    projector = await chromium.projector(debate.screen_url)
    phone = await chromium.phone(f"{base}/j/{debate.join_code}")
    await expect(status(phone)).to_have_text("Voting has not started yet")
    await expect(statement(projector)).to_have_text(STATEMENTS[0])
    await axe.audit(projector, "projector, waiting (lobby)")
    await axe.audit(phone, "phone, waiting")
    await check_phone(phone, "waiting")

    mod = await moderator(server, debate)
    await mod.control("open")
    await expect(status(phone)).to_have_text("Choose your answer")
    await expect(projector.locator("[data-phase-text]")).to_have_text("Voting is open")
    await axe.audit(projector, "projector, open")
    await axe.audit(phone, "phone, open")
    await tap(phone, "Agree")
    await expect(status(phone)).to_have_text("Your vote: Agree — counted")
    await axe.audit(phone, "phone, voted")
    await expect(mod_page.locator(".live__tally [data-voted]")).to_have_text("1 voted")
    await axe.audit(mod_page, "moderator, open with votes")

    await mod.control("close")
    await expect(status(phone)).to_have_text("Voting is closed — your vote: Agree")
    await axe.audit(phone, "phone, closed")
    await mod.control("reveal")
    await expect(projector.locator("[data-results]")).to_be_visible()
    await expect(phone.locator("[data-results]")).to_be_visible()
    await expect(mod_page.get_by_role("button", name="Hide results")).to_be_visible()
    await axe.audit(projector, "projector, revealed")
    await axe.audit(phone, "phone, revealed")
    await axe.audit(mod_page, "moderator, revealed")

    other = front  # the organiser's browser: signed in for the archive
    await other.goto(f"{base}/archive")
    await expect(other.get_by_role("heading", name="Archive")).to_be_visible()
    await axe.audit(other, "archive")
    await other.goto(f"{base}/d/{debate.id}/results")  # the report, at the archive's old address
    await expect(other.get_by_role("heading", name="Attendance and settings")).to_be_visible()
    await expect(other.get_by_role("img", name="Statement 1:", exact=False)).to_be_visible()
    await axe.audit(other, "results")
    response = await other.goto(f"{base}/d/nosuchid/screen")
    assert response is not None and response.status == 404
    await axe.audit(other, "error 404")
    response = await other.goto(f"{base}/j/NOPE42")
    assert response is not None and response.status == 404
    await axe.audit(other, "error 404, unknown join code")
    response = await phone.goto(f"{base}/j/NOPE42")
    assert response is not None and response.status == 404
    await check_phone(phone, "error 404 on a phone")

    axe.check()
    chromium.assert_same_origin(server.url)


# --------------------------------------------------------------------------------------------------
# 5. the projector's keys: ? lists them, t theme, q QR code; the moderator's keys need the link

SCREEN_SHORTCUTS = [
    "Full screen on or off", "Show or hide the QR code", "Dark or light theme",
    "Show or hide this list", "Close this list",
]  # fmt: skip
MODERATOR_SHORTCUTS = [
    "Next statement", "Previous statement", "Open or close voting", "Reveal or hide results",
]  # fmt: skip


def shortcuts(page: Page):
    return page.get_by_role("dialog", name="Keyboard shortcuts")


async def test_projector_keys_for_anyone(
    chromium: Browser, site, moderator, connect, screenshots: Screenshots
):
    debate = site.new("Projector keys", STATEMENTS)
    server = site.start()
    mod = await moderator(server, debate)
    axe = Accessibility()
    projector = await chromium.projector(debate.screen_url)
    await expect(statement(projector)).to_have_text(STATEMENTS[0])
    body = projector.locator("body")

    # ? opens the list of every key; Escape closes it
    await projector.keyboard.press("?")
    overlay = shortcuts(projector)
    await expect(overlay).to_be_visible()
    for description in SCREEN_SHORTCUTS + MODERATOR_SHORTCUTS:
        await expect(overlay.locator("dd", has_text=description)).to_be_visible()
    # this browser is not the moderator's: the list says what those keys need
    await expect(overlay).to_contain_text("These keys need the moderator link")
    await axe.audit(projector, "projector, dark, shortcuts open")
    await screenshots.save(projector, "projector-shortcuts")
    await projector.keyboard.press("Escape")
    await expect(overlay).to_be_hidden()
    # the button opens it too
    await projector.get_by_role("button", name="Keyboard shortcuts").click()
    await expect(overlay).to_be_visible()
    await overlay.get_by_role("button", name="Close").click()
    await expect(overlay).to_be_hidden()

    # t: the light theme, remembered by this browser; dark is the default
    await expect(body).to_have_attribute("data-theme", "dark")
    await projector.keyboard.press("t")
    await expect(body).to_have_attribute("data-theme", "light")
    theme_button = projector.get_by_role("button", name="Light theme")
    await expect(theme_button).to_have_attribute("aria-pressed", "true")
    await projector.reload()
    await expect(statement(projector)).to_have_text(STATEMENTS[0])
    await expect(body).to_have_attribute("data-theme", "light")
    await axe.audit(projector, "projector, light, lobby")
    await projector.keyboard.press("?")
    await expect(shortcuts(projector)).to_be_visible()
    await axe.audit(projector, "projector, light, shortcuts open")
    await projector.keyboard.press("?")  # ? closes it as well
    await expect(shortcuts(projector)).to_be_hidden()

    # q hides the QR code (the join code stays); q again brings it back
    qr = projector.locator(".join__qr")
    await expect(qr).to_be_visible()
    await projector.keyboard.press("q")
    await expect(qr).to_be_hidden()
    await expect(projector.locator(".join__code")).to_have_text(debate.join_code)
    await projector.keyboard.press("q")
    await expect(qr).to_be_visible()

    # a moderator key in a browser without the moderator link: a hint, and no request is sent
    for key in ("ArrowRight", "n", "o", "r"):
        await projector.keyboard.press(key)
        await expect(projector.get_by_role("status").filter(
            has_text="This key needs the moderator link")).to_be_visible()
    # the real moderator acts; once the projector shows that, any stray request would be seen
    await mod.control("open")
    await expect(projector.locator("[data-phase-text]")).to_have_text("Voting is open")
    await expect(statement(projector)).to_have_text(STATEMENTS[0])
    sent = [url for device, url in chromium.requests if "/control" in url]
    assert sent == [], f"the projector sent moderator actions without the link: {sent}"

    # the light theme while voting and with the results
    await axe.audit(projector, "projector, light, open")
    choices = ["agree"] * 9 + ["neutral"] * 4 + ["disagree"] * 6
    for choice in choices:
        phone = await connect(server, debate)
        reply = await phone.cast(debate.sid(1), choice)
        assert reply["type"] == "ack", reply
    await expect(projector.locator("[data-voted]")).to_have_text(f"{len(choices)} voted")
    await mod.control("close")
    await mod.control("reveal")
    await expect(projector.locator("[data-results]")).to_be_visible()
    await expect(bar(projector, "agree", "count")).to_have_text("9 votes")
    await axe.audit(projector, "projector, light, revealed")
    await expect(projector.locator("[data-toast]")).to_be_hidden()  # the hint fades by itself
    await screenshots.save(projector, "projector-light")
    await projector.keyboard.press("t")
    await expect(body).to_have_attribute("data-theme", "dark")
    axe.check()
    chromium.assert_same_origin(server.url)


async def test_moderator_keys_on_the_projector_move_every_phone(chromium: Browser, site):
    debate = site.new("Keys on the beamer", STATEMENTS)
    server = site.start()
    # the laptop on the beamer opened the moderator link once, then the screen in the same browser
    laptop = await chromium.desktop(debate.moderator_url, device="moderator laptop")
    await expect(laptop.get_by_role("button", name="Open voting")).to_be_enabled()
    projector = await laptop.context.new_page()
    await projector.set_viewport_size(PROJECTOR)
    await projector.goto(f"{server.url}/d/{debate.id}/screen")
    await expect(statement(projector)).to_have_text(STATEMENTS[0])
    await projector.keyboard.press("?")
    await expect(shortcuts(projector)).to_contain_text("signed in as the moderator")
    await projector.keyboard.press("Escape")
    await expect(shortcuts(projector)).to_be_hidden()

    phones = [
        await chromium.phone(f"{server.url}/j/{debate.join_code}", device=f"phone {n}")
        for n in (1, 2)
    ]
    for phone in phones:
        await expect(status(phone)).to_have_text("Voting has not started yet")
        await set_marker(phone)
    navigations = {phone: MainFrameNavigations(phone) for phone in phones}

    # o opens voting; a phone votes
    await projector.keyboard.press("o")
    for phone in phones:
        await expect(status(phone)).to_have_text("Choose your answer")
    await expect(projector.locator("[data-phase-text]")).to_have_text("Voting is open")
    await tap(phones[0], "Agree")
    await expect(status(phones[0])).to_have_text("Your vote: Agree — counted")
    await expect(projector.locator("[data-voted]")).to_have_text("1 voted")

    # r reveals, r hides
    await projector.keyboard.press("r")
    await expect(bar(projector, "agree", "pct")).to_have_text("100%")
    await expect(bar(phones[1], "agree", "pct")).to_have_text("100%")
    await projector.keyboard.press("r")
    await expect(projector.locator("[data-results]")).to_be_hidden()

    # → moves every phone to the next statement, without a reload; ← (and p) back
    await projector.keyboard.press("ArrowRight")
    await expect(projector.locator("[data-position]")).to_have_text("2 / 3")
    for phone in phones:
        await expect(statement(phone)).to_have_text(STATEMENTS[1])
        await expect(phone.locator("[data-position]")).to_have_text("2 / 3")
        await expect(status(phone)).to_have_text("Voting has not started yet")
    await expect(laptop.locator("[data-position]")).to_have_text("Statement 2 of 3")
    await projector.keyboard.press("n")
    for phone in phones:
        await expect(statement(phone)).to_have_text(STATEMENTS[2])
    await projector.keyboard.press("ArrowLeft")
    await projector.keyboard.press("p")
    for phone in phones:
        await expect(statement(phone)).to_have_text(STATEMENTS[0])
        assert await marker(phone) == "kept", "the phone page was reloaded"
        assert navigations[phone].count == 0, "the phone page navigated"
    # the statement voted on comes back closed, with its vote
    await expect(status(phones[0])).to_have_text("Voting is closed — your vote: Agree")
    chromium.assert_same_origin(server.url)


# --------------------------------------------------------------------------------------------------
# a phone held sideways, and the smallest phone


async def test_every_answer_fits_on_screen_on_a_small_phone_and_sideways(
    chromium: Browser, site, moderator
):
    debate = site.new("Sideways", [STATEMENTS[0]])
    server = site.start()
    mod = await moderator(server, debate)
    await mod.show(debate.sid(1), "open")
    for size in ({"width": 360, "height": 640}, {"width": 844, "height": 390}):
        phone = await chromium.phone(f"{server.url}/j/{debate.join_code}",
                                     device=f"phone {size['width']}", size=size)
        await expect(statement(phone)).to_have_text(STATEMENTS[0])
        for name in ("Agree", "Neutral", "Disagree"):
            button = phone.get_by_role("button", name=name, exact=True)
            await expect(button).to_be_enabled()
            box = await button.bounding_box()
            assert box is not None
            # reachable with a thumb, without scrolling or zooming
            assert box["height"] >= 48, (size, name, box)
            assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"], (size, name, box)
            assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"], (size, name, box)
        assert await phone.evaluate("document.documentElement.scrollWidth") <= size["width"]
        await check_phone(phone, f"open, {size['width']}x{size['height']}")
        await tap(phone, "Disagree")
        await expect(status(phone)).to_have_text("Your vote: Disagree — counted")
        await check_phone(phone, f"voted, {size['width']}x{size['height']}")


# --------------------------------------------------------------------------------------------------
# the projector's join address: whole, on one line, readable, in the lobby and in the corner


async def test_the_projector_shows_the_whole_join_address_on_one_line(
    chromium: Browser, site, moderator
):
    # the tester's address, and a long name with a port
    for public_url in ("http://192.168.100.200:8000", "http://debat.hogeschool-voorbeeld.nl:8080"):
        debate = site.new("Join address", STATEMENTS[:2])
        server = site.start("--public-url", public_url)
        mod = await moderator(server, debate)
        join_text = f"{public_url.split('://', 1)[1]}/j/{debate.join_code}"
        for n, size in enumerate((PROJECTOR, {"width": 1280, "height": 720}), start=1):
            await mod.control("goto", debate.sid(n))  # a statement not voted on: the lobby
            where = f"{public_url} at {size['width']}x{size['height']}"
            projector = await chromium.page(f"projector {where}", viewport=size)
            await projector.goto(debate.screen_url)
            await expect(projector.locator("[data-phase-text]")).to_have_text(
                "Voting has not started yet"
            )
            lobby = projector.locator(".join__url.join__lobby")
            await expect(lobby).to_be_visible()
            font = await assert_one_line(lobby, join_text, f"lobby, {where}")
            assert font >= size["height"] * 0.0199, (where, font)  # 2vh at least: a big room

            await mod.control("open")
            await expect(projector.locator("[data-phase-text]")).to_have_text("Voting is open")
            corner = projector.locator(".join__url.join__corner")
            await expect(corner).to_be_visible()
            await projector.evaluate(FINISH_TRANSITIONS)  # the panel shrinks into its corner
            font = await assert_one_line(corner, join_text, f"corner, {where}")
            assert font >= size["height"] * 0.014, (where, font)  # as the join code's caption
            # wholly on screen, beside the statement and under the QR code
            box = await corner.bounding_box()
            qr = await projector.locator(".join__qr").bounding_box()
            assert box is not None and qr is not None
            assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"], (where, box)
            assert box["y"] + box["height"] <= size["height"] and box["y"] > qr["y"], (where, box)
            await projector.close()
        await mod.control("close")
        server.stop()
