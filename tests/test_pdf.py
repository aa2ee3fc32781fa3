"""The deliverable as a PDF and the kit's supports in A3, through the ASGI app.

Ateliers are played over the WebSocket protocol as the room would be; the PDFs are read back with
poppler (`pdftotext`, `pdfinfo`). `pdftotext` prints the no-break spaces U+00A0 and U+202F as plain
spaces, so the French spacing is checked in the rendered HTML and in the PDF fonts' Unicode maps.
Text is compared with runs of whitespace folded (a long title wraps over lines); containment uses
`pdftotext` in reading order, page numbers use `-layout`.
"""

from __future__ import annotations

import re
import subprocess
import zlib
from pathlib import Path
from typing import Any

import pytest
from helpers import bearer, connected, join, text_update
from markupsafe import Markup
from starlette.testclient import TestClient

from app.export.pdf import SUPPORTS, html_to_pdf, render_deliverable_html, render_support_html
from app.export.typography import NARROW_NBSP, NBSP, french

TITLE = "Données ouvertes : qualité de l'eau à Saint-Étienne ?"
XSS = "<script>alert(1)</script><b>gras</b>"
A4 = "595.276 x 841.89 pts (A4)"
A3_LANDSCAPE = "1190.55 x 841.89 pts (A3)"

CARDS = [
    ("c1", TITLE, "Publier chaque semaine les analyses de l'eau potable, commune par commune.", 0.85, 0.75),
    ("c2", XSS, "Un titre piégé : il doit rester du texte.", 0.3, 0.6),
    ("c3", "Budget participatif de l'agence de l'eau", "Associer les usagers au choix des travaux !", 0.7, 0.35),
    ("c4", "Registre des captages ; état des forages", "Rendre public le registre des captages.", 0.55, 0.9),
    ("c5", "Cœur de cible : « les usagers isolés »", "Pas encore placée sur la matrice.", None, None),
]
CANEVAS_F3 = {
    "titre": "Publier la qualité de l'eau, commune par commune",
    "porte_sur": "Mon engagement porte sur la transparence des analyses : un défi sanitaire et démocratique.",
    "c_est": "Publier chaque semaine les analyses ; les expliquer aux habitants.",
    "va": "Mon engagement va associer l'ARS, les communes et l'association « Eau Vive ».",
    "repond_a": "Mon engagement répond à une demande forte des habitants : savoir ce qu'ils boivent !",
    "utile_car": "Mon engagement est utile car la confiance se construit avec des données ouvertes.",
}
ETAPES = [
    ("e1", "Recenser les captages du département", "2027-T1", 6, "Agence régionale de santé", "Inventaire publié"),
    ("e2", "Ouvrir le jeu de données « qualité »", "2027-05", 3, "Direction de l'eau", "Jeu sur data.gouv.fr"),
    ("e3", "Atelier citoyen à Saint-Étienne ?", "2028", None, "Mairie de Saint-Étienne", "Compte rendu public"),
    ("e4", "Évaluer l'usage des données", "", 4, "", ""),
]


# -- reading PDFs ------------------------------------------------------------------------------


def pdf_text(pdf: bytes, tmp_path: Path, *, layout: bool = False) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    command = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(command, capture_output=True, check=True, text=True).stdout


def flat(text: str) -> str:
    return " ".join(text.split())


def squeezed(text: str) -> str:
    """Without any whitespace: for narrow boxes, where a line may also break after « / » or « - »."""
    return "".join(text.split())


def page_sizes(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "sized.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(path)], capture_output=True, check=True, text=True)
    return re.findall(r"Page +\d+ size: +(.+)", info.stdout)


def unicode_maps(pdf: bytes) -> bytes:
    """The fonts' ToUnicode CMaps: which characters the PDF's glyphs stand for."""
    maps = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            data = zlib.decompress(stream)
        except zlib.error:
            continue
        if b"begincmap" in data:
            maps.append(data.lower())
    return b"\n".join(maps)


def assert_pdf(response: Any, filename: str) -> bytes:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'attachment; filename="{filename}"'
    assert response.content.startswith(b"%PDF-")
    return response.content  # type: ignore[no-any-return]


# -- playing ateliers --------------------------------------------------------------------------


def new_atelier(client: TestClient, format_key: str, title: str = TITLE) -> dict[str, Any]:
    body = {"title": title, "administration": "Préfecture de la Loire", "format": format_key, "date": "2026-12-03"}
    response = client.post("/api/ateliers", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def team(client: TestClient, atelier: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The référent, a challengeur, a complice and a participant, roles given by the référent."""
    people = {
        "ref": join(client, atelier, "animateur", "Claire", "Dubois", "DITP"),
        "chal": join(client, atelier, first_name="Marc", last_name="Lefèvre", structure="Préfecture"),
        "comp": join(client, atelier, first_name="Inès", last_name="Benali", structure="Agence de l'eau"),
        "part": join(client, atelier, first_name="Hélène", last_name="Müller", structure="Association Eau Vive"),
    }
    with connected(client, atelier, people["ref"]) as ref:
        ref.ack(ref.send_op("member.set_role", member_id=people["chal"]["member_id"], role="challengeur"))
        ref.ack(ref.send_op("member.set_role", member_id=people["comp"]["member_id"], role="complice"))
    return people


def play_format1(client: TestClient) -> dict[str, Any]:
    atelier = new_atelier(client, "1")
    people = team(client, atelier)
    with connected(client, atelier, people["ref"]) as ref, connected(client, atelier, people["part"]) as part:
        for card_id, title, description, desirability, feasibility in CARDS:
            part.ack(part.send_op("card.create", card_id=card_id, title=title, description=description))
            if desirability is not None:
                ref.ack(ref.send_op("card.place", card_id=card_id, desirability=desirability, feasibility=feasibility))
        ref.ack(ref.send_op("card.priority", card_id="c1", priority=True))
        ref.ack(ref.send_op("text.update", field="notes:0", update=text_update("Neuf personnes ; tour de table fait.")))
        ref.ack(ref.send_op("text.update", field="notes:4", update=text_update(f"Noté : {XSS}")))
        ref.ack(ref.send_op("questionnaire.open"))
        answers = {"global": 5, "objectifs": 4, "apprecie": "Les échanges : riches !", "suite": "Oui"}
        part.ack(part.send_op("questionnaire.answer", answers=answers))
    return atelier


def play_format2(client: TestClient) -> dict[str, Any]:
    atelier = new_atelier(client, "2", title="Formuler l'engagement : l'eau à Saint-Étienne")
    people = team(client, atelier)
    with connected(client, atelier, people["ref"]) as ref:
        ref.ack(ref.send_op("subject.set", title=TITLE, description="Publier les analyses, commune par commune."))
        answers = {"permet": "Il permet de savoir ce que l'on boit !", "horizon": "Fin 2027 ?"}
        ref.ack(ref.send_op("reformulation.create", reformulation_id="r1", answers=answers))
        ref.ack(ref.send_op("idea.create", idea_id="i1", question="communes-2", text="Des alertes par SMS : en direct"))
        ref.ack(ref.send_op("idea.create", idea_id="i2", question="agent-public-1", text=XSS))
        for key in ("titre", "porte_sur", "c_est", "va"):
            ref.ack(ref.send_op("text.update", field=f"canevas:{key}", update=text_update(CANEVAS_F3[key])))
        ref.ack(ref.send_op("canevas.value", value="participation", checked=True))
    return atelier


def play_format3(client: TestClient) -> dict[str, Any]:
    atelier = new_atelier(client, "3", title="Feuille de route : l'eau à Saint-Étienne")
    people = team(client, atelier)
    with connected(client, atelier, people["ref"]) as ref:
        ref.ack(ref.send_op("roadmap.horizon", start_year=2027, end_year=2029))
        for key, text in CANEVAS_F3.items():
            ref.ack(ref.send_op("text.update", field=f"canevas:{key}", update=text_update(text)))
        ref.ack(ref.send_op("canevas.value", value="transparence", checked=True))
        ref.ack(ref.send_op("canevas.value", value="collaboration", checked=True))
        ref.ack(ref.send_op("sous_action.create", sous_action_id="s1", text="Former les agents à l'open data"))
        ref.ack(ref.send_op("sous_action.create", sous_action_id="s2", text="Former les agents : données ouvertes"))
        ref.ack(ref.send_op("sous_action.merge", sous_action_id="s2", into_id="s1"))
        for etape_id, title, start, duration, owner, livrable in ETAPES:
            ref.ack(ref.send_op("etape.create", etape_id=etape_id, title=title))
            ref.ack(
                ref.send_op("etape.update", etape_id=etape_id, title=title, start=start,
                            duration_months=duration, owner=owner, livrable=livrable)
            )  # fmt: skip
    return atelier


def get_pdf(client: TestClient, atelier: dict[str, Any], path: str = "deliverable.pdf") -> Any:
    return client.get(f"/api/ateliers/{atelier['id']}/{path}", headers=bearer(atelier["animateur_token"]))


def get_json(client: TestClient, atelier: dict[str, Any]) -> dict[str, Any]:
    response = client.get(f"/api/ateliers/{atelier['id']}/deliverable.json", headers=bearer(atelier["animateur_token"]))
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


# -- French typography -------------------------------------------------------------------------


def test_typography_escapes_then_spaces() -> None:
    assert french(TITLE) == f"Données ouvertes{NBSP}: qualité de l&#39;eau à Saint-Étienne{NARROW_NBSP}?"
    assert french("Vraiment ; oui ! « Bien » n° 3") == (
        f"Vraiment{NARROW_NBSP}; oui{NARROW_NBSP}! «{NBSP}Bien{NBSP}» n°{NBSP}3"
    )
    # User HTML stays text; character references keep their « ; ».
    assert french(XSS) == "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;gras&lt;/b&gt;"
    assert french("Tom & Jerry ; l'eau") == f"Tom &amp; Jerry{NARROW_NBSP}; l&#39;eau"
    # Only typed spaces change kind: nothing is added, so URLs and times stay as they are.
    for untouched in ("https://data.gouv.fr/?q=eau", "10:30", "Quoi?!", "«Serré»", "a\n?"):
        assert french(untouched) == Markup.escape(untouched)
    assert french(Markup("<em>déjà sûr</em> : oui")) == f"<em>déjà sûr</em>{NBSP}: oui"
    assert french(None) == ""


def test_the_renderer_fetches_nothing(tmp_path: Path) -> None:
    secret = tmp_path / "secret.svg"
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><text y="30">SECRET</text></svg>'
    secret.write_text(svg)
    pdf = html_to_pdf(f'<p>Avant</p><img src="file://{secret}"><img src="http://127.0.0.1:9/x.png">')
    text = pdf_text(pdf, tmp_path)
    assert "Avant" in text and "SECRET" not in text


# -- the deliverable, format by format ---------------------------------------------------------


def test_format1_pdf_has_the_cover_the_matrix_and_every_card(client: TestClient, tmp_path: Path) -> None:
    atelier = play_format1(client)
    pdf = assert_pdf(get_pdf(client, atelier), f"fiche-sujets-{atelier['id']}.pdf")
    text = flat(pdf_text(pdf, tmp_path))
    layout = pdf_text(pdf, tmp_path, layout=True)

    pages = page_sizes(pdf, tmp_path)
    assert len(pages) >= 4 and set(pages) == {A4}
    assert f"page 1 sur {len(pages)}" in layout and f"page {len(pages)} sur {len(pages)}" in layout
    # The cover.
    for expected in (
        "Fiche sujets",
        "Données ouvertes : qualité de l'eau à Saint-Étienne ?",
        "Préfecture de la Loire",
        "3 décembre 2026",
        "Format #1 « J'identifie des sujets Gouvernement Ouvert »",
        "Référent-animateur : Claire Dubois (DITP)",
        "Animateur-challengeur : Marc Lefèvre (Préfecture)",
        "Complice : Inès Benali (Agence de l'eau)",
    ):
        assert expected in text, expected
    # Participants, with structure and role.
    assert "Hélène Müller Association Eau Vive Personne participante" in text
    # Every card, exactly as typed (the hostile one literally), its description and values.
    for _card_id, title, description, _d, _f in CARDS:
        assert text.count(title) >= 1, title
        assert description in text, description
    assert "★ 1." in text and "★ Prioritaire" in text
    assert "85 % 75 % Désirable et faisable" in text
    assert "non placée" in text
    # The matrix is a picture: its axes and quadrants are drawn text.
    for label in ("Désirabilité", "Faisabilité", "Désirable et faisable : prioritaire", "Peu désirable, peu faisable"):
        assert label in text
    # Notes, and empty steps said so.
    assert "Neuf personnes ; tour de table fait." in text and f"Noté : {XSS}" in text
    assert "Aucune note." in text
    # The questionnaire's summary, without names.
    assert "Questionnaire de retour d'expérience 1 réponse, anonymes." in text
    assert "Moyenne : 5,0 / 5" in text and "Les échanges : riches !" in text and "Oui : 1" in text

    # French spacing: in the HTML, and in the PDF's fonts (pdftotext prints both spaces as " ").
    body = get_json(client, atelier)
    body.pop("questionnaire", None)
    html = render_deliverable_html(body)
    assert f"Données ouvertes{NBSP}: qualité de l&#39;eau à Saint-Étienne{NARROW_NBSP}?" in html
    assert "<script>alert" not in html and "<b>gras" not in html
    maps = unicode_maps(pdf)
    assert b"<202f>" in maps and b"<00a0>" in maps


def test_format2_pdf_has_the_subject_the_ideas_and_the_canevas(client: TestClient, tmp_path: Path) -> None:
    atelier = play_format2(client)
    pdf = assert_pdf(get_pdf(client, atelier), f"canevas-{atelier['id']}.pdf")
    text = flat(pdf_text(pdf, tmp_path))
    assert set(page_sizes(pdf, tmp_path)) == {A4}

    assert "Canevas d'engagement" in text and "#2 « Je circonscris le sujet et je formule mon engagement »" in text
    assert TITLE in text and "Publier les analyses, commune par commune." in text
    assert "Il permet de savoir ce que l'on boit !" in text and "Fin 2027 ?" in text
    # Ideas under the kit's question, hostile text as text.
    assert "Qu'est-ce que je peux faire pour être plus transparent sur mon action ?" in text
    assert "Des alertes par SMS : en direct" in text and XSS in text
    # The canevas: every field as typed, under the kit's question.
    for key in ("titre", "porte_sur", "c_est", "va"):
        assert CANEVAS_F3[key] in text, key
    assert "Sur quel sujet porte votre engagement ?" in text and "« Mon engagement porte sur… »" in text
    # Each value with its box (pdftotext may put a wide gap's neighbours in separate blocks).
    assert "☐ Transparence" in text and "☑ Participation" in text and "☐ Collaboration" in text


def test_format3_pdf_has_the_canevas_the_sous_actions_and_the_roadmap(client: TestClient, tmp_path: Path) -> None:
    atelier = play_format3(client)
    pdf = assert_pdf(get_pdf(client, atelier), f"feuille-de-route-{atelier['id']}.pdf")
    text = flat(pdf_text(pdf, tmp_path))
    assert set(page_sizes(pdf, tmp_path)) == {A4}

    for key, typed in CANEVAS_F3.items():
        assert typed in text, key
    assert "À quoi répond votre engagement ?" in text and "En quoi votre engagement est-il utile ?" in text
    assert "☑ Transparence" in text and "☐ Participation" in text and "☑ Collaboration" in text
    assert "Former les agents à l'open data" in text and "Former les agents : données ouvertes" in text
    assert "Fusionnée dans la sous-action n° 1." in text
    # Every étape, with its start, duration, pilote and livrable, in the table.
    for _etape_id, title, _start, _duration, owner, livrable in ETAPES:
        assert title in text, title
        assert owner in text and livrable in text
    for shown in ("T1 2027", "mai 2027", "2028", "6 mois", "à estimer", "à dater", "à désigner"):
        assert shown in text, shown
    # The frise: the horizon's years and quarters, a label per dated étape, the undated one listed.
    assert "Horizon : 2027 – 2029" in text and "T4" in text
    assert "À dater : 4. Évaluer l'usage des données" in text


def test_the_same_state_gives_the_same_bytes(client: TestClient, tmp_path: Path) -> None:
    atelier = play_format3(client)
    first = get_pdf(client, atelier).content
    assert get_pdf(client, atelier).content == first
    # No clock inside: the document's creation date is the atelier's date.
    (tmp_path / "info.pdf").write_bytes(first)
    info = subprocess.run(["pdfinfo", str(tmp_path / "info.pdf")], capture_output=True, check=True, text=True).stdout
    assert re.search(r"CreationDate: +\w+ Dec +3 00:00:00 2026", info), info
    assert "Title: " in info and "Feuille de route" in info
    referent = join(client, atelier, "animateur", "Claire", "Dubois", "DITP")  # a change of state…
    with connected(client, atelier, referent) as ref:
        ref.ack(ref.send_op("sous_action.create", sous_action_id="s9", text="Une de plus"))
    assert get_pdf(client, atelier).content != first  # …is a different document


def test_questionnaire_section_only_when_the_deliverable_has_one(client: TestClient) -> None:
    body = get_json(client, play_format1(client))
    body.pop("questionnaire", None)
    assert "Questionnaire de retour" not in render_deliverable_html(body)
    summary = {
        "open": False,
        "anonymous": True,
        "responses": 2,
        "questions": [
            {"key": "global", "label": "Dans l'ensemble ?", "kind": "rating", "answered": 2,
             "distribution": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1}, "mean": 4.5},
            {"key": "suite", "label": "La suite ?", "kind": "choice", "answered": 2, "counts": {"Oui": 2, "Non": 0}},
            {"key": "apprecie", "label": "Apprécié", "kind": "text", "answered": 1, "texts": [XSS]},
        ],
    }  # fmt: skip
    html = render_deliverable_html(body | {"questionnaire": summary})
    assert "Questionnaire de retour d&#39;expérience" in html
    assert f"4,5{NBSP}/{NBSP}5" in html and "&lt;script&gt;" in html and "<script>" not in html


# -- the supports ------------------------------------------------------------------------------


SUPPORT_TEXTS = {
    "cartes": ["Titre du sujet", "Description (une phrase)"],
    "matrice": ["Désirabilité", "Faisabilité", "Désirable et faisable : prioritaire"],
    "reformulation": ["Titre du sujet", "Il permet de…", "Il a l'ambition de…", "Il peut être partagé avec…"],
    "engagements": ["Questions communes", "Société civile / citoyens", "Agent public / administration",
                    "De quelle manière aimerais-je collaborer ? Être consulté ?"],
    "canevas": ["Titre de l'engagement :", "Sur quel sujet porte votre engagement ?", "« Mon engagement va… »"],
    "feuille-de-route": ["Étape", "Pilote", "Livrable", "T1", "T4"],
}  # fmt: skip


@pytest.mark.parametrize("tool", list(SUPPORTS))
def test_blank_supports_are_public_a3_landscape(client: TestClient, tmp_path: Path, tool: str) -> None:
    response = client.get(f"/supports/{tool}.pdf")
    pdf = assert_pdf(response, f"support-{tool}.pdf")
    assert set(page_sizes(pdf, tmp_path)) == {A3_LANDSCAPE}
    text = flat(pdf_text(pdf, tmp_path))
    assert SUPPORTS[tool].title in text
    for expected in SUPPORT_TEXTS[tool]:
        assert expected in text, expected
    assert "page 1 sur" in text


def test_canevas_support_has_the_fields_of_either_format(client: TestClient, tmp_path: Path) -> None:
    format2 = flat(pdf_text(client.get("/supports/canevas.pdf?format=2").content, tmp_path))
    format3 = flat(pdf_text(client.get("/supports/canevas.pdf?format=3").content, tmp_path))
    assert "À quoi répond votre engagement ?" not in format2 and "Transparence" not in format2
    assert "À quoi répond votre engagement ?" in format3 and "☐ Transparence" in format3


def test_filled_supports_carry_what_the_atelier_produced(client: TestClient, tmp_path: Path) -> None:
    format1, format3 = play_format1(client), play_format3(client)
    cards = get_pdf(client, format1, "supports/cartes.pdf?filled=true")
    pdf = assert_pdf(cards, f"support-cartes-rempli-{format1['id']}.pdf")
    text = squeezed(pdf_text(pdf, tmp_path))
    assert set(page_sizes(pdf, tmp_path)) == {A3_LANDSCAPE}
    for _card_id, title, description, _d, _f in CARDS:
        assert squeezed(title) in text and squeezed(description) in text
    matrix = flat(pdf_text(get_pdf(client, format1, "supports/matrice.pdf?filled=true").content, tmp_path))
    assert "★ 1. Données ouvertes" in matrix and "3. Budget participatif" in matrix  # labels, shortened
    assert "Cartes non placées : 5. Cœur de cible : « les usagers isolés »" in matrix

    canevas = flat(pdf_text(get_pdf(client, format3, "supports/canevas.pdf?filled=true").content, tmp_path))
    for typed in CANEVAS_F3.values():
        assert typed in canevas
    assert "☑ Transparence" in canevas
    roadmap = flat(pdf_text(get_pdf(client, format3, "supports/feuille-de-route.pdf?filled=true").content, tmp_path))
    for _etape_id, title, *_rest in ETAPES:
        assert title in roadmap
    assert "2027" in roadmap and "2029" in roadmap

    blank = assert_pdf(get_pdf(client, format3, "supports/canevas.pdf"), f"support-canevas-vierge-{format3['id']}.pdf")
    blank_text = flat(pdf_text(blank, tmp_path))
    assert "Feuille de route : l'eau à Saint-Étienne" in blank_text  # the atelier's heading…
    assert CANEVAS_F3["porte_sur"] not in blank_text  # …and room to write


def test_support_html_keeps_user_html_as_text(client: TestClient) -> None:
    body = get_json(client, play_format1(client))
    for tool in SUPPORTS:
        html = render_support_html(body, tool=tool, filled=True)
        assert "<script>alert" not in html and "<b>gras" not in html, tool


# -- access ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["deliverable.pdf", "supports/cartes.pdf", "supports/matrice.pdf?filled=true"])
def test_pdfs_need_the_animateur_token(client: TestClient, path: str) -> None:
    atelier = new_atelier(client, "1")
    other = new_atelier(client, "1")
    member = join(client, atelier)
    url = f"/api/ateliers/{atelier['id']}/{path}"

    assert client.get(url, headers=bearer(atelier["animateur_token"])).status_code == 200
    cases = {
        "participant link": (bearer(atelier["participant_token"]), 403),
        "no token": ({}, 401),
        "wrong token": (bearer("x" * 32), 403),
        "another atelier's animateur token": (bearer(other["animateur_token"]), 403),
        "a member secret": (bearer(member["member_token"]), 403),
    }
    for case, (headers, status) in cases.items():
        response = client.get(url, headers=headers)
        assert response.status_code == status, case
        assert isinstance(response.json()["detail"], str), case
    unknown = client.get(f"/api/ateliers/nope/{path}", headers=bearer(atelier["animateur_token"]))
    assert unknown.status_code == 404 and isinstance(unknown.json()["detail"], str)


def test_unknown_support_is_404_json(client: TestClient) -> None:
    atelier = new_atelier(client, "1")
    for response in (
        client.get("/supports/affiche.pdf"),
        client.get(f"/api/ateliers/{atelier['id']}/supports/affiche.pdf", headers=bearer(atelier["animateur_token"])),
    ):
        assert response.status_code == 404
        assert "affiche" in response.json()["detail"]


def test_room_downloads_need_the_animation_team_cookie(client: TestClient) -> None:
    atelier = new_atelier(client, "1")
    cookie = f"atelier_{atelier['id']}"
    urls = [f"/a/{atelier['id']}/livrable.pdf", f"/a/{atelier['id']}/supports/matrice.pdf?filled=true"]

    def browser_join(token: str, first_name: str) -> str:
        form = {"first_name": first_name, "last_name": "Martin", "structure": ""}
        response = client.post(f"/a/{atelier['id']}/join/{token}", data=form, follow_redirects=False)
        assert response.status_code == 303
        secret = client.cookies[cookie]
        client.cookies.clear()
        return secret

    referent = browser_join(atelier["animateur_token"], "Alex")
    participant = browser_join(atelier["participant_token"], "Sam")
    for url in urls:
        assert client.get(url).status_code == 403  # no cookie
        client.cookies.set(cookie, participant)
        assert client.get(url).status_code == 403
        client.cookies.set(cookie, referent)
        response = client.get(url)
        assert response.status_code == 200 and response.content.startswith(b"%PDF-")
        assert response.headers["cache-control"] == "private, no-store"
        client.cookies.clear()
    client.cookies.set(cookie, referent)
    assert client.get(f"/a/{atelier['id']}/supports/affiche.pdf").status_code == 404


def test_openapi_documents_the_pdf_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/ateliers/{atelier_id}/deliverable.pdf",
        "/api/ateliers/{atelier_id}/supports/{tool}.pdf",
        "/supports/{tool}.pdf",
    ):
        operation = paths[path]["get"]
        assert operation["summary"] and operation["description"], path
        assert "application/pdf" in operation["responses"]["200"]["content"], path
    assert {"401", "403", "404"} <= set(paths["/api/ateliers/{atelier_id}/deliverable.pdf"]["get"]["responses"])
    assert not any(path.startswith("/a/") for path in paths)
