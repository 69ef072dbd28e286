"""The moderator's downloads: every export format of poll.exports, as a file. The CSV tables
share one address, `export.csv?table=...` (results when none is named), so adding a table
changes no route and no existing link. The JSON document, the workbook and the Pol.is set carry
the opinion map, through the app's worker (the live map when no vote came in since)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from ... import exports
from ...exports.opinion import NEEDS_MAP
from ...i18n import N_
from ...live.opinions import current_map
from ...opinion.result import OpinionMap
from ...opinion.worker import WorkerCrashed
from ._common import NO_STORE, PageError, moderated, state

View = Callable[[Request], Awaitable[Response]]


# export.csv?table=NAME: the CSV format each table is
CSV_TABLES = {"results": "csv", "votes": "votes-csv", "statements": "statements-csv",
              "reasons": "reasons-csv", "floor": "floor-csv"}


def download(fmt: str) -> View:
    """The view that sends the debate in the URL as `fmt` (moderators only); for the results
    CSV, `?table=` picks another of CSV_TABLES."""

    async def send(request: Request) -> Response:
        room = await moderated(request)
        chosen = fmt
        if fmt == "csv" and "table" in request.query_params:
            table = request.query_params["table"]
            if table not in CSV_TABLES:
                raise PageError(404, N_("No such table"),
                                N_("This export has no table of that name."),
                                lang=room.debate.lang, code="not_found")
            chosen = CSV_TABLES[table]
        app = state(request)
        opinion: OpinionMap | None = None
        if chosen in NEEDS_MAP:
            try:
                opinion = await current_map(room, app.worker)
            except WorkerCrashed:
                opinion = room.opinion  # the worker said so in the log; the last map will do
        body = await exports.export(app.store, room.debate, chosen, opinion=opinion,
                                    join_url=app.urls.join(room.debate.join_code))
        return Response(body, media_type=exports.FORMATS[chosen].media_type, headers={
            **NO_STORE,
            "Content-Disposition":
                f'attachment; filename="{exports.filename(room.debate, chosen)}"'})

    send.__name__ = f"export_{fmt.replace('-', '_')}"
    return send


export_csv = download("csv")
export_votes_csv = download("votes-csv")
export_json = download("json")
export_xlsx = download("xlsx")
export_polis = download("polis")
