"""What the commands share: their error, and the links they print."""

from __future__ import annotations

from ..model import Debate
from ..urls import Addresses, DebateLinks

PUBLIC_URL = "public_url"  # the fact under which `poll serve` keeps the address it announces


class CommandError(Exception):
    """A mistake in the command's input, reported on stderr without a traceback."""


def addresses(base: str) -> Addresses:
    """The app's addresses on `base`, from its route table (imported only when needed)."""
    from ..routes import routes

    return Addresses(base, routes)


def links(base: str, debate: Debate, key: str | None = None) -> DebateLinks:
    """The links of a debate on `base`; the moderator's only with its `key`."""
    return addresses(base).links(debate, key)


def print_debate(debate: Debate, urls: DebateLinks) -> None:
    print(f"  {debate.title}")
    print(f"  id {debate.id} · join code {debate.join_code} · {len(debate.statements)} statements")
    if "moderator_url" in urls:
        print(f"  moderator (keep private): {urls['moderator_url']}")
    print(f"  projector:                {urls['screen_url']}")
    print(f"  phones join at:           {urls['join_url']}")

