"""Purging an atelier's personal data while its work stays: people become « Participant N ».

The deliverable keeps its shape: the same people (ids, roles), the same cards and texts; only
names, structures and emails go. Names and emails written in the co-written texts (notes, the
compte rendu, the post, the mail, canevas and sous-actions) are replaced by the same labels.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pycrdt import Doc, Text

from .errors import Forbidden, InvalidOperation
from .events import MembersAnonymised
from .state import AtelierState, Member
from .texts import TEXT_NAME, encode_update

SYSTEM = "system"  # the server itself (rules.SYSTEM): retention is the server's or the référent's, via HTTP


def label(position: int) -> str:
    return f"Participant {position}"


def labels_of(state: AtelierState) -> dict[str, str]:
    """Each member's label, numbered in the order people joined (the log's order: stable on replay)."""
    return {member_id: label(position) for position, member_id in enumerate(state.members, start=1)}


def personal_strings(member: Member) -> list[str]:
    """How a person's identity is written in texts: the draft's « Name — Structure », names, email."""
    full, reversed_name = member.full_name, f"{member.last_name} {member.first_name}".strip()
    forms = [full, reversed_name, member.display_name, member.email]
    if member.structure:
        forms += [f"{full} — {member.structure}", f"{full} ({member.structure})"]
    return [form for form in forms if len(form) >= 3]


def scrub(text: str, members: dict[str, Member], labels: dict[str, str]) -> str:
    """`text` with every person's name and email replaced by their label, longest forms first."""
    replacements = sorted(
        ((form, labels[member_id]) for member_id, member in members.items() for form in personal_strings(member)),
        key=lambda pair: len(pair[0]),
        reverse=True,
    )
    for form, name in replacements:
        text = text.replace(form, name)
    return text


def whole_document(text: str) -> bytes:
    """A new document holding `text`, as one update."""
    doc: Doc[Text] = Doc()
    doc[TEXT_NAME] = Text(text)
    return doc.get_update()


def decide_anonymise(state: AtelierState, actor: str, now: float) -> MembersAnonymised:
    if actor != SYSTEM:
        raise Forbidden("Seul le serveur anonymise un atelier (à la demande du référent ou à la date prévue).")
    if state.anonymised_at is not None:
        raise InvalidOperation("Les données personnelles de cet atelier sont déjà effacées.")
    labels = labels_of(state)
    # Every field starts again from a new document, even those without a name: the log's older text
    # updates are emptied when the history is rewritten, so the whole text must live in this event.
    texts = {
        field: whole_document(scrub(state.texts.text(field), state.members, labels)) for field in state.texts.fields()
    }
    return MembersAnonymised(labels=labels, texts=texts, at=now)


def evolve_anonymised(state: AtelierState, event: MembersAnonymised) -> None:
    for member_id, name in event.labels.items():
        member = state.members.get(member_id)
        if member is not None:
            state.members[member_id] = anonymous(member, name)
    for field, update in event.texts.items():
        state.texts.replace(field, update)
    state.anonymised_at = event.at


def anonymous(member: Member, name: str) -> Member:
    """The member under their label: the label as first name, nothing else that identifies them."""
    return replace(member, first_name=name, last_name="", structure="", email="")


# An update that changes nothing: what every text update before the anonymisation becomes (the
# `members.anonymised` event holds each field's whole new text).
EMPTY_UPDATE = encode_update(b"\x00\x00")


def purged_event(event: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    """A logged event from before the anonymisation, without personal data: its member under their
    label, its text updates emptied (joins, notes, drafts, canevas, sous-actions, « Parole à X »)."""
    if event["type"] == "member.joined":
        member = Member.from_dict(event["member"])
        return event | {"member": anonymous(member, labels.get(member.id, "Participant")).to_dict()}
    purged = dict(event)
    if "update" in purged:
        purged["update"] = EMPTY_UPDATE
    if isinstance(purged.get("updates"), dict):
        purged["updates"] = {field: EMPTY_UPDATE for field in purged["updates"]}
    return purged
