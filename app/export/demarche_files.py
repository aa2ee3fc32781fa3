"""A démarche's files: its ateliers' deliverables as one PDF, and one compte rendu for them all."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..rendering import TEMPLATES_DIR
from .pdf import PRINT_CSS, render_deliverable_html


def demarche_pdf(bodies: Sequence[Mapping[str, Any]]) -> bytes:
    """Each atelier's deliverable in the démarche's order (#1 → #2 → #3), one after the other.

    Each part keeps its own cover and page numbers: it is also sent on its own.
    """
    from weasyprint import CSS, HTML  # here: Pango's load time is paid by the first PDF, not at start-up
    from weasyprint.urls import URLFetcher

    stylesheet = CSS(filename=str(PRINT_CSS))
    documents = [
        HTML(
            string=render_deliverable_html(body),
            base_url=str(TEMPLATES_DIR),
            url_fetcher=URLFetcher(allowed_protocols=()),  # the templates load nothing from anywhere
        ).render(stylesheets=[stylesheet])
        for body in bodies
    ]
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()  # type: ignore[no-any-return]


def demarche_compte_rendu(*, title: str, administration: str, parts: Sequence[str]) -> str:
    """The ateliers' comptes rendus under one title; their own headings move one level down."""
    lines = [f"# Démarche — {title}", "", administration, ""]
    for part in parts:
        for line in part.splitlines():
            lines.append("#" + line if line.startswith("#") and not line.startswith("###") else line)
        lines.append("")
    return "\n".join(lines)
