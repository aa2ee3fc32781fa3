"""Format #1 « J'identifie des sujets Gouvernement Ouvert », as data.

Source: DITP, « Les Ateliers "Ouverture" — Kit d'organisation et d'animation à destination des
agents publics » (mars 2021), section « Animer un atelier », Format #1, p.25 and following
(seed `003_82df8aafd4319c19.txt`, "#Format 1").

Texts are the kit's, verbatim; every double quote of the kit is written « ». The quoted sentences the
kit suggests the animateur say are moved from the bullets to `phrases`. The conclusion has no OBJECTIF in
the kit: its objective is taken from the kit's heading « POUR BIEN CONCLURE ». Each `consigne` is ours,
derived from the step's moyen.
"""

from __future__ import annotations

from app.domain.deroule import Deroule, Step, Tool

# Fiche memo shown during step 3. The kit only reproduces part 3 of Outil 1 « Qu'est-ce que le
# Gouvernement Ouvert » (its third paragraph is printed twice in the kit; it is kept once here).
# The « Un bon sujet Gouvernement Ouvert » part is a summary built only from kit sentences: the
# contexte (transparence, participation, collaboration), Outil 1, the three enjeux of the
# Définition, step 4's consigne, step 6's matrice and Format #3's « exigences Gouvernement Ouvert ».
MEMO_BON_SUJET: tuple[str, ...] = (
    "Qu'est-ce que le Gouvernement Ouvert",
    "En quoi suis-je concerné ?",
    (
        "Le Gouvernement ouvert s'adresse à tous : chaque agent public, acteur de la société civile et "
        "citoyen peut contribuer à la démarche pour proposer ou enrichir des engagements changeant "
        "réellement la vie et les droits des citoyens, et améliorant l'efficacité des politiques publiques."
    ),
    (
        "L'ensemble des champs de l'action publique sont concernés : la santé, le numérique, le budget, "
        "l'environnement, la participation citoyenne, l'information, le sport..."
    ),
    (
        "Que vous soyez agent public, membre de la société civile ou citoyen, vous êtes concerné(e) : au "
        "cours de cet atelier (et) vous allez pouvoir vous exprimer sur les sujets qui vous touchent, "
        "catalyser les bonnes idées, faire connaître les initiatives en cours."
    ),
    "Un bon sujet Gouvernement Ouvert",
    ("• améliore la transparence, la participation, et la collaboration avec la société civile et les citoyens ;"),
    ("• change réellement la vie et les droits des citoyens, et améliore l'efficacité des politiques publiques ;"),
    (
        "• répond aux enjeux : redonner du sens au travail pour les agents publics, améliorer le service "
        "rendu aux citoyens, susciter l'adhésion et la confiance des citoyens autour de ce service ;"
    ),
    "• vous tient à cœur et donne envie de vous engager ;",
    "• répond aux exigences Gouvernement Ouvert : périmètre suffisamment précis, utilité, faisabilité.",
)

INTRODUCTION = Step(
    key="introduction",
    title="Introduction",
    duration_minutes=10,
    objective="Lancer l'atelier, installer un cadre propice à la discussion collective",
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

BON_SUJET = Step(
    key="bon-sujet",
    title="Qu'est-ce qu'un bon sujet Gouvernement Ouvert",
    duration_minutes=10,
    objective="Expliquer le contexte Gouvernement Ouvert et donner un cadre à l'échange",
    moyen=(
        (
            "Présenter aux participants ce qu'est le Gouvernement Ouvert à l'aide des slides: parcourir les "
            "slides avec eux et expliciter les points saillants à voix haute"
        ),
        "Expliquer en quoi consiste un bon sujet Gouvernement Ouvert en parcourant la fiche memo",
    ),
    points_attention=("Ne pas aller trop vite et s'assurer que tout le monde a bien compris le contexte",),
    tools=(Tool.NOTES, Tool.MEMO),
    consigne="Découvrez le Gouvernement Ouvert et ce qui fait un bon sujet d'engagement (fiche memo).",
    memo=MEMO_BON_SUJET,
)

IDENTIFIER = Step(
    key="identifier",
    title="Identifier les sujets d'engagement de mon administration",
    duration_minutes=10,
    objective="Amener les participants à défricher les sujets pertinents d'engagement",
    moyen=(
        "Expliquer la consigne",
        "Inviter les participants à identifier 1 à 2 sujets par personne, en s'aidant des questions",
    ),
    points_attention=("Pour lancer les participants, vous pouvez leur donner des exemples de sujet",),
    phrases=(
        (
            "Le but de ce temps est d'identifier les sujets d'engagement de l'administration. Ce sujet doit "
            "aussi vous tenir à cœur et donner envie de vous engager."
        ),
        (
            "On se laisse 5 min de réflexion individuelle et silencieuse pour identifier 1 ou 2 sujets par "
            "personne. Juste après, nous discuterons de ces sujets"
        ),
    ),
    tools=(Tool.NOTES, Tool.CARDS),
    consigne="Réflexion individuelle et silencieuse (5 min) : identifiez 1 ou 2 sujets d'engagement qui "
    "vous tiennent à cœur.",
)

LISTER = Step(
    key="lister",
    title="Lister et qualifier les sujets d'engagement de mon administration",
    duration_minutes=35,
    objective="Mettre en commun les sujets identifiés individuellement",
    moyen=(
        "Expliquer aux participants le but de la mise en commun",
        (
            "Lancer le tour de table, chaque participant explique son sujet en 2 min maximum. En tant "
            "qu'animateur vous prenez des notes sur les cartes sujets directement (titre et description en "
            "une phrase)."
        ),
    ),
    points_attention=(
        "Le tour de table doit être dynamique, en tant qu'animateur vous devez rythmer le tour de table",
        "Prenez des notes directement sur les cartes sujets et invitez les participants à la synthèse",
    ),
    phrases=(
        (
            "Les 5 min sont écoulées, tour à tour, nous allons présenter nos idées de sujet. Pour "
            "l'instant, je note juste, nous ne débattons pas des sujets, cela viendra dans un second temps."
        ),
        "si vous deviez décrire votre sujet en une phrase c'est...",
    ),
    tools=(Tool.NOTES, Tool.CARDS),
    consigne="Tour à tour, présentez votre sujet en 2 min maximum : un titre et une description en une phrase.",
    turn_minutes=2,  # « chaque participant explique son sujet en 2 min maximum »
)

MATRICE = Step(
    key="matrice",
    title="Classer les sujets d'engagement selon leur désirabilité/faisabilité",
    duration_minutes=10,
    objective="Classer les sujets pour in fine identifier les bons sujets d'engagements",
    moyen=(
        "Expliquer la consigne",
        (
            "Reprendre l'ensemble des cartes sujets. Copier-coller la carte sujet sur la matrice et "
            "demander aux participants de la positionner sur la matrice"
        ),
        (
            "Faire de même pour l'ensemble des cartes sujets, à la fin du temps, vous devriez avoir "
            "positionné toutes les cartes sur la matrice."
        ),
    ),
    points_attention=(
        ("Jouez avec la matrice: les cartes sont déplaçables, vous pouvez les réorganiser à votre bon vouloir"),
        (
            "Dédramatiser auprès des participants le positionnement sur la matrice: c'est un exercice de "
            "classement, ce n'est pas grave s'il y a des approximations"
        ),
    ),
    phrases=(
        (
            "Maintenant que nous avons une liste de sujets en tête, nous allons les hiérarchiser en "
            "fonction de leur faisabilité et de leur désirabilité pour identifier les sujets les plus "
            "à-mêmes de faire l'objet d'engagements."
        ),
        ("Selon vous, où devrait-on positionner ce sujet? Est-il faisable? Avez-vous envie d'y prendre part?"),
    ),
    tools=(Tool.NOTES, Tool.CARDS, Tool.MATRIX),
    consigne="Positionnez chaque carte sujet sur la matrice : est-il faisable ? Avez-vous envie d'y prendre part ?",
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

FORMAT_1 = Deroule(
    key="1",
    title="J'identifie des sujets Gouvernement Ouvert",
    point_de_depart="Je suis novice, je souhaite découvrir le Gouvernement Ouvert et identifier des sujets "
    "d'engagement",
    objective="Identifier des thématiques Gouvernement Ouvert, faire émerger des potentiels sujets d'engagement",
    sub_objectives=(
        "Recueillir des remontées de terrain des agents publics, de la société civile, des citoyens",
        "Identifier les bons sujets Gouvernement Ouvert et les qualifier",
        "Déterminer le(s) sujet(s) prioritaire(s) en 2021",
    ),
    deliverable=(
        ("Une « fiche sujets » qui répertorie les cartes sujets remplies pendant l'atelier, placées sur la matrice"),
        "1 questionnaire de retour d'expérience",
    ),
    steps=(INTRODUCTION, TOUR_DE_TABLE, BON_SUJET, IDENTIFIER, LISTER, MATRICE, CONCLUSION),
    tools_provided=(
        "Fiche memo « Qu'est-ce que le Gouvernement Ouvert »",
        "Fiche memo « Un bon sujet Gouvernement Ouvert »",
        "Fiche idée « Quel sujet d'engagement »",
        "Cartes sujet",
        "Matrice sujet",
        "Template réseau social",
    ),
)
