"""Both languages are complete: every message in the code and templates has a Dutch translation;
phones may get the page in their own language; dates and numbers are written the reader's way.

Pages are fetched in-process (the app over httpx's ASGITransport); a phone's websocket errors come
from a real server.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime

from babel.messages.pofile import read_po
from support.clients import socket_url
from websockets.asyncio.client import connect as ws_connect

from poll.i18n import gettext_for, preferred_language
from poll.paths import LOCALE
from poll.web.pages import environment

# Written out here rather than asked of Babel, so a page that skips Babel fails.
DUTCH_MONTHS = [
    "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
]  # fmt: skip
ENGLISH_MONTHS = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
]  # fmt: skip


def test_the_dutch_catalog_translates_every_message() -> None:
    with (LOCALE / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    missing = [m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str)
                                                       else all(m.string))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert missing == []
    assert fuzzy == []


def test_choice_labels_are_dutch_for_a_dutch_debate() -> None:
    _ = gettext_for("nl")
    assert [_("Agree"), _("Neutral"), _("Disagree")] == ["Eens", "Neutraal", "Oneens"]
    assert gettext_for("en")("Agree") == "Agree"


def test_the_browser_language_picks_the_page_language() -> None:
    assert preferred_language("nl-NL,nl;q=0.9,en;q=0.8") == "nl"
    assert preferred_language("de-DE,en;q=0.5") == "en"
    assert preferred_language("fr") == "en"
    assert preferred_language(None) == "en"
    assert preferred_language("garbage;q=x,,") == "en"


def test_the_catalog_holds_every_message_the_code_and_templates_use(tmp_path) -> None:
    """A string added to a template or marked with N_() but not put in the catalog fails here."""
    pot = tmp_path / "messages.pot"
    root = LOCALE.parent.parent
    done = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "N_",
         "-o", str(pot), "."], cwd=root, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    with pot.open("rb") as fh:
        used = {m.id for m in read_po(fh) if m.id}
    with (LOCALE / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        known = {m.id for m in read_po(fh) if m.id}
    assert used - known == set()


def _shown_date(html: str) -> tuple[datetime, str]:
    """The first <time> on a page: the moment it stands for (local time) and the text shown."""
    match = re.search(r'<time datetime="([^"]+)">([^<]+)</time>', html)
    assert match, html[:2000]
    return datetime.fromisoformat(match.group(1)).astimezone(), match.group(2)


async def test_the_archive_shows_a_dutch_date_to_a_dutch_browser(app) -> None:
    await app.new("Dated debate", ["One"])
    async with app.client() as browser:
        dutch = await browser.get("/archive", headers={"Accept-Language": "nl-NL,nl;q=0.9"})
        english = await browser.get("/archive", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert dutch.status_code == english.status_code == 200
    moment, shown = _shown_date(dutch.text)
    month = moment.month - 1
    assert shown == f"{moment.day} {DUTCH_MONTHS[month]} {moment.year}, {moment:%H:%M:%S}"
    moment, shown = _shown_date(english.text)
    assert shown.startswith(f"{ENGLISH_MONTHS[month]} {moment.day}, {moment.year}, "), shown
    assert shown.endswith(("AM", "PM")), shown


def test_counts_over_999_are_grouped_the_language_s_way() -> None:
    def render(lang: str) -> str:
        return environment(lang).from_string(
            '{{ ngettext("%(num)s vote", "%(num)s votes", n, num=n|number) }}').render(n=12345)

    assert render("nl") == "12.345 stemmen"
    assert render("en") == "12,345 votes"


async def test_a_phone_gets_the_page_in_its_own_language_and_statements_as_typed(app) -> None:
    debate = await app.new("Nederlands debat", ["Elke docent moet hybride kunnen lesgeven."],
                           lang="nl")
    async with app.client() as phone:
        english = await phone.get(f"/j/{debate.join_code}",
                                  headers={"Accept-Language": "en-US,en;q=0.9"})
        unknown = await phone.get(f"/j/{debate.join_code}", headers={"Accept-Language": "de"})
        silent = await phone.get(f"/j/{debate.join_code}")
    # an English phone: English buttons, the Dutch statement marked as Dutch
    assert '<html lang="en">' in english.text
    assert ">Agree<" in english.text and ">Eens<" not in english.text
    assert re.search(r'<h1[^>]*lang="nl"[^>]*>Elke docent moet hybride kunnen lesgeven\.</h1>',
                     english.text), english.text
    assert "Accept-Language" in english.headers.get("vary", "")
    # a language we do not have, or none: the debate's own
    for page in (unknown, silent):
        assert '<html lang="nl">' in page.text
        assert ">Eens<" in page.text and ">Agree<" not in page.text


async def test_a_phone_gets_websocket_errors_in_its_own_language(site) -> None:
    debate = site.new("Nederlands debat", ["Elke docent moet hybride kunnen lesgeven."], lang="nl")
    server = site.start()
    url = socket_url(server, debate, "phone")
    messages = {}
    for accept in ("en-GB,en;q=0.9", "nl-NL", "de"):
        async with ws_connect(url, additional_headers={"Accept-Language": accept},
                              origin=server.url, proxy=None) as ws:
            await ws.send(json.dumps({"type": "vote", "id": "v-1", "statement": debate.sid(1),
                                      "choice": "agree"}))
            while (frame := json.loads(await ws.recv()))["type"] != "error":
                pass
            messages[accept] = frame["message"]
    # voting has not opened: English for the English phone, the debate's Dutch otherwise
    assert messages["en-GB,en;q=0.9"] == "Voting has not opened yet."
    assert messages["nl-NL"] == messages["de"] != messages["en-GB,en;q=0.9"]
