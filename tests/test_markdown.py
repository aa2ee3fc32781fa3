"""The compte rendu's Markdown subset as HTML (app/export/markdown.py): headings, lists, paragraphs,
and nothing a person typed ever becomes markup."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from app.domain import drafts
from app.domain.operations import CreateCard, JoinMember, MarkPriority
from app.domain.roles import Role
from app.domain.rules import SYSTEM, decide, evolve
from app.domain.state import AtelierState
from app.export.markdown import to_html

NASTY = """<script>alert("x")</script> & 'quotes' "double" <b>gras</b> &amp; &lt;"""
ESCAPED = (
    "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quotes&#x27; &quot;double&quot; "
    "&lt;b&gt;gras&lt;/b&gt; &amp;amp; &amp;lt;"
)
ALLOWED_TAGS = {"h1", "h2", "h3", "p", "br", "ul", "ol", "li"}


class Tags(HTMLParser):
    """Every tag and attribute in a piece of HTML, and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += attrs

    def handle_endtag(self, tag: str) -> None:
        self.tags.append(f"/{tag}")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed(html: str) -> Tags:
    tags = Tags()
    tags.feed(html)
    tags.close()
    return tags


def test_headings() -> None:
    assert to_html("# Titre") == "<h1>Titre</h1>"
    assert to_html("## Section") == "<h2>Section</h2>"
    assert to_html("### Étape 1. Introduction (10 min)") == "<h3>Étape 1. Introduction (10 min)</h3>"
    # Not headings: four hashes, no space, a hash inside the line.
    assert to_html("#### Trop profond") == "<p>#### Trop profond</p>"
    assert to_html("#Hashtag") == "<p>#Hashtag</p>"
    assert to_html("Un #GouvernementOuvert") == "<p>Un #GouvernementOuvert</p>"


def test_paragraphs() -> None:
    assert to_html("Une ligne.\nLa suivante.\n\nUn autre paragraphe.") == (
        "<p>Une ligne.<br>La suivante.</p>\n<p>Un autre paragraphe.</p>"
    )
    assert to_html("") == ""
    assert to_html("\n\n   \n") == ""
    assert to_html("  Espaces en fin   \n") == "<p>  Espaces en fin</p>"


def test_bullet_lists() -> None:
    assert to_html("- un\n- deux\n* trois") == "<ul>\n<li>un</li>\n<li>deux</li>\n<li>trois</li>\n</ul>"
    assert to_html("-pas une puce") == "<p>-pas une puce</p>"


def test_numbered_lists() -> None:
    assert to_html("1. un\n2. deux\n10. dix") == "<ol>\n<li>un</li>\n<li>deux</li>\n<li>dix</li>\n</ol>"


def test_lists_end_where_something_else_starts() -> None:
    html = to_html("Sujets :\n- un\n- deux\nFeuille de route :\n1. étape\n- puce\n\n## Suite\n- encore")
    assert html == "\n".join(
        [
            "<p>Sujets :</p>",
            "<ul>",
            "<li>un</li>",
            "<li>deux</li>",
            "</ul>",
            "<p>Feuille de route :</p>",
            "<ol>",
            "<li>étape</li>",
            "</ol>",
            "<ul>",
            "<li>puce</li>",
            "</ul>",
            "<h2>Suite</h2>",
            "<ul>",
            "<li>encore</li>",
            "</ul>",
        ]
    )
    # A paragraph line right after a list closes it, and a list right after a paragraph ends it.
    assert html.count("<p>") == 2


@pytest.mark.parametrize(
    ("markdown", "template"),
    [
        ("# {}", "<h1>{}</h1>"),
        ("## {}", "<h2>{}</h2>"),
        ("### {}", "<h3>{}</h3>"),
        ("- {}", "<ul>\n<li>{}</li>\n</ul>"),
        ("* {}", "<ul>\n<li>{}</li>\n</ul>"),
        ("3. {}", "<ol>\n<li>{}</li>\n</ol>"),
        ("{}", "<p>{}</p>"),
        ("Avant\n{}", "<p>Avant<br>{}</p>"),
    ],
)
def test_everything_is_escaped_in_every_position(markdown: str, template: str) -> None:
    html = to_html(markdown.format(NASTY))
    assert html == template.format(ESCAPED)
    tags = parsed(html)
    assert {tag.lstrip("/") for tag in tags.tags} <= ALLOWED_TAGS
    assert not tags.attributes
    assert NASTY in "".join(tags.text).replace("\n", "")  # what was typed reads back exactly


def test_markup_that_looks_like_markdown_stays_text() -> None:
    html = to_html('# <img src=x onerror="alert(1)">\n- <a href="javascript:alert(1)">lien</a>\n1. </ol><script>')
    tags = parsed(html)
    assert tags.tags == ["h1", "/h1", "ul", "li", "/li", "/ul", "ol", "li", "/li", "/ol"]
    assert not tags.attributes
    assert "<img" not in html and "<a " not in html and "<script" not in html


def test_a_generated_compte_rendu_renders_with_the_allowed_tags_only() -> None:
    state = AtelierState.new(
        atelier_id="m1", title="<Atelier> & « co »", administration="DITP", date=None, format_key="1"
    )
    for member_id, role in [("ref", Role.REFERENT), ("p1", Role.PARTICIPANT)]:
        evolve(state, decide(state, JoinMember(member_id, "Lou", "<i>Roy</i>", "A & B", role), SYSTEM, 0))
    evolve(state, decide(state, CreateCard("c1", '<script>x</script> "sujet"', "& plus"), "p1", 0))
    evolve(state, decide(state, MarkPriority("c1", True), "ref", 0))
    html = to_html(drafts.compte_rendu(state))
    tags = parsed(html)
    assert {tag.lstrip("/") for tag in tags.tags} <= ALLOWED_TAGS and not tags.attributes
    assert "<h1>Compte rendu — &lt;Atelier&gt; &amp; « co »</h1>" in html
    assert "<li>&lt;script&gt;x&lt;/script&gt; &quot;sujet&quot; : &amp; plus — sujet prioritaire</li>" in html
    assert re.search(r"<li>Lou &lt;i&gt;Roy&lt;/i&gt; — A &amp; B</li>", html)


def test_the_markdown_file_escapes_what_another_viewer_would_turn_into_markup() -> None:
    from app.export.markdown import inert

    text = "# Titre\n\n- <img src=x onerror=alert(1)> & [clic](javascript:alert(1)) &lt;b&gt; \\<"
    escaped = "- \\<img src=x onerror=alert(1)> & \\[clic\\](javascript:alert(1)) \\&lt;b\\&gt; \\\\\\<"
    assert inert(text) == "# Titre\n\n" + escaped
