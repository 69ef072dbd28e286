"""Result charts as inline SVG, drawn on the server: the report prints them without any script.

Every function returns `Markup` built only with `Markup.format`, which escapes each argument, so a
group name or label like `<script>` ends up as text, never as markup. Colours are the app's choice
colours (the darker text shades, so white percentages inside a bar stay readable, also on paper).
A chart is `role="img"` with an `aria-label` that says in words what it draws; its `<title>` says
the same as a tooltip.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from .model import Choice
from .tally import Tally

# The app's choice colours (static/css/base.css: --agree, --neutral, --disagree) and a darker shade
# for the "strongly" answers, so five points stay apart in colour as well as in order.
COLOURS = {
    Choice.STRONGLY_AGREE: "#0a5235",
    Choice.AGREE: "#0e7a53",
    Choice.NEUTRAL: "#5a6478",
    Choice.DISAGREE: "#c23a2b",
    Choice.STRONGLY_DISAGREE: "#8a2216",
}
TRACK = "#eef0f4"  # --neutral-soft: the empty part of a bar
INK = "#151a2d"  # --text
MUTED = "#586278"  # --muted

WIDTH = 640
LABEL_WIDTH = 150  # room for "Strongly disagree" / "Helemaal oneens"
VALUE_WIDTH = 130  # room for "100% · 12,345"
ROW = 28
BAR = 18
FONT = 14
INSIDE_MIN = 9  # a segment narrower than this many percent gets no number inside


@dataclass(frozen=True, slots=True)
class ChartText:
    """The words a chart uses, already in the page's language."""

    labels: Mapping[Choice, str]  # "Agree", "Eens", ...
    count: Callable[[int], str]  # 31 -> "31 votes"
    number: Callable[[int], str] = str  # 1234 -> "1,234" / "1.234"
    no_group: str = "No group"  # the row of voters who picked no audience group

    def label(self, choice: Choice) -> str:
        return self.labels.get(choice, choice.value)


def _describe(tally: Tally, choices: Sequence[Choice], text: ChartText) -> str:
    percent = tally.percentages()
    return "; ".join(f"{text.label(c)} {percent.get(c, 0)}% ({text.count(tally.counts.get(c, 0))})"
                     for c in choices)


def _svg(height: int, label: str, body: Markup) -> Markup:
    return Markup(
        '<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
        'role="img" aria-label="{label}" font-size="{font}"><title>{label}</title>{body}</svg>'
    ).format(w=WIDTH, h=height, label=label, font=FONT, body=body)


def result_chart(tally: Tally, choices: Sequence[Choice], text: ChartText,
                 title: str = "") -> Markup:
    """One bar per choice (in `choices` order): label, bar as long as its share, then its
    percentage and count. `title` starts the accessible description (e.g. "Round 2")."""
    percent = tally.percentages()
    bar_width = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    rows = []
    for i, choice in enumerate(choices):
        y = i * ROW
        share = percent.get(choice, 0)
        rows.append(Markup(
            '<g class="chart__row chart__row--{value}">'
            '<text x="0" y="{ty}" fill="{ink}">{label}</text>'
            '<rect x="{x}" y="{by}" width="{track}" height="{bar}" rx="3" fill="{track_fill}"/>'
            '<rect x="{x}" y="{by}" width="{fill_w}" height="{bar}" rx="3" fill="{colour}"/>'
            '<text x="{vx}" y="{ty}" fill="{ink}">{share}% · {count}</text></g>'
        ).format(value=choice.value, ty=y + 18, ink=INK, label=text.label(choice),
                 x=LABEL_WIDTH, by=y + 5, track=bar_width, bar=BAR, track_fill=TRACK,
                 fill_w=round(bar_width * share / 100, 1), colour=COLOURS[choice],
                 vx=LABEL_WIDTH + bar_width + 10, share=share,
                 count=text.number(tally.counts.get(choice, 0))))
    description = _describe(tally, choices, text)
    label = f"{title}: {description}" if title else description
    return _svg(len(choices) * ROW, label, Markup("").join(rows))


def _stacked(tally: Tally, choices: Sequence[Choice], y: int, width: int) -> Markup:
    """One bar split into the choices' shares, the percentage inside each wide-enough part."""
    percent = tally.percentages()
    parts = [Markup('<rect x="0" y="{y}" width="{w}" height="{h}" fill="{fill}"/>').format(
        y=y, w=width, h=BAR + 4, fill=TRACK)]
    x = 0.0
    for choice in choices:
        share = percent.get(choice, 0)
        if not share:
            continue
        w = width * share / 100
        parts.append(Markup(
            '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}"/>').format(
            x=round(x, 1), y=y, w=round(w, 1), h=BAR + 4, fill=COLOURS[choice]))
        if share >= INSIDE_MIN:
            parts.append(Markup(
                '<text x="{tx}" y="{ty}" fill="#ffffff" text-anchor="middle" '
                'font-size="12">{share}%</text>').format(
                tx=round(x + w / 2, 1), ty=y + 16, share=share))
        x += w
    return Markup("").join(parts)


def group_chart(rows: Sequence[tuple[str | None, Tally]], choices: Sequence[Choice],
                text: ChartText, title: str = "") -> Markup:
    """The split by audience group: per group its name (None: those without a group) and number of
    voters on one line, then a bar stacked from its shares of each choice."""
    height_per = FONT + BAR + 16
    bar_width = WIDTH
    parts = []
    descriptions = []
    for i, (group_name, tally) in enumerate(rows):
        name = text.no_group if group_name is None else group_name
        y = i * height_per
        parts.append(Markup(
            '<g class="chart__group"><text x="0" y="{ty}" fill="{ink}" font-weight="600">{name}'
            '<tspan fill="{muted}" font-weight="400"> · {count}</tspan></text>{bar}</g>'
        ).format(ty=y + FONT, ink=INK, name=name, muted=MUTED, count=text.count(tally.total),
                 bar=_stacked(tally, choices, y + FONT + 5, bar_width)))
        descriptions.append(f"{name} ({text.count(tally.total)}): "
                            f"{_describe(tally, choices, text)}")
    description = ". ".join(descriptions)
    label = f"{title}. {description}" if title else description
    return _svg(max(len(rows) * height_per - 6, 1), label, Markup("").join(parts))
