"""The printable report (/d/{id}/report, also at /results): what a reader of the page or the PDF
notices after a real evening with audience groups, a second round and a moderator's note.

The evening runs on a real server (phones vote over real websockets). A report nobody voted on yet,
and an unknown debate's, are pages alone: that test runs in-process (the app over httpx's
ASGITransport).
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

from support import formats_event
from support.clients import http_client, open_socket
from support.formats_event import GROUPS, NOTES
from support.html import parse_page


def section(page: str, marker: str) -> str:
    """The HTML of the element carrying `marker` (e.g. 'data-swing'), up to its section's end."""
    start = page.index(marker)
    end = page.find("</section>", start)
    return page[start:end if end != -1 else None]


def charts(page: str) -> list[ET.Element]:
    """Every server-drawn chart, parsed as XML (a malformed one fails here)."""
    found = re.findall(r'<svg class="chart".*?</svg>', page, re.S)
    return [ET.fromstring(svg) for svg in found]


def text_of(fragment: str) -> str:
    """What a reader sees: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


async def test_the_report_tells_the_evening(site):
    server = site.start()
    event = await formats_event.run(server)
    try:
        debate_id = event.debate.id
        response = await event.moderator.get(f"/d/{debate_id}/report")
        assert response.status_code == 200, response.text[:500]
        page = response.text

        # title (escaped), attendance and settings
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        facts = text_of(section(page, 'class="facts"'))
        assert "Participants 6" in facts and "Votes counted 18" in facts, facts
        assert re.search(r'data-fact="peak">(\d+)<', page).group(1) == "6"  # phones still here
        assert "Three-point" in facts and "When the moderator revealed them" in facts, facts
        assert all(g in facts for g in GROUPS), facts

        # statement 1: both rounds, the swing in words, the split by group, the notes
        first = section(page, 'id="statement-1"')
        assert "Round 1" in first and "Round 2" in first
        swing = text_of(section(first, "data-swing"))
        assert "Agree +17 points" in swing, swing
        assert "Counted over the 6 participants who voted in both rounds." in swing, swing
        labels = [c.get("aria-label") for c in charts(first)]
        assert any(label.startswith("Round 1: Agree 50%") for label in labels), labels
        assert any(label.startswith("Round 2: Agree 67%") for label in labels), labels
        split = next(label for label in labels if label.startswith("By audience group"))
        assert "Werkveld (3 votes): Agree 100%" in split, split
        assert "Hogeschool (2 votes): Agree 50%" in split, split
        assert "No group (1 vote): Agree 0% (0 votes); Neutral 100%" in split, split
        notes = section(first, "data-notes")
        assert "Second &lt;script&gt;alert(2)&lt;/script&gt; line" in notes
        assert html.unescape(re.search(r'report-notes__text[^>]*>(.*?)</p>', notes, re.S)
                             .group(1)) == NOTES, "the note keeps its line break"

        # the summary names the right statements
        summary = section(page, 'aria-labelledby="summary-title"')
        assert "Statement 1" in text_of(section(summary, 'data-highlight="most-agreed"'))
        assert "67% agree" in text_of(section(summary, 'data-highlight="most-agreed"'))
        assert "Statement 2" in text_of(section(summary, 'data-highlight="most-divided"'))
        assert "Agree +17 points" in text_of(section(summary, 'data-highlight="most-changed"'))
        differ = text_of(section(summary, 'data-highlight="groups-differ"'))
        assert "Statement 2" in differ and "67 points apart" in differ, differ
        assert "Werkveld 67% agree" in differ and "Hogeschool 0% agree" in differ, differ

        # statement 3 nobody answered: zero bars, no swing, no crash
        third = section(page, 'id="statement-3"')
        assert "0 votes" in text_of(third)

        # every chart is well-formed, accessible SVG; hostile text stays text everywhere
        drawn = charts(page)
        assert len(drawn) == 2 + 1 + 1 + 1 + 1 + 1  # s1: 2 rounds + groups; s2, s3: 1 + groups
        for svg in drawn:
            assert svg.get("role") == "img" and svg.get("aria-label"), svg.attrib
            assert svg.find("{http://www.w3.org/2000/svg}title") is not None
        assert "<script" not in page.lower(), "the report runs no script and lets none in"
        assert "=HYPERLINK" in text_of(page)  # shown as typed: on a page it is only text

        # printable: its own print stylesheet, no scripts needed
        # (its name carries its content's hash, and it is served minified)
        sheets = [link for link in parse_page(page).links
                  if re.search(r"/report\.[0-9a-f]+\.css$", link)]
        assert sheets, parse_page(page).links
        async with http_client(server) as anyone:
            css = (await anyone.get(sheets[0])).text.replace(" ", "")
        assert "@mediaprint" in css and "break-before:page" in css
        assert ".site-header" in css.split("@mediaprint", 1)[1], "navigation is not printed"

        # the archive's old address shows the same report
        results = (await event.moderator.get(f"/d/{debate_id}/results")).text
        assert "Agree +17 points" in text_of(results) and 'id="statement-3"' in results
    finally:
        await event.close()


FIVE_POINT_DUTCH = {"title": "Leeg debat", "statements": ["Eerste stelling", "Tweede stelling"],
                    "lang": "nl", "scale": "five", "visibility": "live"}


async def test_an_unanswered_five_point_dutch_debate_and_an_unknown_one(app):
    # in-process: pages alone (votes from phones on such a debate: the live test below)
    debate, mod = await app.web_debate(**FIVE_POINT_DUTCH)
    page = (await mod.get(f"/d/{debate.id}/report")).text
    # nothing voted yet: a whole report all the same, in Dutch, on the five-point scale
    assert 'lang="nl"' in page
    assert len(charts(page)) == 2
    assert "Eens" in page and "Oneens" in page
    assert "data-highlight" not in page
    assert re.search(r'data-fact="participants">0<', page)

    async with app.client() as anyone:
        missing = await anyone.get("/d/zzzzzzzz/report")
    assert missing.status_code == 404 and "<html" in missing.text.lower()


async def test_a_five_point_dutch_report_after_votes_from_phones(site):
    # (the same debate before any vote, and an unknown one: in-process above)
    server = site.start()
    options = dict(FIVE_POINT_DUTCH)
    debate, mod, _ = await formats_event.create(
        server, options.pop("title"), options.pop("statements"), **options)
    try:
        phone = await open_socket(server, debate, "phone", "p_five1")
        other = await open_socket(server, debate, "phone", "p_five2")
        await mod.show(debate.sid(1), "open")
        assert (await phone.cast(debate.sid(1), "strongly_agree"))["type"] == "ack"
        assert (await other.cast(debate.sid(1), "neutral"))["type"] == "ack"
        await phone.close()
        await other.close()
        page = (await mod.get(f"/d/{debate.id}/report")).text
        # the mean of 5 and 3, written the Dutch way
        assert re.search(r"data-mean>[^<]*4,0", page), page[page.find("data-mean"):][:200]
        assert 'data-highlight="most-agreed"' in page
    finally:
        await mod.aclose()
