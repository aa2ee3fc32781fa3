"""A protocol client that follows docs/protocol.md's client rules, transport-free, and a random operation maker.

`Replica` is what one connection of a member holds: its state at `last_seq` (events applied in
`seq` order with the domain's own `evolve`, as a browser applies them), its outbox of
unacknowledged operations (re-sent with the same ids after `synced`), and its ids (a prefix
plus a counter: unique per member forever). The crash, network and load fault tests drive
replicas over real sockets and then compare what each holds with the server.

`random_operation` makes one operation of any durable type, valid or not, aimed at what the
replica currently sees, so a seeded run exercises every rule, refusals included.
"""

from __future__ import annotations

import base64
import contextlib
import json
import random
import re
import sqlite3
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pycrdt import Doc, Text

from app.domain.events import event_from_dict
from app.domain.items import Idea, Reformulation, Roadmap, SousAction, Subject
from app.domain.kit_tools import OPEN_GOVERNMENT_VALUES, QUESTION_KEYS, REFORMULATION_PROMPTS
from app.domain.questionnaire import QUESTIONS, Questionnaire
from app.domain.reflection import PrivateDraft, Reflection, Reveal
from app.domain.rules import evolve
from app.domain.speech import Speech
from app.domain.state import AtelierState, Card, Member
from app.domain.texts import TextFields
from app.domain.timer import Timer
from app.domain.views import PRIVATE_AUTHOR_KEYS, event_view, state_view
from app.domain.votes import PRIVATE_VOTE_EVENTS, DotVote

Frame = dict[str, Any]
RETRYABLE = ("rate_limited", "unavailable")  # nothing was done: re-send later with the same id


class ProtocolViolation(AssertionError):
    """The server broke a promise of docs/protocol.md (a gap in seq, two acks for one id…)."""


# -- state from a snapshot, and a comparable view ----------------------------------------------


def state_from_view(view: dict[str, Any], viewer: str) -> AtelierState:
    """The team's snapshot `state` (as `viewer` is shown it) back into a domain state, so later events apply.

    Exact for everything a view shows; the questionnaire's individual answers are not in a view,
    so a snapshot taken after some answers cannot be continued from (asserted). Of the silent
    reflection and the dot vote it holds what the viewer is shown: their own drafts and ballot.
    """
    atelier = view["atelier"]
    questionnaire = view["questionnaire"]
    assert questionnaire.get("responses", 0) == 0, "a snapshot with questionnaire answers cannot be continued"
    canevas = view["canevas"]
    return AtelierState(
        atelier_id=atelier["id"],
        title=atelier["title"],
        administration=atelier["administration"],
        date=atelier["date"],
        format_key=atelier["format"],
        step_index=view["step_index"],
        timer=Timer.from_dict(view["timer"]),
        members={m["id"]: Member.from_dict(m) for m in view["members"]},
        cards={c["id"]: Card.from_dict(c) for c in view["cards"]},
        texts=TextFields.from_dict(view["texts"]),
        subject=Subject.from_dict(view["subject"]) if view["subject"] else None,
        reformulations={r["id"]: Reformulation.from_dict(r) for r in view["reformulations"]},
        ideas={i["id"]: Idea.from_dict(i) for i in view["ideas"]},
        canevas_values=list(canevas["values"]) if canevas else [],
        canevas_source=canevas["source"] if canevas else None,
        sous_actions={
            item["id"]: SousAction.from_dict({k: v for k, v in item.items() if k not in ("text_field", "text")})
            for item in view["sous_actions"]
        },
        roadmap=Roadmap.from_dict(view["roadmap"]),
        questionnaire=Questionnaire(open=questionnaire["open"], anonymous=questionnaire["anonymous"]),
        compte_rendu_final=view["compte_rendu_final"],
        reflection=_reflection_from_view(view["reflection"]),
        vote=_vote_from_view(view["vote"], viewer),
        speech=Speech.from_dict(view["speech"]),
    )


def _reflection_from_view(view: dict[str, Any]) -> Reflection:
    return Reflection(
        open=view["open"],
        step_index=view["step_index"],
        kind=view["kind"],
        drafts={draft["id"]: PrivateDraft.from_dict(draft) for draft in view["mine"]},
        reveals=[Reveal.from_dict(reveal) for reveal in view["reveals"]],
    )


def _vote_from_view(view: dict[str, Any] | None, viewer: str) -> DotVote | None:
    if view is None:
        return None
    keys = ("votes_per_person", "multiple", "step_index", "open", "results", "voters")
    ballots = {viewer: dict(view["mine"])} if view["mine"] else {}
    return DotVote(**{key: view[key] for key in keys}, opened_at=0.0, ballots=ballots)


def comparable(view: dict[str, Any]) -> dict[str, Any]:
    """A state view with each co-written field as its merged text (the update bytes may be ordered differently)."""
    texts = TextFields.from_dict(view["texts"])
    return view | {"texts": {name: texts.text(name) for name in texts.fields()}}


# -- the client --------------------------------------------------------------------------------


@dataclass
class Replica:
    """One member's client: what it holds and what it still owes the server."""

    name: str  # also the prefix of its op ids
    member_id: str
    token: str
    team: bool
    state: AtelierState | None = None
    last_seq: int = 0
    history: dict[int, Frame] = field(default_factory=dict)  # seq → event frame, as received
    outbox: dict[str, Frame] = field(default_factory=dict)  # op id → frame, in sending order
    acked: dict[str, int] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)  # op id → error code
    sent: dict[str, Frame] = field(default_factory=dict)  # every operation ever made
    docs: dict[str, Doc[Text]] = field(default_factory=dict)  # local copies of the co-written fields
    snapshot_view: dict[str, Any] | None = None  # the last snapshot's state, as received
    counter: int = 0
    snapshots: int = 0
    retries: int = 0
    # All I am told of the others' drafts and ballots until the reveal/close: counts, not contents.
    drafts_count: tuple[int, int] = (0, 0)  # (drafts, authors)
    voters: int = 0
    private_seen: int = 0  # others' private events received (as counts only)

    def hello(self) -> Frame:
        return {"type": "hello", "token": self.token, "last_seq": self.last_seq}

    def operation(self, type: str, **fields: Any) -> Frame:
        """A new operation with a fresh id, kept in the outbox until acknowledged or refused."""
        self.counter += 1
        frame = {"type": type, "id": f"{self.name}-{self.counter}", **fields}
        self.outbox[frame["id"]] = frame
        self.sent[frame["id"]] = frame
        return frame

    def unacknowledged(self) -> list[Frame]:
        return list(self.outbox.values())

    def receive(self, frame: Frame) -> list[Frame]:
        """Apply one server frame; the frames to (re-)send because of it."""
        kind = frame["type"]
        check_private(self, frame)
        if kind == "snapshot":
            self._snapshot(frame)
        elif kind == "event":
            self._event(frame)
        elif kind == "ack":
            self._ack(frame["id"], frame["seq"])
        elif kind == "error" and frame.get("id") in self.outbox:
            if frame["code"] in RETRYABLE:
                self.retries += 1
            else:
                self.refused[frame["id"]] = frame["code"]
                del self.outbox[frame["id"]]
        elif kind == "synced":
            if frame["seq"] < self.last_seq:
                raise ProtocolViolation(f"{self.name}: synced at {frame['seq']} after seeing {self.last_seq}")
            return self.unacknowledged()  # the client rule: re-send every unacked op, same ids
        return []

    def _snapshot(self, frame: Frame) -> None:
        self.snapshots += 1
        if frame["seq"] < self.last_seq:
            raise ProtocolViolation(f"{self.name}: snapshot at {frame['seq']} older than {self.last_seq}")
        if self.team:
            # Same seq (after a role change): what we built must be what the server has.
            if self.state is not None and frame["seq"] == self.last_seq and self.view() != comparable(frame["state"]):
                raise ProtocolViolation(f"{self.name}: snapshot at {frame['seq']} differs from my state")
            self.state = state_from_view(frame["state"], self.member_id)
        self.snapshot_view = frame["state"]
        reflection, vote = frame["state"]["reflection"], frame["state"]["vote"]
        self.drafts_count = (reflection["drafts"], reflection["authors"])
        self.voters = vote["voters"] if vote else 0
        self.docs = {name: _doc(update) for name, update in frame["state"]["texts"].items()}
        self.history = {}
        self.last_seq = frame["seq"]

    def _event(self, frame: Frame) -> None:
        seq = frame["seq"]
        if seq <= self.last_seq:
            return  # already applied (right after a snapshot, or a replay overlapping live events)
        if seq != self.last_seq + 1:
            raise ProtocolViolation(f"{self.name}: event {seq} after {self.last_seq} (gap)")
        self.history[seq] = frame
        event = frame["event"]
        self._count(event)
        mine = event["type"] not in PRIVATE_AUTHOR_KEYS or PRIVATE_AUTHOR_KEYS[event["type"]] in event
        self.private_seen += not mine
        if self.state is not None and mine:  # someone else's draft or dot: only its counts changed
            evolve(self.state, event_from_dict(event))
        if event["type"] in ("text.updated", "draft.generated") and "update" in event:
            self.docs.setdefault(event["field"], _doc(None)).apply_update(base64.b64decode(event["update"]))
        self.last_seq = seq

    def _count(self, event: dict[str, Any]) -> None:
        if "drafts" in event and "authors" in event:
            self.drafts_count = (event["drafts"], event["authors"])
        elif event["type"] == "reflection.revealed":
            self.drafts_count = (0, 0)
        elif "voters" in event and event["type"] != "vote.closed":
            self.voters = event["voters"]
        elif event["type"] == "vote.opened":
            self.voters = 0

    def _ack(self, op_id: str, seq: int) -> None:
        if op_id in self.acked and self.acked[op_id] != seq:
            raise ProtocolViolation(f"{self.name}: {op_id} acknowledged at {self.acked[op_id]} then {seq}")
        if op_id in self.refused:
            raise ProtocolViolation(f"{self.name}: {op_id} refused ({self.refused[op_id]}) then acknowledged")
        self.acked[op_id] = seq
        self.outbox.pop(op_id, None)

    def edit(self, text_field: str, rng: random.Random, words: str) -> str:
        """Type `words` at a random place of the local copy of a field; the Yjs update, base64."""
        doc = self.docs.setdefault(text_field, _doc(None))
        shared = doc["text"]
        before = doc.get_state()
        shared.insert(rng.randint(0, len(str(shared))), words)
        return base64.b64encode(doc.get_update(before)).decode("ascii")

    def view(self) -> dict[str, Any]:
        """My state as the server shows it to me: my drafts and ballot whole, the others' as the counts I was told."""
        assert self.state is not None, f"{self.name} holds no state (not in the équipe d'animation)"
        view = state_view(self.state, team=True, viewer=self.member_id)
        view["reflection"] |= {"drafts": self.drafts_count[0], "authors": self.drafts_count[1]}
        if view["vote"] is not None and view["vote"]["open"]:
            view["vote"]["voters"] = self.voters
        return comparable(view)

    def targets(self) -> dict[str, Any]:
        """What to aim the next operation at: my state, or (outside the team) the last snapshot."""
        if self.state is not None:
            return state_view(self.state, team=True, viewer=self.member_id)
        assert self.snapshot_view is not None, f"{self.name} is not synced yet"
        return self.snapshot_view


def check_private(replica: Replica, frame: Frame) -> None:
    """No one is sent another member's draft or dot, nor a vote count before the close (issue 6)."""
    if frame["type"] == "event":
        event = frame["event"]
        key = PRIVATE_AUTHOR_KEYS.get(event["type"])
        if key is not None and event.get(key) != replica.member_id:
            counts = {"voters"} if event["type"] in PRIVATE_VOTE_EVENTS else {"drafts", "authors"}
            if set(event) != {"type", *counts} or frame["id"] is not None or frame["actor"] is not None:
                raise ProtocolViolation(f"{replica.name} was sent someone else's {event['type']}: {frame}")
        if "results" in event and event["type"] != "vote.closed":
            raise ProtocolViolation(f"{replica.name} was sent vote results before the close: {frame}")
    elif frame["type"] == "snapshot":
        state = frame["state"]
        if any(draft["author_id"] != replica.member_id for draft in state["reflection"]["mine"]):
            raise ProtocolViolation(f"{replica.name} was sent someone else's draft in a snapshot")
        vote = state["vote"]
        counted = vote and (vote["results"] is not None or any(c["dots"] is not None for c in state["cards"]))
        if vote and vote["open"] and counted:
            raise ProtocolViolation(f"{replica.name} was sent vote counts before the close")


def _doc(update: str | None) -> Doc[Text]:
    doc: Doc[Text] = Doc()
    doc["text"] = Text()
    if update:
        doc.apply_update(base64.b64decode(update))
    return doc


# -- random operations -------------------------------------------------------------------------

MARKER_OPEN, MARKER_CLOSE = "[", "]"
MARKERS = re.compile(r"\[([a-z]+-[0-9]+)\]")
WORDS = ["menus", "cantine", "données", "ouvertes", "allergènes", "parents", "CSV", "é", "«", "»", "🙂", "<b>"]


def phrase(rng: random.Random, longest: int = 6) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, longest)))


def _pick(rng: random.Random, known: list[str]) -> str:
    """An id that exists most of the time, sometimes one that does not (the refusal path)."""
    if known and rng.random() < 0.9:
        return rng.choice(known)
    return "nope-" + "".join(rng.choices(string.ascii_lowercase, k=4))


def _answers(rng: random.Random) -> dict[str, str]:
    keys = [prompt.key for prompt in REFORMULATION_PROMPTS]
    return {key: phrase(rng) for key in rng.sample(keys, rng.randint(1, len(keys)))}


def _questionnaire_answers(rng: random.Random) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for question in rng.sample(list(QUESTIONS), rng.randint(1, len(QUESTIONS))):
        if question.kind == "rating":
            answers[question.key] = rng.randint(1, 5)
        elif question.kind == "choice":
            answers[question.key] = rng.choice(question.choices)
        else:
            answers[question.key] = phrase(rng)
    return answers


def _text_fields(view: dict[str, Any]) -> list[str]:
    fields = [f"notes:{step['index']}" for step in view["steps"]]
    if view["canevas"]:
        fields += [item["text_field"] for item in view["canevas"]["fields"]]
    fields += [item["text_field"] for item in view["sous_actions"]]
    return [*fields, "compte_rendu", "post", "mail"]


def random_operation(
    rng: random.Random, replica: Replica, view: dict[str, Any], members: list[str], types: list[str] | None = None
) -> Frame:
    """One durable operation of a random type (by default every type of docs/protocol.md §5), aimed at `view`."""
    cards = [card["id"] for card in view["cards"]]
    ideas = [idea["id"] for idea in view["ideas"]]
    reformulations = [item["id"] for item in view["reformulations"]]
    sous_actions = [item["id"] for item in view["sous_actions"]]
    etapes = [etape["id"] for etape in view["roadmap"]["etapes"]]
    steps = len(view["steps"])
    unit = lambda: round(rng.random(), 3)  # noqa: E731
    kind = _kind(rng, types or OPERATION_TYPES, view)
    # Cards and ideas carry their op id, so a draft's text found where it must not be names its author.
    marker = f" {MARKER_OPEN}{replica.name}-{replica.counter + 1}{MARKER_CLOSE}"
    fields: dict[str, Any]
    match kind:
        case "member.set_role":
            role = rng.choice(["challengeur", "complice", "participant", "observer"])
            fields = {"member_id": _pick(rng, members), "role": role}
        case "speech.start":
            fields = {"turn_seconds": rng.choice([None, 60, 120]), "shuffle": rng.random() < 0.3}
        case "speech.shuffle" | "speech.next" | "speech.end":
            fields = {}
        case "speech.move":
            fields = {"member_id": _pick(rng, members), "index": rng.randint(0, len(members))}
        case "speech.remove" | "speech.give":
            fields = {"member_id": _pick(rng, members)}
        case "speech.timebox":
            fields = {"turn_seconds": rng.choice([30, 60, 180, 0, -5])}
        case "member.remove":
            # Aimed at nobody (refused, `not_found`): removing a replica's member would close its
            # connection for good (4410), which these clients that never leave do not model.
            fields = {"member_id": f"absent-{replica.counter}"}
        case "step.goto":
            fields = {"index": rng.randint(-1, steps)}
        case "step.next" | "step.prev" | "timer.start" | "timer.pause" | "timer.reset" | "questionnaire.close":
            fields = {}
        case "timer.add":
            fields = {"seconds": rng.choice([60, -60, 120, 3600, -3600, 5000])}
        case "card.create":
            fields = {"title": phrase(rng) + marker, "description": phrase(rng, 12)}
            if rng.random() < 0.3:
                fields["card_id"] = _pick(rng, cards) if rng.random() < 0.2 else f"{replica.name}-c{replica.counter}"
        case "card.update":
            fields = {"card_id": _pick(rng, cards), "title": phrase(rng) + marker, "description": phrase(rng)}
        case "card.delete":
            fields = {"card_id": _pick(rng, cards)}
        case "card.place":
            off = rng.random() < 0.1
            fields = {"card_id": _pick(rng, cards), "desirability": None if off else unit()}
            fields["feasibility"] = None if off else unit()
        case "card.priority":
            fields = {"card_id": _pick(rng, cards), "priority": rng.random() < 0.7}
        case "text.update":
            target = rng.choice(_text_fields(view))
            fields = {"field": target, "update": replica.edit(target, rng, phrase(rng, 3) + " ")}
        case "subject.set":
            fields = {"title": phrase(rng), "description": phrase(rng)}
        case "reformulation.create":
            fields = {"answers": _answers(rng)}
        case "reformulation.update":
            fields = {"reformulation_id": _pick(rng, reformulations), "answers": _answers(rng)}
        case "reformulation.delete":
            fields = {"reformulation_id": _pick(rng, reformulations)}
        case "idea.create":
            fields = {"question": rng.choice(sorted(QUESTION_KEYS)), "text": phrase(rng) + marker}
        case "idea.update":
            question = rng.choice(sorted(QUESTION_KEYS))
            fields = {"idea_id": _pick(rng, ideas), "question": question, "text": phrase(rng) + marker}
        case "idea.delete":
            fields = {"idea_id": _pick(rng, ideas)}
        case "canevas.value":
            fields = {"value": rng.choice([v.key for v in OPEN_GOVERNMENT_VALUES]), "checked": rng.random() < 0.6}
        case "sous_action.create":
            fields = {"text": phrase(rng)}
        case "sous_action.merge":
            fields = {"sous_action_id": _pick(rng, sous_actions), "into_id": _pick(rng, sous_actions)}
        case "sous_action.delete":
            fields = {"sous_action_id": _pick(rng, sous_actions)}
        case "roadmap.horizon":
            start = rng.randint(2024, 2030)
            fields = {"start_year": start, "end_year": start + rng.randint(0, 4)}
        case "etape.create":
            fields = {"title": phrase(rng)}
            if sous_actions and rng.random() < 0.3:
                fields["sous_action_id"] = _pick(rng, sous_actions)
            if rng.random() < 0.3:
                fields["index"] = rng.randint(0, len(etapes))
        case "etape.update":
            fields = {
                "etape_id": _pick(rng, etapes),
                "title": phrase(rng),
                "start": rng.choice(["", "2027", "2027-T2", "2027-03", "bientôt"]),
                "duration_months": rng.choice([None, 1, 6, 24]),
                "owner": phrase(rng, 2),
                "livrable": phrase(rng, 3),
            }
        case "etape.move":
            fields = {"etape_id": _pick(rng, etapes), "index": rng.randint(0, max(0, len(etapes) - 1))}
        case "etape.delete":
            fields = {"etape_id": _pick(rng, etapes)}
        case "questionnaire.open":
            # Named answers: an anonymous answer's event does not say whose it is, so a client could
            # not tell a changed answer from a new one (the team reads the results from snapshots).
            fields = {"anonymous": False}
        case "questionnaire.answer":
            fields = {"answers": _questionnaire_answers(rng)}
        case "draft.generate":
            fields = {"field": rng.choice(["compte_rendu", "post", "mail"]), "link": ""}
        case "compte_rendu.finalize":
            fields = {"final": rng.random() < 0.3}
        case "reflection.start" | "vote.close":
            fields = {}
        case "reflection.reveal":
            fields = {"anonymous": rng.random() < 0.3}
        case "vote.open":
            fields = {"votes_per_person": rng.randint(1, 3), "multiple": rng.random() < 0.5}
        case "vote.place" | "vote.remove":
            fields = {"card_id": _pick(rng, cards)}
        case _:  # pragma: no cover - OPERATION_TYPES lists the cases above
            raise AssertionError(kind)
    return replica.operation(kind, **fields)


# The board tool an operation belongs to (a step's `tools`): outside its format it is refused.
TOOL_OF = {"subject.set": "subject", "canevas.value": "canevas", "roadmap.horizon": "roadmap"} | {
    f"{prefix}.{action}": tool
    for prefix, tool in [("card", "cards"), ("reformulation", "reformulations"), ("idea", "ideas"),
                         ("sous_action", "sous_actions"), ("etape", "roadmap")]
    for action in ("create", "update", "delete", "place", "priority", "merge", "move")
}  # fmt: skip
ITEMS_OF = {"card": "cards", "reformulation": "reformulations", "idea": "ideas", "sous_action": "sous_actions"}


def _kind(rng: random.Random, types: list[str], view: dict[str, Any]) -> str:
    """Mostly an operation the atelier's format has, on items it has; sometimes anything (refusals matter too)."""
    if rng.random() < 0.1:
        return rng.choice(types)
    # While a silent reflection or a vote is on, people mostly take part in it (private drafts and dots).
    reflection, vote = view.get("reflection"), view.get("vote")
    writing = f"{'card' if reflection and reflection['kind'] == 'cards' else 'idea'}.create"
    drafting = reflection and reflection["open"] and reflection["step_index"] == view["step_index"]
    if drafting and writing in types and rng.random() < 0.5:
        return writing
    if vote and vote["open"] and "vote.place" in types and rng.random() < 0.5:
        return rng.choice(["vote.place", "vote.place", "vote.remove"])
    step_tools = set(view["steps"][view["step_index"]]["tools"]) if view["steps"] else set()
    starts = [kind for kind in ("reflection.start", "vote.open") if kind in types]
    if "cards" not in step_tools:
        starts = [kind for kind in starts if kind != "vote.open"]
    if step_tools & {"cards", "ideas"} and starts and reflection and not reflection["open"] and rng.random() < 0.15:
        return rng.choice(starts)
    tools = {tool for step in view["steps"] for tool in step["tools"]}
    kind = rng.choice([t for t in types if TOOL_OF.get(t, "notes") in tools | {"notes"}] or types)
    prefix = kind.split(".")[0]
    items = view["roadmap"]["etapes"] if prefix == "etape" else view.get(ITEMS_OF.get(prefix, ""), [None])
    create = f"{prefix}.create"
    if not items and not kind.endswith(".create") and create in types and rng.random() < 0.8:
        return create  # nothing to change yet: make one first
    return kind


OPERATION_TYPES = [
    "member.set_role",
    "member.remove",
    "speech.start",
    "speech.shuffle",
    "speech.move",
    "speech.remove",
    "speech.next",
    "speech.give",
    "speech.timebox",
    "speech.end",
    "step.goto",
    "step.next",
    "step.prev",
    "timer.start",
    "timer.pause",
    "timer.add",
    "timer.reset",
    "card.create",
    "card.update",
    "card.delete",
    "card.place",
    "card.priority",
    "text.update",
    "subject.set",
    "reformulation.create",
    "reformulation.update",
    "reformulation.delete",
    "idea.create",
    "idea.update",
    "idea.delete",
    "canevas.value",
    "sous_action.create",
    "sous_action.merge",
    "sous_action.delete",
    "roadmap.horizon",
    "etape.create",
    "etape.update",
    "etape.move",
    "etape.delete",
    "questionnaire.open",
    "questionnaire.close",
    "questionnaire.answer",
    "draft.generate",
    "compte_rendu.finalize",
    # The silent reflection and the dot vote: until the reveal/close each person is shown their own
    # drafts and ballot only, the others' as counts (a Replica holds its person's view of them).
    "reflection.start",
    "reflection.reveal",
    "vote.open",
    "vote.close",
    "vote.place",
    "vote.remove",
]


def dumps(frame: Frame) -> str:
    return json.dumps(frame, ensure_ascii=False)


# -- the checks every campaign ends with -------------------------------------------------------

LogRow = tuple[int, str, str, str]  # seq, actor, op id, event JSON: a row of the `operation` table


def read_log(database: Path, atelier_id: str) -> list[LogRow]:
    """The atelier's op log, read from the SQLite file itself (not through the app)."""
    with contextlib.closing(sqlite3.connect(database)) as connection:
        return connection.execute(
            "SELECT seq, actor, op_id, event FROM operation WHERE atelier_id = ? ORDER BY seq", (atelier_id,)
        ).fetchall()


def check_exactly_once(rows: list[LogRow], replicas: list[Replica]) -> dict[str, int]:
    """Every acknowledged operation in the log once, at its ack's seq; no refused one; no gap; no stranger.

    Returns the counts the docs quote.
    """
    assert [seq for seq, *_ in rows] == list(range(1, len(rows) + 1)), "the log has a gap"
    keys = [(actor, op_id) for _, actor, op_id, _ in rows]
    duplicated = len(keys) - len(set(keys))
    assert duplicated == 0, "an operation is in the log twice"
    by_key = {(actor, op_id): seq for seq, actor, op_id, _ in rows}
    figures = {"acked": 0, "persisted": 0, "duplicated": duplicated, "refused_by_rules": 0}
    for replica in replicas:
        assert not replica.outbox, f"{replica.name} still has unacknowledged operations"
        for op_id, seq in replica.acked.items():
            assert by_key.get((replica.member_id, op_id)) == seq, f"{op_id} acknowledged at {seq}, not in the log"
        for op_id in replica.refused:
            assert (replica.member_id, op_id) not in by_key, f"refused {op_id} is in the log"
        mine = {op_id for (actor, op_id) in by_key if actor == replica.member_id}
        assert mine == set(replica.acked), f"{replica.name}: the log holds an operation it was never told about"
        figures["acked"] += len(replica.acked)
        figures["refused_by_rules"] += len(replica.refused)
        figures["persisted"] += len(mine)
    return figures


def check_history(replica: Replica, rows: list[LogRow]) -> None:
    """What the replica received since its last snapshot is the log, event for event, as its audience sees it."""
    events = {seq: json.loads(event) for seq, _, _, event in rows}
    for seq, frame in replica.history.items():
        audiences = [(True, True), (True, False), (False, True)]  # (team, questionnaire anonymous)
        me = replica.member_id  # a private event whole if it is mine, as counts otherwise
        seen = [event_view(events[seq], team=team, anonymous=anonymous, viewer=me) for team, anonymous in audiences]
        assert frame["event"] in seen, f"{replica.name}: event {seq} differs from the log"
