"""Every frame the server sends a client, typed, and built in this package only
(docs/protocol.md): where the debate stands (`debate`), answers to one client (`answers`), the
room's voice (`voice`), the map of who thinks alike (`opinion`), and how frames go on the wire
(`wire`).

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
from .my_group import MyGroupFrame, encode_my_group, my_group
from .opinion import (
    OpinionFrame,
    encoded_dots,
    keep_screen_map,
    opinion,
    screen_map_text,
    screen_opinion,
    screen_opinion_of,
    with_dots,
)
from .voice import (
    FloorAskedFrame,
    FloorFrame,
    PlusFrame,
    ProposalPlusFrame,
    ReasonRemovedFrame,
    ReasonSavedFrame,
    ReasonsFrame,
    floor,
    floor_asked,
    plus,
    proposal_plus,
    reason_removed,
    reason_saved,
    reasons,
    spotlight,
)
from .wire import PONG, channel, encode, own_channel

Frame = (StateFrame | TallyFrame | WelcomeFrame | ProposalsFrame | AckFrame | ErrorFrame
         | GroupFrame | ProposedFrame | ReasonsFrame | FloorFrame | ReasonSavedFrame
         | ReasonRemovedFrame | PlusFrame | FloorAskedFrame | ProposalPlusFrame | OpinionFrame
         | MyGroupFrame)

__all__ = [
    "PONG", "AckFrame", "DebateInfo", "ErrorFrame", "FloorAskedFrame", "FloorFrame", "Frame",
    "GapInfo", "GroupFrame", "GroupInfo", "MyGroupFrame", "OpinionFrame", "PendingProposal",
    "PlusFrame", "ProposalPlusFrame", "ProposalsFrame", "ProposedFrame", "ReasonRemovedFrame",
    "ReasonSavedFrame", "ReasonsFrame", "Results", "StateFrame", "StatementInfo", "TallyFrame",
    "TimerInfo", "WelcomeFrame", "ack", "channel", "encode", "encode_my_group", "encoded_dots",
    "error", "floor",
    "floor_asked", "group", "keep_screen_map", "my_group", "opinion", "own_channel", "plus",
    "proposal_plus", "proposals",
    "proposed", "reason_removed", "reason_saved", "reasons", "results", "screen_map_text",
    "screen_opinion", "screen_opinion_of", "spotlight", "state", "tally", "welcome", "with_dots",
]
