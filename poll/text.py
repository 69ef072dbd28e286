"""Rules for text people type: titles, statements, notes, group names and join codes, from forms,
frames and files alike."""

from __future__ import annotations

import unicodedata

from .i18n import N_
from .model import (
    MAX_GROUP_NAME,
    MAX_GROUPS,
    MAX_HELD_WORDS,
    MAX_NOTES,
    MAX_PROPOSAL,
    MAX_STATEMENT,
    MAX_TITLE,
)


def clean(text: str) -> str:
    """User text as stored: NFC, on one line, runs of whitespace and control characters collapsed
    to single spaces, trimmed. Everything else (emoji, right-to-left text, markup) is kept as is:
    it is escaped wherever it is shown."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return " ".join(text.split())


def normalise_code(code: str) -> str:
    """A join code or room code as typed by a person: case and spaces do not matter."""
    return code.strip().upper().replace(" ", "")


PAIR = " | "  # between a statement and its translation on one line


def parse_statement_pairs(raw: str) -> list[tuple[str, str]]:
    """Statements pasted or read from a file: one per line, blank lines and `#` comments ignored;
    a line may hold the statement in the debate's language, then ` | ` and its translation
    ("Elke docent moet hybride zijn. | Every teacher must be hybrid."). The one rule for the
    /new form and `poll new --statements`."""
    pairs = []
    for line in raw.splitlines():
        if line.lstrip().startswith("#"):
            continue
        text, _, translation = line.partition(PAIR)
        if clean(text):
            pairs.append((clean(text), clean(translation)))
    return pairs


def parse_statements(raw: str) -> list[str]:
    """The statements of `parse_statement_pairs` without their translations."""
    return [text for text, _ in parse_statement_pairs(raw)]


def parse_held_words(raw: str) -> tuple[str, ...]:
    """A debate's held words as typed (spaces, commas or lines between them), without repeats:
    a reason with one of them waits for the moderator."""
    words = (clean(w) for w in raw.replace(",", " ").split())
    return tuple(dict.fromkeys(w for w in words if w))


def held_words_problem(words: tuple[str, ...]) -> str | None:
    """Why this word list cannot be used, or None."""
    if len(words) > MAX_HELD_WORDS:
        return N_("The word list can have at most 200 words.")
    if any(len(w) > 40 for w in words):
        return N_("A word in the list can be at most 40 characters.")
    return None


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


def proposal_problem(text: object) -> str | None:
    """Why this statement proposed by an attendee cannot be queued, or None."""
    if not isinstance(text, str) or not clean(text):
        return N_("Type a statement first.")
    if len(clean(text)) > MAX_PROPOSAL:
        return N_("A proposed statement can be at most 300 characters.")
    return None


def notes_problem(notes: str) -> str | None:
    """Why these moderator's notes cannot be stored, or None."""
    if len(notes) > MAX_NOTES:
        return N_("Notes can be at most 5000 characters.")
    return None


def clean_notes(raw: str) -> str:
    """Notes as stored: several lines allowed, each cleaned, at most one blank line in a row."""
    lines = [clean(line) for line in raw.replace("\r\n", "\n").split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def parse_groups(raw: str) -> list[str]:
    """Audience group names, one per line: the one rule for the /new form, the moderator's
    settings and `poll new --groups FILE` (a comma belongs to the name: "Industry, energy").
    Blank lines and `#` comments are dropped, and so are repeats."""
    lines = (clean(line) for line in raw.splitlines() if not line.lstrip().startswith("#"))
    return list(dict.fromkeys(n for n in lines if n))


def groups_problem(names: list[str]) -> str | None:
    """Why these audience groups cannot be used, or None."""
    if len(names) > MAX_GROUPS:
        return N_("A debate can have at most 12 groups.")
    if any(len(n) > MAX_GROUP_NAME for n in names):
        return N_("A group name can be at most 40 characters.")
    return None


def debate_problems(title: str, statements: list[str], groups: list[str]) -> list[str]:
    """Why a new debate with this (cleaned) title, statements and groups cannot be made: every
    problem, in the order a form shows them; empty when it can."""
    return [p for p in (title_problem(title), statements_problem(statements),
                        groups_problem(groups)) if p]
