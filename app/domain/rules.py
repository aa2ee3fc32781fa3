"""The rules: `decide` turns an operation into one event or refuses it; `evolve` applies an event.

`decide` never changes the state, so a refused operation changes nothing;
`evolve` never refuses, so replaying the log always succeeds.
"""

from __future__ import annotations

import math
import typing
from dataclasses import replace

from . import limits
from .after_events import AFTER_EVENTS
from .anonymise import decide_anonymise, evolve_anonymised
from .cleaning import clean_email, clean_line
from .errors import Forbidden, InvalidOperation, LimitReached, NotFound, Removed
from .events import (
    CardCreated,
    CardDeleted,
    CardPlaced,
    CardUpdated,
    Event,
    MemberJoined,
    MemberRemoved,
    MembersAnonymised,
    PriorityMarked,
    RoleSet,
    StepChanged,
    TextUpdated,
    TimerChanged,
)
from .operations import (
    AddTime,
    AfterOperation,
    AnonymiseMembers,
    CreateCard,
    DeleteCard,
    EngagementOperation,
    GotoStep,
    JoinMember,
    MarkPriority,
    NextStep,
    Operation,
    PauseTimer,
    PlaceCard,
    PreviousStep,
    RemoveMember,
    ResetTimer,
    SetRole,
    StartTimer,
    UpdateCard,
    UpdateText,
)
from .reflection import ReflectionOperation
from .reflection_events import REFLECTION_EVENTS
from .roles import ACCESS_KEEPERS, ANIMATEURS, ANIMATION_TEAM, ASSIGNABLE, CONTRIBUTORS, Role
from .rules_after import decide_after, evolve_after
from .rules_engagement import decide_engagement, evolve_engagement, may_use, text_writer_tool
from .rules_reflection import decide_draft_edit, decide_reflection, evolve_reflection, keep_private, touches_draft
from .rules_speech import decide_speech, evolve_speech, speaker_for
from .rules_votes import NO_CARD_CHANGE_DURING_VOTE, decide_vote, evolve_vote, open_vote
from .schedule import record_step_change, record_timer_start
from .speech_events import SPEECH_EVENTS
from .speech_operations import SpeechOperation
from .state import AtelierState, Card, Member, card_text
from .texts import check_update
from .timer import Timer
from .votes import VOTE_EVENTS, VoteOperation

ENGAGEMENT_OPERATIONS = typing.get_args(EngagementOperation)
AFTER_OPERATIONS = typing.get_args(AfterOperation)
REFLECTION_OPERATIONS = typing.get_args(ReflectionOperation)
VOTE_OPERATIONS = typing.get_args(VoteOperation)
SPEECH_OPERATIONS = typing.get_args(SpeechOperation)

# The actor of operations the server makes itself (a join through the HTTP form).
SYSTEM = "system"


def decide(state: AtelierState, op: Operation, actor: str, now: float) -> Event:
    """The event `op` by `actor` produces at `now`, or a DomainError."""
    if isinstance(op, JoinMember):
        return _join(state, op, actor, now)
    if isinstance(op, AnonymiseMembers):
        return decide_anonymise(state, actor, now)
    member = state.members.get(actor)
    if member is not None and member.removed:
        # Checked once here, before any rule reads the role a removed person still carries.
        raise Removed("Vous avez été retiré de l'atelier.")
    if member is not None:
        if isinstance(op, REFLECTION_OPERATIONS):
            return decide_reflection(state, op, member, now)
        if isinstance(op, VOTE_OPERATIONS):
            return decide_vote(state, op, member, now)
        if touches_draft(state, op):
            return decide_draft_edit(state, op, member)
    # During a silent reflection, new cards and ideas become their author's private drafts.
    return keep_private(state, _decide(state, op, actor, now), now)


def _decide(state: AtelierState, op: Operation, actor: str, now: float) -> Event:
    if isinstance(op, ENGAGEMENT_OPERATIONS):
        return decide_engagement(state, op, actor, now)
    member = state.members.get(actor)
    if member is None:
        raise Forbidden("Personne inconnue dans cet atelier : rejoignez-le d'abord.")
    if isinstance(op, AFTER_OPERATIONS):
        return decide_after(state, op, member, now)
    if isinstance(op, SPEECH_OPERATIONS):
        return decide_speech(state, op, member, now)
    role = member.role
    match op:
        case SetRole():
            _require(role == Role.REFERENT, "Seul le référent-animateur attribue les rôles.")
            target = _member(state, op.member_id)
            _require(target.role != Role.REFERENT, "Le rôle du référent-animateur ne change pas.")
            if target.removed:
                raise InvalidOperation("Cette personne a été retirée de l'atelier.")
            if op.role not in ASSIGNABLE:
                raise InvalidOperation("Ce rôle ne peut pas être attribué.")
            return RoleSet(member_id=target.id, role=str(op.role))
        case RemoveMember():
            _require(role in ACCESS_KEEPERS, "Seul le référent-animateur retire une personne de l'atelier.")
            target = _member(state, op.member_id)
            _require(target.role not in ACCESS_KEEPERS, "Le référent-animateur ne peut pas être retiré.")
            if target.removed:
                raise InvalidOperation("Cette personne a déjà été retirée de l'atelier.")
            return MemberRemoved(member_id=target.id, at=now)
        case GotoStep() | NextStep() | PreviousStep():
            _require(role in ANIMATEURS, "Seuls les animateurs changent d'étape.")
            return _change_step(state, _target_step(state, op), now)
        case StartTimer():
            _require(role in ANIMATEURS, "Seuls les animateurs tiennent le minuteur.")
            return TimerChanged(action="start", timer=state.timer.start(now))
        case PauseTimer():
            _require(role in ANIMATEURS, "Seuls les animateurs tiennent le minuteur.")
            return TimerChanged(action="pause", timer=state.timer.pause(now))
        case AddTime():
            _require(role in ANIMATEURS, "Seuls les animateurs tiennent le minuteur.")
            if op.seconds == 0 or abs(op.seconds) > limits.ADD_TIME_MAX_S:
                raise InvalidOperation(
                    f"Temps à ajouter (ou retirer, si négatif) : entre 1 et {limits.ADD_TIME_MAX_S} secondes."
                )
            return TimerChanged(action="add", timer=state.timer.add(op.seconds, now))
        case ResetTimer():
            _require(role in ANIMATEURS, "Seuls les animateurs tiennent le minuteur.")
            return TimerChanged(action="reset", timer=state.timer.reset())
        case CreateCard():
            _require(role in CONTRIBUTORS, "Votre rôle ne permet pas de proposer une carte.")
            if op.card_id in state.cards:
                raise InvalidOperation("Cet identifiant de carte existe déjà.")
            if len(state.cards) >= limits.CARDS_MAX:
                raise LimitReached(f"L'atelier a atteint {limits.CARDS_MAX} cartes.")
            title, description = card_text(op.title, op.description)
            speaker = speaker_for(state, member)
            return CardCreated(Card(op.card_id, title, description, actor, now, speaker_id=speaker))
        case UpdateCard():
            card = _editable_card(state, op.card_id, member)
            title, description = card_text(op.title, op.description)
            return CardUpdated(card_id=card.id, title=title, description=description)
        case DeleteCard():
            card = _editable_card(state, op.card_id, member)
            _require_no_vote(state)
            return CardDeleted(card_id=card.id)
        case PlaceCard():
            _require(role in CONTRIBUTORS, "Votre rôle ne permet pas de déplacer les cartes.")
            card = _card(state, op.card_id)
            desirability, feasibility = _position(op.desirability, op.feasibility)
            return CardPlaced(card_id=card.id, desirability=desirability, feasibility=feasibility)
        case MarkPriority():
            _require(role in ANIMATEURS, "Seuls les animateurs marquent le sujet prioritaire.")
            card = _card(state, op.card_id)
            return PriorityMarked(card_id=card.id, priority=op.priority)
        case UpdateText():
            if not state.is_text_field(op.field):
                raise NotFound(f"Champ de texte inconnu : {op.field}.")
            if op.field == "compte_rendu" and state.compte_rendu_final:
                raise InvalidOperation("Le compte rendu est finalisé : rouvrez-le pour le modifier.")
            tool = text_writer_tool(op.field)
            if tool is None:
                _require(role in ANIMATION_TEAM, "La prise de note est réservée à l'équipe d'animation.")
            else:
                _require(role in CONTRIBUTORS, "Votre rôle ne permet pas d'écrire ici.")
                _require(may_use(state, member, tool, now), "Ce champ n'est pas ouvert à cette étape du déroulé.")
            if len(op.update) > limits.TEXT_UPDATE_MAX_BYTES:
                raise LimitReached("Mise à jour de texte trop grande.")
            check_update(op.update)
            return TextUpdated(field=op.field, update=op.update)
    raise InvalidOperation("Opération inconnue.")  # pragma: no cover - the union is exhaustive


def evolve(state: AtelierState, event: Event) -> None:
    """Apply `event` to `state` in place."""
    match event:
        case MemberJoined():
            # A copy: later role changes must not rewrite the recorded event.
            state.members[event.member.id] = replace(event.member)
        case MembersAnonymised():
            evolve_anonymised(state, event)
        case RoleSet():
            state.members[event.member_id].role = Role(event.role)
        case MemberRemoved():
            state.members[event.member_id].removed = True
        case StepChanged():
            state.previous_step_index, state.step_index = state.step_index, event.index
            state.step_changed_at = event.at
            state.timer = event.timer
            record_step_change(state.step_history, event.index, event.at)
            state.speech.end(event.at)  # a tour de table belongs to its step
        case TimerChanged():
            state.timer = event.timer
            if event.action == "start":
                record_timer_start(state.step_history, state.step_index, event.timer.started_at)
        case CardCreated():
            state.cards[event.card.id] = replace(event.card)
        case CardUpdated():
            card = state.cards[event.card_id]
            card.title, card.description = event.title, event.description
        case CardDeleted():
            state.cards.pop(event.card_id, None)
        case CardPlaced():
            card = state.cards[event.card_id]
            card.desirability, card.feasibility = event.desirability, event.feasibility
        case PriorityMarked():
            state.cards[event.card_id].priority = event.priority
        case TextUpdated():
            state.texts.apply(event.field, event.update)
        case _ if event.type in AFTER_EVENTS:
            evolve_after(state, event)  # type: ignore[arg-type]
        case _ if event.type in REFLECTION_EVENTS:
            evolve_reflection(state, event)  # type: ignore[arg-type]
        case _ if event.type in VOTE_EVENTS:
            evolve_vote(state, event)  # type: ignore[arg-type]
        case _ if event.type in SPEECH_EVENTS:
            evolve_speech(state, event)  # type: ignore[arg-type]
        case _:
            evolve_engagement(state, event)  # type: ignore[arg-type]


def _join(state: AtelierState, op: JoinMember, actor: str, now: float) -> Event:
    if actor != SYSTEM:
        raise Forbidden("On rejoint un atelier par son lien.")
    if op.member_id in state.members:
        raise InvalidOperation("Cette personne a déjà rejoint l'atelier.")
    if state.anonymised_at is not None:
        raise Forbidden("Cet atelier est archivé : ses données personnelles ont été effacées, on ne le rejoint plus.")
    if len(state.members) >= limits.MEMBERS_MAX:
        raise LimitReached(f"L'atelier est complet : il compte déjà {limits.MEMBERS_MAX} personnes.")
    first_name = clean_line(op.first_name, "Le prénom", limits.NAME_MAX, required=True)
    last_name = clean_line(op.last_name, "Le nom", limits.NAME_MAX, required=True)
    structure = clean_line(op.structure, "La structure", limits.STRUCTURE_MAX, required=False)
    email = clean_email(op.email, limits.EMAIL_MAX)
    return MemberJoined(Member(op.member_id, first_name, last_name, structure, op.role, joined_at=now, email=email))


def _target_step(state: AtelierState, op: GotoStep | NextStep | PreviousStep) -> int:
    if isinstance(op, NextStep):
        index = state.step_index + 1
    elif isinstance(op, PreviousStep):
        index = state.step_index - 1
    else:
        index = op.index
    if not 0 <= index < len(state.deroule.steps):
        raise InvalidOperation("Il n'y a pas d'étape à cet endroit du déroulé.")
    return index


def _change_step(state: AtelierState, index: int, now: float) -> Event:
    # A new step starts with its own duration, stopped: the animateur launches it when ready.
    return StepChanged(index=index, timer=Timer.fresh(state.deroule.steps[index].duration_seconds), at=now)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise Forbidden(message)


def _member(state: AtelierState, member_id: str) -> Member:
    member = state.members.get(member_id)
    if member is None:
        raise NotFound("Personne introuvable dans cet atelier.")
    return member


def _card(state: AtelierState, card_id: str) -> Card:
    card = state.cards.get(card_id)
    if card is None:
        raise NotFound("Carte introuvable (peut-être supprimée).")
    return card


def _editable_card(state: AtelierState, card_id: str, member: Member) -> Card:
    card = _card(state, card_id)
    own = card.author_id == member.id and member.role in CONTRIBUTORS
    _require(own or member.role in ANIMATION_TEAM, "Vous ne pouvez modifier que vos propres cartes.")
    return card


def _require_no_vote(state: AtelierState) -> None:
    if open_vote(state):
        raise InvalidOperation(NO_CARD_CHANGE_DURING_VOTE)


def _position(desirability: float | None, feasibility: float | None) -> tuple[float | None, float | None]:
    if desirability is None and feasibility is None:
        return None, None
    if desirability is None or feasibility is None:
        raise InvalidOperation("Désirabilité et faisabilité vont ensemble.")
    for value in (desirability, feasibility):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and 0 <= value <= 1):
            raise InvalidOperation("Désirabilité et faisabilité sont des valeurs entre 0 et 1.")
    # Rounded so the log stays compact and every client renders the same spot.
    return round(float(desirability), 4), round(float(feasibility), 4)
