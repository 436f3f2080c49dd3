"""The plain-text part of an e-mail, made from its HTML part.

``strip_tags`` runs everything together: list items follow each other on one line and a link's
address is glued to the next words ("…8oA1Q/Copie de vos données, JSON"), which mail programs
then turn into a broken link. Here each paragraph, heading and list item starts its own line, a
list item is marked "- ", and every link's address stands alone on its own line, so that a reader
(or a screen reader) sees where it ends.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "ul", "ol", "blockquote", "address"}
SKIPPED = {"style", "script", "head", "title"}


class _TextWriter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.links: list[tuple[str, int]] = []  # (href, index in parts where the link's text starts)

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in SKIPPED:
            self.skipping += 1
        elif tag in BLOCKS:
            self.parts.append("\n\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag == "br":
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self.skipping = max(self.skipping - 1, 0)
        elif tag in BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            text = " ".join("".join(self.parts[start:]).split())
            if href and not href.startswith(("#", "mailto:")):
                # The address on a line of its own; its words, if they say something else, before it.
                self.parts[start:] = [f"{text}\n" if text and text != href else "\n", href, "\n"]

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))

    def text(self) -> str:
        lines = [line.strip() for line in "".join(self.parts).split("\n")]
        text = "\n".join(lines)
        text = re.sub(r"\n{3,}", "\n\n", text)
        return text.strip() + "\n"


def html_to_text(html: str) -> str:
    """The readable plain-text version of an e-mail's HTML (see the module's docstring)."""
    writer = _TextWriter()
    writer.feed(html)
    writer.close()
    return writer.text()
