"""The live side of a debate: what happens while it runs, and who hears of it.

`hub.Hub` takes every change (votes, moderator actions, proposals, group picks), checks it by
the pure `rules`, stores it, applies it to the debate's `room.Room` and publishes `frames`; the
`ticker` paces tallies and `countdown` ends voting on time. Refusals carry a `refusals.Why`.
"""

from __future__ import annotations

from .hub import Hub
from .refusals import Refusal, Why
from .room import Room

__all__ = ["Hub", "Refusal", "Room", "Why"]
