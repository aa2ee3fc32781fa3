"""Rules of the dot vote: the animateur opens and closes it; each person places their own dots."""

from __future__ import annotations

from .deroule import Tool
from .errors import Forbidden, InvalidOperation, NotFound
from .roles import ANIMATEURS, CONTRIBUTORS
from .state import AtelierState, Member
from .votes import (
    VOTES_PER_PERSON_MAX,
    CloseVote,
    DotPlaced,
    DotRemoved,
    DotVote,
    OpenVote,
    PlaceDot,
    RemoveDot,
    VoteClosed,
    VoteEvent,
    VoteOpened,
    VoteOperation,
)

# The ballots name the cards of the vote: none comes or goes until it closes.
NO_CARD_CHANGE_DURING_VOTE = "Un vote est en cours : ajoutez ou supprimez des cartes après sa clôture."


def open_vote(state: AtelierState) -> DotVote | None:
    vote = state.vote
    return vote if vote is not None and vote.open else None


def decide_vote(state: AtelierState, op: VoteOperation, member: Member, now: float) -> VoteEvent:
    match op:
        case OpenVote():
            _animateur(member)
            tools = state.current_step.tools
            if Tool.CARDS not in tools and Tool.MATRIX not in tools:
                raise InvalidOperation("Le vote porte sur les cartes sujet : ouvrez-le à une étape qui les montre.")
            if open_vote(state):
                raise InvalidOperation("Un vote est déjà ouvert.")
            if not state.cards:
                raise InvalidOperation("Il n'y a pas encore de carte sur laquelle voter.")
            if not 1 <= op.votes_per_person <= VOTES_PER_PERSON_MAX:
                raise InvalidOperation(f"Points par personne : entre 1 et {VOTES_PER_PERSON_MAX}.")
            return VoteOpened(op.votes_per_person, op.multiple, state.step_index, now)
        case CloseVote():
            _animateur(member)
            vote = _current(state)
            results = {card_id: 0 for card_id in state.cards}
            for ballot in vote.ballots.values():
                for card_id, dots in ballot.items():
                    if card_id in results:
                        results[card_id] += dots
            return VoteClosed(results=results, voters=vote.voter_count(), at=now)
        case PlaceDot():
            vote = _current(state)
            _voter(member)
            if op.card_id not in state.cards:
                raise NotFound("Carte introuvable (peut-être supprimée).")
            if vote.remaining(member.id) <= 0:
                raise InvalidOperation("Vous avez placé tous vos points : retirez-en un pour changer d'avis.")
            if not vote.multiple and vote.ballot(member.id).get(op.card_id, 0) >= 1:
                raise InvalidOperation("Un seul point par carte pour ce vote.")
            voters = vote.voter_count() + (0 if any(vote.ballot(member.id).values()) else 1)
            return DotPlaced(member_id=member.id, card_id=op.card_id, voters=voters)
        case RemoveDot():
            vote = _current(state)
            _voter(member)
            ballot = vote.ballot(member.id)
            if ballot.get(op.card_id, 0) <= 0:
                raise InvalidOperation("Vous n'avez pas de point sur cette carte.")
            left = sum(ballot.values()) - 1
            voters = vote.voter_count() - (1 if left == 0 else 0)
            return DotRemoved(member_id=member.id, card_id=op.card_id, voters=voters)
    raise InvalidOperation("Opération inconnue.")  # pragma: no cover - the union is exhaustive


def _animateur(member: Member) -> None:
    if member.role not in ANIMATEURS:
        raise Forbidden("Seuls les animateurs ouvrent et closent un vote.")


def _voter(member: Member) -> None:
    if member.role not in CONTRIBUTORS:
        raise Forbidden("Votre rôle ne permet pas de voter.")


def _current(state: AtelierState) -> DotVote:
    vote = open_vote(state)
    if vote is None:
        closed = state.vote is not None
        raise InvalidOperation("Le vote est clos." if closed else "Aucun vote n'est ouvert.")
    return vote


def evolve_vote(state: AtelierState, event: VoteEvent) -> None:
    match event:
        case VoteOpened():
            state.vote = DotVote(event.votes_per_person, event.multiple, event.step_index, event.at)
        case DotPlaced():
            assert state.vote is not None
            ballot = state.vote.ballots.setdefault(event.member_id, {})
            ballot[event.card_id] = ballot.get(event.card_id, 0) + 1
        case DotRemoved():
            assert state.vote is not None
            ballot = state.vote.ballots.setdefault(event.member_id, {})
            ballot[event.card_id] = ballot.get(event.card_id, 0) - 1
            if ballot[event.card_id] <= 0:
                del ballot[event.card_id]
            if not ballot:
                del state.vote.ballots[event.member_id]
        case VoteClosed():
            assert state.vote is not None
            vote = state.vote
            vote.open, vote.results, vote.voters, vote.closed_at = False, dict(event.results), event.voters, event.at
