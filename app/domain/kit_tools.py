"""The fixed content of the kit's Format 2 and 3 tools (seed 003, "Outil 2/3/4" and Format 3 "Outil 1")."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Prompt:
    key: str
    label: str


# Outil 2 « Je reformule et précise le sujet »: the sentence starters, in the kit's order.
REFORMULATION_PROMPTS = (
    Prompt("permet", "Il permet de…"),
    Prompt("ambition", "Il a l'ambition de…"),
    Prompt("table", "Il met autour de la table…"),
    Prompt("horizon", "Il est réalisable à l'horizon…"),
    Prompt("partage", "Il peut être partagé avec…"),
)


@dataclass(frozen=True)
class QuestionColumn:
    key: str
    title: str
    questions: tuple[Prompt, ...]


# Outil 3 « J'identifie des engagements »: « Quels sont les engagements à prendre pour répondre aux
# enjeux de ce sujet ? », three columns of questions, verbatim (the kit repeats one question).
ENGAGEMENT_QUESTIONS = (
    QuestionColumn(
        "communes",
        "Questions communes",
        (
            Prompt(
                "communes-1", "Qu'est-ce que je peux faire pour mieux collaborer avec la société civile au quotidien ?"
            ),
            Prompt("communes-2", "Qu'est-ce que je peux faire pour être plus transparent sur mon action ?"),
            Prompt("communes-3", "Qu'est-ce que l'on doit faire pour améliorer l'action publique ?"),
            Prompt(
                "communes-4",
                "Qu'est-ce que l'on doit faire pour créer de l'adhésion autour du projet d'administration ?",
            ),
        ),
    ),
    QuestionColumn(
        "societe-civile",
        "Société civile / citoyens",
        (
            Prompt("societe-civile-1", "Qu'est-ce que je peux faire en collaboration avec les agents publics ?"),
            Prompt("societe-civile-2", "De quelle manière aimerais-je collaborer ? Être consulté ?"),
            Prompt("societe-civile-3", "À quel moment aimerais-je collaborer ? Être consulté ?"),
            Prompt(
                "societe-civile-4",
                "Quelles informations/données ai-je besoin de connaître ? Comment j'aimerais pouvoir les consulter ?",
            ),
        ),
    ),
    QuestionColumn(
        "agent-public",
        "Agent public / administration",
        (
            Prompt("agent-public-1", "Qu'est-ce que je peux faire pour redonner du sens à mon travail ?"),
            Prompt("agent-public-2", "Qu'est-ce que je peux faire pour améliorer mon service aux citoyens ?"),
            Prompt(
                "agent-public-3",
                "Qu'est-ce que je peux faire pour améliorer la confiance des citoyens envers mon travail ?",
            ),
            Prompt("agent-public-4", "Qu'est-ce que je peux faire pour améliorer mon service aux citoyens ?"),
        ),
    ),
)
QUESTION_KEYS = frozenset(q.key for column in ENGAGEMENT_QUESTIONS for q in column.questions)


@dataclass(frozen=True)
class CanevasField:
    key: str
    label: str  # the kit's question
    starter: str  # the kit's sentence starter


# Outil 4 « Canevas d'engagement » (Format 2), verbatim.
CANEVAS_FIELDS_F2 = (
    CanevasField("titre", "Titre de l'engagement", ""),
    CanevasField(
        "porte_sur",
        "Sur quel sujet porte votre engagement ? (quel défi d'amélioration de l'action publique, "
        "caractère social (économique/politique de ce défi))",
        "Mon engagement porte sur…",
    ),
    CanevasField(
        "c_est",
        "Expliquez en deux phrases maximum en quoi consiste votre engagement ? (quelle(s) sous-action(s), "
        "mise(s) en place par qui, pour qui, avec quelle(s) moyen(s))",
        "Mon engagement c'est…",
    ),
    CanevasField(
        "va",
        "Détaillez le contenu de cet engagement (objectifs à court et moyen terme, acteurs impliqués, démarche, "
        "résultats attendus)",
        "Mon engagement va…",
    ),
)
# Format 3's « Canevas d'engagement » pré-rempli adds two fields and the three values.
CANEVAS_FIELDS_F3 = (
    *CANEVAS_FIELDS_F2,
    CanevasField("repond_a", "À quoi répond votre engagement ?", "Mon engagement répond à…"),
    CanevasField("utile_car", "En quoi votre engagement est-il utile ?", "Mon engagement est utile car…"),
)
OPEN_GOVERNMENT_VALUES = (
    Prompt("transparence", "Transparence"),
    Prompt("participation", "Participation"),
    Prompt("collaboration", "Collaboration"),
)
VALUE_KEYS = frozenset(value.key for value in OPEN_GOVERNMENT_VALUES)


def canevas_fields(format_key: str) -> tuple[CanevasField, ...]:
    return {"2": CANEVAS_FIELDS_F2, "3": CANEVAS_FIELDS_F3}.get(format_key, ())


# Format 3 step 5: the kit asks to "lire les questions d'idéation" and complete the sentences live.
SOUS_ACTION_PROMPTS = (
    "Pour mettre en œuvre cet engagement, il faudrait d'abord…",
    "Les acteurs à mobiliser sont… ; ils pourraient…",
    "Pour associer la société civile et les citoyens, on peut…",
    "Pour rendre compte de l'avancement, on publiera…",
)
