"""Rules for text people type: titles and statements, from forms and from files alike."""

from __future__ import annotations

import unicodedata

from .i18n import N_
from .model import MAX_STATEMENT, MAX_TITLE


def clean(text: str) -> str:
    """User text as stored: NFC, on one line, runs of whitespace and control characters collapsed
    to single spaces, trimmed. Everything else (emoji, right-to-left text, markup) is kept as is:
    it is escaped wherever it is shown."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return " ".join(text.split())


def parse_statements(raw: str) -> list[str]:
    """Statements pasted or read from a file: one per line, blank lines and `#` comments ignored."""
    lines = (clean(line) for line in raw.splitlines() if not line.lstrip().startswith("#"))
    return [line for line in lines if line]


def title_problem(title: str) -> str | None:
    """Why this (cleaned) title cannot be used, or None."""
    if not title:
        return N_("Give the debate a title.")
    if len(title) > MAX_TITLE:
        return N_("A title can be at most 200 characters.")
    return None


def statement_problem(text: str) -> str | None:
    """Why this (cleaned) statement cannot be used, or None."""
    if not text:
        return N_("A statement cannot be empty.")
    if len(text) > MAX_STATEMENT:
        return N_("A statement can be at most 5000 characters.")
    return None


def statements_problem(statements: list[str]) -> str | None:
    """Why this list of statements cannot make a debate, or None."""
    if not statements:
        return N_("Add at least one statement, one per line.")
    if len(statements) > 500:
        return N_("A debate can have at most 500 statements.")
    return next(filter(None, map(statement_problem, statements)), None)
