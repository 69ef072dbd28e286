"""The attendees' side: the front page with the join code, the vote page, the no-script vote."""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from ..hub import LiveDebate, Refusal
from ..i18n import N_, preferred_language
from ..model import Choice, Visibility
from ..pages import render, wants_json
from ..security import client_address, new_participant, participant_of, remember_participant
from ..store import StoreError, normalise_code
from ..text import clean, proposal_problem
from ._common import PageError, field, form, hub, int_field


async def index(request: Request) -> Response:
    """Front page: type the join code shown on the projector."""
    return render(request, "index.html", {"code": "", "error": None})


async def join(request: Request) -> Response:
    """The front page's form: a known code leads to the same page as the QR code."""
    code = normalise_code(request.query_params.get("code", ""))[:32]
    live = await hub(request).by_code(code) if code.isalnum() else None
    if live is None:
        return render(request, "index.html", {
            "code": code,
            "error": N_("No debate has this code. Check the code on the screen.") if code
            else N_("Type the code shown on the screen."),
        }, status=404 if code else 400)
    return RedirectResponse(f"/j/{live.debate.join_code}", status_code=303)


async def _debate_from_code(request: Request) -> LiveDebate:
    live = await hub(request).by_code(request.path_params["code"][:32])
    if live is None:
        raise PageError(404, N_("Debate not found"),
                        N_("No debate has this code. Check the code on the screen."),
                        code="not_found")
    return live


def _vote_page(request: Request, live: LiveDebate, participant: str, *,
               message: str | None = None, status: int = 200, proposed: bool = False) -> Response:
    """The vote page; `message` is an error to show, `proposed` thanks for a proposal."""
    debate = live.debate
    current = debate.current
    the_hub = hub(request)
    mine = the_hub.votes_of(live, participant)
    my_choice = mine[current.id].value if current and current.id in mine else None
    visible = current is not None and the_hub.results_visible(live, "phone") and (
        debate.settings.visibility is not Visibility.VOTED or debate.live.revealed
        or my_choice is not None)
    context = {
        "debate": debate,
        "statement": current,
        "count": len(debate.statements),
        "live": debate.live,
        "my_choice": my_choice,
        "results": the_hub.results(live, "phone") if visible else None,
        "message": message,
        "ws_path": f"/ws/{debate.id}/phone",
        "choices": list(debate.choices),
        "groups": debate.groups,
        "my_group": live.members.get(participant),
        "proposals_open": debate.settings.proposals,
        "proposed": proposed,
        "needs_code": not the_hub.may_vote(live, participant),
        # A fresh id per page load: resubmitting the same page (a double tap) is stored once.
        "vote_id": "f-" + secrets.token_urlsafe(9),
    }
    # The buttons and messages in the phone's own language when it is one of ours (a Dutch debate
    # can have English-speaking guests); otherwise the debate's. Statements stay as typed.
    lang = preferred_language(request.headers.get("accept-language"), default=debate.lang)
    response = render(request, "vote.html", context, lang=lang, status=status,
                      headers={"Vary": "Accept-Language"})
    remember_participant(response, participant, secure=request.url.scheme == "https")
    return response


async def vote_page(request: Request) -> Response:
    """The phone's page (the QR code points here): the current statement and three buttons."""
    live = await _debate_from_code(request)
    return _vote_page(request, live, participant_of(request) or new_participant(),
                      proposed=request.query_params.get("proposed") == "1")


def _back(request: Request, live: LiveDebate, participant: str,
          body: dict[str, object] | None = None, *, query: str = "") -> Response:
    """303 back to the vote page (or `body` as JSON, for a script that asks for JSON), keeping
    the participant cookie."""
    response: Response
    if body is not None and wants_json(request):
        response = JSONResponse(body)
    else:
        response = RedirectResponse(f"/j/{live.debate.join_code}{query}", status_code=303)
    remember_participant(response, participant, secure=request.url.scheme == "https")
    return response


async def admit(request: Request) -> Response:
    """The room code typed on the phone: right, and the phone may vote from now on."""
    live = await _debate_from_code(request)
    data = await form(request)
    participant = participant_of(request) or new_participant()
    if await hub(request).admit(live, participant, field(data, "room_code")[:16]):
        return _back(request, live, participant)
    return _vote_page(request, live, participant, status=403,
                      message=N_("That is not the code on the screen. Try again."))


async def vote_submit(request: Request) -> Response:
    """A vote as a plain form POST, for phones without JavaScript (and for scripts, as JSON)."""
    live = await _debate_from_code(request)
    data = await form(request)
    participant = participant_of(request) or new_participant()
    vote_id = field(data, "vote_id")[:64] or "f-" + secrets.token_urlsafe(9)
    try:
        choice = Choice(field(data, "choice"))
    except ValueError:
        raise PageError(400, N_("Bad request"),
                        N_("This choice is not offered in this debate."),
                        lang=live.debate.lang, code="bad_choice") from None
    statement_id = int_field(data, "statement")
    try:
        if not request.state.limits.vote(participant, client_address(request)):
            raise Refusal("rate_limited", N_("Too many votes at once. Wait a moment."), 429)
        counted = await hub(request).vote(live, participant, statement_id, choice, vote_id)
    except Refusal as refusal:
        if wants_json(request):
            raise PageError.refused(refusal, live.debate.lang, N_("Vote not counted")) from None
        return _vote_page(request, live, participant, message=refusal.message,
                          status=refusal.status)
    return _back(request, live, participant, {
        "type": "ack", "id": vote_id, "statement": statement_id, "choice": choice.value,
        "round": counted})


async def choose_group(request: Request) -> Response:
    """The phone says which audience group it belongs to (field `group`: an id, or empty)."""
    live = await _debate_from_code(request)
    data = await form(request)
    participant = participant_of(request) or new_participant()
    raw = field(data, "group")
    if raw and not raw.isdigit():
        raise PageError(400, N_("Bad request"), N_("A group must be a group id or null."),
                        lang=live.debate.lang, code="bad_message")
    group_id = int(raw) if raw else None
    try:
        await hub(request).join_group(live, participant, group_id)
    except Refusal as refusal:
        raise PageError.refused(refusal, live.debate.lang) from None
    return _back(request, live, participant, {"type": "group", "group": group_id})


async def propose(request: Request) -> Response:
    """An attendee proposes a statement (field `text`); it waits for the moderator."""
    live = await _debate_from_code(request)
    data = await form(request)
    participant = participant_of(request) or new_participant()
    text = field(data, "text")
    try:
        problem = proposal_problem(text)
        if problem is not None:
            raise Refusal("bad_proposal", problem, 400)
        if not request.state.limits.propose(participant, client_address(request)):
            raise Refusal("rate_limited", N_("Too many proposals at once. Wait a moment."), 429)
        await hub(request).propose(live, participant, clean(text))
    except Refusal as refusal:
        if wants_json(request):
            raise PageError.refused(refusal, live.debate.lang) from None
        return _vote_page(request, live, participant, message=refusal.message,
                          status=refusal.status)
    except StoreError:
        raise PageError(503, N_("Not saved"), N_("This could not be saved. Please try again."),
                        lang=live.debate.lang, code="not_saved") from None
    return _back(request, live, participant, {"type": "proposed"}, query="?proposed=1")
