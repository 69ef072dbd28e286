"""What a page links to and what its forms carry, read with the standard library's HTML parser:
`parse_page(html)` -> `.links` (every href, src, action, poster, data and srcset URL), `.hidden`
(hidden input name -> value) and `.forms` (each <form>'s attributes)."""

from __future__ import annotations

from html.parser import HTMLParser


class PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.hidden: dict[str, str] = {}
        self.forms: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for name in ("href", "src", "action", "poster", "data"):
            if a.get(name):
                self.links.append(a[name])
        if a.get("srcset"):
            self.links.extend(part.strip().split(" ")[0] for part in a["srcset"].split(","))
        if tag == "input" and a.get("type", "").lower() == "hidden" and a.get("name"):
            self.hidden[a["name"]] = a.get("value", "")
        if tag == "form":
            self.forms.append(a)


def parse_page(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser
