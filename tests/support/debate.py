"""A debate as the tests know it: what `poll new --json` prints, or what the moderator's
`export.json` shows of a debate made through the web form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Debate:
    id: str
    join_code: str
    title: str
    statements: list[dict[str, Any]]
    moderator_url: str | None = None
    screen_url: str | None = None
    join_url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    def sid(self, position: int) -> int:
        """The id of the statement at this 1-based position."""
        return self.statements[position - 1]["id"]


def statements_of(export: dict[str, Any]) -> list[dict[str, Any]]:
    """The statements of an `export.json` document, as `Debate.statements` holds them."""
    return [{"id": s["id"], "position": s["position"], "text": s["text"]}
            for s in export["statements"]]
