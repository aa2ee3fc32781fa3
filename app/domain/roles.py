"""Who may do what in an atelier (the kit's "L'équipe d'animation")."""

from enum import StrEnum


class Role(StrEnum):
    REFERENT = "referent"  # référent-animateur: everything
    CHALLENGEUR = "challengeur"  # animateur-challengeur: runs steps, holds the timer
    COMPLICE = "complice"  # keeps all the material: notes, cards
    PARTICIPANT = "participant"
    OBSERVER = "observer"  # DITP or guest: reads only

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.REFERENT: "Référent-animateur",
    Role.CHALLENGEUR: "Animateur-challengeur",
    Role.COMPLICE: "Complice",
    Role.PARTICIPANT: "Personne participante",
    Role.OBSERVER: "Observateur",
}

# Drive the déroulé and the timer, mark priorities.
ANIMATEURS = frozenset({Role.REFERENT, Role.CHALLENGEUR})
# See the whole guide, personal data, and edit any card or note.
ANIMATION_TEAM = frozenset({Role.REFERENT, Role.CHALLENGEUR, Role.COMPLICE})
# Post cards and move them on the matrix.
CONTRIBUTORS = frozenset({Role.REFERENT, Role.CHALLENGEUR, Role.COMPLICE, Role.PARTICIPANT})
# Roles the référent may give to a joined person (there is one référent: the link holder).
ASSIGNABLE = frozenset({Role.CHALLENGEUR, Role.COMPLICE, Role.PARTICIPANT, Role.OBSERVER})
# Who lets people in and out: regenerate the participant link, set its expiry, remove a person.
# Only the référent: the kit makes them the pilot who "nomme l'équipe d'animation" and "répartit les
# rôles"; the challengeur runs the steps and the timing, which needs no power over who is in the room.
ACCESS_KEEPERS = frozenset({Role.REFERENT})
