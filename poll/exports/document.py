"""The JSON export: the whole debate as one document (docs/exports.md)."""

from __future__ import annotations

import json
from typing import Any

from .. import analysis
from ..model import Statement
from .opinion import opinion_json
from .snapshot import Snapshot


def _highlights(data: Snapshot) -> dict[str, Any]:
    h = analysis.highlights(data.debate, data.tallies, data.members)
    return {
        "most_agreed": None if h.most_agreed is None else {
            "statement_id": h.most_agreed[0].id, "agree": h.most_agreed[1]},
        "most_divided": None if h.most_divided is None else {
            "statement_id": h.most_divided[0].id, "division": h.most_divided[1]},
        "most_changed": None if h.most_changed is None else {
            "statement_id": h.most_changed[0].id, "swing": h.most_changed[1].numbers()},
        "groups_differ": None if h.groups_differ is None else {
            "statement_id": h.groups_differ.statement.id, "points": h.groups_differ.points,
            "high": h.groups_differ.high.numbers(), "low": h.groups_differ.low.numbers()},
    }


def _statement_json(data: Snapshot, s: Statement) -> dict[str, Any]:
    debate = data.debate
    latest = data.tally(s, s.rounds)
    swing = analysis.swing_of(data.tallies, s)
    floor = data.floor(s)
    return {
        "id": s.id, "position": s.position, "text": s.text, "translation": s.translation,
        "notes": s.notes, "proposed": s.proposed, "rounds": s.rounds,
        "results": latest.numbers(),  # the latest round, as counted
        "results_by_round": [{"round": n, **data.tally(s, n).numbers()}
                             for n in range(1, s.rounds + 1)],
        "groups": [g.numbers() for g in analysis.split(latest, debate.groups, data.members)]
        if debate.groups else [],
        "swing": None if swing is None else swing.numbers(),
        "floor": {"asked": floor.asked, "called": floor.called},
    }


def debate_json(data: Snapshot) -> str:
    """The whole debate as one JSON document: debate, settings, groups, attendance, statements
    with results per round, group split, swing, notes, translation and the floor, highlights,
    who thinks alike (the opinion map), votes, proposals, reasons and requests for the floor."""
    debate = data.debate
    document: dict[str, Any] = {
        "debate": {"id": debate.id, "title": debate.title, "lang": debate.lang,
                   "join_code": debate.join_code, "created_at": debate.created_at,
                   "copied_from": debate.copied_from},
        "settings": {"scale": debate.settings.scale.value,
                     "choices": [c.value for c in debate.choices],
                     "visibility": debate.settings.visibility.value,
                     "proposals": debate.settings.proposals},
        "groups": [{"id": g.id, "name": g.name} for g in debate.groups],
        "attendance": {"participants": data.participants(),
                       "peak_connected": debate.peak_connected,
                       "votes_counted": data.votes_counted(), "votes_cast": len(data.votes)},
        "statements": [_statement_json(data, s) for s in debate.statements],
        "highlights": _highlights(data),
        "opinion": opinion_json(debate, data.tallies, data.opinion),
        "votes": [
            {"statement_id": v.statement_id, "round": v.round, "participant": v.participant,
             "group": v.group, "choice": v.choice, "cast_at": v.cast_at, "vote_id": v.vote_id}
            for v in data.votes
        ],
        "proposals": [
            {"id": p.id, "text": p.text, "status": p.status.value, "created_at": p.created_at,
             "statement_id": p.statement_id, "participant": p.participant}
            for p in data.proposals
        ],
        "reasons": [
            {"id": g.reason.id, "statement_id": g.reason.statement_id, "round": g.reason.round,
             "participant": g.reason.participant,
             "stance": None if g.stance is None else g.stance.value, "plus": g.plus,
             "hidden": g.reason.hidden, "held": g.reason.held,
             "created_at": g.reason.created_at, "text": g.reason.text}
            for g in data.reasons()
        ],
        # never the first name typed with a request: docs/exports.md says why
        "floor": [
            {"id": f.id, "statement_id": f.statement_id, "participant": f.participant,
             "stance": None if f.stance is None else f.stance.value, "status": f.status.value,
             "created_at": f.created_at}
            for f in data.voice.floor
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)

