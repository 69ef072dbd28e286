"""A Pol.is-compatible CSV set in one ZIP: summary.csv, comments.csv, votes.csv and
participants-votes.csv, with Pol.is's column names and vote encoding, so tools written for Pol.is
exports (its report, red-dwarf, notebooks over the openData sets) read a debate as a conversation.

Matched against Pol.is's own export (compdemocracy/polis, server/src/routes/export.ts) and the
published openData sets. docs/exports.md describes the mapping; in short:

- comments are the debate's statements (moderated 1) plus proposals not turned into statements
  (rejected -1, pending 0); a statement keeps its own id as comment-id; is-meta is always false,
  is-seed true for the moderator's statements, group-informed-consensus as Pol.is computes it
  from the opinion groups (the columns Pol.is added in compdemocracy/polis#1700, which
  red-dwarf's CSV loader needs);
- votes: agree (and strongly agree) 1, disagree (and strongly disagree) -1, neutral 0 (Pol.is's
  "pass"); one vote per participant and statement: the latest in the statement's latest round;
- participants get whole-number ids from 1 in the order they first voted or proposed; 0 is the
  moderator, the author of the statements the audience did not propose;
- group-id is the participant's opinion group, Pol.is's numeric id (0 for group A, 1 for B, ...;
  empty for a participant not placed on the map, or when the map has no groups).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime

from ..model import Choice, ProposalStatus
from ..store import VoteRow
from .cells import spreadsheet_safe
from .opinion import group_informed_consensus, polis_group_ids
from .snapshot import Snapshot

COMMENT_COLUMNS = ["timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees",
                   "moderated", "is-meta", "is-seed", "group-informed-consensus", "comment-body"]
VOTE_COLUMNS = ["timestamp", "datetime", "comment-id", "voter-id", "vote"]
PARTICIPANT_COLUMNS = ["participant", "group-id", "n-comments", "n-votes", "n-agree",
                       "n-disagree"]
MODERATOR = 0  # author-id of the statements the moderator wrote

_VOTE = {Choice.STRONGLY_AGREE: 1, Choice.AGREE: 1, Choice.NEUTRAL: 0, Choice.DISAGREE: -1,
         Choice.STRONGLY_DISAGREE: -1}
_MODERATED = {ProposalStatus.APPROVED: 1, ProposalStatus.REJECTED: -1, ProposalStatus.PENDING: 0}


def polis_vote(choice: str) -> int:
    """A choice in Pol.is's export encoding: agree 1, disagree -1, pass (neutral) 0."""
    return _VOTE[Choice(choice)]


def polis_time(iso: str) -> tuple[int, str]:
    """Unix seconds and the datetime text Pol.is writes (JavaScript's Date.toString, in UTC)."""
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return 0, ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return (int(moment.timestamp()),
            moment.strftime("%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)"))


@dataclass(frozen=True, slots=True)
class _Comment:
    id: int
    author: int
    created_at: str
    moderated: int
    text: str


class _Ids:
    """Whole-number participant ids, as Pol.is numbers its participants."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def __call__(self, participant: str) -> int:
        return self.ids.setdefault(participant, len(self.ids) + 1)


def _counted(data: Snapshot) -> list[VoteRow]:
    """Per statement and participant the vote that counts in the statement's latest round."""
    rounds = {s.id: s.rounds for s in data.debate.statements}
    latest: dict[tuple[int, str], VoteRow] = {}
    for v in data.votes:  # stored order: a later row is a change of mind
        if v.round == rounds.get(v.statement_id):
            latest[(v.statement_id, v.participant)] = v
    return list(latest.values())


def _comments(data: Snapshot, ids: _Ids) -> list[_Comment]:
    by_statement = {p.statement_id: p for p in data.proposals if p.statement_id is not None}
    out = []
    for s in data.debate.statements:
        proposal = by_statement.get(s.id)
        out.append(_Comment(
            s.id, MODERATOR if proposal is None else ids(proposal.participant),
            data.debate.created_at if proposal is None else proposal.created_at, 1, s.text))
    # proposals that are not statements get ids after the statements' (none of them has votes)
    next_id = max((s.id for s in data.debate.statements), default=0) + 1
    for p in data.proposals:
        if p.statement_id is None:
            out.append(_Comment(next_id, ids(p.participant), p.created_at,
                                _MODERATED[p.status], p.text))
            next_id += 1
    return sorted(out, key=lambda c: c.id)


def _write(rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    # Pol.is writes plain UTF-8 with \n line ends and no byte-order mark.
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def polis_files(data: Snapshot, join_url: str = "") -> dict[str, bytes]:
    """The four files, by name; `join_url` is the conversation's url in the summary."""
    debate, opinion = data.debate, data.opinion
    ids = _Ids()
    counted = _counted(data)
    for v in data.votes:  # number voters first, in the order they first voted
        ids(v.participant)
    comments = _comments(data, ids)
    opinion_group = {ids(p): g for p, g in polis_group_ids(data.opinion).items()}

    # Pol.is orders votes by comment, then voter
    votes = sorted(((v.statement_id, ids(v.participant), v) for v in counted),
                   key=lambda x: (x[0], x[1]))
    agrees: dict[int, int] = {}
    disagrees: dict[int, int] = {}
    by_participant: dict[int, dict[int, int]] = {}
    for comment_id, pid, v in votes:
        value = polis_vote(v.choice)
        agrees[comment_id] = agrees.get(comment_id, 0) + (value == 1)
        disagrees[comment_id] = disagrees.get(comment_id, 0) + (value == -1)
        by_participant.setdefault(pid, {})[comment_id] = value
    consensus = group_informed_consensus(
        opinion_group, {c: {pid: a[c] for pid, a in by_participant.items() if c in a}
                        for c in agrees})
    authored: dict[int, int] = {}
    for p in data.proposals:
        authored[ids(p.participant)] = authored.get(ids(p.participant), 0) + 1

    comment_rows: list[list[object]] = [list(COMMENT_COLUMNS)]
    for c in comments:
        timestamp, when = polis_time(c.created_at)
        gic = consensus.get(c.id)
        comment_rows.append([timestamp, when, c.id, c.author, agrees.get(c.id, 0),
                             disagrees.get(c.id, 0), c.moderated, "false",
                             "true" if c.author == MODERATOR else "false",
                             "" if gic is None else round(gic, 6), spreadsheet_safe(c.text)])

    vote_rows: list[list[object]] = [list(VOTE_COLUMNS)]
    for comment_id, pid, v in votes:
        timestamp, when = polis_time(v.cast_at)
        vote_rows.append([timestamp, when, comment_id, pid, polis_vote(v.choice)])

    participants = {v.participant: ids(v.participant) for v in counted}
    matrix: list[list[object]] = [[*PARTICIPANT_COLUMNS, *(c.id for c in comments)]]
    for pid in sorted(participants.values()):
        answers = by_participant.get(pid, {})
        group = opinion_group.get(pid)
        matrix.append([pid, "" if group is None else group, authored.get(pid, 0), len(answers),
                       sum(1 for a in answers.values() if a == 1),
                       sum(1 for a in answers.values() if a == -1),
                       *(answers.get(c.id, "") for c in comments)])

    description = (f"debate-poll debate {debate.id}: statements are comments; votes are the "
                   f"latest round of each statement on the {debate.settings.scale.value}-point "
                   f"scale; group-id is the opinion group (0 = A, 1 = B, ...); the audience "
                   f"groups are in the debate's own votes export")
    summary: list[list[object]] = [
        ["topic", spreadsheet_safe(debate.title)],
        ["url", join_url],
        ["voters", len(participants)],
        # Pol.is's in-conv: the participants placed on the map (every voter without a map)
        ["voters-in-conv", len(participants) if opinion is None else len(opinion.placed)],
        ["commenters", len({p.participant for p in data.proposals})],
        ["comments", len(comments)],
        ["groups", 0 if opinion is None else len(opinion.groups)],
        ["conversation-description", description],
    ]
    return {"summary.csv": _write(summary), "comments.csv": _write(comment_rows),
            "votes.csv": _write(vote_rows), "participants-votes.csv": _write(matrix)}


def polis_zip(data: Snapshot, join_url: str = "") -> bytes:
    """The four Pol.is files in one ZIP, at its top level."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, body in polis_files(data, join_url).items():
            archive.writestr(name, body)
    return buffer.getvalue()
