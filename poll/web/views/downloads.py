"""The moderator's downloads: every export format of poll.exports, as a file."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from ... import exports
from ._common import NO_STORE, moderated, state

View = Callable[[Request], Awaitable[Response]]


def download(fmt: str) -> View:
    """The view that sends the debate in the URL as `fmt` (moderators only)."""

    async def send(request: Request) -> Response:
        room = await moderated(request)
        app = state(request)
        body = await exports.export(app.store, room.debate, fmt,
                                    join_url=app.urls.join(room.debate.join_code))
        return Response(body, media_type=exports.FORMATS[fmt].media_type, headers={
            **NO_STORE,
            "Content-Disposition":
                f'attachment; filename="{exports.filename(room.debate, fmt)}"'})

    send.__name__ = f"export_{fmt.replace('-', '_')}"
    return send


export_csv = download("csv")
export_votes_csv = download("votes-csv")
export_json = download("json")
export_xlsx = download("xlsx")
export_polis = download("polis")
