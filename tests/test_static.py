"""Static files and compression (issue 14): content-hashed addresses kept for a year, bodies
compressed as the browser accepts, old addresses still working, pages compressed per response.

In-process (the real app over httpx's ASGITransport); the folder-level rules (a changed import
changes its importer's address, a missing import or a circle stops the start) on small folders
made here. What a real browser pulls is in tests/test_browser_budget.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import brotli
import pytest

from poll.web.assets import AssetError, bundle_name, load_assets, static_assets
from poll.web.static import StaticAnswers

IMMUTABLE = "public, max-age=31536000, immutable"


async def hashed_links(client, path: str) -> list[str]:
    page = (await client.get(path)).text
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', page)


async def test_pages_link_files_that_are_kept_for_a_year_and_come_compressed(app) -> None:
    async with app.client() as browser:
        links = await hashed_links(browser, "/")
        assert links and all(re.search(r"\.[0-9a-f]{10}\.(css|js)$", link) for link in links), links
        for link in links:
            response = await browser.get(link, headers={"accept-encoding": "gzip, deflate, br"})
            assert response.status_code == 200, link
            assert response.headers["cache-control"] == IMMUTABLE, link
            assert response.headers["content-encoding"] == "br", link
            assert response.headers["vary"] == "Accept-Encoding", link
            assert "etag" not in response.headers, link
            plain = (await browser.get(link, headers={"accept-encoding": "identity"}))
            assert "content-encoding" not in plain.headers
            assert response.content == plain.content  # httpx undid the brotli
            assert int(response.headers["content-length"]) < len(plain.content) / 2, link
            gzipped = await browser.get(link, headers={"accept-encoding": "gzip;q=1, br;q=0"})
            assert gzipped.headers["content-encoding"] == "gzip"


async def test_a_page_loads_its_script_as_one_file_and_modules_import_hashed_addresses(
        app) -> None:
    async with app.client() as phone:
        debate = await app.new("Imports", ["One"], "en")
        page = (await phone.get(f"/j/{debate.join_code}")).text
        scripts = re.findall(r'<script type="module" src="([^"]+)"', page)
        assert len(scripts) == 1 and re.fullmatch(r"/static/js/vote\.bundle\.[0-9a-f]{10}\.js",
                                                  scripts[0]), scripts
        assert "modulepreload" not in page, "nothing left to preload: one file holds them all"
        body = (await phone.get(scripts[0])).text
        assert not re.search(r"^\s*(import|export)\b", body, re.M), "no module syntax is left"
        # the modules it holds, each once: the phone's own and ui.js's helpers
        for part in ("$m_js_ui_js = ", "$m_js_live_js = ", "$m_js_voice_js = "):
            assert body.count(part) == 1, part
        assert "/* " not in body and "\n  " not in body, "comments and indentation are gone"
        # the projector's and the moderator's helpers are not the phone's to load
        assert "ui_screens" not in body and "desk_map" not in body
        # a module by itself still imports its neighbours under their hashed names
        module = (await phone.get("/static/js/vote.js")).text
        imports = re.findall(r"""from\s*['"]\./([^'"]+)['"]""", module)
        assert "ui" in " ".join(imports) and all(re.search(r"\.[0-9a-f]{10}\.js$", i)
                                                 for i in imports), imports


async def test_an_old_address_still_works_and_is_revalidated(app) -> None:
    async with app.client() as browser:
        for old in ("/static/js/live.js", "/static/js/live.0123456789.js"):
            response = await browser.get(old, headers={"accept-encoding": "br"})
            assert response.status_code == 200, old
            assert response.headers["cache-control"] == "no-cache", old
            assert "connect" in response.text
            etag = response.headers["etag"]
            again = await browser.get(old, headers={"accept-encoding": "br",
                                                    "if-none-match": etag})
            assert again.status_code == 304 and again.content == b""
        assert (await browser.get("/static/js/nothing.js")).status_code == 404


async def test_pages_come_compressed_and_small_answers_as_they_are(app) -> None:
    async with app.client() as browser:
        page = await browser.get("/", headers={"accept-encoding": "gzip, br"})
        assert page.headers["content-encoding"] == "br"
        assert "Accept-Encoding" in page.headers["vary"]
        assert "<html" in page.text
        gzipped = await browser.get("/", headers={"accept-encoding": "gzip"})
        assert gzipped.headers["content-encoding"] == "gzip"
        tiny = await browser.get("/healthz", headers={"accept-encoding": "br"})
        assert "content-encoding" not in tiny.headers and tiny.json() == {"ok": True}


@pytest.mark.parametrize("public_url", ["http://testserver", "https://poll.example"])
async def test_files_answered_before_the_middleware_get_what_the_middleware_would_send(
        make_app, monkeypatch, public_url: str) -> None:
    # PollApp answers /static/ itself (poll/web/static.py, StaticAnswers): the same status,
    # headers (security headers and HSTS included) and body as the whole stack would send.
    app = await make_app(public_url=public_url)
    names = sorted(static_assets().files)
    asks = [(method, path, headers)
            for name in names
            for path in (static_assets().url(name), f"/static/{name}")
            for method in ("GET", "HEAD")
            for headers in ({"accept-encoding": "br, gzip"}, {"accept-encoding": "gzip"},
                            {"accept-encoding": "identity"}, {"accept-encoding": "*"},
                            {"accept-encoding": "br;q=0, gzip"}, {})]
    asks += [("GET", "/static/js/nothing.js", {}), ("POST", f"/static/{names[0]}", {})]
    async with app.client() as phone:
        await phone.get("/")  # the csrftoken cookie a phone sends along with its files
        fast = [await phone.request(m, p, headers=h) for m, p, h in asks]
        etags = [(p, h, r.headers["etag"]) for (m, p, h), r in zip(asks, fast, strict=True)
                 if "etag" in r.headers]
        fast += [await phone.get(p, headers={**h, "if-none-match": e}) for p, h, e in etags]
        with monkeypatch.context() as m:
            m.setattr(StaticAnswers, "answer", lambda self, scope: None)  # the usual way
            usual = [await phone.request(m, p, headers=h) for m, p, h in asks]
            usual += [await phone.get(p, headers={**h, "if-none-match": e}) for p, h, e in etags]
    assert any(r.status_code == 304 for r in fast)
    assert any("strict-transport-security" in r.headers for r in fast) == public_url.startswith(
        "https")
    for ours, theirs in zip(fast, usual, strict=True):
        what = (ours.request.method, ours.request.url.path, ours.request.headers)
        assert ours.status_code == theirs.status_code, what
        if ours.status_code >= 400:  # the usual way's error pages, both times
            assert ours.headers["content-type"] == theirs.headers["content-type"], what
            continue
        assert headers(ours) == headers(theirs), what
        if ours.request.method == "GET":
            assert ours.content == theirs.content, what


def headers(response) -> list[tuple[str, str]]:
    """The response's headers, Vary as the set it names (the compression middleware says
    `Accept-Encoding` twice on an uncompressed file that has compressed forms; once is enough)."""
    items = [(k, v) for k, v in response.headers.multi_items() if k != "vary"]
    vary = {v.strip() for k, value in response.headers.multi_items() if k == "vary"
            for v in value.split(",")}
    return sorted(items + [("vary", v) for v in vary])


def folder(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, "utf-8")
    return tmp_path


def test_a_changed_module_changes_the_address_of_what_imports_it(tmp_path: Path) -> None:
    files = {"js/a.js": "import { b } from './b.js';\nb();\n",
             "js/b.js": "export function b() { return 1; }\n",
             "css/x.css": ".x { background: url('../img/dot.svg#d'); }\n",
             "img/dot.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>"}
    before = load_assets(folder(tmp_path / "1", files))
    after = load_assets(folder(tmp_path / "2", {**files, "js/b.js": "export function b() {}\n"}))
    assert before.url("js/b.js") != after.url("js/b.js")
    assert before.url("js/a.js") != after.url("js/a.js")
    assert before.url("css/x.css") == after.url("css/x.css")
    b = before.files["js/b.js"].hashed_name.split("/")[-1]
    assert f"'./{b}'" in before.files["js/a.js"].body.decode()
    dot = before.files["img/dot.svg"].hashed_name.split("/")[-1]
    assert f"../img/{dot}#d" in before.files["css/x.css"].body.decode()
    long = load_assets(folder(tmp_path / "3", {"a.js": "export const a = '" + "ab" * 500 + "';"}))
    assert brotli.decompress(long.files["a.js"].encoded["br"]) == long.files["a.js"].body
    assert not before.files["js/b.js"].encoded, "what compression would make larger stays as is"


@pytest.mark.parametrize(("files", "says"), [
    ({"a.js": "import './missing.js';"}, "missing.js"),
    ({"a.js": "import './b.js';", "b.js": "import './a.js';"}, "circle"),
])
def test_a_broken_folder_stops_the_start_with_a_clear_message(
    tmp_path: Path, files: dict[str, str], says: str
) -> None:
    with pytest.raises(AssetError, match=says):
        load_assets(folder(tmp_path, files))


def test_every_script_in_static_is_minified() -> None:
    """A script rJSmin would misread (a template literal inside another's placeholder) is served
    as written; none of ours is."""
    from poll.paths import STATIC

    assets = load_assets(STATIC)
    for name, asset in assets.files.items():
        if name.endswith(".js") and (STATIC / name).exists():
            source = (STATIC / name).read_text("utf-8")
            assert len(asset.body) < len(source) * 0.85, f"static/{name} was not minified"
    for entry in ("js/vote.js", "js/screen.js", "js/moderate.js"):  # and their joined files
        joined = assets.files[bundle_name(entry)]
        held, todo = set(), [entry]
        while todo:
            held.add(name := todo.pop())
            todo += [dep for dep in assets.files[name].imports if dep not in held]
        sources = [(STATIC / name).read_text("utf-8") for name in held]
        assert len(joined.body) < sum(map(len, sources)) * 0.85, f"{joined.name} not minified"
