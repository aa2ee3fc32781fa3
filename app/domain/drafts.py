"""First drafts the animateurs edit after the atelier: the compte rendu, the réseau social post,
the thank-you mail (the kit's « Après l'atelier »). Plain text in French, from the state alone."""

from __future__ import annotations

from .kit_tools import canevas_fields
from .roles import ANIMATION_TEAM, Role
from .state import AtelierState

MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
OUTCOMES = {
    "1": "identifié des sujets d'engagement Gouvernement Ouvert",
    "2": "formulé un engagement Gouvernement Ouvert",
    "3": "dressé la feuille de route d'un engagement Gouvernement Ouvert",
}


def french_date(value: str | None) -> str:
    if not value:
        return ""
    year, month, day = (int(part) for part in value.split("-"))
    return f"{day} {MONTHS[month - 1]} {year}"


def compte_rendu(state: AtelierState) -> str:
    deroule = state.deroule
    team = [m for m in state.members.values() if m.role in ANIMATION_TEAM]
    participants = [m for m in state.members.values() if m.role == Role.PARTICIPANT]
    lines = [
        f"# Compte rendu — {state.title}",
        "",
        f"{state.administration} · {french_date(state.date) or 'date à préciser'} · "
        f"Format #{deroule.key} « {deroule.title} »",
        "",
        "## Présences",
        "",
        "Équipe d'animation : " + (", ".join(f"{m.full_name} ({m.role.label})" for m in team) or "—"),
        "",
        f"Personnes participantes ({len(participants)}) :",
        *[f"- {m.full_name}" + (f" — {m.structure}" if m.structure else "") for m in participants],
        "",
        "## Déroulé et prises de note",
    ]
    for index, step in enumerate(deroule.steps):
        notes = state.texts.text(state.note_field(index)).strip()
        lines += ["", f"### {index + 1}. {step.title} ({step.duration_minutes} min)", "", notes or "—"]
    lines += ["", "## Résultats", "", *_outcomes(state), "", "## Suites à donner", "", "- À compléter", ""]
    return "\n".join(lines)


def _outcomes(state: AtelierState) -> list[str]:
    if state.format_key == "1":
        cards = list(state.cards.values())
        lines = [f"Sujets identifiés ({len(cards)}) :"]
        for card in cards:
            place = (
                f" (désirabilité {round(card.desirability * 100)} %, faisabilité {round(card.feasibility * 100)} %)"
                if card.desirability is not None and card.feasibility is not None
                else ""
            )
            star = " — sujet prioritaire" if card.priority else ""
            lines.append(f"- {card.title}" + (f" : {card.description}" if card.description else "") + place + star)
        return lines
    lines = [f"Sujet : {state.subject.title}" if state.subject else "Sujet : à préciser"]
    if state.reformulations or state.ideas:
        counts = f"{len(state.reformulations)} reformulation(s) du sujet, {len(state.ideas)} idée(s) d'engagements."
        lines.append(counts)
    lines += ["", "Canevas d'engagement :"]
    for field in canevas_fields(state.format_key):
        text = state.texts.text(state.canevas_field(field.key)).strip()
        lead = field.starter.rstrip("…") if field.starter else f"{field.label} :"
        # People often type the kit's sentence starter themselves: don't say it twice.
        said = text.casefold().startswith(lead.casefold())
        lines.append(f"- {text}" if said else f"- {lead} {text or '(à compléter)'}")
    if state.canevas_values:
        lines.append("- Valeurs : " + ", ".join(value.capitalize() for value in state.canevas_values))
    active = [item for item in state.sous_actions.values() if item.merged_into is None]
    if active:
        lines.append(f"Sous-actions ({len(active)}) :")
        lines += [f"- {state.texts.text(item.field).strip()}" for item in active]
    if state.roadmap.etapes:
        lines.append("Feuille de route :")
        for number, etape in enumerate(state.roadmap.etapes, start=1):
            details = ", ".join(
                part
                for part in (
                    etape.start and f"début {etape.start}",
                    etape.duration_months and f"{etape.duration_months} mois",
                    etape.owner and f"pilote : {etape.owner}",
                    etape.livrable and f"livrable : {etape.livrable}",
                )
                if part
            )
            lines.append(f"{number}. {etape.title}" + (f" ({details})" if details else ""))
    return lines


def social_post(state: AtelierState) -> str:
    participants = sum(1 for m in state.members.values() if m.role == Role.PARTICIPANT)
    subject = headline(state)
    return (
        f"Atelier Ouverture à {state.administration} : {participants} personnes — agents publics, "
        f"société civile, citoyens — ont {OUTCOMES[state.format_key]}"
        + (f" : « {subject} »" if subject else "")
        + ". Merci à toutes et à tous ! #GouvernementOuvert #OGP"
    )


def thank_you_mail(state: AtelierState, link: str) -> str:
    referent = next((m.full_name for m in state.members.values() if m.role == Role.REFERENT), "")
    return "\n".join(
        [
            f"Objet : Merci pour votre participation à l'atelier « {state.title} »",
            "",
            "Bonjour à toutes et à tous,",
            "",
            f"Merci d'avoir participé à l'atelier « {state.title} »"
            + (f" du {french_date(state.date)}" if state.date else "")
            + f". Ensemble, nous avons {OUTCOMES[state.format_key]}.",
            "",
            "Le livrable de l'atelier est joint à ce message."
            + (f" Les travaux restent consultables en ligne : {link}" if link else ""),
            "",
            "Prochaines étapes :",
            "- À compléter (groupe de travail, prochain atelier, point de contact)",
            "",
            "Si vous ne l'avez pas encore fait, merci de répondre au questionnaire de retour d'expérience.",
            "",
            "Bien cordialement,",
            referent,
        ]
    ).rstrip()


def headline(state: AtelierState) -> str:
    """The atelier in one line: its priority subjects, or its engagement."""
    if state.format_key == "1":
        priority = [card.title for card in state.cards.values() if card.priority]
        return " ; ".join(priority)
    title = state.texts.text(state.canevas_field("titre")).strip()
    return title or (state.subject.title if state.subject else "")
