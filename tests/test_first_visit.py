"""A phone's first visit gets the vote page rendered once per state of the debate
(poll/web/first_visit.py): every new phone must still see the page of the moment, with tokens
of its own that its forms can use."""

from __future__ import annotations

import re

import httpx
from jinja2 import Environment
from markupsafe import Markup
from support.checks import read_csv
from support.clients import csrf_fields
from support.html import parse_page

from poll.model import Stage
from poll.web.first_visit import FirstVisits, Uncomparable, frozen

STATEMENTS = ["Every teacher must be hybrid", "Hubs belong to companies", "Labs stay open"]


def masked(html: str) -> str:
    """The page without what is each phone's own: its CSRF token and its form's vote id."""
    html = re.sub(r'(name="csrftoken" value=")[^"]*', r"\1…", html)
    return re.sub(r'(name="vote_id" value=")[^"]*', r"\1…", html)


async def first_visit(app, **headers: str) -> tuple[httpx.Response, httpx.AsyncClient]:
    phone = app.client(headers=headers)
    page = await phone.get(f"/j/{app.code}")
    assert page.status_code == 200, page.text[:300]
    assert phone.cookies.get("poll_participant"), "a first visit gives the participant cookie"
    return page, phone


async def test_every_new_phone_sees_the_page_of_the_moment(app):
    debate, mod = await app.web_debate("Hybrid hubs", STATEMENTS)
    app.code = debate.join_code
    s1, s2 = debate.sid(1), debate.sid(2)
    # a phone that has been here but has done nothing: its page is always rendered afresh
    witness = app.phone()
    voter = app.phone()

    async def check(what: str, shows: str) -> None:
        pages = []
        tokens, vote_ids = set(), set()
        for _ in range(2):  # the second new phone gets the kept page
            page, phone = await first_visit(app)
            hidden = parse_page(page.text).hidden
            assert hidden.get("csrftoken") == phone.cookies.get("csrftoken"), (
                f"{what}: the page's CSRF token is the phone's own cookie")
            tokens.add(hidden.get("csrftoken"))
            vote_ids.add(hidden.get("vote_id"))
            pages.append(masked(page.text))
        fresh = await witness.get(f"/j/{app.code}")
        assert pages[0] == pages[1] == masked(fresh.text), f"{what}: a stale or different page"
        assert shows in page.text, f"{what}: {shows!r} not on a new phone's page"
        assert len(tokens) == 2, f"{what}: two phones share a CSRF token"
        assert vote_ids == {None} or len(vote_ids) == 2, f"{what}: two phones share a vote id"

    await check("before the first statement", "Hybrid hubs")
    await mod.show(s1, "waiting")
    await check("a statement shown", STATEMENTS[0])
    await mod.control("open")
    await check("voting open", 'name="choice"')
    page = await voter.get(f"/j/{app.code}")
    fields, headers = csrf_fields(voter, page.text)
    vote = await voter.post(f"/j/{app.code}/vote", data={
        **parse_page(page.text).hidden, **fields, "choice": "agree"}, headers=headers)
    assert vote.status_code == 303
    await mod.control("close")
    await mod.control("reveal")
    await check("results revealed after a vote", "100%")
    edited = await mod.post(f"/d/{debate.id}/statements/{s1}", {"text": "Every teacher hybrid?"})
    assert edited.status_code == 303, edited.text[:300]
    await check("the statement edited", "Every teacher hybrid?")
    await mod.show(s2, "open")
    await check("the next statement", STATEMENTS[1])

    # Dutch phones get the Dutch page, English ones still the English one
    nl, _ = await first_visit(app, **{"Accept-Language": "nl"})
    en, _ = await first_visit(app)
    assert nl.text != en.text and 'lang="nl"' in nl.text and 'lang="en"' in en.text


async def test_a_new_phone_votes_with_the_form_of_the_kept_page(app):
    debate, mod = await app.web_debate("Hybrid hubs", STATEMENTS)
    app.code = debate.join_code
    await mod.show(debate.sid(1), "open")
    counted = []
    for choice in ("agree", "disagree", "neutral"):
        page, phone = await first_visit(app)
        hidden = parse_page(page.text).hidden
        # the form as the page has it: its own CSRF token, checked against the phone's cookie
        voted = await phone.post(f"/j/{app.code}/vote", data={**hidden, "choice": choice})
        assert voted.status_code == 303, voted.text[:300]
        again = await phone.get(f"/j/{app.code}")
        assert 'aria-pressed="true"' in again.text and f'value="{choice}"' in again.text
        counted.append(choice)
    votes = read_csv((await mod.export("votes.csv")).text)
    assert sorted(v["choice"] for v in votes) == sorted(counted)


def test_a_page_is_rendered_again_only_when_its_context_differs():
    template = Environment(autoescape=True).from_string(
        "<p>{{ statement }} {{ count }}</p><input value='{{ csrf_token }}'>")
    visits = FirstVisits()
    renders = []

    def render(values):
        renders.append(values)
        return template.render(**values)

    statements = ["Hubs"]
    context = {"statement": "Hubs", "count": 1, "list": statements, "stage": Stage(3)}
    first = visits.page(("d1", "en"), template, context, {"csrf_token": "aaa"}, render)
    second = visits.page(("d1", "en"), template, context, {"csrf_token": "bbb"}, render)
    assert (first, second) == ("<p>Hubs 1</p><input value='aaa'>",
                               "<p>Hubs 1</p><input value='bbb'>")
    assert len(renders) == 1
    statements.append("Labs")  # changed in place: the kept copy must not follow
    visits.page(("d1", "en"), template, context, {"csrf_token": "ccc"}, render)
    assert len(renders) == 2
    # True renders differently from 1: a change of kind is a change
    assert visits.page(("d1", "en"), template, {**context, "count": True},
                       {"csrf_token": "d"}, render) == "<p>Hubs True</p><input value='d'>"
    # another debate or language has its own page
    visits.page(("d2", "en"), template, context, {"csrf_token": "e"}, render)
    visits.page(("d1", "nl"), template, context, {"csrf_token": "f"}, render)
    assert len(renders) == 5
    # something that cannot be compared is rendered every time, with the real token
    odd = {**context, "thing": object()}
    assert visits.page(("d1", "en"), template, odd, {"csrf_token": "g"}, render).endswith("'g'>")
    assert renders[-1]["csrf_token"] == "g"


def test_frozen_values_are_equal_only_when_they_render_alike():
    assert frozen([1, "a"]) == frozen([1, "a"])
    assert frozen(1) != frozen(True)
    assert frozen("<b>") != frozen(Markup("<b>"))
    assert frozen({"a": 1}) != frozen([("a", 1)])
    assert frozen([1]) != frozen((1,))
    assert frozen({"s": {1, 2}}) == frozen({"s": {2, 1}})
    assert frozen(Stage(3)) != frozen(Stage(4))
    try:
        frozen({"x": object()})
    except Uncomparable:
        pass
    else:
        raise AssertionError("an object of no known kind cannot be kept for comparing")
