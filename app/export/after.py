"""Files the team takes away after the atelier: the compte rendu (Markdown, PDF) and the réseau social image."""

from __future__ import annotations

import textwrap
from typing import Any

from jinja2 import Environment

from ..domain import drafts
from ..domain.roles import Role
from ..domain.state import AtelierState
from .markdown import to_html


def compte_rendu_text(state: AtelierState) -> str:
    """The team's compte rendu as edited, or a fresh draft when nobody has written one yet."""
    return state.texts.text("compte_rendu").strip() or drafts.compte_rendu(state)


def compte_rendu_html(env: Environment, state: AtelierState) -> str:
    return env.get_template("after/compte_rendu.html").render(
        title=f"Compte rendu — {state.title}",
        header=f"{state.administration} — {state.title}",
        body=to_html(compte_rendu_text(state)),
        final=state.compte_rendu_final,
    )


def compte_rendu_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango costs start-up time the app rarely needs

    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]


def social_card_svg(env: Environment, state: AtelierState) -> str:
    headline = drafts.headline(state) or state.deroule.title
    context: dict[str, Any] = {
        "format_key": state.format_key,
        "administration": textwrap.shorten(state.administration, 48, placeholder="…"),
        "headline": headline,
        "headline_lines": textwrap.wrap(headline, 44, max_lines=3, placeholder="…"),
        "participants": sum(1 for m in state.members.values() if m.role == Role.PARTICIPANT),
        "date": drafts.french_date(state.date),
    }
    return env.get_template("after/social_card.svg").render(**context)
