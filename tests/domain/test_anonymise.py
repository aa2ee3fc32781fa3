"""Anonymising an atelier: labels in join order, names replaced in texts, the log still replays."""

from __future__ import annotations

import base64
import json

import pytest
from atelier_builders import NOW, apply_op, client_update

from app.domain.anonymise import purged_event
from app.domain.errors import Forbidden, InvalidOperation
from app.domain.events import event_from_dict, event_to_dict
from app.domain.operations import AnonymiseMembers, JoinMember, UpdateText
from app.domain.roles import Role
from app.domain.rules import SYSTEM, decide, evolve
from app.domain.state import AtelierState

NOTES = "notes:0"


def atelier() -> tuple[AtelierState, list[dict[str, object]]]:
    state = AtelierState.new(atelier_id="a1", title="Eau", administration="Préfecture", date=None, format_key="1")
    log = []
    people = [
        ("ref", "Claire", "Dubois", "DITP", Role.REFERENT, "claire@ditp.example"),
        ("p1", "Hélène", "Müller", "Eau Vive", Role.PARTICIPANT, ""),
        ("p2", "Karim", "Benali", "", Role.PARTICIPANT, "karim@example.org"),
    ]
    for member_id, first, last, structure, role, email in people:
        event = apply_op(state, JoinMember(member_id, first, last, structure, role, email=email), SYSTEM)
        log.append(event_to_dict(event))
    text = "Hélène Müller — Eau Vive ouvre ; Parole à Karim B. : oui. Benali Karim écrit à claire@ditp.example."
    log.append(event_to_dict(apply_op(state, UpdateText(NOTES, client_update(text)), "ref")))
    return state, log


def test_people_become_participants_in_join_order_and_texts_lose_their_names() -> None:
    state, _log = atelier()
    event = apply_op(state, AnonymiseMembers(), SYSTEM, NOW + 1)
    assert [(m.first_name, m.last_name, m.structure, m.email, m.role) for m in state.members.values()] == [
        ("Participant 1", "", "", "", Role.REFERENT),
        ("Participant 2", "", "", "", Role.PARTICIPANT),
        ("Participant 3", "", "", "", Role.PARTICIPANT),
    ]
    assert state.members["p1"].display_name == "Participant 2"
    assert state.texts.text(NOTES) == (
        "Participant 2 ouvre ; Parole à Participant 3 : oui. Participant 3 écrit à Participant 1."
    )
    assert state.anonymised_at == NOW + 1
    assert event_to_dict(event)["labels"] == {"ref": "Participant 1", "p1": "Participant 2", "p2": "Participant 3"}


def test_the_log_with_its_earlier_texts_emptied_replays_to_the_same_state() -> None:
    state, log = atelier()
    log.append(event_to_dict(apply_op(state, AnonymiseMembers(), SYSTEM, NOW + 1)))
    # What the storage rewrite does to the entries before the event (app/storage/privacy.py).
    labels = log[-1]["labels"]
    assert isinstance(labels, dict)
    rewritten = [purged_event(entry, labels) for entry in log[:-1]] + [log[-1]]
    replayed = AtelierState.new(atelier_id="a1", title="Eau", administration="Préfecture", date=None, format_key="1")
    for entry in json.loads(json.dumps(rewritten)):
        evolve(replayed, event_from_dict(entry))
    assert replayed.to_dict() == state.to_dict()
    assert not any(word in json.dumps(rewritten, ensure_ascii=False) for word in ("Müller", "Dubois", "@"))


def test_only_the_server_anonymises_and_only_once() -> None:
    state, _log = atelier()
    with pytest.raises(Forbidden):
        decide(state, AnonymiseMembers(), "ref", NOW)
    apply_op(state, AnonymiseMembers(), SYSTEM, NOW)
    with pytest.raises(InvalidOperation, match="déjà effacées"):
        decide(state, AnonymiseMembers(), SYSTEM, NOW)
    with pytest.raises(Forbidden, match="archivé"):
        decide(state, JoinMember("late", "Zoé", "Lambert", "", Role.PARTICIPANT), SYSTEM, NOW)


def test_an_email_is_optional_but_well_formed() -> None:
    state, _log = atelier()
    with pytest.raises(InvalidOperation, match=r"nom@domaine\.fr"):
        decide(state, JoinMember("x", "Sam", "Roux", "", Role.PARTICIPANT, email="sam at home"), SYSTEM, NOW)
    event = decide(state, JoinMember("x", "Sam", "Roux", "", Role.PARTICIPANT, email="  sam@roux.fr "), SYSTEM, NOW)
    assert event_to_dict(event)["member"]["email"] == "sam@roux.fr"


def test_no_name_survives_in_the_snapshot_s_text_updates() -> None:
    """The atelier's snapshot carries each field's updates (so a restart loses none): after the
    anonymisation they are the scrubbed document only."""
    state, _log = atelier()
    apply_op(state, AnonymiseMembers(), SYSTEM, NOW + 1)
    snapshot = state.to_dict()
    updates = [base64.b64decode(update) for update in snapshot["text_updates"][NOTES]]
    assert not any(word.encode() in update for update in updates for word in ("Müller", "Benali", "claire@"))
    assert AtelierState.from_dict(json.loads(json.dumps(snapshot))).texts.text(NOTES) == state.texts.text(NOTES)
