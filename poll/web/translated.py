"""A Jinja2 environment of one language whose templates are translated when they are compiled.

Pages have one environment per language (poll.web.pages), so `_("Results")` means the same text
on every render of it. Jinja's i18n extension still looks the string up, wraps it in Markup and
formats it on each call: some 120 calls on the phone's vote page, a third of its render. Here a
call with a literal string, `_("…")`, `gettext("…")` or `ngettext("…", "…", 2)` with a literal
count, becomes the translation itself when the template is compiled: the text of a call without
variables, and `Markup(translation) % {…}` of one with variables, as the extension's newstyle
gettext gives (the variables are escaped, the translation is not). Anything else (a variable
string, a count known only when rendering, `*args`) stays a call.
"""

from __future__ import annotations

import gettext
from typing import Any

from jinja2 import Environment, nodes
from jinja2.visitor import NodeTransformer
from markupsafe import Markup


class TranslatedEnvironment(Environment):
    """An Environment whose templates have their literal translations done at compile time by
    `translations` (install the same ones with `install_gettext_translations(newstyle=True)`
    for the calls left)."""

    def __init__(self, translations: gettext.NullTranslations, **options: Any) -> None:
        super().__init__(**options)
        self.translations = translations

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        template = super()._parse(source, name, filename)
        folded = _Fold(self.translations).visit(template)
        assert isinstance(folded, nodes.Template)
        return folded


class _Fold(NodeTransformer):
    def __init__(self, translations: gettext.NullTranslations) -> None:
        self.translations = translations

    def visit_Call(self, call: nodes.Call) -> nodes.Node:
        node = self.generic_visit(call)
        if not (isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name)
                and node.dyn_args is None and node.dyn_kwargs is None):
            return node
        args = [arg.value for arg in node.args if isinstance(arg, nodes.Const)]
        if len(args) != len(node.args):
            return node
        variables = {kw.key: kw.value for kw in node.kwargs}
        if node.node.name in ("_", "gettext") and len(args) == 1 and isinstance(args[0], str):
            text = self.translations.gettext(args[0])
        elif (node.node.name == "ngettext" and len(args) == 3 and isinstance(args[0], str)
              and isinstance(args[1], str) and type(args[2]) is int):
            text = self.translations.ngettext(args[0], args[1], args[2])
            variables.setdefault("num", nodes.Const(args[2]))
        else:
            return node
        lineno = node.lineno
        if not variables:
            try:
                text = str(Markup(text) % {})  # what formatting with no variables leaves ("%%")
            except (KeyError, TypeError, ValueError):
                return node  # a string that fails to format: let it fail as it did, at render
            return nodes.MarkSafeIfAutoescape(nodes.Const(text, lineno=lineno), lineno=lineno)
        pairs = [nodes.Pair(nodes.Const(key, lineno=lineno), value, lineno=lineno)
                 for key, value in variables.items()]
        return nodes.Mod(nodes.MarkSafeIfAutoescape(nodes.Const(text, lineno=lineno),
                                                    lineno=lineno),
                         nodes.Dict(pairs, lineno=lineno), lineno=lineno)
