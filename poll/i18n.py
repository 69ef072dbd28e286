"""Translations: gettext catalogs (Babel's .po files) for the pages and server messages.

Source strings are English; `poll/locale/<lang>/LC_MESSAGES/messages.po` holds the rest. The .po
files are compiled in memory when first needed, so a checkout runs without a build step.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import cache
from io import BytesIO

from babel.core import negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from .model import LANGUAGES
from .paths import LOCALE

DEFAULT_LANGUAGE = "en"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalog for `lang`; English (the source language) or an unknown language: none."""
    po = LOCALE / lang / "LC_MESSAGES" / "messages.po"
    if lang == DEFAULT_LANGUAGE or not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def gettext_for(lang: str) -> Callable[[str], str]:
    """A `gettext` function for one language."""
    return translations(lang).gettext


def preferred_language(accept_language: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """The best of our languages for an Accept-Language header."""
    if not accept_language:
        return default
    weighted = []
    for part in accept_language.split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        if tag:
            weighted.append((weight, tag.replace("-", "_")))
    preferred = [tag for _, tag in sorted(weighted, key=lambda w: -w[0])]
    return negotiate_locale(preferred, list(LANGUAGES), sep="_") or default


def N_(message: str) -> str:
    """Mark a message for extraction into the catalog; it is translated where it is shown."""
    return message
