"""Findings of an outside test, on a real server: input from the network that once reached a 500
or a traceback, and what a stranger holding a forwarded link or a phone's frames can reach.

The server's log must stay free of tracebacks through all of it (checked when the module ends).
"""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path

import httpx
import pytest
from support.clients import (
    cookie_header,
    csrf_fields,
    http_client,
    open_socket,
    participant_cookie,
    screen_cookie,
    socket_url,
)
from support.server import Site, create_debate_with_cli
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus


@pytest.fixture(scope="module")
def event(tmp_path_factory, make_site):
    site = make_site(tmp_path_factory.mktemp("hostile"))
    debate = site.new("Hostile", ["One", "Two"])
    server = site.start()
    yield site, server, debate
    site.close()
    log = server.stderr()
    assert "Traceback" not in log and "Exception in ASGI" not in log, log[-4000:]


def raw_request(port: int, head: bytes, body: bytes) -> bytes:
    """Send bytes as they are (no client library tidies them) and return the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(head + body)
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    return answer


async def test_a_token_with_non_ascii_characters_is_a_wrong_token(event) -> None:
    _, server, debate = event
    code = debate.join_code
    targets = [f"/d/{debate.id}/control", f"/j/{code}/vote", f"/j/{code}/group", "/new"]
    async with httpx.AsyncClient(base_url=server.url, trust_env=False) as client:
        for path in targets:
            in_form = await client.post(path, content="action=next&csrftoken=%C3%A9",
                                        headers={"Cookie": "a=b", "Content-Type":
                                                 "application/x-www-form-urlencoded"})
            assert in_form.status_code == 403, (path, in_form.status_code, in_form.text[:200])
            in_header = await client.post(path, content="action=next",
                                          headers={"Cookie": "a=b",
                                                   "x-csrftoken": "é".encode(),  # raw UTF-8
                                                   "Content-Type":
                                                   "application/x-www-form-urlencoded"})
            assert in_header.status_code == 403, (path, in_header.status_code)


def test_a_malformed_chunked_body_is_a_400(event) -> None:
    _, server, _ = event
    answer = raw_request(server.port, b"POST /new HTTP/1.1\r\nHost: x\r\nCookie: a=b\r\n"
                         b"Transfer-Encoding: chunked\r\n"
                         b"Content-Type: application/x-www-form-urlencoded\r\n\r\n",
                         b"zz\r\nabc\r\n0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert httpx.get(f"{server.url}/healthz", trust_env=False).json() == {"ok": True}


async def test_brackets_nested_a_thousand_deep_get_an_error_and_the_connection_stays(
        event, connect) -> None:
    _, server, debate = event
    phone = await connect(server, debate, "phone")
    await phone.recv_type("state")
    await phone.send("[" * 1000 + "]" * 1000)
    error = await phone.recv_type("error")
    assert error["code"] == "bad_message", error
    await phone.send({"type": "ping"})
    assert (await phone.recv_type("pong"))["type"] == "pong"
    assert not phone.closed


async def test_a_phone_never_learns_the_debate_id_nor_the_room_code(event, moderator,
                                                                     connect) -> None:
    _, server, debate = event
    mod = await moderator(server, debate)
    await mod.post(f"/d/{debate.id}/room-code", {"required": "1"})
    phone = await connect(server, debate, "phone")
    state = await phone.recv_until(lambda f: f["type"] == "state" and f["room_check"])
    text = json.dumps(phone.frames)
    assert debate.id not in text, "nothing a phone receives names the debate"
    assert "room_code" not in state
    desk = await connect(server, debate, "moderator", cookie=mod.cookie_header())
    told = await desk.recv_type("state")
    assert told["debate"]["id"] == debate.id and told["room_code"]
    await mod.post(f"/d/{debate.id}/room-code", {"required": "0"})


async def test_the_projector_socket_needs_the_projector_link(event) -> None:
    _, server, debate = event
    stranger = await open_socket(server, debate.id, "screen", cookie="")
    assert await stranger.wait_closed() == 4401
    projector = await open_socket(server, debate, "screen")  # opened the projector link first
    assert (await projector.recv_type("state"))["debate"]["id"] == debate.id
    await projector.close()


async def test_a_replaced_projector_key_disconnects_the_open_projector(event, moderator) -> None:
    # (the module's debate keeps its new projector key: later tests here need none)
    _, server, debate = event
    cookie = await screen_cookie(server, debate)
    projector = await open_socket(server, debate.id, "screen", cookie=cookie)
    await projector.recv_type("state")
    mod = await moderator(server, debate)
    assert (await mod.post(f"/d/{debate.id}/keys", {"which": "projector"})).status_code == 303
    await projector.wait_closed()
    again = await open_socket(server, debate.id, "screen", cookie=cookie)
    assert await again.wait_closed() == 4401, "its session ended with the key"


async def test_a_handshake_from_another_site_is_refused(event) -> None:
    _, server, debate = event
    for role in ("phone", "screen"):
        with pytest.raises(InvalidStatus) as refused:
            async with connect(socket_url(server, debate, role), origin="http://evil.example",
                               proxy=None):
                pass
        assert refused.value.response.status_code == 403, role
    async with connect(socket_url(server, debate, "phone"), origin=server.url,
                       additional_headers={"Cookie": participant_cookie("p_same_site_1")},
                       proxy=None) as same_site:
        assert json.loads(await asyncio.wait_for(same_site.recv(), 20))["type"] == "welcome"


async def test_a_form_vote_id_longer_than_the_sockets_limit_is_a_400(event) -> None:
    _, server, debate = event
    async with http_client(server) as phone:
        page = await phone.get(f"/j/{debate.join_code}")
        fields, headers = csrf_fields(phone, page.text)
        response = await phone.post(f"/j/{debate.join_code}/vote", data={
            **fields, "statement": str(debate.sid(1)), "choice": "agree", "vote_id": "x" * 65},
            headers={**headers, "Accept": "application/json"})
        assert response.status_code == 400
        assert response.json()["error"] == "bad_message"
        assert cookie_header(phone)


def test_poll_new_prints_links_for_the_server_that_runs_on_the_database(
        tmp_path: Path, poll_cli) -> None:
    site = Site(tmp_path, port=None)
    statements = tmp_path / "s.txt"
    statements.write_text("One\n", "utf-8")
    before = poll_cli("new", "Before", "--statements", statements, "--db", site.db)
    assert before.returncode == 0
    assert "links assume `poll serve --port 8000`" in before.stderr
    server = site.start()  # runs on another port, and says so in the database
    try:
        after = poll_cli("new", "After", "--statements", statements, "--db", site.db, "--json")
        assert after.returncode == 0, after.stderr
        links = json.loads(after.stdout)
        assert links["join_url"].startswith(f"{server.url}/j/"), links
        assert "the server that last ran on this database" in after.stderr
    finally:
        site.close()


def test_forwarded_headers_are_believed_only_from_the_trusted_proxy(start_server,
                                                                     tmp_path: Path) -> None:
    """Behind a reverse proxy that ends https, X-Forwarded-Proto makes cookies Secure; from anyone
    else the same header changes nothing (nor may anyone claim another address)."""
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    answers = {}
    for name, extra in (("no proxy", ()), ("proxy", ("--trusted-proxy", "127.0.0.1"))):
        db = tmp_path / f"{name.replace(' ', '-')}.db"
        debate = create_debate_with_cli(db, "http://127.0.0.1:1", "Proxy", ["One"])
        server = start_server(db, *extra)
        page = httpx.get(f"{server.url}/j/{debate.join_code}", headers=forwarded,
                         trust_env=False)
        assert page.status_code == 200
        answers[name] = next(c for c in page.headers.get_list("set-cookie")
                             if c.startswith("poll_participant="))
    # (with --public-url https://... every cookie is Secure whatever the headers say)
    assert "secure" not in answers["no proxy"].lower(), answers["no proxy"]
    assert "secure" in answers["proxy"].lower(), answers["proxy"]
