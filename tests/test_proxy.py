"""Several `poll serve` behind nginx, as docs/scaling.md describes a deployment on several
machines (issue 15, point 3): two servers on one PostgreSQL database and one Redis, each on its
own port as on its own machine, and Debian's nginx in front spreading pages and websockets over
both. Everything goes through the proxy: the moderator's page and actions, the projector, the
phones' pages and sockets, the export. Real servers all through."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from support.checks import counts_of, read_csv, tally_matches
from support.clients import http_client, new_participant, open_socket
from support.debate import Debate
from support.nginx import SITE, Nginx, nginx_binary
from support.redis import RedisServer
from support.server import Server, Site, free_port

ROOT = Path(__file__).resolve().parent.parent


def _through(debate: Debate, site: Site, proxy: Nginx) -> Debate:
    """The debate's links as the proxy serves them."""
    def moved(url: str | None) -> str | None:
        return None if url is None else url.replace(site.url, proxy.url, 1)

    return replace(debate, moderator_url=moved(debate.moderator_url),
                   screen_url=moved(debate.screen_url), join_url=moved(debate.join_url))


async def test_two_servers_behind_nginx_run_one_debate(
        tmp_path: Path, postgres_database: str, redis: RedisServer, moderator) -> None:
    site = Site(tmp_path, db=postgres_database)
    ports = [free_port(), free_port()]
    proxy = Nginx(nginx_binary(), [f"127.0.0.1:{p}" for p in ports])
    opened = []
    try:
        made = site.new("Achter nginx", ["Eerste", "Tweede"], "en", "--visibility", "live")
        debate = _through(made, site, proxy)
        s1 = debate.sid(1)
        # each server's links and QR code name the proxy; client addresses come from nginx
        servers = [Server(site.db, port, ["--pubsub", redis.url, "--public-url", proxy.url,
                                          "--trusted-proxy", "127.0.0.1"], site.directory)
                   for port in ports]
        site.servers.extend(servers)
        for server in servers:
            server.start()
        proxy.start()

        mod = await moderator(proxy, debate)
        async with http_client(proxy) as browser:  # the projector shows the proxy's address
            assert debate.screen_url is not None
            page = await browser.get(debate.screen_url, follow_redirects=True)
            assert page.status_code == 200
            assert f"127.0.0.1:{proxy.port}/j/" in page.text, page.text[:2000]
            assert all(f"127.0.0.1:{port}" not in page.text for port in ports)
        await mod.show(s1, "open")
        screen = await open_socket(proxy, debate, "screen")
        phones = [await open_socket(proxy, debate, "phone", new_participant()) for _ in range(8)]
        opened += [screen, *phones]
        choices = ["agree", "disagree", "neutral", "agree", "agree", "disagree", "agree",
                   "neutral"]
        acks = await asyncio.gather(*(p.cast(s1, c) for p, c in zip(phones, choices,
                                                                    strict=True)))
        assert [a["type"] for a in acks] == ["ack"] * 8, acks
        # the projector, on whichever server nginx gave it, counts every phone on both
        await screen.recv_until(
            lambda f: tally_matches(f, s1, total=8, counts=counts_of(choices), connected=8),
            what="all eight votes and phones on the projector, through nginx")
        assert proxy.upstreams_used() == {f"127.0.0.1:{p}" for p in ports}, \
            "nginx should have spread the pages and sockets over both servers"

        await mod.control("close")
        late = await phones[0].cast(s1, "disagree")
        assert late["type"] == "error" and late["code"] == "voting_closed", late
        exported = await mod.export("votes.csv")
        assert sorted(r["choice"] for r in read_csv(exported.text)) == sorted(choices)
    finally:
        await asyncio.gather(*(p.close() for p in opened), return_exceptions=True)
        proxy.close()
        site.close()


def test_the_documented_proxy_configuration_is_the_tested_one() -> None:
    """docs/scaling.md shows the `server` and `location` part of the configuration above, as
    it is tested (the upstream's servers and the port are the deployment's own)."""
    doc = (ROOT / "docs" / "scaling.md").read_text("utf-8")
    tested = SITE.split("server {{", 1)[1].split("location / {{", 1)[1]
    body = tested.split("}}", 1)[0]
    for line in filter(None, (raw.strip() for raw in body.splitlines())):
        assert line in doc, f"docs/scaling.md lacks the tested proxy line {line!r}"
    assert "map $http_upgrade $connection_upgrade" in doc
