"""Hostile text in every free-text field stays text in every output: the pages, the live fragments,
the JSON, the Markdown compte rendu, the réseau social image and the PDFs.

Each atelier is played twice over the protocol, once with the corpus (tests/xss_corpus.py) and once
with plain words in the same places. Whatever the text says, the HTML must have the same elements
with the same attributes (nothing was parsed as markup), nothing that could run or load something,
and the text itself must be shown literally.
"""

from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ElementTree
import zlib
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from helpers import Frame, WsClient, bearer, connected, create_atelier, join, text_update
from markdown_it import MarkdownIt
from starlette.testclient import TestClient
from xss_corpus import (
    LONG,
    PAYLOADS,
    TEMPLATE_RESULTS,
    attribute_values,
    flat,
    html_problems,
    shown_text,
    squeezed,
    structure,
)

from app.domain.kit_tools import ENGAGEMENT_QUESTIONS, REFORMULATION_PROMPTS, canevas_fields
from app.export.pdf import render_deliverable_html
from app.main import create_app
from app.settings import Settings
from app.web.deps import member_cookie

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "docs" / "deliverable.schema.json").read_text(encoding="utf-8"))
PLAIN = [f"Texte ordinaire {index:02} pour comparer" for index in range(len(PAYLOADS))]


@dataclass
class Words:
    """The text to type: the corpus, or plain words in the same places (same counts, same fields)."""

    hostile: bool

    @property
    def items(self) -> list[str]:
        return PAYLOADS if self.hostile else PLAIN

    def one(self, index: int) -> str:
        return self.items[index % len(self.items)]

    def mixed(self, index: int, limit: int) -> str:
        start = index % len(self.items)
        return flat(" ".join(self.items[start:] + self.items[:start]))[:limit].rstrip()

    def email(self, index: int) -> str:
        """An address the join form accepts (no space, one @) that is also hostile markup."""
        if self.hostile:
            return f'xss-m{index}"><svg/onload=window.__xss={index}>@exemple.fr'
        return f"personne-{index:02}@exemple.fr"

    def long(self, limit: int) -> str:
        source = LONG if self.hostile else " ".join(PLAIN * 40)
        return flat(source)[:limit].rstrip()


@dataclass
class Played:
    atelier: dict[str, Any]
    referent: dict[str, Any]
    participant: dict[str, Any]
    typed: list[str] = field(default_factory=list)  # one-line texts, as stored: found literally in the page
    fragments: list[Frame] = field(default_factory=list)  # every fragment the browsers were sent


def _fragments(ws: WsClient) -> list[Frame]:
    return [fragment for frame in ws.seen for fragment in frame.get("fragments", [])]


def _people(client: TestClient, atelier: dict[str, Any], words: Words) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    referent = join(client, atelier, "animateur", words.one(0), words.one(1), words.mixed(2, 120))
    participants = [
        join(client, atelier, first_name=words.one(index), last_name=words.one(index + 1),
             structure=words.mixed(index + 2, 120), email=words.email(index))
        for index in range(len(PAYLOADS))
    ]  # fmt: skip
    return referent, participants


def _watchers(stack: ExitStack, client: TestClient, atelier: dict[str, Any], referent: dict[str, Any],
              participant: dict[str, Any]) -> tuple[WsClient, WsClient]:  # fmt: skip
    """Browser-like sockets (fragments on) of the référent and a participant, open while the atelier is played."""
    team = stack.enter_context(connected(client, atelier, referent, html=True))
    other = stack.enter_context(connected(client, atelier, participant, html=True))
    return team, other


def _drafts(ref: WsClient, words: Words) -> None:
    ref.ack(ref.send_op("draft.generate", field="compte_rendu"))
    ref.ack(ref.send_op("draft.generate", field="post"))
    ref.ack(ref.send_op("draft.generate", field="mail", link="https://atelier.example.org/a/X/livrable.json"))
    for index, name in enumerate(("compte_rendu", "post", "mail")):
        ref.ack(ref.send_op("text.update", field=name, update=text_update("\n" + words.mixed(index, 3000))))


def _questionnaire(ref: WsClient, participants: list[WsClient], words: Words) -> list[str]:
    ref.ack(ref.send_op("questionnaire.open", anonymous=False))
    typed = []
    for index, ws in enumerate(participants):
        answers = {"global": 4, "apprecie": words.one(index), "ameliorer": words.mixed(index, 1000), "suite": "Oui"}
        ws.ack(ws.send_op("questionnaire.answer", answers=answers))
        typed.append(words.one(index))
    return typed


def _settle(watchers: list[WsClient], seq: int) -> list[Frame]:
    """Wait until every watcher has the event `seq` (the last one); every fragment they were sent."""
    for ws in watchers:
        ws.recv_until(lambda frame: frame["type"] == "event" and frame["seq"] >= seq, limit=2000)
    return [fragment for ws in watchers for fragment in _fragments(ws)]


def play_format1(client: TestClient, words: Words) -> Played:
    atelier = create_atelier(client, "1", title=words.mixed(0, 200), administration=words.mixed(3, 200))
    referent, participants = _people(client, atelier, words)
    played = Played(atelier, referent, participants[0], typed=[words.one(index) for index in range(len(PAYLOADS))])
    with ExitStack() as stack:
        watchers = list(_watchers(stack, client, atelier, referent, participants[0]))
        sockets = [stack.enter_context(connected(client, atelier, member)) for member in participants[:4]]
        ref = stack.enter_context(connected(client, atelier, referent))
        for index in range(len(PAYLOADS)):
            ws = sockets[index % len(sockets)]
            card_id = f"c{index}"
            ws.ack(ws.send_op("card.create", card_id=card_id, title=words.one(index),
                              description=words.mixed(index + 1, 280)))  # fmt: skip
            if index % 2:
                ref.ack(ref.send_op("card.place", card_id=card_id, desirability=index / 20, feasibility=1 - index / 20))
        ref.ack(ref.send_op("card.update", card_id="c3", title=words.one(7), description=words.long(280)))
        ref.ack(ref.send_op("card.priority", card_id="c1", priority=True))
        for step in range(7):
            ref.ack(ref.send_op("text.update", field=f"notes:{step}", update=text_update(words.mixed(step, 2000))))
        ref.ack(ref.send_op("step.goto", index=6))
        played.typed += _questionnaire(ref, sockets, words)
        _drafts(ref, words)
        last = ref.ack(ref.send_op("timer.start"))
        played.fragments = _settle(watchers, last["seq"])
    return played


def play_format2(client: TestClient, words: Words) -> Played:
    atelier = create_atelier(client, "2", title=words.mixed(5, 200), administration=words.mixed(6, 200))
    referent, participants = _people(client, atelier, words)
    played = Played(atelier, referent, participants[0], typed=[words.one(index) for index in range(len(PAYLOADS))])
    questions = [question.key for column in ENGAGEMENT_QUESTIONS for question in column.questions]
    prompts = [prompt.key for prompt in REFORMULATION_PROMPTS]
    with ExitStack() as stack:
        watchers = list(_watchers(stack, client, atelier, referent, participants[0]))
        ref = stack.enter_context(connected(client, atelier, referent))
        ref.ack(ref.send_op("subject.set", title=words.mixed(8, 120), description=words.mixed(9, 280)))
        for index in range(len(PAYLOADS)):
            answers = {key: words.mixed(index + offset, 500) for offset, key in enumerate(prompts)}
            answers[prompts[0]] = words.one(index)
            ref.ack(ref.send_op("reformulation.create", reformulation_id=f"r{index}", answers=answers))
            ref.ack(ref.send_op("idea.create", idea_id=f"i{index}", question=questions[index % len(questions)],
                                text=words.one(index)))  # fmt: skip
        ref.ack(ref.send_op("idea.update", idea_id="i2", question=questions[0], text=words.long(500)))
        for index, canevas in enumerate(canevas_fields("2")):
            update = text_update(words.mixed(index, 1500) + "\n" + words.long(2000))
            ref.ack(ref.send_op("text.update", field=f"canevas:{canevas.key}", update=update))
        ref.ack(ref.send_op("canevas.value", value="participation", checked=True))
        _drafts(ref, words)
        last = ref.ack(ref.send_op("timer.start"))
        played.fragments = _settle(watchers, last["seq"])
    return played


def play_format3(client: TestClient, words: Words) -> Played:
    atelier = create_atelier(client, "3", title=words.mixed(10, 200), administration=words.mixed(11, 200))
    referent, participants = _people(client, atelier, words)
    played = Played(atelier, referent, participants[0], typed=[words.one(index) for index in range(len(PAYLOADS))])
    with ExitStack() as stack:
        watchers = list(_watchers(stack, client, atelier, referent, participants[0]))
        ref = stack.enter_context(connected(client, atelier, referent))
        ref.ack(ref.send_op("roadmap.horizon", start_year=2027, end_year=2029))
        for index, canevas in enumerate(canevas_fields("3")):
            update = text_update(words.mixed(index + 4, 1500))
            ref.ack(ref.send_op("text.update", field=f"canevas:{canevas.key}", update=update))
        for index in range(len(PAYLOADS)):
            ref.ack(ref.send_op("sous_action.create", sous_action_id=f"s{index}", text=words.one(index)))
            ref.ack(ref.send_op("etape.create", etape_id=f"e{index}", title=words.one(index)))
            fields = {"owner": words.one(index + 1), "livrable": words.mixed(index, 280)}
            update = ref.send_op("etape.update", etape_id=f"e{index}", title=words.one(index), start="2027-T2",
                                 duration_months=3, **fields)  # fmt: skip
            ref.ack(update)
        ref.ack(ref.send_op("sous_action.merge", sous_action_id="s1", into_id="s0"))
        _drafts(ref, words)
        last = ref.ack(ref.send_op("timer.start"))
        played.fragments = _settle(watchers, last["seq"])
    return played


PLAYS = {"1": play_format1, "2": play_format2, "3": play_format3}


# -- reading what the app serves ---------------------------------------------------------------


def as_member(member: dict[str, Any], atelier: dict[str, Any]) -> dict[str, str]:
    """The Cookie header a browser of this member sends (the member secret is the cookie's value)."""
    return {"Cookie": f"{member_cookie(atelier['id'])}={member['member_token']}"}


def page(client: TestClient, played: Played, member: dict[str, Any]) -> str:
    response = client.get(f"/a/{played.atelier['id']}", headers=as_member(member, played.atelier))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def last_fragments(fragments: list[Frame]) -> dict[tuple[str, str], str]:
    """The last HTML sent for each element id (the page after applying them all), by (id, parent)."""
    last: dict[tuple[str, str], str] = {}
    for fragment in fragments:
        if fragment["op"] == "upsert":
            last[(fragment["id"], fragment.get("parent") or "")] = fragment["html"]
    return last


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout


def pdf_actions(pdf: bytes) -> list[bytes]:
    """Every link target and action the PDF holds (its objects are compressed: inflate them first)."""
    chunks = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            chunks.append(zlib.decompress(stream))
        except zlib.error:
            continue
    data = b"\n".join(chunks)
    found = re.findall(rb"/URI\s*\((.*?)\)", data)
    found += re.findall(rb"/(JavaScript|JS|Launch|SubmitForm|ImportData|RichMedia)\b", data)
    return found


def assert_inert_pdf(pdf: bytes, tmp_path: Path, typed: list[str]) -> str:
    assert pdf.startswith(b"%PDF-")
    actions = pdf_actions(pdf)
    assert not [action for action in actions if not action.startswith(b"https://atelier.example.org/")], actions
    text = squeezed(pdf_text(pdf, tmp_path))
    missing = [item for item in typed if item.isascii() and squeezed(item) not in text]
    assert not missing, f"not shown literally in the PDF: {missing}"
    return text


def markdown_problems(markdown: str) -> list[str]:
    """Rendered as a CommonMark viewer would (raw HTML allowed), the Markdown must hold nothing active."""
    rendered = MarkdownIt("commonmark").render(markdown)
    return html_problems(rendered) + [f"link {href}" for href in re.findall(r'<a href="([^"]*)"', rendered)]


# -- the checks --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app for the module: each format is played once and read by every test."""
    database = tmp_path_factory.mktemp("xss") / "atelier.db"
    settings = Settings(database_url=f"sqlite:///{database}", allowed_origins="", public_url="")
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module", params=sorted(PLAYS))
def both(client: TestClient, request: pytest.FixtureRequest) -> tuple[Played, Played]:
    """The same atelier played with the corpus, then with plain words."""
    play = PLAYS[request.param]
    return play(client, Words(hostile=True)), play(client, Words(hostile=False))


def test_pages_and_fragments_keep_hostile_text_as_text(client: TestClient, both: tuple[Played, Played]) -> None:
    hostile, plain = both
    for who in ("referent", "participant"):
        html, control = page(client, hostile, getattr(hostile, who)), page(client, plain, getattr(plain, who))
        assert html_problems(html) == [], who
        assert structure(html) == structure(control), f"the {who}'s page has other elements than with plain text"
        assert not [result for result in TEMPLATE_RESULTS if result in html], who
        text = shown_text(html)
        missing = [item for item in hostile.typed if flat(item) not in text]
        assert not missing, f"not shown literally to the {who}: {missing}"
    # Emails are the team's only (for the thank-you mail's blind copy), kept exactly, never markup.
    addresses = sorted(Words(hostile=True).email(index) for index in range(len(PAYLOADS)))
    assert sorted(attribute_values(page(client, hostile, hostile.referent), "data-email")) == addresses
    assert attribute_values(page(client, hostile, hostile.participant), "data-email") == []
    # The projection screen (for the shared screen of the room), opened with the référent's session.
    path = "/a/{}/projection"
    shown = client.get(path.format(hostile.atelier["id"]), headers=as_member(hostile.referent, hostile.atelier))
    control = client.get(path.format(plain.atelier["id"]), headers=as_member(plain.referent, plain.atelier))
    assert shown.status_code == control.status_code == 200, shown.text[:300]
    assert html_problems(shown.text) == []
    assert structure(shown.text) == structure(control.text), "the projection has other elements than with plain text"
    assert flat(hostile.typed[0]) in shown_text(shown.text)
    assert len(hostile.fragments) == len(plain.fragments)
    for fragment in hostile.fragments:
        if fragment["op"] == "upsert":
            assert html_problems(fragment["html"]) == [], fragment["id"]
    hostile_last, plain_last = last_fragments(hostile.fragments), last_fragments(plain.fragments)
    assert hostile_last.keys() == plain_last.keys()
    for key, html in hostile_last.items():
        assert structure(html) == structure(plain_last[key]), f"fragment {key} has other elements than with plain text"


def test_json_keeps_hostile_text_exactly(client: TestClient, both: tuple[Played, Played]) -> None:
    hostile, _ = both
    atelier = hostile.atelier
    api = client.get(f"/api/ateliers/{atelier['id']}/deliverable.json", headers=bearer(atelier["animateur_token"]))
    room = client.get(f"/a/{atelier['id']}/livrable.json", headers=as_member(hostile.referent, atelier))
    state = client.get(f"/api/ateliers/{atelier['id']}/state", headers=bearer(atelier["animateur_token"]))
    for response in (api, room, state):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        assert response.headers["x-content-type-options"] == "nosniff"
    deliverable = api.json()
    jsonschema.validate(deliverable, SCHEMA)
    assert room.json() == deliverable
    assert deliverable["atelier"]["title"] == flat(atelier["title"])
    strings = json.dumps(deliverable, ensure_ascii=False)
    missing = [item for item in hostile.typed if json.dumps(item, ensure_ascii=False)[1:-1] not in strings]
    assert not missing, f"not in the deliverable as typed: {missing}"


def test_the_pdf_and_its_html_keep_hostile_text_as_text(
    client: TestClient, both: tuple[Played, Played], tmp_path: Path
) -> None:
    hostile, _ = both
    deliverables = []
    for played in both:
        atelier = played.atelier
        response = client.get(
            f"/api/ateliers/{atelier['id']}/deliverable.json", headers=bearer(atelier["animateur_token"])
        )
        deliverables.append(response.json())
    html, control = (render_deliverable_html(body) for body in deliverables)
    assert html_problems(html) == []
    assert structure(html) == structure(control), "the PDF's HTML has other elements than with plain text"
    atelier = hostile.atelier
    pdf = client.get(f"/api/ateliers/{atelier['id']}/deliverable.pdf", headers=bearer(atelier["animateur_token"]))
    assert pdf.status_code == 200, pdf.text
    typed = [item for item in hostile.typed if item not in PAYLOADS[-1:]]
    text = assert_inert_pdf(pdf.content, tmp_path, typed)
    assert not any(squeezed(result) in text for result in TEMPLATE_RESULTS)


def test_the_compte_rendu_and_the_social_card_keep_hostile_text_as_text(
    client: TestClient, both: tuple[Played, Played], tmp_path: Path
) -> None:
    hostile, _ = both
    atelier = hostile.atelier
    markdown = client.get(f"/api/ateliers/{atelier['id']}/compte-rendu.md", headers=bearer(atelier["animateur_token"]))
    assert markdown.status_code == 200, markdown.text
    assert markdown.headers["content-type"] == "text/markdown; charset=utf-8"
    assert markdown_problems(markdown.text) == []
    rendered = shown_text(MarkdownIt("commonmark").render(markdown.text))
    missing = [item for item in hostile.typed[:5] if flat(item) not in rendered]
    assert not missing, f"not shown literally in the Markdown: {missing}"

    pdf = client.get(f"/api/ateliers/{atelier['id']}/compte-rendu.pdf", headers=bearer(atelier["animateur_token"]))
    assert pdf.status_code == 200, pdf.text
    assert_inert_pdf(pdf.content, tmp_path, [item for item in hostile.typed[:5] if len(item) < 60])

    svg = client.get(f"/a/{atelier['id']}/carte-reseau-social.svg", headers=as_member(hostile.referent, atelier))
    assert svg.status_code == 200, svg.text
    assert svg.headers["content-type"].startswith("image/svg+xml")
    root = ElementTree.fromstring(svg.text)  # well-formed: no text broke out of its element
    tags = {element.tag.rsplit("}", 1)[-1] for element in root.iter()}
    assert not tags & {"script", "foreignObject", "a", "image", "use", "iframe", "style"}, tags
    assert html_problems(svg.text) == []
    attributes = [name for element in root.iter() for name in element.attrib]
    assert not [name for name in attributes if name.lower().startswith("on") or name.endswith("href")], attributes


def play_demarche(client: TestClient, words: Words) -> dict[str, Any]:
    """A démarche whose every text is typed: its title, its ateliers, a #1's priority cards carried to a #2."""
    response = client.post(
        "/api/demarches", json={"title": words.mixed(12, 200), "administration": words.mixed(13, 200)}
    )
    assert response.status_code == 201, response.text
    demarche = response.json()
    auth = bearer(demarche["animateur_token"])
    ateliers = f"/api/demarches/{demarche['id']}/ateliers"
    first = client.post(ateliers, json={"title": words.mixed(14, 200), "format": "1"}, headers=auth)
    assert first.status_code == 201, first.text
    atelier = first.json()
    referent = join(client, atelier, "animateur", words.one(3), words.one(4), words.one(5))
    with connected(client, atelier, referent) as ref:
        for index in range(3):
            ref.ack(ref.send_op("card.create", card_id=f"c{index}", title=words.one(index + 5),
                                description=words.one(index + 6)))  # fmt: skip
            ref.ack(ref.send_op("card.priority", card_id=f"c{index}", priority=True))
    card = {"atelier_id": atelier["id"], "card_id": "c0"}
    second = client.post(
        ateliers,
        json={"title": words.mixed(15, 200), "format": "2", "subject_card": card},
        headers=auth,
    )
    assert second.status_code == 201, second.text
    return demarche


def test_a_demarche_keeps_hostile_text_as_text(client: TestClient, tmp_path: Path) -> None:
    hostile, plain = play_demarche(client, Words(hostile=True)), play_demarche(client, Words(hostile=False))
    pages = [client.get(demarche["demarche_url"].split("testserver", 1)[-1]) for demarche in (hostile, plain)]
    assert all(response.status_code == 200 for response in pages)
    assert html_problems(pages[0].text) == []
    assert structure(pages[0].text) == structure(pages[1].text), "the démarche page has other elements"
    assert all(flat(PAYLOADS[index]) in shown_text(pages[0].text) for index in (5, 6, 7))

    auth, base = bearer(hostile["animateur_token"]), f"/api/demarches/{hostile['id']}"
    body = client.get(f"{base}/deliverable.json", headers=auth)
    assert body.headers["content-type"] == "application/json"
    jsonschema.validate(body.json(), SCHEMA)
    assert flat(PAYLOADS[5]) in json.dumps(body.json(), ensure_ascii=False).replace('\\"', '"')
    markdown = client.get(f"{base}/compte-rendu.md", headers=auth)
    assert markdown.status_code == 200, markdown.text
    assert markdown_problems(markdown.text) == []
    assert flat(PAYLOADS[5]) in shown_text(MarkdownIt("commonmark").render(markdown.text))
    pdf = client.get(f"{base}/deliverable.pdf", headers=auth)
    assert pdf.status_code == 200, pdf.text
    assert_inert_pdf(pdf.content, tmp_path, [PAYLOADS[index] for index in (5, 6, 7)])


def test_the_join_page_and_the_forms_keep_hostile_text_as_text(client: TestClient) -> None:
    atelier = create_atelier(client, "1", title=PAYLOADS[14], administration=PAYLOADS[2])
    join_page = client.get(f"/a/{atelier['id']}/join/{atelier['participant_token']}")
    assert join_page.status_code == 200
    assert html_problems(join_page.text) == []
    assert flat(PAYLOADS[14]) in shown_text(join_page.text)
    # A refused form is shown again with what was typed, in the fields.
    refused = client.post("/ateliers", data={"title": PAYLOADS[3], "administration": "", "format": "1"})
    assert refused.status_code == 422
    assert html_problems(refused.text) == []
    assert flat(PAYLOADS[3]) in shown_text(refused.text)
    created = client.post("/ateliers", data={"title": PAYLOADS[15], "administration": PAYLOADS[16], "format": "2"})
    assert created.status_code == 200
    assert html_problems(created.text) == []
    assert flat(PAYLOADS[15]) in shown_text(created.text)
