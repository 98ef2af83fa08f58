"""HTML message bodies (Mastodon statuses, LinkedIn InMail) to plain text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

LINE_BREAK_TAGS = frozenset({"br"})
BLOCK_TAGS = frozenset({"p", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6"})


class _PlainText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in LINE_BREAK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """Paragraphs and <br> become line breaks, links their text, entities are unescaped."""
    parser = _PlainText()
    parser.feed(html)
    parser.close()
    lines = "".join(parser.parts).split("\n")
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.strip() for line in lines)).strip()
