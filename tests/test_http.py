"""The HTTP side: pages, errors, the moderator's sign-in, the no-script vote, the web form for a
new debate, statement editing, exports, the QR code and the static files.

In-process tests (the `app` fixture: the real app over httpx's ASGITransport, a fresh database
each) check what is HTTP alone: status codes, redirects, sessions, forms, pages and static files.

Tests on a real server (the `web` fixture: one `poll serve` for the module) check what reaches the
live websockets: close codes, the room's state after a request, votes cast by phones. Each uses its
own debate (made with `poll new` before the server starts) or creates one through `POST /new`.
Where a test of old checked both, the HTTP half is an in-process test and the socket half a live
one beside it, with the same inputs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import httpx
import pytest
from support.checks import assert_percent, assert_readable_error, counts_of, read_csv, tally_matches
from support.clients import (
    cookie_header,
    csrf_fields,
    http_client,
    location_path,
    new_participant,
    open_socket,
    participant_in,
)
from support.debate import Debate
from support.html import parse_page
from support.server import Server

RESULT_COLUMNS = [
    "position",
    "statement_id",
    "statement",
    "round",
    "agree",
    "neutral",
    "disagree",
    "total",
    "agree_pct",
    "neutral_pct",
    "disagree_pct",
]
VOTE_COLUMNS = [
    "debate",
    "statement_id",
    "position",
    "statement",
    "round",
    "participant",
    "group",
    "choice",
    "cast_at",
]


@dataclass
class Site:
    server: Server
    debates: dict[str, Debate]


@pytest.fixture(scope="module")
def web(tmp_path_factory, make_site):
    site = make_site(tmp_path_factory.mktemp("http"))
    three = ["Statement one", "Statement two", "Statement three"]
    debates = {
        name: site.new(f"Debate {name}", three)
        for name in ("errors", "auth", "nojs", "edit")
    }
    debates["export"] = site.new(
        "Export debate", ["Plain statement", "=1+2", "@risky", "-minus", "+plus"]
    )
    try:
        yield Site(site.start(), debates)
    finally:
        site.close()


async def ws_close_code(server: Server, path: str, cookie: str | None = None) -> int | None:
    """Open a websocket and return the code the server closes it with."""
    debate_id, role = path.split("/")[-2:]
    phone = await open_socket(server, debate_id, role, cookie=cookie)
    try:
        return await phone.wait_closed()
    finally:
        await phone.close()


# -- in-process: HTTP alone ------------------------------------------------------------------------

THREE = ["Statement one", "Statement two", "Statement three"]


async def test_healthz(app):
    async with app.client() as client:
        response = await client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"ok": True}


async def test_unknown_debate_code_or_statement_is_a_readable_404(app):
    # (the websocket close codes for an unknown debate or role: a live test below)
    debate = await app.new("Debate errors", THREE)
    other = await app.new("Debate other", THREE)
    async with app.client() as client:
        for path in (
            "/d/zzzzzzzz/screen",
            "/d/zzzzzzzz/results",
            "/d/zzzzzzzz/qr.svg",
            "/d/zzzzzzzz/moderate",
            "/d/zzzzzzzz/export.csv",
            "/j/ZZZZZZ",
            "/j/zzzzzz",
            "/join?code=ZZZZZZ",
            "/d/<script>/screen",
            "/no/such/page",
        ):
            assert_readable_error(await client.get(path), 404)
        # the front page again, with the code typed so far
        again = await client.get("/join?code=ZZZZZZ")
        assert 'name="code"' in again.text
        # scripts get JSON
        response = await client.get("/d/zzzzzzzz/screen", headers={"Accept": "application/json"})
        assert response.status_code == 404
        assert set(response.json()) >= {"error", "message"}, response.text
        # a real code, typed in lower case, leads to the vote page
        response = await client.get(f"/join?code={debate.join_code.lower()}")
        assert response.status_code == 303
        assert location_path(response) == f"/j/{debate.join_code}"
        assert (await client.get(f"/j/{debate.join_code.lower()}")).status_code == 200

    mod = await app.moderator(debate)
    missing = 987654321
    response = await mod.post(f"/d/{debate.id}/statements/{missing}", {"text": "Edited"})
    assert_readable_error(response, 404)
    response = await mod.post(f"/d/{debate.id}/control", {"action": "goto", "statement": missing})
    assert_readable_error(response, 404)
    # a statement of another debate is not this debate's statement
    stranger = other.sid(1)
    response = await mod.post(f"/d/{debate.id}/statements/{stranger}", {"text": "Hijacked"})
    assert_readable_error(response, 404)
    assert "Statement one" in (await mod.get(f"/d/{other.id}/results")).text


async def try_without_the_key(stranger: httpx.AsyncClient, debate: Debate) -> None:
    """What a browser without the moderator key tries on a debate: every attempt is refused."""
    base = f"/d/{debate.id}"
    page = await stranger.get(f"{base}/moderate")
    assert page.status_code == 401
    assert 'name="key"' in page.text, "the 401 page offers the key form"
    for path in ("export.csv", "votes.csv", "export.json"):
        assert (await stranger.get(f"{base}/{path}")).status_code == 401, path
    for path, data in (
        (f"{base}/control", {"action": "open"}),
        (f"{base}/statements", {"text": "Sneaky"}),
        (f"{base}/statements/{debate.sid(1)}", {"text": "Sneaky"}),
    ):
        response = await stranger.post(path, data=data)
        # refused either way: no session (401), or no CSRF token once it holds cookies (403)
        assert response.status_code in (401, 403), path
        fields, headers = csrf_fields(stranger, page.text)
        response = await stranger.post(path, data={**data, **fields}, headers=headers)
        assert response.status_code == 401, path
    wrong = await stranger.get(f"{base}/moderate?key=not-the-key")
    assert wrong.status_code == 401 and 'name="key"' in wrong.text
    assert (await stranger.get(f"{base}/export.csv")).status_code == 401


async def test_moderator_routes_need_the_key(app):
    # (that the room is untouched afterwards and the moderator socket needs the session: live)
    debate = await app.new("Debate auth", THREE)
    other = await app.new("Debate other", THREE)
    base = f"/d/{debate.id}"
    async with app.client() as stranger:
        await try_without_the_key(stranger, debate)

    async with app.client() as browser:
        signed_in = await browser.get(debate.moderator_url)
        assert signed_in.status_code == 303
        assert location_path(signed_in) == f"{base}/moderate"
        cookie = signed_in.headers["set-cookie"]
        assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower(), cookie
        page = await browser.get(f"{base}/moderate")
        assert page.status_code == 200 and debate.title in page.text
        assert (await browser.get(f"{base}/export.csv")).status_code == 200
        # signed in for this debate only
        assert (await browser.get(f"/d/{other.id}/moderate")).status_code == 401
        fields, headers = csrf_fields(browser, page.text)
        assert (
            await browser.post(f"/d/{other.id}/control", data={"action": "open", **fields},
                               headers=headers)
        ).status_code == 401


NEW_DEBATE = {"title": "Made on the web 51c2", "statements": "First one\n\nSecond one\n"}


async def test_a_new_debate_from_the_web_form(app):
    # (that the new debate is live on the projector's socket at once: a live test below)
    async with app.client() as creator:
        form = await creator.get("/new")
        assert form.status_code == 200
        names = set(re.findall(r'name="([a-z_]+)"', form.text))
        assert {"title", "statements", "lang"} <= names, names
        fields, headers = csrf_fields(creator, form.text)

        async def post(**data: str) -> httpx.Response:
            return await creator.post(
                "/new", data={**fields, "lang": "en", **data}, headers=headers
            )

        no_title = await post(title="  ", statements="One\nTwo")
        assert no_title.status_code == 400 and 'name="statements"' in no_title.text
        assert "One\nTwo" in no_title.text, "the typed statements are kept"
        no_statements = await post(title="Only a title 7f3a", statements="\n  \n")
        assert no_statements.status_code == 400 and 'name="title"' in no_statements.text
        assert "Only a title 7f3a" in no_statements.text

        created = await post(**NEW_DEBATE)
        assert created.status_code == 303, created.text[:500]
        target = location_path(created)
        match = re.fullmatch(r"/d/([a-z0-9]{8})/moderate", target)
        assert match, target
        debate_id = match.group(1)
        page = await creator.get(target)
        assert page.status_code == 200 and "Made on the web 51c2" in page.text
        key_link = re.search(
            rf"https?://[^\s\"'<>]+/d/{debate_id}/moderate\?key=[^\s\"'<>&]+", page.text
        )
        assert key_link, "the moderator page shows the moderator link after creating"
        doc = (await creator.get(f"/d/{debate_id}/export.json")).json()
        assert [s["text"] for s in doc["statements"]] == ["First one", "Second one"]
        assert [s["position"] for s in doc["statements"]] == [1, 2]
        assert doc["debate"]["title"] == "Made on the web 51c2"
        assert doc["debate"]["lang"] == "en"

    # the link shown works in another browser
    async with app.client() as other_browser:
        response = await other_browser.get(key_link.group(0))
        assert response.status_code == 303
        assert (await other_browser.get(target)).status_code == 200
        archive = (await other_browser.get("/archive")).text
        assert "Made on the web 51c2" in archive and "Only a title 7f3a" not in archive


async def test_qr_code_static_files_and_no_external_origins(app):
    debate = await app.new("Debate pages", THREE)
    mod = await app.moderator(debate)
    qr = await mod.get(f"/d/{debate.id}/qr.svg")
    assert qr.status_code == 200
    assert qr.headers["content-type"].startswith("image/svg+xml"), qr.headers
    assert "<svg" in qr.text and "<script" not in qr.text.lower()

    pages = [
        "/",
        "/new",
        "/archive",
        f"/d/{debate.id}/screen",
        f"/j/{debate.join_code}",
        f"/d/{debate.id}/moderate",
        f"/d/{debate.id}/results",
    ]
    static: set[str] = set()
    async with app.client() as anonymous:
        responses = [await mod.get(path) for path in pages]
        responses.append(await anonymous.get(f"/d/{debate.id}/moderate"))  # the key form, 401
        responses.append(await anonymous.get("/d/zzzzzzzz/screen"))  # an error page, 404
        for response in responses:
            assert response.status_code in (200, 401, 404), response.request.url
            for link in parse_page(response.text).links:
                assert not external(link, app.url), (str(response.request.url), link)
                if link.startswith("/static/"):
                    static.add(link)
        assert any(s.split("?")[0].endswith(".css") for s in static), static
        assert any(s.split("?")[0].endswith(".js") for s in static), static

        # what the stylesheets and scripts load in turn
        seen: set[str] = set()
        queue = sorted(static)
        while queue:
            url = queue.pop()
            if url in seen:
                continue
            seen.add(url)
            response = await anonymous.get(url)
            assert response.status_code == 200, url
            body = (
                response.text if not url.split("?")[0].endswith((".png", ".ico", ".woff2")) else ""
            )
            for ref in re.findall(r"""url\(\s*['"]?([^'")]+)""", body) + re.findall(
                r"""(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']""", body
            ):
                assert not external(ref, app.url), (url, ref)
                if ref.startswith("data:"):
                    continue
                resolved = urlparse(urljoin(url, ref))
                queue.append(resolved.path + (f"?{resolved.query}" if resolved.query else ""))


def external(link: str, own: str) -> bool:
    link = link.strip()
    if link.startswith(own):
        return False
    return link.startswith(("http://", "https://", "//"))



HOSTILE_TITLE = "<script>alert(1)</script> 🎤 نقاش"
HOSTILE_STATEMENTS = ["\"'><img src=x onerror=alert(1)>", '=HYPERLINK("http://x")']


async def test_hostile_text_through_the_web_form_is_escaped(app):
    # (the screen's socket gets the text as typed: a live test below)
    title, statements = HOSTILE_TITLE, HOSTILE_STATEMENTS
    debate, mod = await app.web_debate(title, statements)
    assert [s["text"] for s in debate.statements] == statements
    for path in (
        f"/d/{debate.id}/moderate",
        f"/d/{debate.id}/screen",
        f"/j/{debate.join_code}",
        f"/d/{debate.id}/results",
        "/archive",
    ):
        response = await mod.get(path)
        assert response.status_code == 200, path
        assert "<script>alert(1)" not in response.text and "<img src=x" not in response.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt; 🎤 نقاش" in response.text, path
    rows = read_csv((await mod.export("export.csv")).text)
    assert [r["statement"] for r in rows] == [statements[0], "'" + statements[1]]


# -- on a real server: what reaches the live sockets -----------------------------------------------


async def test_an_unknown_debate_or_role_closes_the_socket_with_a_code(web):
    # (the HTTP side of unknown debates, codes and statements: in-process above)
    server, debate = web.server, web.debates["errors"]
    assert await ws_close_code(server, "/ws/zzzzzzzz/screen") == 4404
    assert await ws_close_code(server, f"/ws/{debate.id}/projector") == 4400


async def test_without_the_key_nothing_reaches_the_room_nor_the_moderator_socket(web, moderator):
    # (the same attempts, and what a signed-in browser may do, over HTTP alone: in-process above)
    server, debate = web.server, web.debates["auth"]
    async with http_client(server) as stranger:
        await try_without_the_key(stranger, debate)
        # without a session the moderator socket is refused
        assert await ws_close_code(server, f"/ws/{debate.id}/moderator") == 4401

    # nothing the stranger tried reached the room
    screen = await open_socket(server, debate, "screen")
    state = await screen.recv_type("state")
    await screen.close()
    assert state["phase"] == "waiting" and state["count"] == 3, state
    assert "Sneaky" not in str(state)

    mod = await moderator(server, debate)
    mod_ws = await open_socket(server, debate, "moderator", cookie=mod.cookie_header())
    try:
        assert (await mod_ws.recv_type("state"))["debate"]["id"] == debate.id
        assert (await mod_ws.recv_type("tally"))["counts"] is not None
    finally:
        await mod_ws.close()


async def test_a_debate_from_the_web_form_is_live_on_the_screen_at_once(web):
    # (the form itself, its errors and the moderator link: in-process above)
    server = web.server
    async with http_client(server) as creator:
        form = await creator.get("/new")
        fields, headers = csrf_fields(creator, form.text)
        created = await creator.post("/new", data={**fields, "lang": "en", **NEW_DEBATE},
                                     headers=headers)
        assert created.status_code == 303, created.text[:500]
        debate_id = location_path(created).split("/")[2]
        moderator_cookie = cookie_header(creator)  # the creator's browser shows the projector
    screen = await open_socket(server, debate_id, "screen", cookie=moderator_cookie)
    try:
        state = await screen.recv_type("state")
    finally:
        await screen.close()
    assert state["debate"]["title"] == "Made on the web 51c2" and state["count"] == 2


async def test_hostile_text_through_the_web_form_reaches_the_screen_as_typed(
        web, web_debate, connect):
    # (the pages and the CSV escape it: in-process above)
    server = web.server
    title, statements = HOSTILE_TITLE, HOSTILE_STATEMENTS
    debate, _ = await web_debate(server, title, statements)
    assert [s["text"] for s in debate.statements] == statements
    screen = await connect(server, debate, "screen")
    state = await screen.recv_type("state")
    assert state["debate"]["title"] == title
    assert state["statement"]["text"] == statements[0]


class _Buttons(HTMLParser):
    """The vote page's choice buttons: value -> aria-pressed."""

    def __init__(self) -> None:
        super().__init__()
        self.pressed: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "button" and a.get("name") == "choice":
            self.pressed[a.get("value") or ""] = a.get("aria-pressed") or ""


def pressed(html: str) -> dict[str, str]:
    parser = _Buttons()
    parser.feed(html)
    return parser.pressed


def page_message(html: str) -> str | None:
    """The vote page's message (an error, or a vote not counted), as shown."""
    found = re.search(r"<p [^>]*data-message[^>]*>(.*?)</p>", html, re.DOTALL)
    return unescape(found.group(1)).strip() if found else None


async def test_voting_without_javascript(web, moderator, connect):
    server, debate = web.server, web.debates["nojs"]
    s1, s2 = debate.sid(1), debate.sid(2)
    mod = await moderator(server, debate)
    await mod.show(s1, "waiting")
    vote_path = f"/j/{debate.join_code}/vote"

    async with http_client(server) as phone:
        page = await phone.get(f"/j/{debate.join_code}")
        assert page.status_code == 200 and "Statement one" in page.text
        participant = participant_in(phone.cookies.get("poll_participant"))
        assert participant, "the vote page gives the phone its participant cookie"

        async def submit(choice: str, page_html: str, **override: str) -> httpx.Response:
            fields = parse_page(page_html).hidden
            assert fields.get("statement") == str(s1), fields
            extra, headers = csrf_fields(phone, page_html)
            return await phone.post(
                vote_path, data={**fields, **extra, "choice": choice, **override}, headers=headers
            )

        closed = await submit("agree", page.text)
        assert closed.status_code == 409, closed.status_code
        assert "<form" in closed.text  # the vote page again, with the reason
        assert page_message(closed.text) == (
            "Your vote (Agree) was not counted: voting was not open when it reached the server."
        )

        await mod.control("open")
        page = await phone.get(f"/j/{debate.join_code}")
        assert (await submit("maybe", page.text)).status_code == 400
        assert (await submit("agree", page.text, statement="one")).status_code == 400
        moved = await submit("agree", page.text, statement=str(s2))
        assert moved.status_code == 409
        assert page_message(moved.text) == (
            "Your vote (Agree) was not counted: the moderator had moved on before it reached the "
            "server."
        )
        # a page of another round: not counted in this one
        other_round = await submit("neutral", page.text, round="2")
        assert other_round.status_code == 409
        assert page_message(other_round.text) == (
            "Your vote (Neutral) was not counted: the moderator had moved on before it reached "
            "the server."
        )
        assert (await submit("agree", page.text, round="one")).status_code == 400

        counted = await submit("agree", page.text)
        assert counted.status_code == 303, counted.status_code
        assert location_path(counted) == f"/j/{debate.join_code}"
        page = await phone.get(f"/j/{debate.join_code}")
        assert pressed(page.text) == {"agree": "true", "neutral": "false", "disagree": "false"}
        assert "counted" in page.text

        # the same form sent twice (a double tap) is one vote; a new choice replaces it
        again = await submit("neutral", page.text)
        assert again.status_code == 303
        assert (await submit("neutral", page.text)).status_code == 303
        page = await phone.get(f"/j/{debate.join_code}")
        assert pressed(page.text) == {"agree": "false", "neutral": "true", "disagree": "false"}

        # a script posting the same form gets the ack as JSON
        extra, headers = csrf_fields(phone, page.text)
        ack = await phone.post(
            vote_path,
            data={"statement": str(s1), "choice": "disagree", "vote_id": "v-json-1", **extra},
            headers={**headers, "Accept": "application/json"},
        )
        assert ack.status_code == 200
        assert ack.json() == {
            "type": "ack",
            "id": "v-json-1",
            "statement": s1,
            "choice": "disagree",
            "round": 1,
        }

        await mod.control("close")
        page = await phone.get(f"/j/{debate.join_code}")
        late = await submit("agree", page.text)
        assert late.status_code == 409
        assert page_message(late.text) == (
            "Your vote (Agree) was not counted: voting had closed before it reached the server."
        )

    votes = [v for v in read_csv((await mod.export("votes.csv")).text)]
    assert [v["choice"] for v in votes] == ["agree", "neutral", "disagree"], votes
    ws = await connect(server, debate, "phone", participant)
    assert (await ws.recv_type("welcome"))["votes"] == {str(s1): "disagree"}


async def test_adding_and_editing_statements_reaches_the_room(web, moderator, connect):
    server, debate = web.server, web.debates["edit"]
    s1 = debate.sid(1)
    mod = await moderator(server, debate)
    await mod.show(s1, "waiting")
    screen = await connect(server, debate, "screen")
    phone = await connect(server, debate, "phone", new_participant())
    await screen.recv_type("state")
    await phone.recv_type("state")

    added = await mod.post(f"/d/{debate.id}/statements", {"text": "A fourth, added live"})
    assert added.status_code == 303, added.status_code
    for client in (screen, phone):
        frame = await client.recv_until(lambda f: f.get("type") == "state" and f["count"] == 4)
        assert frame["statement"]["id"] == s1

    edited = await mod.post(
        f"/d/{debate.id}/statements/{s1}", {"text": "Statement one, rewritten"}, json_reply=True
    )
    assert edited.status_code == 200, edited.text[:300]
    assert edited.json()["statement"]["text"] == "Statement one, rewritten"
    for client in (screen, phone):
        frame = await client.recv_until(
            lambda f: (
                f.get("type") == "state" and f["statement"]["text"] == "Statement one, rewritten"
            )
        )
        assert frame["statement"]["id"] == s1 and frame["statement"]["position"] == 1
    page = (await mod.get(f"/d/{debate.id}/screen")).text
    assert "Statement one, rewritten" in page and "Statement one<" not in page

    state = await mod.control("next")
    state = await mod.control("next")
    state = await mod.control("next")
    assert state["statement"]["text"] == "A fourth, added live", state
    assert state["statement"]["position"] == 4 and state["count"] == 4
    frame = await screen.recv_until(
        lambda f: f.get("type") == "state" and f["statement"]["position"] == 4
    )
    assert frame["statement"]["text"] == "A fourth, added live"
    assert "A fourth, added live" in (await mod.get(f"/d/{debate.id}/screen")).text

    for bad in ("", "   ", "x" * 5001):
        response = await mod.post(f"/d/{debate.id}/statements", {"text": bad})
        assert response.status_code == 400, (len(bad), response.status_code)
        response = await mod.post(f"/d/{debate.id}/statements/{s1}", {"text": bad})
        assert response.status_code == 400, (len(bad), response.status_code)
    doc = (await mod.export("export.json")).json()
    assert [s["text"] for s in doc["statements"]] == [
        "Statement one, rewritten",
        "Statement two",
        "Statement three",
        "A fourth, added live",
    ]


async def test_exports_from_the_moderator_session(web, moderator, connect):
    server, debate = web.server, web.debates["export"]
    s1, s2 = debate.sid(1), debate.sid(2)
    mod = await moderator(server, debate)
    await mod.show(s1, "open")
    phones = [await connect(server, debate, "phone", new_participant()) for _ in range(6)]
    first = ["agree", "agree", "agree", "neutral", "disagree", "disagree"]
    for phone, choice in zip(phones, first, strict=True):
        assert (await phone.cast(s1, choice))["type"] == "ack"
    await mod.show(s2, "open")
    for phone, choice in zip(phones[:2], ["disagree", "neutral"], strict=True):
        assert (await phone.cast(s2, choice))["type"] == "ack"

    response = await mod.export("export.csv")
    assert response.headers["content-type"].startswith("text/csv"), response.headers
    text = response.text.removeprefix("\ufeff")
    assert text.splitlines()[0].split(",") == RESULT_COLUMNS
    rows = read_csv(text)
    assert [r["position"] for r in rows] == ["1", "2", "3", "4", "5"]
    assert [r["statement"] for r in rows] == [
        "Plain statement",
        "'=1+2",
        "'@risky",
        "'-minus",
        "'+plus",
    ]
    assert [(r["agree"], r["neutral"], r["disagree"], r["total"]) for r in rows[:3]] == [
        ("3", "1", "2", "6"),
        ("0", "1", "1", "2"),
        ("0", "0", "0", "0"),
    ]
    assert [(r["agree_pct"], r["neutral_pct"], r["disagree_pct"]) for r in rows[:2]] == [
        ("50", "17", "33"),
        ("0", "50", "50"),
    ]

    response = await mod.export("votes.csv")
    assert response.headers["content-type"].startswith("text/csv")
    text = response.text.removeprefix("\ufeff")
    assert text.splitlines()[0].split(",") == VOTE_COLUMNS
    votes = read_csv(text)
    assert len(votes) == 8
    assert sorted((v["position"], v["choice"]) for v in votes) == sorted(
        [("1", c) for c in first] + [("2", "disagree"), ("2", "neutral")]
    )
    assert {v["statement"] for v in votes} == {"Plain statement", "'=1+2"}
    assert {v["statement_id"] for v in votes} == {str(s1), str(s2)}
    assert len({v["participant"] for v in votes}) == 6
    for vote in votes:
        assert vote["participant"] and vote["participant"][0] not in "=+-@"
        datetime.fromisoformat(vote["cast_at"].removeprefix("'"))

    response = await mod.export("export.json")
    assert response.headers["content-type"].startswith("application/json")
    doc = response.json()
    assert set(doc) >= {"debate", "statements", "votes"}
    assert doc["debate"]["id"] == debate.id and doc["debate"]["title"] == "Export debate"
    assert [s["text"] for s in doc["statements"]] == [
        "Plain statement",
        "=1+2",
        "@risky",
        "-minus",
        "+plus",
    ]
    first_results = doc["statements"][0]["results"]
    assert first_results["counts"] == counts_of(first) and first_results["total"] == 6
    assert_percent(first_results)
    assert doc["statements"][1]["results"]["counts"] == {"agree": 0, "neutral": 1, "disagree": 1}
    assert len(doc["votes"]) == 8
    assert sorted(v["choice"] for v in doc["votes"]) == sorted([*first, "disagree", "neutral"])

    # the moderator's live view agrees with the export
    mod_ws = await connect(server, debate, "moderator", cookie=mod.cookie_header())
    await mod_ws.recv_until(
        lambda f: tally_matches(f, s2, total=2, counts={"agree": 0, "neutral": 1, "disagree": 1})
    )
