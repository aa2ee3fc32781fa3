"""Rules of the tour de table. Same contract as `rules`: `decide` refuses or returns one event
without touching the state; `evolve` applies an event and never refuses.

The animateurs (référent, challengeur) distribute the floor: the kit gives the complice the notes,
not the speaking turns (« Distribuez la parole » is in the animateur's points d'attention).
"""

from __future__ import annotations

import random

from pycrdt import Doc, Text

from .errors import Forbidden, InvalidOperation, LimitReached, NotFound
from .prompts import present_participants
from .roles import ANIMATEURS, ANIMATION_TEAM
from .speech import DEFAULT_TURN_SECONDS, ROUNDS_MAX, TURN_SECONDS_MAX, TURN_SECONDS_MIN, SpeakingRound, Turn
from .speech_events import RoundEnded, RoundStarted, SpeakingOrderSet, SpeechEvent, TurnGiven, TurnTimeSet
from .speech_operations import (
    EndRound,
    GiveTurn,
    MoveSpeaker,
    RemoveSpeaker,
    SetTurnTime,
    ShuffleRound,
    SpeechOperation,
    StartRound,
)
from .state import AtelierState, Member
from .texts import TEXT_NAME


def decide_speech(state: AtelierState, op: SpeechOperation, member: Member, now: float) -> SpeechEvent:
    if member.role not in ANIMATEURS:
        raise Forbidden("Seuls les animateurs distribuent la parole.")
    if isinstance(op, StartRound):
        if len(state.speech.rounds) >= ROUNDS_MAX:
            raise LimitReached(f"L'atelier a atteint {ROUNDS_MAX} tours de table.")
        if any(item.id == op.round_id for item in state.speech.rounds):
            raise InvalidOperation("Cet identifiant de tour de table existe déjà.")
        # The participants present, in the order they joined; animateurs present themselves first
        # (the kit) and can be given the floor too.
        order = [person.id for person in present_participants(state, op.present)]
        if op.shuffle:
            random.Random(op.seed).shuffle(order)
        seconds = _turn_seconds(op.turn_seconds) if op.turn_seconds is not None else default_turn_seconds(state)
        return RoundStarted(SpeakingRound(op.round_id, state.step_index, now, seconds, order))
    current = state.speech.current
    if current is None:
        raise InvalidOperation("Aucun tour de table en cours : lancez-en un.")
    match op:
        case ShuffleRound():
            # Who spoke keeps their place; the speaker stays next to them; the others are shuffled.
            waiting = [member_id for member_id in current.waiting() if member_id != current.speaker]
            random.Random(op.seed).shuffle(waiting)
            done = [member_id for member_id in current.order if member_id not in waiting]
            return SpeakingOrderSet(order=done + waiting)
        case MoveSpeaker():
            _member(state, op.member_id)
            order = [member_id for member_id in current.order if member_id != op.member_id]
            if not 0 <= op.index <= len(order):
                raise InvalidOperation("Il n'y a pas de place à cet endroit de l'ordre de passage.")
            order.insert(op.index, op.member_id)
            return SpeakingOrderSet(order=order)
        case RemoveSpeaker():
            if op.member_id not in current.order:
                raise NotFound("Cette personne n'est pas dans l'ordre de passage.")
            if op.member_id == current.speaker:
                raise InvalidOperation("Cette personne a la parole : passez-la d'abord à quelqu'un d'autre.")
            return SpeakingOrderSet(order=[member_id for member_id in current.order if member_id != op.member_id])
        case GiveTurn():
            target = op.member_id if op.member_id is not None else current.next_speaker()
            if target is None and current.speaker is None:
                raise InvalidOperation("Tout le monde a eu la parole : terminez le tour ou donnez-la à quelqu'un.")
            if target is not None:
                _member(state, target)
            return _turn_given(state, target, now)
        case SetTurnTime():
            return TurnTimeSet(turn_seconds=_turn_seconds(op.turn_seconds))
        case EndRound():
            return RoundEnded(at=now)
    raise InvalidOperation("Opération inconnue.")  # pragma: no cover - the union is exhaustive


def evolve_speech(state: AtelierState, event: SpeechEvent) -> None:
    speech = state.speech
    match event:
        case RoundStarted():
            speech.end(event.round.started_at)  # a new round replaces an open one
            speech.rounds.append(SpeakingRound.from_dict(event.round.to_dict()))  # a copy, as for cards
        case SpeakingOrderSet():
            if speech.current is not None:
                speech.current.order = list(event.order)
        case TurnGiven():
            current = speech.current
            if current is None:
                return
            current.close_turn(event.at)
            if event.member_id is not None:
                if event.member_id not in current.order:
                    # Given out of order: they join the order right after the one who spoke last.
                    last = current.turns[-1].member_id if current.turns else None
                    position = current.order.index(last) + 1 if last in current.order else len(current.order)
                    current.order.insert(position, event.member_id)
                current.turns.append(Turn(event.member_id, event.at))
            if event.update:
                state.texts.apply(event.field, event.update)
        case TurnTimeSet():
            if speech.current is not None:
                speech.current.turn_seconds = event.turn_seconds
        case RoundEnded():
            speech.end(event.at)


def default_turn_seconds(state: AtelierState) -> int:
    """The kit's per-person time for this step (2 min in Format 1 step 5, 1 min in Format 2 step 4)."""
    minutes = state.current_step.turn_minutes
    return minutes * 60 if minutes else DEFAULT_TURN_SECONDS


def speaker_for(state: AtelierState, author: Member) -> str | None:
    """Whom a card typed now is attributed to: the speaker, when the animation team types it for them
    (the kit: « vous prenez des notes sur les cartes sujets directement ») or they type it themselves.
    A participant posting their own idea while someone else speaks stays its only author."""
    speaker = state.speech.speaker
    if speaker is None or not (author.role in ANIMATION_TEAM or author.id == speaker):
        return None
    return speaker


def _turn_given(state: AtelierState, target: str | None, now: float) -> TurnGiven:
    field = state.note_field(state.step_index)
    if target is None:
        return TurnGiven(member_id=None, at=now, field=field, update=b"")
    line = f"Parole à {state.members[target].display_name} :"
    return TurnGiven(member_id=target, at=now, field=field, update=_appending(state, field, line))


def _appending(state: AtelierState, field: str, line: str) -> bytes:
    """An update that adds `line` on a line of its own at the end of the field's text."""
    doc: Doc[Text] = Doc()
    doc[TEXT_NAME] = shared = Text()
    doc.apply_update(state.texts.state_update(field))
    before = doc.get_state()
    text = str(shared)
    prefix = "" if not text else ("\n" if text.endswith("\n") else "\n\n")
    shared.insert(len(shared), f"{prefix}{line}\n")
    return doc.get_update(before)


def _turn_seconds(seconds: int) -> int:
    if not TURN_SECONDS_MIN <= seconds <= TURN_SECONDS_MAX:
        raise InvalidOperation(
            f"Temps de parole par personne : entre {TURN_SECONDS_MIN} secondes et {TURN_SECONDS_MAX // 60} minutes."
        )
    return seconds


def _member(state: AtelierState, member_id: str) -> Member:
    member = state.members.get(member_id)
    if member is None:
        raise NotFound("Personne introuvable dans cet atelier.")
    return member
