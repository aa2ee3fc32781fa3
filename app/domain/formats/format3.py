"""Format #3 « Je décris ma feuille de route », as data.

Source: DITP, « Les Ateliers "Ouverture" — Kit d'organisation et d'animation à destination des
agents publics » (mars 2021), section « Animer un atelier », Format #3, p.45 and following
(seed `003_82df8aafd4319c19.txt`, "#Format 3").

Texts are the kit's, verbatim (typos included; list items lose their trailing «,»); every double quote
of the kit is written « ». The quoted sentences the kit suggests the animateur say are moved from the
bullets to `phrases`. The conclusion has no OBJECTIF in the kit: its objective is taken from the kit's
heading « POUR BIEN CONCLURE ». Each `consigne` is ours, derived from the step's moyen. The canevas, the
fiche idée and the feuille de route are not board tools yet: only step 4 adds the MEMO (fiche memo
« Exemples de sous-actions »).
"""

from __future__ import annotations

from app.domain.deroule import Deroule, Step, Tool

# Fiche memo « Exemples de sous-actions » (Outil 2 of the kit), verbatim; bullets keep the kit's «•»
# (the trailing «,» that separate the kit's run-together bullets are dropped).
MEMO_SOUS_ACTIONS: tuple[str, ...] = (
    "Finlande (2019-2023):",
    "Engagement : « rendre les registres plus transparents de lobby plus transparents » :",
    (
        "• Inclure les données concernant les intérêts publics et privés des élus. Les membres du "
        "Gouvernement doivent soumettre leurs intérêts privés et leurs activités parallèles."
    ),
    (
        "Engagement : « le secteur public promeut le gouvernement ouvert en ouvrant au public les "
        "interfaces et données par défaut » :"
    ),
    (
        "• Un guide sur l'utilisation de l'intelligence artificielle est réalisé: elle ne doit pas "
        "permettre directement ou indirectement la production de systèmes discriminants."
    ),
    "Espagne (2020-2024):",
    "Engagement : « Améliorer la participation dans l'élaboration du Plan d'action »",
    "• Développement d'une plateforme de participation citoyenne sur le site dédié gouvernement ouvert",
    (
        "• Mobilisation de l'écosystème d'innovation des laboratoires d'innovation pour promouvoir la "
        "participation dans les institutions publiques"
    ),
    "Engagement : « éducation et formation au Gouvernement ouvert » :",
    "• Réalisation d'un guide gouvernement ouvert",
    "• Formation gouvernement ouvert à destination des agents publics",
)

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
        "Demander aux participants de se munir d'un cahier ou de feuilles de papier",
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

ENGAGEMENT = Step(
    key="engagement",
    title="Présenter l'engagement choisi et le canevas d'engagement pré-rempli",
    duration_minutes=5,
    objective="Permettre à tous les participants de comprendre et de s'appropriier le sujet d'engagement sélectionné",
    moyen=(
        (
            "Présenter à l'oral tous les éléments de présentation de l'engagement que vous avez inscrit "
            "dans le canevas pré-rempli"
        ),
    ),
    points_attention=(
        "Soyez le plus précis et le plus didactique possible pour expliquer la nature de l'engagement",
        "Demandez aux participants s'ils ont bien compris les implications et l'objectif de cet engagement",
        "Demandez-leur s'ils veulent compléter",
    ),
    tools=(Tool.CANEVAS, Tool.NOTES),
    consigne="Découvrez l'engagement et son canevas pré-rempli ; dites si vous voulez le compléter.",
)

SOUS_ACTION = Step(
    key="sous-action",
    title="Qu'est-ce qu'une « sous-action » d'un engagement",
    duration_minutes=10,
    objective="Illustrer à l'aide d'exemples concrets issus d'autres pays ce qu'est une « sous-action » à "
    "inscrire dans le Plan d'action. Permettre aux participants de bien jauger le niveau de précision des "
    "sous-actions, et leur donner des idées",
    moyen=(
        "Lire la fiche memo qui présente des exemples de sous-actions dans différents pays",
        (
            "Demander aux participants si c'est clair pour eux car cette étape est indispensable pour "
            "formuler des sous-actions dans la suite de l'atelier"
        ),
    ),
    points_attention=(
        (
            "N'allez pas trop vite lorsque vous donnez un exemple, pour que les participants aient bien le "
            "temps d'assimiler le niveau de détails / d'ambition attendu"
        ),
        (
            "Vous n'êtes pas obligé de mentionner tous les exemples: vous pouvez sélectionner 2 ou 3 "
            "exemples les plus pertinents pour votre sujet"
        ),
        ("En donnant ces exemples, vous pouvez faire le lien avec des sujets en cours/qui concernent votre engagement"),
    ),
    tools=(Tool.NOTES, Tool.MEMO),
    consigne="Découvrez des exemples de sous-actions d'autres pays pour jauger le niveau de précision attendu.",
    memo=MEMO_SOUS_ACTIONS,
)

LISTER = Step(
    key="lister",
    title="Lister les sous-actions possibles pour l'engagement choisi",
    duration_minutes=25,
    objective="Imaginer des sous-actions à mettre en place",
    moyen=(
        (
            "Lire les questions d'idéation proposées, et amener les participants à compléter les phrases en "
            "direct. Le but est de formuler ensemble des sous-actions."
        ),
        (
            "Prendre des notes synthétiques à côté des questions d'idéation: en tant qu'animateur vous "
            "aidez les participants à passer de l'idée à la formulation d'une sous-action"
        ),
        (
            "Une fois que tout le monde a pu s'exprimer, prendre le temps de balayer l'ensemble des sous "
            "actions et de demander aux participants s'il en manque ou s'ils veulent revenir sur certaines "
            "sous-actions"
        ),
    ),
    points_attention=(
        (
            "Cet échange doit se faire de façon spontanée. Si personne n'ose prendre la parole vous pouvez "
            "relancer ou demander à un participant s'il a une idée. Si toutefois le silence persiste : "
            "demandez aux participants pourquoi la question est difficile et avancer. Il faut dédramatiser"
        ),
        (
            "N'hésitez pas à reformuler les idées de sous action en direct pour assurer un niveau de "
            "précision suffisant des sous-actions proposées et vous assurer qu'elles correspondent bien à "
            "l'engagement initial"
        ),
    ),
    phrases=(
        (
            "ce n'est pas grave si ce n'est pas une sous-action parfaitement formulée, donnez-moi juste des "
            "idées si besoin"
        ),
    ),
    tools=(Tool.SOUS_ACTIONS, Tool.NOTES),
    consigne="Complétez en direct les phrases des questions d'idéation : formulons ensemble des sous-actions.",
)

FEUILLE_DE_ROUTE = Step(
    key="feuille-de-route",
    title="Dresser la feuille de route et finaliser le canevas d'engagement",
    duration_minutes=25,
    objective="Compléter la feuille de route détaillant la mise en œuvre de l'engagement à l'horizon 2023",
    moyen=(
        (
            "Reprendre les sous-actions proposées à l'étape précédente, les sélectionner et les classer "
            "chronologiquement pour faire apparaître des étapes"
        ),
        ("Jauger la durée de mise en œuvre pour chacune de ces étapes, et le livrable qu'elle permet de fournir"),
    ),
    points_attention=(
        (
            "Essayez de vous concentrer sur la succession des étapes pour vous assurer une progression "
            "cohérente jusqu'à l'engagement final : ce n'est pas grave si vous n'arrivez pas à déterminer "
            "la durée exacte"
        ),
    ),
    tools=(Tool.ROADMAP, Tool.SOUS_ACTIONS, Tool.NOTES),
    consigne="Classons les sous-actions par ordre chronologique en étapes, avec pour chacune une durée et un livrable.",
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
    # « À l'issue de l'atelier » — Format #3's own wording, less the kit's unfilled « LIEN » placeholder.
    points_attention=(
        ("Le référent-animateur envoie aux participants le lien du Google Form pour recueillir un retour d'expérience"),
        (
            "Le référent-animateur et la DITP remplissent le template réseau social pour communiquer sur "
            "l'atelier (outil 5)"
        ),
        "Le référent-animateur peut compléter les livrables si besoin",
    ),
    tools=(Tool.NOTES,),
    consigne="Merci ! Pensez à répondre au questionnaire de retour d'expérience.",
)

FORMAT_3 = Deroule(
    key="3",
    title="Je décris ma feuille de route",
    point_de_depart="Je suis expert sur le dispositif Gouvernement Ouvert, j'ai formulé mon engagement et "
    "je souhaite détailler la feuille de route pour le mettre en oeuvre",
    objective="Décliner l'engagement formalisé en des sous-actions réalisables et une feuille de route 2021-2023",
    sub_objectives=(
        "Lister des sous-actions venant nourrir un engagement",
        "Dresser la feuille de route 2021-2023 de l'administration.",
    ),
    deliverable=(
        "Un canevas d'engagement rempli et une liste de sous-actions",
        "1 questionnaire de retour d'expérience",
    ),
    steps=(INTRODUCTION, TOUR_DE_TABLE, ENGAGEMENT, SOUS_ACTION, LISTER, FEUILLE_DE_ROUTE, CONCLUSION),
    tools_provided=(
        "Canevas d'engagement (validé/rempli en amont de l'atelier)",
        "Fiche memo « Exemples de sous-actions »",
        "Fichée idée « Je liste des sous-actions »",
        "Feuille de route",
        "Template réseau social",
    ),
)
