"""After the debate: the archive of debates and each debate's results."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..pages import render
from ..security import is_moderator
from ._common import debate_from_path, hub
from .admin import admin_gate


async def archive(request: Request) -> Response:
    if (gate := admin_gate(request)) is not None:
        return gate
    summaries = await hub(request).store.summaries()
    return render(request, "archive.html", {"debates": [
        {"debate": s.debate, "statements": s.statements, "participants": s.participants,
         "votes": s.votes, "results_url": f"/d/{s.debate.id}/results"}
        for s in summaries
    ]})


async def results(request: Request) -> Response:
    live = await debate_from_path(request)
    # the debate's own moderator may always see its results
    if not is_moderator(request, live.debate.id) and (gate := admin_gate(request)) is not None:
        return gate
    rows = [(s, live.tally(s.id).as_dict()) for s in live.debate.statements]
    participants = len({p for t in live.tallies.values() for p in t.choices})
    return render(request, "results.html", {
        "debate": live.debate, "rows": rows, "participants": participants,
    }, lang=live.debate.lang)


async def report(request: Request) -> Response:
    """The printable report (being built: for now the results page)."""
    return await results(request)
