"""One small debate in the new formats, run for real against a live server (phones on real
websockets), for the report and export tests: audience groups, a second round with a swing, a
moderator's note and hostile text.

Six phones: W1-W3 in "Werkveld", H1-H2 in "Hogeschool", N1 in no group.

- Statement 1, round 1: W A A A, H D D, N neutral (agree 50, neutral 17, disagree 33);
  round 2 after `round2`: W A A A, H A D, N neutral (agree 67, neutral 17, disagree 17):
  agree +17 points, counted over the 6 who voted in both.
- Statement 2 (`=HYPERLINK(...)`): W A A D, H D D, N neutral: the most divided (2 agree, 3
  disagree), and where the groups differ most (Werkveld 67% agree, Hogeschool 0%: 67 points).
- Statement 3 (`<script>...`): nobody votes.

Most agreed: statement 1 (67% agree in its latest round). Most changed: statement 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from support.clients import (
    Moderator,
    Phone,
    Reachable,
    create_on_web,
    http_client,
    new_participant,
    open_socket,
)
from support.debate import Debate

TITLE = "Formats <script>alert(1)</script> night"
STATEMENTS = [
    "Hybrid teaching works",
    '=HYPERLINK("http://evil.example","click")',
    "<script>alert(3)</script> third",
]
GROUPS = ["Werkveld", "Hogeschool"]
NOTES = "First line of the verdict\nSecond <script>alert(2)</script> line"
PHONES = ["W1", "W2", "W3", "H1", "H2", "N1"]
ROUND_1 = {"W1": "agree", "W2": "agree", "W3": "agree", "H1": "disagree", "H2": "disagree",
           "N1": "neutral"}
ROUND_2 = {"W1": "agree", "W2": "agree", "W3": "agree", "H1": "agree", "H2": "disagree",
           "N1": "neutral"}
SECOND = {"W1": "agree", "W2": "agree", "W3": "disagree", "H1": "disagree", "H2": "disagree",
          "N1": "neutral"}


@dataclass
class Event:
    debate: Debate
    moderator: Moderator
    groups: dict[str, int]  # name -> id
    phones: dict[str, Phone] = field(default_factory=dict)
    participants: dict[str, str] = field(default_factory=dict)  # phone name -> participant id

    def sid(self, position: int) -> int:
        return self.debate.sid(position)

    async def close(self) -> None:
        for phone in self.phones.values():
            await phone.close()
        await self.moderator.aclose()


async def create(server: Reachable, title: str, statements: list[str], *, lang: str = "en",
                 **fields: str) -> tuple[Debate, Moderator, dict[str, Any]]:
    """A debate made through the /new form (groups, scale, visibility as form fields); returns it,
    its signed-in moderator and its JSON export."""
    client = http_client(server)
    debate, page = await create_on_web(client, title, statements, lang, **fields)
    assert debate.join_code, debate.raw["debate"]
    moderator = Moderator(server, debate, client)
    moderator.page = page
    return debate, moderator, debate.raw


async def vote_all(event: Event, statement: int, choices: dict[str, str]) -> None:
    for name, choice in choices.items():
        reply = await event.phones[name].cast(statement, choice)
        assert reply["type"] == "ack", reply


async def run(server: Reachable) -> Event:
    """Run the evening described above; phones stay connected (the caller closes the event)."""
    debate, mod, doc = await create(server, TITLE, STATEMENTS, groups="\n".join(GROUPS),
                                    scale="three", visibility="reveal")
    event = Event(debate, mod, {g["name"]: g["id"] for g in doc["groups"]})
    for name in PHONES:
        participant = new_participant()
        phone = await open_socket(server, debate, "phone", participant)
        await phone.recv_type("welcome")
        event.phones[name], event.participants[name] = phone, participant
        group = {"W": "Werkveld", "H": "Hogeschool"}.get(name[0])
        if group:
            await phone.send({"type": "group", "group": event.groups[group]})
            reply = await phone.recv_until(lambda f: f.get("type") in ("group", "error"))
            assert reply == {"type": "group", "group": event.groups[group]}, reply

    s1, s2 = event.sid(1), event.sid(2)
    response = await mod.post(f"/d/{debate.id}/statements/{s1}",
                              {"text": STATEMENTS[0], "notes": NOTES})
    assert response.status_code == 303, (response.status_code, response.text[:500])
    await mod.show(s1, "open")
    await vote_all(event, s1, ROUND_1)
    state = await mod.control("round2")
    assert state["round"] == 2 and state["phase"] == "open", state
    await vote_all(event, s1, ROUND_2)
    await mod.show(s2, "open")
    await vote_all(event, s2, SECOND)
    await mod.control("close")
    return event
