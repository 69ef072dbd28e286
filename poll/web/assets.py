"""The static files, read once at start: content-hashed names, compressed bodies.

Every file under static/ gets a name with a short hash of its content (`js/vote.js` ->
`js/vote.1a2b3c4d5e.js`), so a browser may keep it for a year: a changed file is a new address.
A module's imports of other modules (`from './ui.js'`) and a stylesheet's `url(...)` are
rewritten to the hashed names first, so a file's hash covers everything it loads (change ui.js
and vote.js, which imports it, gets a new address too). Scripts and stylesheets lose their
comments and indentation (rJSmin, rCSSmin: made to run at start, no build step), a quarter of
their compressed size; the files in static/ stay as written. Text files are compressed once here,
brotli at quality 11 and gzip at level 9, which is too slow to do per request but costs about a
second for the whole folder at start. poll/web/static.py serves them.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import quote

import brotli
import rcssmin
import rjsmin

from ..paths import STATIC
from .bundles import BundleError, bundle

HASH_LENGTH = 10
# js/vote.1a2b3c4d5e.js: the stem, the hash, the extension
HASHED_NAME = re.compile(rf"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{{{HASH_LENGTH}}})(?P<ext>\.[^./]+)$")

# A module's static imports and re-exports (`from './x.js'`), side-effect imports
# (`import './x.js'`) and dynamic ones (`import('./x.js')`): relative specifiers only.
_JS_IMPORT = re.compile(
    r"""(?:\bfrom\s*|\bimport\s*\(?\s*)(?P<q>['"])(?P<ref>\.\.?/[^'"\s]+)(?P=q)""")
# url(...) in a stylesheet, quoted or not; data:, absolute and fragment URLs are left alone.
_CSS_URL = re.compile(r"""url\(\s*(?P<q>['"]?)(?P<ref>(?![a-z]+:|/|#)[^'")\s]+)(?P=q)\s*\)""")

MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml",
               ".json": "application/json", ".html": "text/html", ".txt": "text/plain"}
# Worth compressing; images other than SVG, fonts in woff2 and archives already are.
COMPRESSIBLE = frozenset(MEDIA_TYPES.values())


class AssetError(Exception):
    """static/ cannot be served as it is: a missing import, or modules importing in a circle."""


@dataclass(frozen=True)
class Asset:
    """One file under static/ as served: its content (references rewritten), its hash, the
    compressed bodies that came out smaller, by content-coding ("br", "gzip")."""

    name: str  # relative to static/, with slashes: "js/vote.js"
    body: bytes
    media_type: str
    digest: str
    encoded: dict[str, bytes] = field(default_factory=dict)
    imports: tuple[str, ...] = ()  # the names of the modules this one imports

    @property
    def hashed_name(self) -> str:
        stem, ext = posixpath.splitext(self.name)
        return f"{stem}.{self.digest}{ext}"


class Assets:
    """Every static file by name; `url(name)` is the address a page links to."""

    def __init__(self, files: dict[str, Asset], prefix: str = "/static/") -> None:
        self.files = files
        self.prefix = prefix
        self._by_hashed = {a.hashed_name: a for a in files.values()}

    def url(self, name: str) -> str:
        """The content-hashed URL of static/`name` (a plain one for a file that is not there,
        which answers 404, as the link would without hashing)."""
        asset = self.files.get(name)
        return self.prefix + (asset.hashed_name if asset else name)

    def data_url(self, name: str) -> str:
        """static/`name` written into the page as a data: URL (for a tiny file, a request saved:
        its headers alone would weigh more than the file)."""
        asset = self.files[name]
        text = quote(asset.body.decode("utf-8").strip(), safe=" =:/;,'")
        return f"data:{asset.media_type.split(';')[0]},{text}"

    def script(self, name: str) -> str:
        """The URL a page loads the module static/`name` from: the one file that joins it with
        the modules it imports, when it imports any (one request instead of one per module)."""
        joined = bundle_name(name)
        return self.url(joined if joined in self.files else name)

    def find(self, path: str) -> tuple[Asset, bool] | None:
        """The asset at `path` (under /static/) and whether `path` is its current hashed name;
        a plain name or an outdated hash finds the current file, not hashed."""
        if path in self._by_hashed:
            return self._by_hashed[path], True
        match = HASHED_NAME.match(path)
        plain = match["stem"] + match["ext"] if match else path
        asset = self.files.get(path) or self.files.get(plain)
        return (asset, False) if asset else None


def load_assets(directory: Path) -> Assets:
    """Read, rewrite, hash and compress every file under `directory`, and join each module no
    other module imports with the modules it imports (`bundle_name`: poll/web/bundles.py)."""
    raw = {p.relative_to(directory).as_posix(): p.read_bytes()
           for p in sorted(directory.rglob("*")) if p.is_file()}
    done: dict[str, Asset] = {}
    for name in raw:
        _build(name, raw, done, ())
    imported = {dep for asset in done.values() for dep in asset.imports}
    sources = {name: raw[name].decode("utf-8") for name in done if name.endswith(".js")}
    for name in [n for n, a in done.items() if a.imports and n not in imported]:
        try:
            text = bundle(name, sources, _minified_js)
        except BundleError as problem:
            raise AssetError(str(problem)) from None
        done[bundle_name(name)] = _asset(bundle_name(name), text.encode())
    return Assets(done)


def bundle_name(module: str) -> str:
    """The name of the file that joins `module` with every module it imports: js/vote.js ->
    js/vote.bundle.js."""
    stem, ext = posixpath.splitext(module)
    return f"{stem}.bundle{ext}"


@cache
def static_assets() -> Assets:
    """The app's static/ folder, read once per process (the lifespan reads it at start)."""
    return load_assets(STATIC)


def _build(name: str, raw: dict[str, bytes], done: dict[str, Asset],
           path: tuple[str, ...]) -> Asset:
    """`name`'s Asset, after the files it references (depth first: their hashes come first)."""
    if name in done:
        return done[name]
    if name in path:
        raise AssetError(f"static files reference each other in a circle: "
                         f"{' -> '.join((*path, name))}")
    body = raw[name]
    imports: list[str] = []
    pattern = {".js": _JS_IMPORT, ".css": _CSS_URL}.get(posixpath.splitext(name)[1])
    if pattern is not None:
        text = body.decode("utf-8")
        pieces: list[str] = []
        end = 0
        for match, target, fragment in _references(pattern, text, name, raw):
            dep = _build(target, raw, done, (*path, name))
            if pattern is _JS_IMPORT:
                imports.append(target)
            folder = posixpath.dirname(match["ref"].split("?")[0].split("#")[0])
            start, stop = match.span("ref")
            pieces += [text[end:start],
                       posixpath.join(folder, posixpath.basename(dep.hashed_name)) + fragment]
            end = stop
        text = "".join(pieces) + text[end:]
        body = (_minified_js(text) if pattern is _JS_IMPORT else rcssmin.cssmin(text)).encode()
    done[name] = _asset(name, body, tuple(dict.fromkeys(imports)))
    return done[name]


def _asset(name: str, body: bytes, imports: tuple[str, ...] = ()) -> Asset:
    """`body` served as static/`name`: its media type, hash and compressed bodies."""
    media_type = _media_type(name)
    return Asset(name, body, media_type, hashlib.sha256(body).hexdigest()[:HASH_LENGTH],
                 _compressed(body, media_type), imports)


def _references(pattern: re.Pattern[str], text: str, name: str,
                raw: dict[str, bytes]) -> Iterator[tuple[re.Match[str], str, str]]:
    """Each reference in `text`, the static file it names and its #fragment (kept; a ?query,
    such as an old ?v= version, is dropped: the hash replaces it)."""
    for match in pattern.finditer(text):
        ref, _, fragment = match["ref"].partition("#")
        ref = ref.split("?")[0]
        target = posixpath.normpath(posixpath.join(posixpath.dirname(name), ref))
        if target not in raw:
            raise AssetError(f"static/{name} references {match['ref']!r}, which is not in static/")
        yield match, target, f"#{fragment}" if fragment else ""


# `${` and then a backtick before any `}`: a template literal inside another one's placeholder.
_NESTED_TEMPLATE = re.compile(r"\$\{[^}]*`")


def _minified_js(text: str) -> str:
    """`text` without comments and needless whitespace; as it is when a template literal holds
    another in a placeholder, which rJSmin reads wrongly (it drops spaces inside the inner one)."""
    return text if _NESTED_TEMPLATE.search(text) else str(rjsmin.jsmin(text))


def _media_type(name: str) -> str:
    ext = posixpath.splitext(name)[1].lower()
    media_type = MEDIA_TYPES.get(ext) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return f"{media_type}; charset=utf-8" if media_type in COMPRESSIBLE else media_type


def _compressed(body: bytes, media_type: str) -> dict[str, bytes]:
    if media_type.split(";")[0] not in COMPRESSIBLE:
        return {}
    candidates = {"br": brotli.compress(body, quality=11),
                  "gzip": gzip.compress(body, compresslevel=9, mtime=0)}
    return {coding: data for coding, data in candidates.items() if len(data) < len(body)}
