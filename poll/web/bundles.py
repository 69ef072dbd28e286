"""A page's script modules joined into one file at start, so a phone makes one request for its
script instead of one per module (seven on the vote page).

No bundler runs at install and none is fetched: the modules under static/js keep to a small part
of the module syntax, and this joins exactly that part. A module may import only named bindings
from a relative module (`import { a, b as c } from './ui.js';`, at the start of a line, one or
several lines) and export only declarations (`export function`, `export async function`,
`export const NAME`, `export class`). Each module becomes a function that runs its body once and
returns its exports; a module's imports read them from the modules before it, which come in the
order a browser would run them (every module after the modules it imports, each once):

    const $m_js_ui_js = (() => { ...ui.js...; return { el, format }; })();
    const $m_js_vote_js = (() => { const { el, format } = $m_js_ui_js; ...vote.js... })();

Any other import or export (a default, a namespace, `export { ... }`, `export let`) stops the
start with a message naming the module and the line, rather than give a page a script that
differs from its modules. An export is read once, when the module has run: the modules here
export functions and constants only, which never change afterwards.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

_IMPORT = re.compile(
    r"""^import\s*\{(?P<names>[^}]*)\}\s*from\s*(?P<q>['"])(?P<ref>\.\.?/[^'"\s]+)(?P=q)[ \t]*;?""",
    re.MULTILINE)
_EXPORT = re.compile(
    r"^export\s+(?P<kind>async\s+function\s*\*?|function\s*\*?|const|class)\s*"
    r"(?P<name>[A-Za-z_$][\w$]*)", re.MULTILINE)
# whatever else starts an import or export statement at the start of a line
_ANY = re.compile(r"^(?:import|export)\b.*", re.MULTILINE)
_NAME = re.compile(r"^[A-Za-z_$][\w$]*$")


class BundleError(Exception):
    """A module uses module syntax that joining would not keep as it is."""


def bundle(entry: str, sources: dict[str, str], minify: Callable[[str], str]) -> str:
    """The module static/`entry` and every module it imports, directly or not, joined into one
    module's text. `sources` has each module's text by its name under static/ ("js/vote.js");
    each module's part goes through `minify`."""
    order: list[str] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in order:
            return
        if name in path:
            raise BundleError(f"modules import each other in a circle: {' -> '.join(path)}")
        for dep, _names in _imports(name, sources):
            visit(dep, (*path, name))
        order.append(name)

    visit(entry, ())
    return "\n".join(_part(name, sources, minify, last=name == entry) for name in order)


def _variable(name: str) -> str:
    return "$m_" + re.sub(r"[^A-Za-z0-9]", "_", name)


def _imports(name: str, sources: dict[str, str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each module `name` imports and the bindings it takes: (imported, local) names."""
    if name not in sources:
        raise BundleError(f"static/{name} is imported but is not in static/")
    found = []
    for match in _IMPORT.finditer(sources[name]):
        target = posixpath.normpath(posixpath.join(posixpath.dirname(name), match["ref"]))
        bindings = []
        for item in (part.strip() for part in match["names"].split(",")):
            if not item:
                continue
            imported, _, local = (piece.strip() for piece in item.partition(" as "))
            local = local or imported
            if not (_NAME.match(imported) and _NAME.match(local)):
                raise BundleError(f"static/{name}: cannot join the import {item!r}")
            bindings.append((imported, local))
        found.append((target, bindings))
    return found


def _part(name: str, sources: dict[str, str], minify: Callable[[str], str], *,
          last: bool) -> str:
    """Module `name` as a function run once: its imports read from the modules before it, its
    `export` keywords gone, its exports returned."""
    text = sources[name]
    known = {m.start() for pattern in (_IMPORT, _EXPORT) for m in pattern.finditer(text)}
    for statement in _ANY.finditer(text):
        if statement.start() not in known:
            line = text.count("\n", 0, statement.start()) + 1
            raise BundleError(f"static/{name}, line {line}: cannot join {statement[0]!r}")
    exports = [m["name"] for m in _EXPORT.finditer(text)]
    reads = "".join(
        f"const {{ {', '.join(i if i == local else f'{i}: {local}' for i, local in names)} }}"
        f" = {_variable(dep)};\n"
        for dep, names in _imports(name, sources))
    body = _EXPORT.sub(lambda m: f"{m['kind']} {m['name']}", _IMPORT.sub("", text))
    returned = "" if last else f"\nreturn {{ {', '.join(exports)} }};"
    code = minify(f"{reads}{body}{returned}")
    return f"{'' if last else f'const {_variable(name)} = '}(() => {{\n{code}\n}})();"
