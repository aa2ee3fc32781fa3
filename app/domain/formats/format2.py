"""Format #2 « Je circonscris le sujet et je formule mon engagement », as data.

Source: DITP, « Les Ateliers "Ouverture" — Kit d'organisation et d'animation à destination des
agents publics » (mars 2021), section « Animer un atelier », Format #2, p.35 and following
(seed `003_82df8aafd4319c19.txt`, "#Format 2").

Texts are the kit's, verbatim; every double quote of the kit (straight or curly) is written « », and
curly apostrophes are written '. The quoted sentences the kit suggests the animateur say are moved from
the bullets to `phrases`. The conclusion has no OBJECTIF in the kit: its objective is taken from the
kit's heading « POUR BIEN CONCLURE ». Each `consigne` is ours, derived from the step's moyen.
The fiches idée and the canevas d'engagement are not board tools yet: every step opens NOTES only.
"""

from __future__ import annotations

from app.domain.deroule import Deroule, Step, Tool

INTRODUCTION = Step(
    key="introduction",
    title="Introduction",
    duration_minutes=10,
    objective="Lancer l'atelier, installer un cadre propice à la discussion collective.",
    moyen=(
        "Saluer et remercier les participants d'être présents",
        "Se présenter et expliquer son rôle en tant qu'animateur",
        "Présenter le contexte « Gouvernement ouvert »",
        "Présenter le contexte des Ateliers : l'objectif de l'administration, le livrable attendu",
        "Rappeler la raison d'être et l'objectif de l'atelier",
        "Rappeler succinctement le déroulé",
        (
            "Présenter les règles de l'atelier : écoute, bienveillance, expression synthétique, faire "
            "confiance au process"
        ),
        "Demander aux participants de se munir d'un cahier ou de feuilles de papier.",
    ),
    points_attention=(
        "Assurez-vous que les participants aient bien compris l'objectif de l'atelier",
        (
            "Embarquez les participants: soyez clairs dans vos propos, adoptez un ton dynamique et "
            "rassurant! En tant que pilote de l'atelier, c'est vous qui donnez le ton"
        ),
    ),
    phrases=(
        (
            "l'objectif est de faire de cet atelier un temps de recueil des besoins et envies de "
            "l'administration et de la société civile sur le sujet pré identifié. Il s'agit d'un temps "
            "d'échange d'expertise"
        ),
        "Est-ce que c'est clair pour vous? Avez-vous des questions avant que l'on commence?",
    ),
    tools=(Tool.NOTES,),
    consigne="Bienvenue ! Munissez-vous d'un cahier ou de feuilles de papier ; nos règles : écoute, "
    "bienveillance, expression synthétique.",
)

TOUR_DE_TABLE = Step(
    key="tour-de-table",
    title="Tour de table",
    duration_minutes=10,
    objective="Se présenter, installer un climat de confiance au sein du groupe",
    moyen=(
        (
            "Inviter les participants à se présenter (prénom, nom, poste) et à donner la raison pour "
            "laquelle ils sont présents"
        ),
    ),
    points_attention=(
        "Commencez par vous présenter vous en tant qu'animateur",
        "Distribuez la parole",
        "Remerciez les participants à chaque intervention",
    ),
    phrases=("Merci! Maintenant, je passe la parole à [prénom]",),
    tools=(Tool.NOTES,),
    consigne="Présentez-vous (prénom, nom, poste) et dites pourquoi vous êtes là.",
)

SUJET = Step(
    key="sujet",
    title="Prendre connaissance du sujet d'engagement",
    duration_minutes=5,
    objective="Porter à la connaissance des participants le sujet d'engagement choisi",
    moyen=("Expliquer aux participants le sujet, étayer la description de la carte sujet à l'oral",),
    points_attention=("Vous pouvez expliquer pourquoi ce sujet a été retenu plutôt qu'un autre",),
    tools=(Tool.SUBJECT, Tool.NOTES),
    consigne="Découvrez le sujet d'engagement retenu, présenté à partir de sa carte sujet.",
)

REFORMULER = Step(
    key="reformuler",
    title="S'approprier et reformuler le sujet d'engagement",
    duration_minutes=10,
    objective="Faciliter l'appropriation individuelle du sujet pour y associer des actions dans un second temps",
    moyen=(
        (
            "Inviter les participants à proposer une reformulation personnelle du sujet choisi: ce sujet "
            "m'évoque... Pour moi, il signifie... Il implique que..."
        ),
        (
            "Lancer un tour de table sur la base du volontariat, donner 1 min à chaque personne pour "
            "proposer sa reformulation"
        ),
        "Prendre des notes en même temps",
    ),
    points_attention=(
        (
            "Préciser que cet exercice n'est pas une interrogation surprise mais bien une façon de "
            "défricher le sujet de façon collective pour aller plus loin"
        ),
    ),
    tools=(Tool.SUBJECT, Tool.REFORMULATIONS, Tool.NOTES),
    consigne="Si vous le souhaitez, reformulez le sujet avec vos mots en 1 min : ce sujet m'évoque... "
    "Pour moi, il signifie...",
    turn_minutes=1,  # « donner 1 min à chaque personne pour proposer sa reformulation »
)

ENGAGEMENTS = Step(
    key="engagements",
    title="Ouvrir la réflexion sur les engagements à prendre",
    duration_minutes=20,
    objective="Réfléchir collectivement aux engagements possibles",
    moyen=(
        (
            "Présenter aux participants l'objectif final : compléter le canevas d'engagement. Ainsi ils "
            "auront en tête les objectifs de production de l'atelier."
        ),
        "Expliquer la consigne",
        (
            "Passer à la slide « Quels sont les engagements à prendre pour répondre aux enjeux de ce sujet "
            "». Inviter les participants à réfléchir individuellement pendant 5 min aux questions posées. "
            "Ils peuvent noter leur réflexion sur une feuille de papier."
        ),
        "Mettre en commun les réflexions individuelles.",
    ),
    points_attention=(
        (
            "Si vous sentez que les participants ne sont pas inspirés, vous pouvez proposer des choses pour "
            "les faire réagir."
        ),
    ),
    phrases=(
        (
            "Avant de compléter ce canva d'engagement, nous allons réfléchir collectivement aux engagements "
            "à prendre pour répondre aux enjeux de notre sujet."
        ),
    ),
    tools=(Tool.SUBJECT, Tool.IDEAS, Tool.NOTES),
    consigne="Réflexion individuelle (5 min) : quels engagements prendre pour répondre aux enjeux de ce "
    "sujet ? Notez vos idées, puis nous les mettrons en commun.",
)

CANEVAS = Step(
    key="canevas",
    title="Formuler un engagement pour compléter le canevas",
    duration_minutes=30,
    objective="Compléter le canevas d'engagement",
    moyen=(
        "Expliquer la consigne",
        "Animer la discussion et prendre des notes en direct sur le canevas d'engagement.",
    ),
    # « Points d'attention et conseils pour l'animation »
    points_attention=(
        (
            "Ne vous préoccupez pas de la qualité rédactionnelle de la prise de note. Vous pourrez y "
            "revenir après l'atelier, la priorité est de recueillir le maximum d'éléments."
        ),
        ("Si les participants ne sont pas inspirés par une rubrique: ne vous bloquez pas, passez à une autre rubrique"),
    ),
    phrases=("Après cette discussion, nous sommes prêts à remplir le canevas d'engagement",),
    tools=(Tool.CANEVAS, Tool.IDEAS, Tool.NOTES),
    consigne="Ensemble, formulons l'engagement et complétons le canevas : son titre, ce sur quoi il porte, "
    "ce qu'il est, ce qu'il va faire.",
)

CONCLUSION = Step(
    key="conclusion",
    title="Conclusion",
    duration_minutes=5,
    objective="Bien conclure l'atelier",
    # « POUR BIEN CONCLURE, PENSEZ À »
    moyen=(
        "Remercier les participants",
        (
            "Expliquer la suite donnée à ces travaux (création d'un groupe de travail, prochain atelier, "
            "point de contact, etc)"
        ),
        "S'assurer d'avoir bien recueilli toutes les adresses mails des participants",
        ("Rappeler aux participants de bien renvoyer le questionnaire (Google Form) qui leur sera adressé par mail"),
    ),
    # « À l'issue de l'atelier »
    points_attention=(
        (
            "Le référent-animateur envoie aux participants le lien du questionnaire pour recueillir un "
            "retour d'expérience"
        ),
        ("Le référent-animateur et la DITP remplissent le template réseau social pour communiquer sur l'atelier"),
        "Le référent-animateur peut compléter les livrables si besoin",
    ),
    tools=(Tool.NOTES,),
    consigne="Merci ! Pensez à répondre au questionnaire de retour d'expérience.",
)

FORMAT_2 = Deroule(
    key="2",
    title="Je circonscris le sujet et je formule mon engagement",
    point_de_depart="Je connais le dispositif Gouvernement Ouvert, j'ai déjà identifié un sujet "
    "d'engagement, je souhaite le préciser et commencer à remplir le canevas d'engagement",
    objective="Qualifier et préciser le sujet retenu, formuler un engagement opérationnel (sans rentrer "
    "dans les détails d'une feuille de route)",
    sub_objectives=(
        "Formuler un engagement à intégrer au Plan d'action",
        "Commencer à remplir le canevas d'engagement",
    ),
    deliverable=(
        "Un « canevas d'engagement » pré-rempli",
        "1 questionnaire de retour d'expérience",
    ),
    steps=(INTRODUCTION, TOUR_DE_TABLE, SUJET, REFORMULER, ENGAGEMENTS, CANEVAS, CONCLUSION),
    tools_provided=(
        "Carte sujet (validée/remplie en amont de l'atelier)",
        "Fiche idée « Je reformule et précise le sujet »",
        "Fiche idée « J'identifie des engagements »",
        "Canevas d'engagement",
        "Template réseau social",
    ),
)
