"""A démarche's files: its ateliers' deliverables in one PDF, one compte rendu for them all."""

from __future__ import annotations

import subprocess

from helpers import bearer
from starlette.testclient import TestClient
from test_demarches import add_atelier, create_demarche, run_format1


def pdf_text(content: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()


def test_the_demarche_pdf_holds_each_atelier_in_order(client: TestClient) -> None:
    demarche = create_demarche(client, title="Plan d'action de la Mairie")
    first = add_atelier(client, demarche, "1", title="Repérer les sujets de l'été")
    run_format1(client, first, {"cantine": True, "ecole": False})
    add_atelier(client, demarche, "2", title="Formuler l'engagement")
    response = client.get(
        f"/api/demarches/{demarche['id']}/deliverable.pdf", headers=bearer(demarche["animateur_token"])
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    assert text.index("Repérer les sujets de l'été") < text.index("Formuler l'engagement")
    assert "Sujet cantine" in text and "Sujet ecole" in text


def test_the_demarche_compte_rendu_gathers_the_ateliers(client: TestClient) -> None:
    demarche = create_demarche(client, title="Plan d'action de la Mairie")
    first = add_atelier(client, demarche, "1", title="Repérer les sujets")
    run_format1(client, first, {"cantine": True})
    add_atelier(client, demarche, "2", title="Formuler l'engagement")
    headers = bearer(demarche["animateur_token"])
    markdown = client.get(f"/api/demarches/{demarche['id']}/compte-rendu.md", headers=headers)
    assert markdown.status_code == 200
    lines = markdown.text.splitlines()
    assert lines[0] == "# Démarche — Plan d'action de la Mairie"
    assert lines.index("## Compte rendu — Repérer les sujets") < lines.index("## Compte rendu — Formuler l'engagement")
    assert "- Sujet cantine : À propos de cantine — sujet prioritaire" in lines
    pdf = client.get(f"/api/demarches/{demarche['id']}/compte-rendu.pdf", headers=headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "Compte rendu — Formuler l'engagement" in pdf_text(pdf.content)


def test_a_demarche_without_atelier_has_no_files_yet_and_files_need_its_token(client: TestClient) -> None:
    demarche = create_demarche(client)
    base = f"/api/demarches/{demarche['id']}"
    for name in ("deliverable.pdf", "compte-rendu.md", "compte-rendu.pdf"):
        empty = client.get(f"{base}/{name}", headers=bearer(demarche["animateur_token"]))
        assert empty.status_code == 409 and "pas encore d'atelier" in empty.json()["detail"]
        assert client.get(f"{base}/{name}").status_code == 401
        assert client.get(f"{base}/{name}", headers=bearer("faux")).status_code == 403
