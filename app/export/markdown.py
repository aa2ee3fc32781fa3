"""The compte rendu's Markdown subset (headings, lists, paragraphs) as safe HTML for the PDF, and as a
file to hand out that no Markdown viewer can turn into markup.

Everything is escaped first: what people typed can never become markup.
"""

from __future__ import annotations

import re
from html import escape

HEADING = re.compile(r"^(#{1,3}) (.+)$")
BULLET = re.compile(r"^[-*] (.+)$")
NUMBERED = re.compile(r"^\d+\. (.+)$")


# What another viewer would read as raw HTML (`<`), an entity (`&lt;`, `&#60;`), a link or an image
# (`[`, `]`), and the backslash itself so that a typed one cannot undo an escape. Our subset uses none.
_ACTIVE = re.compile(r"([\\<\[\]]|&(?=#?[A-Za-z0-9]+;))")


def inert(text: str) -> str:
    """`text` as a Markdown file: every character shows literally in any CommonMark viewer, while
    headings and lists stay headings and lists."""
    return _ACTIVE.sub(r"\\\1", text)


def to_html(text: str) -> str:
    html: list[str] = []
    paragraph: list[str] = []
    list_tag: str | None = None

    def close_paragraph() -> None:
        if paragraph:
            html.append("<p>" + "<br>".join(paragraph) + "</p>")
            paragraph.clear()

    def close_list() -> None:
        nonlocal list_tag
        if list_tag:
            html.append(f"</{list_tag}>")
            list_tag = None

    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip():
            close_paragraph()
            close_list()
            continue
        if heading := HEADING.match(line):
            close_paragraph()
            close_list()
            level = len(heading.group(1))
            html.append(f"<h{level}>{escape(heading.group(2))}</h{level}>")
            continue
        item = BULLET.match(line) or NUMBERED.match(line)
        if item:
            close_paragraph()
            tag = "ul" if BULLET.match(line) else "ol"
            if list_tag != tag:
                close_list()
                html.append(f"<{tag}>")
                list_tag = tag
            html.append(f"<li>{escape(item.group(1))}</li>")
            continue
        close_list()
        paragraph.append(escape(line))
    close_paragraph()
    close_list()
    return "\n".join(html)
