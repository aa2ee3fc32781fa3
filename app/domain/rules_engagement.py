"""Rules of the Format 2 and 3 tools: subject, reformulations, ideas, canevas, sous-actions, feuille de route.

Same contract as `rules`: `decide` refuses or returns one event without touching the state;
`evolve` applies an event and never refuses. Participants act on a tool while the current step
opens it (or for a grace period after the animateur moved on); the animation team always may.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import TypeVar

from pycrdt import Doc, Text

from . import limits
from .cleaning import clean_line
from .deroule import Tool
from .engagement_events import (
    CanevasImported,
    CanevasValueSet,
    EngagementEvent,
    EtapeCreated,
    EtapeDeleted,
    EtapeMoved,
    EtapeUpdated,
    HorizonSet,
    IdeaCreated,
    IdeaDeleted,
    IdeaUpdated,
    ReformulationCreated,
    ReformulationDeleted,
    ReformulationUpdated,
    SousActionCreated,
    SousActionDeleted,
    SousActionMerged,
    SubjectSet,
)
from .errors import Forbidden, InvalidOperation, LimitReached, NotFound
from .items import Etape, Idea, Reformulation, SousAction, Subject, sous_action_field
from .kit_tools import QUESTION_KEYS, REFORMULATION_PROMPTS, VALUE_KEYS, canevas_fields
from .operations import (
    CreateEtape,
    CreateIdea,
    CreateReformulation,
    CreateSousAction,
    DeleteEtape,
    DeleteIdea,
    DeleteReformulation,
    DeleteSousAction,
    EngagementOperation,
    ImportCanevas,
    MergeSousAction,
    MoveEtape,
    SetCanevasValue,
    SetHorizon,
    SetSubject,
    UpdateEtape,
    UpdateIdea,
    UpdateReformulation,
)
from .roles import ANIMATEURS, ANIMATION_TEAM, CONTRIBUTORS, Role
from .state import AtelierState, Member
from .texts import TEXT_NAME

SYSTEM = "system"  # the server itself (rules.SYSTEM)
# ASCII digits only (`\d` would take "２０２６"); `fullmatch`, as `$` would let a trailing newline in.
START_PATTERN = re.compile(r"[0-9]{4}(-T[1-4]|-(0[1-9]|1[0-2]))?")  # 2026, 2026-T2, 2026-05
_Item = TypeVar("_Item")
PROMPT_KEYS = frozenset(prompt.key for prompt in REFORMULATION_PROMPTS)


def tool_open(state: AtelierState, tool: Tool, now: float) -> bool:
    """Whether `tool` is open for participants at `now`: in the current step, or just before it."""
    if tool in state.current_step.tools:
        return True
    previous = state.previous_step_index
    return (
        previous is not None
        and tool in state.deroule.steps[previous].tools
        and now - state.step_changed_at <= limits.TOOL_GRACE_S
    )


def in_format(state: AtelierState, tool: Tool) -> bool:
    """Whether any step of the atelier's déroulé uses `tool` (Format 1 has no canevas, and so on)."""
    return any(tool in step.tools for step in state.deroule.steps)


def may_use(state: AtelierState, member: Member, tool: Tool, now: float) -> bool:
    if not in_format(state, tool):
        return False
    if member.role in ANIMATION_TEAM:
        return True
    return member.role in CONTRIBUTORS and tool_open(state, tool, now)


def decide_engagement(state: AtelierState, op: EngagementOperation, actor: str, now: float) -> EngagementEvent:
    if isinstance(op, ImportCanevas):
        return _import_canevas(state, op, actor)
    if isinstance(op, SetSubject) and actor == SYSTEM:  # carried over from a Format 1 card or a Format 2
        return _subject(op)
    member = state.members.get(actor)
    if member is None:
        raise Forbidden("Personne inconnue dans cet atelier : rejoignez-le d'abord.")
    match op:
        case SetSubject():
            _require(member.role in ANIMATEURS, "Seuls les animateurs choisissent le sujet de l'atelier.")
            return _subject(SetSubject(op.title, op.description))  # a person's subject has no source
        case CreateReformulation():
            _require_tool(state, member, Tool.REFORMULATIONS, now)
            _new_id(op.reformulation_id, state.reformulations, "reformulation")
            _below(len(state.reformulations), limits.REFORMULATIONS_MAX, "reformulations")
            return ReformulationCreated(Reformulation(op.reformulation_id, actor, now, _answers(op.answers)))
        case UpdateReformulation():
            reformulation = _get(state.reformulations, op.reformulation_id, "Reformulation")
            _require_own(state, member, reformulation.author_id, Tool.REFORMULATIONS, now)
            return ReformulationUpdated(reformulation.id, _answers(op.answers))
        case DeleteReformulation():
            reformulation = _get(state.reformulations, op.reformulation_id, "Reformulation")
            _require_author(member, reformulation.author_id, "Ce n'est pas votre reformulation.")
            return ReformulationDeleted(reformulation.id)
        case CreateIdea():
            _require_tool(state, member, Tool.IDEAS, now)
            _new_id(op.idea_id, state.ideas, "idée")
            _below(len(state.ideas), limits.IDEAS_MAX, "idées")
            return IdeaCreated(Idea(op.idea_id, actor, now, _question(op.question), _text(op.text, "L'idée")))
        case UpdateIdea():
            idea = _get(state.ideas, op.idea_id, "Idée")
            _require_own(state, member, idea.author_id, Tool.IDEAS, now)
            return IdeaUpdated(idea.id, _question(op.question), _text(op.text, "L'idée"))
        case DeleteIdea():
            idea = _get(state.ideas, op.idea_id, "Idée")
            _require_author(member, idea.author_id, "Ce n'est pas votre idée.")
            return IdeaDeleted(idea.id)
        case SetCanevasValue():
            _require_canevas(state)
            _require_tool(state, member, Tool.CANEVAS, now)
            if op.value not in VALUE_KEYS:
                raise InvalidOperation("Valeur inconnue : transparence, participation ou collaboration.")
            return CanevasValueSet(op.value, op.checked)
        case CreateSousAction():
            _require_tool(state, member, Tool.SOUS_ACTIONS, now)
            _new_id(op.sous_action_id, state.sous_actions, "sous-action")
            _below(len(state.sous_actions), limits.SOUS_ACTIONS_MAX, "sous-actions")
            wording = _text(op.text, "La sous-action")
            return SousActionCreated(SousAction(op.sous_action_id, actor, now), text_update(wording))
        case MergeSousAction():
            _require(member.role in ANIMATION_TEAM, "Seule l'équipe d'animation fusionne les sous-actions.")
            source = _get(state.sous_actions, op.sous_action_id, "Sous-action")
            target = _get(state.sous_actions, op.into_id, "Sous-action")
            if source.id == target.id or target.merged_into is not None:
                raise InvalidOperation("Fusionnez dans une autre sous-action, encore active.")
            return SousActionMerged(source.id, target.id)
        case DeleteSousAction():
            sous_action = _get(state.sous_actions, op.sous_action_id, "Sous-action")
            _require_author(member, sous_action.author_id, "Ce n'est pas votre sous-action.")
            return SousActionDeleted(sous_action.id)
        case SetHorizon():
            _require(member.role in ANIMATEURS, "Seuls les animateurs fixent l'horizon.")
            low, high = limits.HORIZON_YEARS
            span = op.end_year - op.start_year
            if not (low <= op.start_year <= op.end_year <= high) or span > limits.HORIZON_SPAN_MAX:
                raise InvalidOperation(f"Horizon : deux années entre {low} et {high}, la seconde après la première.")
            return HorizonSet(op.start_year, op.end_year)
        case CreateEtape():
            _require_tool(state, member, Tool.ROADMAP, now)
            if state.roadmap.index_of(op.etape_id) is not None:
                raise InvalidOperation("Cet identifiant d'étape existe déjà.")
            _below(len(state.roadmap.etapes), limits.ETAPES_MAX, "étapes")
            title = op.title
            if op.sous_action_id is not None:
                _get(state.sous_actions, op.sous_action_id, "Sous-action")
                title = title or _shorten(state.texts.text(sous_action_field(op.sous_action_id)))
            title = clean_line(title, "Le titre de l'étape", limits.ETAPE_TITLE_MAX, required=True)
            count = len(state.roadmap.etapes)
            index = count if op.index is None else max(0, min(op.index, count))
            return EtapeCreated(Etape(op.etape_id, actor, title, op.sous_action_id), index)
        case UpdateEtape():
            etape = _etape(state, op.etape_id)
            _require_own(state, member, etape.author_id, Tool.ROADMAP, now)
            return _etape_update(op)
        case MoveEtape():
            _require_tool(state, member, Tool.ROADMAP, now)
            _etape(state, op.etape_id)
            if not 0 <= op.index < len(state.roadmap.etapes):
                raise InvalidOperation("Position hors de la feuille de route.")
            return EtapeMoved(op.etape_id, op.index)
        case DeleteEtape():
            etape = _etape(state, op.etape_id)
            _require_author(member, etape.author_id, "Ce n'est pas votre étape.")
            return EtapeDeleted(etape.id)
    raise InvalidOperation("Opération inconnue.")  # pragma: no cover - the union is exhaustive


def evolve_engagement(state: AtelierState, event: EngagementEvent) -> None:
    match event:
        case SubjectSet():
            state.subject = Subject(event.title, event.description, event.source)
        case ReformulationCreated():
            state.reformulations[event.reformulation.id] = replace(event.reformulation)
        case ReformulationUpdated():
            state.reformulations[event.reformulation_id].answers = dict(event.answers)
        case ReformulationDeleted():
            state.reformulations.pop(event.reformulation_id, None)
        case IdeaCreated():
            state.ideas[event.idea.id] = replace(event.idea)
        case IdeaUpdated():
            idea = state.ideas[event.idea_id]
            idea.question, idea.text = event.question, event.text
        case IdeaDeleted():
            state.ideas.pop(event.idea_id, None)
        case CanevasValueSet():
            values = set(state.canevas_values)
            state.canevas_values = sorted(values | {event.value} if event.checked else values - {event.value})
        case CanevasImported():
            for field, update in event.updates.items():
                state.texts.apply(field, update)
            state.canevas_values = sorted(set(event.values))
            state.canevas_source = dict(event.source)
        case SousActionCreated():
            state.sous_actions[event.sous_action.id] = replace(event.sous_action)
            state.texts.apply(event.sous_action.field, event.update)
        case SousActionMerged():
            state.sous_actions[event.sous_action_id].merged_into = event.into_id
        case SousActionDeleted():
            state.sous_actions.pop(event.sous_action_id, None)
            # Those merged into it come back: deleting one wording must not hide the others.
            for item in state.sous_actions.values():
                if item.merged_into == event.sous_action_id:
                    item.merged_into = None
            for etape in state.roadmap.etapes:
                if etape.sous_action_id == event.sous_action_id:
                    etape.sous_action_id = None
        case HorizonSet():
            state.roadmap.horizon_start, state.roadmap.horizon_end = event.start_year, event.end_year
        case EtapeCreated():
            state.roadmap.etapes.insert(event.index, replace(event.etape))
        case EtapeUpdated():
            etape = _etape(state, event.etape_id)
            etape.title, etape.start, etape.duration_months = event.title, event.start, event.duration_months
            etape.owner, etape.livrable = event.owner, event.livrable
        case EtapeMoved():
            etapes = state.roadmap.etapes
            etape = etapes.pop(state.roadmap.index_of(event.etape_id))  # type: ignore[arg-type]
            etapes.insert(event.index, etape)
        case EtapeDeleted():
            index = state.roadmap.index_of(event.etape_id)
            if index is not None:
                del state.roadmap.etapes[index]


def text_update(text: str) -> bytes:
    """A CRDT update that writes `text` into an empty field; made once, then replayed from the log."""
    doc: Doc[Text] = Doc()
    doc[TEXT_NAME] = shared = Text()
    shared += text
    return doc.get_update()


def text_writer_tool(field: str) -> Tool | None:
    """The tool a participant needs open to write in `field` (None: the animation team only)."""
    kind = field.partition(":")[0]
    return {"canevas": Tool.CANEVAS, "sous_action": Tool.SOUS_ACTIONS}.get(kind)


def _import_canevas(state: AtelierState, op: ImportCanevas, actor: str) -> EngagementEvent:
    if actor != SYSTEM:
        raise Forbidden("Le canevas est repris par le serveur, à la création de l'atelier.")
    known = {field.key for field in canevas_fields(state.format_key)}
    updates = {
        state.canevas_field(key): text_update(text) for key, text in sorted(op.texts.items()) if key in known and text
    }
    return CanevasImported(updates=updates, values=sorted(set(op.values) & VALUE_KEYS), source=dict(op.source))


def _shorten(text: str) -> str:
    """A sous-action's wording as an étape title: long wordings are cut at a word, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limits.ETAPE_TITLE_MAX:
        return text
    return text[: limits.ETAPE_TITLE_MAX - 1].rsplit(" ", 1)[0] + "…"


def _subject(op: SetSubject) -> EngagementEvent:
    title = clean_line(op.title, "Le titre du sujet", limits.CARD_TITLE_MAX, required=True)
    description = clean_line(op.description, "La description", limits.CARD_DESCRIPTION_MAX, required=False)
    return SubjectSet(title=title, description=description, source=op.source)


def _etape_update(op: UpdateEtape) -> EngagementEvent:
    title = clean_line(op.title, "Le titre de l'étape", limits.ETAPE_TITLE_MAX, required=True)
    start = op.start.strip()
    if start and not START_PATTERN.fullmatch(start):
        raise InvalidOperation("Début : une année (2026), un trimestre (2026-T2) ou un mois (2026-05).")
    if op.duration_months is not None and not 1 <= op.duration_months <= limits.DURATION_MONTHS_MAX:
        raise InvalidOperation(f"Durée : entre 1 et {limits.DURATION_MONTHS_MAX} mois.")
    owner = clean_line(op.owner, "Le pilote", limits.OWNER_MAX, required=False)
    livrable = clean_line(op.livrable, "Le livrable", limits.LIVRABLE_MAX, required=False)
    return EtapeUpdated(op.etape_id, title, start, op.duration_months, owner, livrable)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise Forbidden(message)


def _require_author(member: Member, author_id: str, message: str) -> None:
    # An observer reads only, even what they wrote while a participant (as with cards).
    own = author_id == member.id and member.role in CONTRIBUTORS
    _require(own or member.role in ANIMATION_TEAM, message)


def _require_tool(state: AtelierState, member: Member, tool: Tool, now: float) -> None:
    if not in_format(state, tool):
        raise InvalidOperation("Cet outil ne fait pas partie du déroulé de cet atelier.")
    if member.role not in CONTRIBUTORS:
        raise Forbidden("Votre rôle ne permet pas de contribuer.")
    _require(may_use(state, member, tool, now), "Cet outil n'est pas ouvert à cette étape du déroulé.")


def _require_own(state: AtelierState, member: Member, author_id: str, tool: Tool, now: float) -> None:
    if member.role in ANIMATION_TEAM:
        return
    _require(author_id == member.id and member.role != Role.OBSERVER, "Vous ne pouvez modifier que vos contributions.")
    _require_tool(state, member, tool, now)


def _require_canevas(state: AtelierState) -> None:
    if not canevas_fields(state.format_key):
        raise InvalidOperation("Ce format n'a pas de canevas d'engagement.")


def _new_id(item_id: str, items: Mapping[str, object], label: str) -> None:
    if item_id in items:
        raise InvalidOperation(f"Cet identifiant de {label} existe déjà.")


def _below(count: int, maximum: int, label: str) -> None:
    if count >= maximum:
        raise LimitReached(f"L'atelier a atteint {maximum} {label}.")


def _get(items: dict[str, _Item], item_id: str, label: str) -> _Item:
    item = items.get(item_id)
    if item is None:
        raise NotFound(f"{label} introuvable (peut-être supprimée).")
    return item


def _etape(state: AtelierState, etape_id: str) -> Etape:
    index = state.roadmap.index_of(etape_id)
    if index is None:
        raise NotFound("Étape introuvable (peut-être supprimée).")
    return state.roadmap.etapes[index]


def _answers(answers: dict[str, str]) -> dict[str, str]:
    unknown = set(answers) - PROMPT_KEYS
    if unknown:
        raise InvalidOperation(f"Amorces inconnues : {', '.join(sorted(unknown))}.")
    cleaned = {
        key: clean_line(answers.get(key, ""), "Une réponse", limits.ANSWER_MAX, required=False) for key in PROMPT_KEYS
    }
    if not any(cleaned.values()):
        raise InvalidOperation("Complétez au moins une amorce.")
    return {prompt.key: cleaned[prompt.key] for prompt in REFORMULATION_PROMPTS}


def _question(question: str) -> str:
    if question not in QUESTION_KEYS:
        raise InvalidOperation("Question inconnue : choisissez l'une des questions de l'outil.")
    return question


def _text(text: str, label: str) -> str:
    return clean_line(text, label, limits.ANSWER_MAX, required=True)
