"""Hostile text, and the checks that it stayed text: shared by tests/test_xss.py and the browser test.

Every payload, if it ever ran, would set `window.__xss` (the browser test watches for it) and each
carries a marker `xss-NN` so its literal text can be found in any output. Each fits the shortest
free-text field (80 characters: a first name) so it is stored whole everywhere; LONG is cut to each
field's limit.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

PAYLOADS = [
    "xss-01 <script>window.__xss=1</script>",
    'xss-02 <img src=x onerror="window.__xss=2">',
    'xss-03 "><svg onload=window.__xss=3>',
    "xss-04 '><iframe src=javascript:window.__xss=4>",
    "javascript:window.__xss=5//xss-05",
    "xss-06 <svg><script>window.__xss=6</script></svg>",
    "xss-07 &lt;script&gt;window.__xss=7&lt;/script&gt; &#60;b&#62;",
    "xss-08 \uff1cscript\uff1ewindow.__xss=8\uff1c/script\uff1e",
    "xss-09 {{7*7}} ${7*7} {% if 1 %}oui{% endif %} #{7*7} <%= 7*7 %>",
    "xss-10 [clic](javascript:window.__xss=10) ![x](x onerror=window.__xss=10)",
    "xss-11 <javascript:window.__xss=11> <https://evil.example/xss-11>",
    "xss-12 <style>*{background:url(https://evil.example/x)}</style>",
    'xss-13 <p style="background:url(javascript:window.__xss=13)">css',
    "xss-14 \u202egnp.exe\u202c \u2066isolé\u2069 \u200bzéro",
    "xss-15 </textarea></title></script><img src=x onerror=window.__xss=15>",
    'xss-16 <a href="&#106;avascript:window.__xss=16">lien</a>',
    "xss-17 <math><mtext><table><mglyph><style><img src=x onerror=window.__xss=17>",
    "xss-18 <!--><img src=x onerror=window.__xss=18>-->",
    "xss-19 <![CDATA[<script>window.__xss=19</script>]]> ]]>",
    "xss-20 <base href=https://evil.example/><form action=https://evil.example/>",
]
# A very long string: every payload again, repeated; each field keeps what its limit allows.
LONG = ("xss-99 " + " ".join(PAYLOADS) + " ") * 40

# Template injection: "xss-09 49" would mean the text went through a template engine.
TEMPLATE_RESULTS = ("xss-09 49", "xss-0949")


def flat(text: str) -> str:
    """Runs of whitespace as one space, as the server stores one-line fields."""
    return " ".join(text.split())


def squeezed(text: str) -> str:
    """No whitespace at all: for text that wraps over lines (PDF)."""
    return "".join(text.split())


def fit(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, with no space left at the end (the server would trim it)."""
    return flat(text)[:limit].rstrip()


def mixed(index: int, limit: int) -> str:
    """The payloads from the `index`-th on, joined and cut to `limit`: each single field starts elsewhere."""
    start = index % len(PAYLOADS)
    return fit(" ".join(PAYLOADS[start:] + PAYLOADS[:start]), limit)


# -- reading HTML ------------------------------------------------------------------------------

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset", "background"}
NEVER_FROM_THE_APP = {"iframe", "object", "embed", "base", "frame", "frameset", "applet", "math", "portal", "img"}
SCHEMES = re.compile(r"^(javascript|vbscript|data:text/html)", re.I)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str]]]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, [(name, value or "") for name, value in attrs]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


def _parse(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


def html_problems(html: str, *, allowed_tags: frozenset[str] = frozenset()) -> list[str]:
    """What in `html` could run or load something: scripts not from /static, handlers, script URLs,
    elements the app never writes. Empty when the document is inert."""
    problems = []
    for tag, attrs in _parse(html).elements:
        named = dict(attrs)
        ours = named.get("src", "").startswith("/static/") or named.get("type") == "application/json"
        if tag == "script" and not ours:
            problems.append(f"<script {attrs}>")
        if tag == "style":
            problems.append("<style> element")
        if tag in NEVER_FROM_THE_APP and tag not in allowed_tags:
            problems.append(f"<{tag}> element")
        if tag == "meta" and "http-equiv" in named:
            problems.append(f"<meta http-equiv={named['http-equiv']}>")
        for name, value in attrs:
            if name.startswith("on"):
                problems.append(f"<{tag} {name}=…> handler")
            if name == "style" and re.search(r"url\(|expression|javascript", value, re.I):
                problems.append(f"<{tag} style={value[:40]!r}>")
            cleaned = re.sub(r"[\x00-\x20]", "", value)
            if name in URL_ATTRIBUTES and SCHEMES.match(cleaned):
                problems.append(f"<{tag} {name}={value[:40]!r}>")
            if name in URL_ATTRIBUTES and "evil.example" in value:
                problems.append(f"<{tag} {name}={value[:40]!r}> from a payload")
    return problems


def structure(html: str) -> Counter[tuple[str, tuple[str, ...]]]:
    """Each element with its attribute names: text, whatever it says, never changes this."""
    return Counter((tag, tuple(sorted(name for name, _ in attrs))) for tag, attrs in _parse(html).elements)


def attribute_values(html: str, name: str) -> list[str]:
    """Every value of the attribute `name`, unescaped, as a browser's dataset would read it."""
    return [value for _, attrs in _parse(html).elements for key, value in attrs if key == name and value is not None]


def shown_text(html: str) -> str:
    """What a person can read (text nodes) and what form fields hold (their values), flattened."""
    parsed = _parse(html)
    values = [value for _, attrs in parsed.elements for name, value in attrs if name in ("value", "aria-label")]
    return flat(" ".join(parsed.texts + values))
