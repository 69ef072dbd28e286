"""Both languages are complete: every message in the code and templates has a Dutch translation."""

from __future__ import annotations

import subprocess
import sys

from babel.messages.pofile import read_po

from poll.i18n import gettext_for, preferred_language
from poll.paths import LOCALE


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
