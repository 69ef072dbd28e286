"""The map of who thinks alike as inline SVG, drawn on the server like the result charts
(poll.charts): the moderator page and the report show it without any script, and
static/js/desk-map.js redraws the same drawing from `opinion` frames.

It draws an `opinion` frame (poll.live.frames.opinion): a dot per person (a position, a group
letter; never who it is), coloured by group, and each group's letter at the middle of its dots,
so the groups can be told apart without their colour. Built with `Markup.format` only, which
escapes every argument.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from .charts import FONT, MUTED, TRACK
from .live.frames.opinion import OpinionDot

SIZE = 400  # the map is square: its two axes mean as much
REACH = 180  # the widest dot sits this far from the middle
LETTER_LIFT = 20  # a group's letter sits this far above the middle of its dots
# One colour per group letter, apart from the stance colours (which say agree / disagree) and
# from each other for the common colour-vision deficiencies (after Okabe and Ito).
GROUP_COLOURS = {"A": "#0067a5", "B": "#c25400", "C": "#7d3c98", "D": "#8a6d00",
                 "E": "#00796b"}
NO_GROUP = MUTED


def colour(letter: str | None) -> str:
    """The colour of a group's dots (the muted grey for people in no group)."""
    return NO_GROUP if letter is None else GROUP_COLOURS.get(letter, NO_GROUP)


def dot_radius(count: int) -> float:
    """Smaller dots as the room grows, so a crowd stays a cloud and not a blot."""
    return 5.0 if count <= 100 else 3.5 if count <= 500 else 2.0


def place(dot: OpinionDot) -> tuple[float, float]:
    """Where a dot goes in the drawing (the frame's y points up, SVG's down)."""
    return round(SIZE / 2 + dot["x"] * REACH, 1), round(SIZE / 2 - dot["y"] * REACH, 1)


def map_chart(dots: Sequence[OpinionDot], label: str) -> Markup:
    """The map: the two axes, a dot per person, each group's letter amid its dots. `label`
    says in words what it shows (its groups and their sizes)."""
    middle = SIZE / 2
    parts = [Markup(
        '<line x1="0" y1="{m}" x2="{s}" y2="{m}" stroke="{track}" stroke-width="2"/>'
        '<line x1="{m}" y1="0" x2="{m}" y2="{s}" stroke="{track}" stroke-width="2"/>'
    ).format(m=middle, s=SIZE, track=TRACK)]
    radius = dot_radius(len(dots))
    where: dict[str, list[tuple[float, float]]] = {}
    for dot in dots:
        x, y = place(dot)
        group = dot["group"]
        parts.append(Markup(
            '<circle class="map__dot" data-group="{group}" cx="{x}" cy="{y}" r="{r}" '
            'fill="{fill}" fill-opacity="0.75"/>').format(
            group=group or "", x=x, y=y, r=radius, fill=colour(group)))
        if group is not None:
            where.setdefault(group, []).append((x, y))
    for letter, points in sorted(where.items()):
        x = sum(p[0] for p in points) / len(points)
        y = sum(p[1] for p in points) / len(points) - LETTER_LIFT  # the dots stay in sight
        parts.append(Markup(
            '<text class="map__letter" x="{x}" y="{y}" text-anchor="middle" '
            'dominant-baseline="central" font-size="{size}" font-weight="700" fill="{fill}" '
            'stroke="#ffffff" stroke-width="5" paint-order="stroke">{letter}</text>').format(
            x=round(x, 1), y=round(y, 1), size=FONT * 2, fill=colour(letter), letter=letter))
    return Markup(
        '<svg class="chart map__chart" xmlns="http://www.w3.org/2000/svg" '
        'viewBox="0 0 {s} {s}" role="img" aria-label="{label}"><title>{label}</title>{body}'
        '</svg>').format(s=SIZE, label=label, body=Markup("").join(parts))


def swatch(letter: str | None) -> Markup:
    """A small dot of a group's colour, for the legend (decorative: the letter is beside it)."""
    return Markup(
        '<svg class="map__swatch" viewBox="0 0 12 12" width="12" height="12" aria-hidden="true">'
        '<circle cx="6" cy="6" r="5" fill="{fill}"/></svg>').format(fill=colour(letter))
