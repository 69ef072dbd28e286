"""Addresses come from the route table: what the CLI prints and the pages link to are the routes
the app really answers."""

from __future__ import annotations

import pytest
from starlette.routing import NoMatchFound

from poll.model import Audience, Debate
from poll.routes import routes
from poll.urls import Addresses

BASE = "http://192.168.1.20:8000/"


def test_the_links_people_are_given_are_absolute_on_the_public_address() -> None:
    urls = Addresses(BASE, routes)
    debate = Debate("abc23456", "Title", "en", "W53ZHP", "2026-12-01", screen_key="s-_k")
    links = urls.links(debate, key="k-_ey")
    assert links == {
        "screen_url": "http://192.168.1.20:8000/d/abc23456/screen?key=s-_k",
        "join_url": "http://192.168.1.20:8000/j/W53ZHP",
        "report_url": "http://192.168.1.20:8000/d/abc23456/report",
        "moderator_url": "http://192.168.1.20:8000/d/abc23456/moderate?key=k-_ey",
    }
    assert "moderator_url" not in urls.links(debate)


def test_paths_inside_pages_follow_the_routes() -> None:
    urls = Addresses(BASE, routes)
    assert urls.export("abc23456", "votes-csv") == "/d/abc23456/votes.csv"
    assert urls.export("abc23456", "polis") == "/d/abc23456/polis.zip"
    debate = Debate("abc23456", "Title", "en", "W53ZHP", "2026-12-01")
    assert urls.socket(debate, Audience.PHONE) == "/j/W53ZHP/ws"
    assert urls.socket(debate, Audience.SCREEN) == "/ws/abc23456/screen"
    assert urls.path("edit_statement", debate_id="abc23456", statement_id=7) == (
        "/d/abc23456/statements/7")
    with pytest.raises(NoMatchFound):
        urls.path("no_such_route")
