"""After the debate: the archive of debates and each debate's printable report."""

from __future__ import annotations

from functools import partial

from babel.numbers import format_decimal
from starlette.requests import Request
from starlette.responses import Response

from ... import charts, map_chart
from ... import report as reporting
from ...exports.voice import statement_voices, voice_of
from ...i18n import translations
from ...live import frames, rules
from ...live.opinions import current_map
from ...model import LANGUAGES, Debate, ReasonsShown
from ...opinion.result import OpinionMap
from ...opinion.worker import WorkerCrashed
from ...tally import DRAW_POINTS
from ..pages import number, render
from ..sessions import is_moderator
from ._common import NO_STORE, debate_from_path, state
from .admin import admin_gate


async def archive(request: Request) -> Response:
    """Every debate, newest first, each linking to its report (behind the organiser password
    when one is set)."""
    if (gate := admin_gate(request)) is not None:
        return gate
    app = state(request)
    summaries = await app.store.summaries()
    return render(request, "archive.html", {"debates": [
        {"debate": s.debate, "statements": s.statements, "participants": s.participants,
         "votes": s.votes, "results_url": app.urls.path("report", debate_id=s.debate.id)}
        for s in summaries
    ]})


async def report(request: Request) -> Response:
    """The report: attendance, settings, per statement its translation, charts (SVG drawn here),
    group split, swing, the room's top reasons, the floor and notes, then the highlights;
    printable to PDF from the browser. Its debate's moderator may always read it; others when
    the archive is open to them."""
    room = await debate_from_path(request)
    debate = room.debate
    moderator = is_moderator(request, debate)
    if not moderator and (gate := admin_gate(request)) is not None:
        return gate
    catalog = translations(debate.lang)
    text = reporting.chart_text(catalog.gettext, catalog.ngettext,
                                partial(number, lang=debate.lang))
    # Until the moderator publishes it, others read only what the room was shown.
    shown = (lambda s, n: True) if moderator else partial(rules.report_shows, debate)
    report = reporting.build(debate, room.tallies, room.members, room.connected, shown=shown,
                             notes=moderator or debate.report_published)
    # Reasons follow their round's results; unpublished, the room's reasons setting too (reasons
    # it never saw stay the moderator's until the report is published).
    unseen = debate.settings.reasons is ReasonsShown.NEVER and not debate.report_published
    voice = await voice_of(state(request).store, debate.id)
    voices = statement_voices(debate, voice, room.tallies,
                              (lambda s, n: False) if unseen and not moderator else shown)
    opinion: OpinionMap | None = None
    if moderator or map_shown(debate):
        try:
            opinion = await current_map(room, state(request).worker)
        except WorkerCrashed:
            opinion = room.opinion  # the worker said so in the log; the last map will do
    return render(request, "report.html", {
        "report": report,
        "voices": voices,
        "translation_lang": next(lang for lang in LANGUAGES if lang != debate.lang),
        "text": text,
        "labels": {c.value: text.label(c) for c in text.labels},
        "result_chart": charts.result_chart,
        "group_chart": charts.group_chart,
        "opinion": frames.opinion(debate, opinion) if moderator or map_shown(debate) else None,
        "map_chart": map_chart.map_chart,
        "swatch": map_chart.swatch,
        "is_moderator": moderator,
        "draw_points": DRAW_POINTS,
        # a mean as the language writes it: 3.8 in English, 3,8 in Dutch
        "decimal": partial(format_decimal, format="0.0", locale=debate.lang),
    }, lang=debate.lang, headers=NO_STORE if moderator else None)


def map_shown(debate: Debate) -> bool:
    """Whether a reader who is not the moderator sees the map of who thinks alike: once the
    report is published, or while every statement's latest round (what the map is drawn from)
    is shown to them. One statement still hidden hides the whole map, which would give it away."""
    return debate.report_published or all(rules.report_shows(debate, s, max(s.rounds, 1))
                                          for s in debate.statements)


# The archive linked here in the first release: the same report under its old address.
results = report
