"""Every frame the server sends a client, typed, and built in this package only
(docs/protocol.md): where the debate stands (`debate`), answers to one client (`answers`), the
room's voice (`voice`), and how frames go on the wire (`wire`).

The same shapes travel over websockets and, for scripts that ask for JSON, over HTTP (an `ack`
after a form vote, the moderator's `state` after an action).
"""

from __future__ import annotations

from .answers import AckFrame, ErrorFrame, GroupFrame, ProposedFrame, ack, error, group, proposed
from .debate import (
    DebateInfo,
    GapInfo,
    GroupInfo,
    PendingProposal,
    ProposalsFrame,
    Results,
    StateFrame,
    StatementInfo,
    TallyFrame,
    TimerInfo,
    WelcomeFrame,
    proposals,
    results,
    state,
    tally,
    welcome,
)
from .wire import PONG, channel, encode

Frame = (StateFrame | TallyFrame | WelcomeFrame | ProposalsFrame | AckFrame | ErrorFrame
         | GroupFrame | ProposedFrame)

__all__ = [
    "PONG", "AckFrame", "DebateInfo", "ErrorFrame", "Frame", "GapInfo", "GroupFrame", "GroupInfo",
    "PendingProposal", "ProposalsFrame", "ProposedFrame", "Results", "StateFrame",
    "StatementInfo", "TallyFrame", "TimerInfo", "WelcomeFrame", "ack", "channel", "encode",
    "error", "group", "proposals", "proposed", "results", "state", "tally", "welcome",
]
