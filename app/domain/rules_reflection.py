"""Rules of the silent reflection: start it, keep what people write private, reveal it all at once."""

from __future__ import annotations

from dataclasses import replace

from . import limits
from .deroule import Tool
from .engagement_events import IdeaCreated
from .errors import Forbidden, InvalidOperation, LimitReached, NotFound
from .events import CardCreated, Event
from .items import Idea
from .operations import DeleteCard, DeleteIdea, Operation, UpdateCard, UpdateIdea
from .reflection import CARDS, IDEAS, PrivateDraft, Reflection, ReflectionOperation, Reveal, StartReflection
from .reflection_events import (
    DraftDeleted,
    DraftRewritten,
    DraftsRevealed,
    DraftWritten,
    ReflectionEvent,
    ReflectionStarted,
)
from .roles import ANIMATEURS, ANIMATION_TEAM, CONTRIBUTORS
from .rules_engagement import _question, _text
from .rules_votes import NO_CARD_CHANGE_DURING_VOTE, open_vote
from .state import AtelierState, Card, Member, card_text

DRAFT_EDITS = (UpdateCard, DeleteCard, UpdateIdea, DeleteIdea)


def decide_reflection(state: AtelierState, op: ReflectionOperation, member: Member, now: float) -> Event:
    if member.role not in ANIMATEURS:
        raise Forbidden("Seuls les animateurs lancent la réflexion individuelle et révèlent les brouillons.")
    reflection = state.reflection
    if isinstance(op, StartReflection):
        tools = state.current_step.tools
        kind = CARDS if Tool.CARDS in tools else IDEAS if Tool.IDEAS in tools else None
        if kind is None:
            raise InvalidOperation("La réflexion individuelle porte sur les cartes sujet ou les idées : "
                                   "cette étape n'en a pas.")  # fmt: skip
        if reflection.open and reflection.step_index == state.step_index:
            raise InvalidOperation("La réflexion individuelle est déjà lancée à cette étape.")
        return ReflectionStarted(step_index=state.step_index, kind=kind, at=now)
    if not reflection.open and not reflection.drafts:
        raise InvalidOperation("Il n'y a pas de réflexion individuelle à révéler.")
    drafts = list(reflection.drafts.values())
    if state.vote is not None and state.vote.open and any(draft.kind == CARDS for draft in drafts):
        raise InvalidOperation("Un vote est en cours : révélez les brouillons après sa clôture.")
    anonymous = op.anonymous
    return DraftsRevealed(
        anonymous=anonymous,
        at=now,
        step_index=reflection.step_index,
        kind=reflection.kind,
        cards=tuple(_card(draft, anonymous) for draft in drafts if draft.kind == CARDS),
        ideas=tuple(_idea(draft, anonymous) for draft in drafts if draft.kind == IDEAS),
    )


def _card(draft: PrivateDraft, anonymous: bool) -> Card:
    author = "" if anonymous else draft.author_id
    return Card(draft.id, draft.title, draft.description, author, draft.created_at, anonymous=anonymous)


def _idea(draft: PrivateDraft, anonymous: bool) -> Idea:
    author = "" if anonymous else draft.author_id
    return Idea(draft.id, author, draft.created_at, draft.question, draft.text, anonymous=anonymous)


def accepting(state: AtelierState, kind: str, now: float, author: Member | None = None) -> bool:
    """Whether a card/idea written now is a private draft: in the reflection's step, or, for a
    participant, just after the animateur left it (a draft in flight when the step changes must not
    be published; the équipe d'animation, who moved on, writes in the new step)."""
    reflection = state.reflection
    if reflection.accepts(state.step_index, kind):
        return True
    return (
        author is not None
        and author.role not in ANIMATION_TEAM
        and reflection.accepts(reflection.step_index, kind)
        and state.previous_step_index == reflection.step_index
        and now - state.step_changed_at <= limits.TOOL_GRACE_S
    )


def keep_private(state: AtelierState, event: Event, now: float) -> Event:
    """A card or idea created during the reflection becomes its author's private draft.

    A public card cannot appear while a vote is open (a draft can: it is not on the ballots)."""
    if not isinstance(event, (CardCreated, IdeaCreated)):
        return event
    item = event.card if isinstance(event, CardCreated) else event.idea
    reflection = state.reflection
    if item.id in reflection.drafts:  # the same answer as for a card's id: a draft's existence stays private
        what = "de carte" if isinstance(event, CardCreated) else "de idée"  # as rules and rules_engagement say
        raise InvalidOperation(f"Cet identifiant {what} existe déjà.")
    kind = CARDS if isinstance(event, CardCreated) else IDEAS
    if not accepting(state, kind, now, state.members.get(item.author_id)):
        if kind == CARDS and open_vote(state):
            raise InvalidOperation(NO_CARD_CHANGE_DURING_VOTE)
        return event
    # Drafts count with the items they will become, so a reveal never goes past the limit.
    drafts_of_kind = sum(1 for draft in reflection.drafts.values() if draft.kind == kind)
    existing, maximum, what = (
        (len(state.cards), limits.CARDS_MAX, "cartes")
        if kind == CARDS
        else (len(state.ideas), limits.IDEAS_MAX, "idées")
    )
    if existing + drafts_of_kind >= maximum:
        raise LimitReached(f"L'atelier a atteint {maximum} {what}, brouillons compris.")
    if isinstance(event, CardCreated):
        card = event.card
        draft = PrivateDraft(card.id, card.author_id, card.created_at, CARDS, card.title, card.description)
    else:
        idea = event.idea
        draft = PrivateDraft(idea.id, idea.author_id, idea.created_at, IDEAS, question=idea.question, text=idea.text)
    drafts, authors = _counts(reflection, plus=draft)
    return DraftWritten(author_id=draft.author_id, draft=draft, drafts=drafts, authors=authors)


def touches_draft(state: AtelierState, op: Operation) -> bool:
    if isinstance(op, (UpdateCard, DeleteCard)):
        return op.card_id in state.reflection.drafts
    if isinstance(op, (UpdateIdea, DeleteIdea)):
        return op.idea_id in state.reflection.drafts
    return False


def decide_draft_edit(state: AtelierState, op: Operation, member: Member) -> Event:
    """Its author rewrites or deletes a draft; to anyone else it does not exist."""
    draft_id = op.card_id if isinstance(op, (UpdateCard, DeleteCard)) else op.idea_id  # type: ignore[union-attr]
    reflection = state.reflection
    draft = reflection.drafts[draft_id]
    if draft.author_id != member.id or member.role not in CONTRIBUTORS:
        raise NotFound("Carte introuvable (peut-être supprimée).")
    if isinstance(op, (DeleteCard, DeleteIdea)):
        drafts, authors = _counts(reflection, minus=draft)
        return DraftDeleted(author_id=member.id, draft_id=draft.id, drafts=drafts, authors=authors)
    if isinstance(op, UpdateCard):
        title, description = card_text(op.title, op.description)
        new = replace(draft, title=title, description=description)
    elif isinstance(op, UpdateIdea):
        new = replace(draft, question=_question(op.question), text=_text(op.text, "L'idée"))
    else:  # pragma: no cover - touches_draft lets only the four edits through
        raise InvalidOperation("Opération inconnue.")
    drafts, authors = reflection.counts()
    return DraftRewritten(author_id=member.id, draft=new, drafts=drafts, authors=authors)


def _counts(
    reflection: Reflection, *, plus: PrivateDraft | None = None, minus: PrivateDraft | None = None
) -> tuple[int, int]:
    drafts = dict(reflection.drafts)
    if plus is not None:
        drafts[plus.id] = plus
    if minus is not None:
        drafts.pop(minus.id, None)
    return len(drafts), len({draft.author_id for draft in drafts.values()})


def evolve_reflection(state: AtelierState, event: ReflectionEvent) -> None:
    reflection = state.reflection
    match event:
        case ReflectionStarted():
            reflection.open, reflection.step_index, reflection.kind = True, event.step_index, event.kind
            reflection.started_at = event.at
        case DraftWritten() | DraftRewritten():
            reflection.drafts[event.draft.id] = replace(event.draft)
        case DraftDeleted():
            reflection.drafts.pop(event.draft_id, None)
        case DraftsRevealed():
            for card in event.cards:
                state.cards[card.id] = replace(card)
            for idea in event.ideas:
                state.ideas[idea.id] = replace(idea)
            count = len(event.cards) + len(event.ideas)
            reflection.reveals.append(Reveal(event.step_index, event.kind, event.anonymous, event.at, count))
            reflection.drafts.clear()
            reflection.open = False
