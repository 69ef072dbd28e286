"""The vote page of a phone's first visit, rendered once per state of its debate.

When the QR code goes up, the whole room opens the same page within seconds, and a phone without
a cookie is a new participant: nothing on its page is its own but two tokens, its CSRF token and
the id of its form's vote. So the page is rendered once with a marker in place of each token,
kept beside everything it was rendered from, and every first visit gets that text with its own
tokens written in, until anything it was rendered from differs: the template, the language, or
any value of the page's context (the debate, its stage and statements, the results, the room's
reasons, the floor, ...). The whole context is compared, nothing left out on the grounds that it
cannot change, so a phone gets the page it would have got rendered afresh; a value that cannot
be compared safely (a mutable object of an unknown kind) makes the page render afresh.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections import OrderedDict
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any

from jinja2 import Template

ROOMS = 64  # debates whose first-visit page is kept, the most recently asked for


class Uncomparable(Exception):
    """A context value that cannot be kept for comparing (it could change behind the copy)."""


_PLAIN = frozenset((str, int, type(None)))  # equal only to their own kind: kept as they are
_IMMUTABLE = (str, int, float, bytes, Enum)  # and bool, an int


def frozen(value: object) -> object:
    """A copy of `value` that later changes to `value` cannot reach, equal to another such copy
    exactly when the values are equal and of the same kinds all the way down (True and 1, or a
    Markup and its str, render differently): containers as their type and frozen items,
    dataclasses as their type and frozen fields. Raises Uncomparable for anything else."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if isinstance(value, _IMMUTABLE):
        return (kind, value)
    if isinstance(value, list | tuple):
        return (kind, *(frozen(item) for item in value))
    if isinstance(value, dict):
        return (kind, *((frozen(k), frozen(v)) for k, v in value.items()))
    if isinstance(value, set | frozenset):
        return (kind, frozenset(frozen(item) for item in value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (kind, *(frozen(getattr(value, f.name)) for f in dataclasses.fields(value)))
    raise Uncomparable(kind.__name__)


class FirstVisits:
    """The first-visit page of each debate and language, as last rendered, with its key."""

    def __init__(self, rooms: int = ROOMS) -> None:
        self._pages: OrderedDict[tuple[str, str], tuple[object, str]] = OrderedDict()
        self._rooms = rooms
        # random per process, so no text a visitor or moderator types can hold one
        self._marks: dict[str, str] = {}

    def page(self, where: tuple[str, str], template: Template, shared: Mapping[str, Any],
             own: Mapping[str, str], render: Callable[[dict[str, Any]], str]) -> str:
        """`render({**shared, **own})`: rendered again only when the template or `shared`
        differs from the last time for `where` (a debate and a language); `own` are the
        visitor's own values (its tokens: plain text, the same when HTML-escaped), written
        into the kept text in place of the markers it was rendered with."""
        try:
            key = (template, frozen(shared))
        except Uncomparable:
            return render({**shared, **own})
        kept = self._pages.get(where)
        if kept is not None and kept[0] == key:
            self._pages.move_to_end(where)
            text = kept[1]
        else:
            text = render({**shared, **{name: self._mark(name) for name in own}})
            self._pages[where] = (key, text)
            self._pages.move_to_end(where)
            while len(self._pages) > self._rooms:
                self._pages.popitem(last=False)
        for name, value in own.items():
            text = text.replace(self._mark(name), value)
        return text

    def _mark(self, name: str) -> str:
        mark = self._marks.get(name)
        if mark is None:
            mark = self._marks[name] = "mark" + secrets.token_hex(16)
        return mark
