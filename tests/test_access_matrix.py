"""Who may do what: every HTTP route and every WebSocket message type, for every kind of person.

The two tables below (`HTTP` and `SOCKET`) are the access policy in one place, one row per route or
message type, written with the domain's own role sets (app/domain/roles.py), so a rule changed in
the domain and not here, or here and not in the domain, fails. The routes and message types are
enumerated from the app and the protocol: a new one without a row fails with the row to add.

Actors: the five roles, plus a stranger with no token, a stranger with a wrong token, and a person
the référent removed. Each actor sends every credential they hold:
- a member's browser cookie (and the same secret in the socket's `hello`);
- the link they were given, as a Bearer token or in the URL: the référent holds the animateur link
  (and the démarche's), everyone else the participant link (a removed person still knows it);
- strangers: nothing, or random tokens everywhere.
Every refused request or message is checked to have changed nothing (the database, the room's state).
"""

from __future__ import annotations

import contextlib
import datetime
import itertools
import json
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers import (
    Frame,
    FrameClient,
    NoFrame,
    WsClient,
    app_routes,
    bearer,
    create_atelier,
    db_rows,
    db_tables,
    get_state,
    join,
    text_update,
    ws_connect,
)
from live_helpers import live_ws, threaded_server
from starlette.testclient import TestClient

from app.domain.deroule import Tool
from app.domain.formats import get_format
from app.domain.kit_tools import QUESTION_KEYS, REFORMULATION_PROMPTS
from app.domain.questionnaire import QUESTION_BY_KEY
from app.domain.roles import ACCESS_KEEPERS, ANIMATEURS, ANIMATION_TEAM, CONTRIBUTORS, Role
from app.domain.signals import REACTIONS
from app.domain.speech import TURN_SECONDS_MIN
from app.domain.votes import VOTES_PER_PERSON_MAX
from app.main import create_app
from app.realtime import protocol
from app.realtime.peer import CLOSE_REMOVED
from app.settings import Settings
from app.web.joining import ROLE_OF_LINK
from app.web.realtime_session import CLOSE_UNAUTHORIZED


class Actor(StrEnum):
    PARTICIPANT = "participant"
    COMPLICE = "complice"
    CHALLENGEUR = "challengeur"
    REFERENT = "referent"
    OBSERVER = "observer"
    NO_TOKEN = "no_token"
    WRONG_TOKEN = "wrong_token"
    KICKED = "kicked"


ROLE_OF = {actor: Role(actor.value) for actor in Actor if actor.value in Role.__members__.values()}
STRANGERS = (Actor.NO_TOKEN, Actor.WRONG_TOKEN, Actor.KICKED)
EVERY_ROLE = frozenset(Role)
NOBODY: frozenset[Role] = frozenset()
NOT_OBSERVERS = EVERY_ROLE - {Role.OBSERVER}  # the questionnaire: observers do not answer
ONLY_THE_REFERENT = frozenset({Role.REFERENT})  # roles (rules.py SetRole) and personal data (web/privacy.py)


# -- HTTP -----------------------------------------------------------------------------------------

# How a route recognises people.
PUBLIC = "public"  # nobody needs anything
COOKIE = "cookie"  # the member cookie (the room and its downloads)
LINK = "link"  # an atelier link as `Authorization: Bearer` (the JSON API)
LINK_IN_URL = "link in URL"  # an atelier link in the path (the join page)
DEMARCHE = "démarche"  # the démarche's token as `Authorization: Bearer`
DEMARCHE_IN_URL = "démarche in URL"  # the démarche's token in the path (its page)
HELLO = "member token in hello"  # the realtime fallback's session: the socket's hello, over HTTP
SESSION = "session id"  # a realtime fallback session's unguessable id, given only to whom said hello
LIVE = (HELLO, SESSION)  # checked against a live server: an event stream never ends in-process


@dataclass(frozen=True)
class Http:
    """One route: how it recognises people, who may use it, what they get."""

    credential: str
    allowed: frozenset[Role] = EVERY_ROLE  # by member role (COOKIE) or by role of the link (ROLE_OF_LINK)
    ok: int = 200
    refused: int = 403
    form: dict[str, str] | None = None  # a valid form body
    json: dict[str, Any] | None = None  # a valid JSON body

    def expect(self, actor: Actor) -> int:
        if self.credential == PUBLIC:
            return self.ok
        if self.credential == HELLO:  # as the socket's handshake: 4401 → 401, 4410 → 403
            return {Actor.NO_TOKEN: 401, Actor.WRONG_TOKEN: 401, Actor.KICKED: self.refused}.get(actor, self.ok)
        if self.credential == SESSION:  # strangers never get a session: any id they try is unknown
            return 404 if actor in STRANGERS else self.ok
        if actor == Actor.NO_TOKEN:  # no cookie: refused; no Bearer: 401; no token in the URL: no such page
            return {COOKIE: self.refused, LINK: 401, DEMARCHE: 401}.get(self.credential, 404)
        if actor == Actor.WRONG_TOKEN:
            return self.refused
        if self.credential == COOKIE:
            return self.ok if actor in ROLE_OF and ROLE_OF[actor] in self.allowed else self.refused
        if self.credential in (DEMARCHE, DEMARCHE_IN_URL):  # only the organiser holds the démarche's link
            return self.ok if actor == Actor.REFERENT else self.refused
        link_role = Role.REFERENT if actor == Actor.REFERENT else Role.PARTICIPANT
        if actor == Actor.KICKED and self.credential == LINK_IN_URL:
            return self.refused  # their browser's cookie says who they are: the page says they were removed
        return self.ok if link_role in self.allowed else self.refused


EITHER_LINK = frozenset(ROLE_OF_LINK.values())  # the animateur link or the participant link
ANIMATEUR_LINK = frozenset({ROLE_OF_LINK[kind] for kind in ROLE_OF_LINK if kind == "animateur"})
ATELIER_FORM = {"title": "Un atelier", "administration": "DITP", "format": "1"}
PERSON = {"first_name": "Eve", "last_name": "Martin"}
IN_A_MONTH = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()  # a valid retention date

HTTP: dict[tuple[str, str], Http] = {
    ("GET", "/"): Http(PUBLIC),
    ("GET", "/healthz"): Http(PUBLIC),
    ("GET", "/api"): Http(PUBLIC),
    ("GET", "/openapi.json"): Http(PUBLIC),
    ("GET", "/schemas/deliverable.json"): Http(PUBLIC),
    ("GET", "/schemas/deliverable-{version}.json"): Http(PUBLIC),
    ("GET", "/supports/{tool}.pdf"): Http(PUBLIC),  # blank print supports
    ("MOUNT", "/static"): Http(PUBLIC),
    ("POST", "/ateliers"): Http(PUBLIC, form=ATELIER_FORM),
    ("POST", "/api/ateliers"): Http(PUBLIC, ok=201, json=ATELIER_FORM),
    ("GET", "/demarches/new"): Http(PUBLIC),
    ("GET", "/confidentialite"): Http(PUBLIC),
    ("POST", "/demarches"): Http(PUBLIC, form={"title": "Plan", "administration": "DITP"}),
    ("POST", "/api/demarches"): Http(PUBLIC, ok=201, json={"title": "Plan", "administration": "DITP"}),
    # Joining: with either link.
    ("GET", "/a/{atelier_id}/join/{token}"): Http(LINK_IN_URL, EITHER_LINK, ok=303),  # already in: to the room
    ("POST", "/a/{atelier_id}/join/{token}"): Http(LINK_IN_URL, EITHER_LINK, ok=303, form=PERSON),
    ("POST", "/api/ateliers/{atelier_id}/members"): Http(LINK, EITHER_LINK, ok=201, json=PERSON),
    # The room, by member cookie.
    ("GET", "/a/{atelier_id}"): Http(COOKIE, EVERY_ROLE),
    ("GET", "/a/{atelier_id}/fiche-sujets.json"): Http(COOKIE, ANIMATION_TEAM),
    ("GET", "/a/{atelier_id}/livrable.json"): Http(COOKIE, ANIMATION_TEAM),
    ("GET", "/a/{atelier_id}/livrable.pdf"): Http(COOKIE, ANIMATION_TEAM),
    ("GET", "/a/{atelier_id}/supports/{tool}.pdf"): Http(COOKIE, ANIMATION_TEAM),
    ("GET", "/a/{atelier_id}/compte-rendu.md"): Http(COOKIE, ANIMATION_TEAM),
    ("GET", "/a/{atelier_id}/compte-rendu.pdf"): Http(COOKIE, ANIMATION_TEAM),
    ("GET", "/a/{atelier_id}/carte-reseau-social.svg"): Http(COOKIE, ANIMATION_TEAM),
    ("GET", "/a/{atelier_id}/schedule"): Http(COOKIE, ANIMATION_TEAM),
    ("GET", "/a/{atelier_id}/projection"): Http(COOKIE, ANIMATION_TEAM),
    ("POST", "/a/{atelier_id}/conservation"): Http(COOKIE, ONLY_THE_REFERENT, ok=303, form={"until": IN_A_MONTH}),
    ("POST", "/a/{atelier_id}/anonymiser"): Http(COOKIE, ONLY_THE_REFERENT, ok=303, form={"confirm": "oui"}),
    ("GET", "/a/{atelier_id}/acces"): Http(COOKIE, ACCESS_KEEPERS),
    ("POST", "/a/{atelier_id}/acces/lien-participant"): Http(COOKIE, ACCESS_KEEPERS, form={}),
    ("POST", "/a/{atelier_id}/acces/echeance"): Http(COOKIE, ACCESS_KEEPERS, form={"expires_at": "2099-01-01T12:00"}),
    # The JSON API, by the animateur link.
    ("GET", "/api/ateliers/{atelier_id}/state"): Http(LINK, ANIMATEUR_LINK),
    ("GET", "/api/ateliers/{atelier_id}/deliverable.json"): Http(LINK, ANIMATEUR_LINK),
    ("GET", "/api/ateliers/{atelier_id}/deliverable.pdf"): Http(LINK, ANIMATEUR_LINK),
    ("GET", "/api/ateliers/{atelier_id}/supports/{tool}.pdf"): Http(LINK, ANIMATEUR_LINK),
    ("GET", "/api/ateliers/{atelier_id}/compte-rendu.md"): Http(LINK, ANIMATEUR_LINK),
    ("GET", "/api/ateliers/{atelier_id}/compte-rendu.pdf"): Http(LINK, ANIMATEUR_LINK),
    ("GET", "/api/ateliers/{atelier_id}/retention"): Http(LINK, ANIMATEUR_LINK),
    ("PUT", "/api/ateliers/{atelier_id}/retention"): Http(LINK, ANIMATEUR_LINK, json={"until": IN_A_MONTH}),
    ("POST", "/api/ateliers/{atelier_id}/anonymise"): Http(LINK, ANIMATEUR_LINK),
    # The démarche, by its own token.
    ("GET", "/d/{demarche_id}/{token}"): Http(DEMARCHE_IN_URL),
    ("POST", "/d/{demarche_id}/{token}/ateliers"): Http(DEMARCHE_IN_URL, form={"title": "Atelier 2", "format": "1"}),
    ("GET", "/api/demarches/{demarche_id}"): Http(DEMARCHE),
    ("POST", "/api/demarches/{demarche_id}/ateliers"): Http(DEMARCHE, ok=201, json={"title": "A2", "format": "1"}),
    ("GET", "/api/demarches/{demarche_id}/deliverable.json"): Http(DEMARCHE),
    ("GET", "/api/demarches/{demarche_id}/deliverable.pdf"): Http(DEMARCHE),
    ("GET", "/api/demarches/{demarche_id}/compte-rendu.md"): Http(DEMARCHE),
    ("GET", "/api/demarches/{demarche_id}/compte-rendu.pdf"): Http(DEMARCHE),
    # The realtime fallback (SSE + POST): the socket's rules, then the session's id. What each message
    # may do is the SOCKET table's: both transports go through the same session code.
    ("POST", "/rt/ateliers/{atelier_id}/sessions"): Http(HELLO, ok=201),
    ("POST", "/rt/sessions/{sid}/messages"): Http(SESSION, ok=202),
    ("GET", "/rt/sessions/{sid}/events"): Http(SESSION),
}
IN_PROCESS = sorted(route for route, row in HTTP.items() if row.credential not in LIVE)


@dataclass
class People:
    """An atelier in a démarche with one person per role and one removed person, none connected."""

    atelier: dict[str, Any]
    demarche: dict[str, Any]
    members: dict[Actor, dict[str, Any]] = field(default_factory=dict)

    def member_token(self, actor: Actor) -> str | None:
        if actor == Actor.NO_TOKEN:
            return None
        if actor == Actor.WRONG_TOKEN:
            return secrets.token_urlsafe(24)
        return self.members[actor]["member_token"]  # type: ignore[no-any-return]

    def link_token(self, actor: Actor) -> str | None:
        if actor in (Actor.NO_TOKEN, Actor.WRONG_TOKEN):
            return self.member_token(actor)
        return self.atelier["animateur_token" if actor == Actor.REFERENT else "participant_token"]  # type: ignore[no-any-return]

    def demarche_token(self, actor: Actor) -> str | None:
        return self.demarche["animateur_token"] if actor == Actor.REFERENT else self.link_token(actor)  # type: ignore[no-any-return]


def _people(client: TestClient) -> People:
    """An atelier in a démarche, with its roster."""
    demarche = client.post("/api/demarches", json={"title": "Plan", "administration": "DITP"}).json()
    response = client.post(
        f"/api/demarches/{demarche['id']}/ateliers", json={"title": "Atelier 1", "format": "1"},
        headers=bearer(demarche["animateur_token"]),
    )  # fmt: skip
    return _roster(client, People(response.json(), demarche))


def _roster(client: TestClient | httpx.Client, people: People, referent_socket: Connect | None = None) -> People:
    """One person per role joined, and one more removed by the référent."""
    atelier = people.atelier
    people.members[Actor.REFERENT] = join(client, atelier, "animateur", first_name="Alex", last_name="Durand")  # type: ignore[arg-type]
    for actor in (Actor.CHALLENGEUR, Actor.COMPLICE, Actor.PARTICIPANT, Actor.OBSERVER, Actor.KICKED):
        people.members[actor] = join(client, atelier, first_name=actor.value.title(), last_name="Martin")  # type: ignore[arg-type]
    connect = referent_socket or (lambda: connected_as(client, people, Actor.REFERENT))  # type: ignore[arg-type]
    with connect() as referent:
        for actor in (Actor.CHALLENGEUR, Actor.COMPLICE, Actor.OBSERVER):
            referent.ack(referent.send_op("member.set_role", member_id=people.members[actor]["member_id"], role=actor))
        referent.ack(referent.send_op("member.remove", member_id=people.members[Actor.KICKED]["member_id"]))
    return people


Connect = Callable[[], contextlib.AbstractContextManager[FrameClient]]


@contextlib.contextmanager
def connected_as(client: TestClient, people: People, actor: Actor) -> Iterator[WsClient]:
    with ws_connect(client, people.atelier["id"], people.member_token(actor)) as ws:
        ws.hello()
        ws.drain_to_synced()
        yield ws


def _request(client: TestClient, people: People, method: str, path: str, row: Http, actor: Actor) -> int:
    token = {LINK_IN_URL: people.link_token(actor), DEMARCHE_IN_URL: people.demarche_token(actor)}.get(row.credential)
    values = {"atelier_id": people.atelier["id"], "demarche_id": people.demarche["id"], "tool": "cartes",
              "version": "0.1.0", "token": token or ""}  # fmt: skip
    url = "/static/css/atelier.css" if method == "MOUNT" else path.format(**values)
    headers: dict[str, str] = {}
    if (secret := people.member_token(actor)) is not None:
        headers["Cookie"] = f"atelier_{people.atelier['id']}={secret}"
    bearer_token = people.demarche_token(actor) if row.credential == DEMARCHE else people.link_token(actor)
    if bearer_token is not None:
        headers |= bearer(bearer_token)
    response = client.request(
        "GET" if method == "MOUNT" else method, url, headers=headers, data=row.form, json=row.json,
        follow_redirects=False,
    )  # fmt: skip
    return response.status_code


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("matrix") / "atelier.db"


@pytest.fixture(scope="module")
def client(database: Path) -> Iterator[TestClient]:
    """One app for the whole table (each row makes its own atelier): start-up costs once, not per row."""
    with TestClient(create_app(Settings(database_url=f"sqlite:///{database}"))) as client:
        yield client


def _database(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    return {table: sorted(db_rows(database, table), key=repr) for table in db_tables(database)}


def test_every_http_route_has_a_row(client: TestClient) -> None:
    routes = [(method, path) for method, path in app_routes(client.app) if method != "WS"]
    missing = [f"({method!r}, {path!r}): Http(...)" for method, path in routes if (method, path) not in HTTP]
    assert not missing, "tests/test_access_matrix.py: add a row to HTTP for " + ", ".join(missing)
    stale = sorted(set(HTTP) - set(routes))
    assert not stale, f"rows in HTTP for routes that no longer exist: {stale}"


@pytest.mark.parametrize(("method", "path"), IN_PROCESS, ids=[f"{m} {p}" for m, p in IN_PROCESS])
def test_http_route_answers_each_actor_as_the_table_says(
    client: TestClient, database: Path, method: str, path: str
) -> None:
    row = HTTP[(method, path)]
    people = _people(client)
    # The allowed ones last: an allowed change (a new link, say) must not spoil the refusals' check.
    actors = sorted(Actor, key=lambda actor: row.expect(actor) == row.ok)
    wrong: list[str] = []
    for actor in actors:
        before = _database(database) if method != "GET" else None
        status = _request(client, people, method, path, row, actor)
        if status != row.expect(actor):
            wrong.append(f"{actor}: expected {row.expect(actor)}, got {status}")
        elif before is not None and status != row.ok:
            assert _database(database) == before, f"{method} {path}: refused for {actor} but changed the database"
    assert not wrong, f"{method} {path}: " + "; ".join(wrong)


def test_realtime_fallback_routes_answer_each_actor_as_the_table_says(tmp_path: Path) -> None:
    database = tmp_path / "live.db"
    app = create_app(Settings(database_url=f"sqlite:///{database}"))
    with threaded_server(app) as base_url, httpx.Client(base_url=base_url, timeout=10) as http:
        atelier = create_atelier(http, "1")  # type: ignore[arg-type]  # an httpx.Client speaks like the TestClient

        @contextlib.contextmanager
        def referent() -> Iterator[FrameClient]:
            with live_ws(base_url, atelier["id"], people.member_token(Actor.REFERENT)) as ws:
                ws.hello()
                ws.drain_to_synced()
                yield ws

        people = People(atelier, {})
        _roster(http, people, referent)
        wrong: list[str] = []
        for actor in Actor:
            hello = {"type": "hello", "token": people.member_token(actor)}
            before = _database(database)
            opened = http.post(f"/rt/ateliers/{atelier['id']}/sessions", content=json.dumps(hello))
            sid = opened.json()["session"] if opened.status_code == 201 else secrets.token_urlsafe(24)
            posted = http.post(f"/rt/sessions/{sid}/messages", content=json.dumps({"type": "ping"}))
            with http.stream("GET", f"/rt/sessions/{sid}/events") as events:
                streamed = events.status_code
            got = (opened.status_code, posted.status_code, streamed)
            for (method, path), status in zip(LIVE_ROUTES, got, strict=True):
                if status != (expected := HTTP[(method, path)].expect(actor)):
                    wrong.append(f"{method} {path}, {actor}: expected {expected}, got {status}")
            if actor in STRANGERS:
                assert _database(database) == before, f"the realtime fallback changed something for {actor}"
        assert not wrong, "; ".join(wrong)


LIVE_ROUTES = [("POST", "/rt/ateliers/{atelier_id}/sessions"), ("POST", "/rt/sessions/{sid}/messages"),
               ("GET", "/rt/sessions/{sid}/events")]  # fmt: skip


# -- WebSocket ------------------------------------------------------------------------------------

ACK, RELAYED, PONG = "ack", "relayed", "pong"  # what an allowed member gets for a durable op, a relayed
# ephemeral frame (the others see it), a ping; a refused member gets an error frame with the row's code.
REFUSED_AT_HELLO = {
    Actor.NO_TOKEN: CLOSE_UNAUTHORIZED,
    Actor.WRONG_TOKEN: CLOSE_UNAUTHORIZED,
    Actor.KICKED: CLOSE_REMOVED,
}


@dataclass
class World:
    """A connected atelier of one format: a socket per role, and the référent's setup socket for the row
    (a socket of its own: the scenes of every row would exceed one connection's rate limit)."""

    client: TestClient
    people: People
    sockets: dict[Actor, WsClient]
    setup: WsClient | None = None
    actor: Actor = Actor.REFERENT  # whose cell is being prepared

    def id_of(self, actor: Actor) -> str:
        return self.people.members[actor]["member_id"]  # type: ignore[no-any-return]

    def state(self) -> dict[str, Any]:
        return get_state(self.client, self.people.atelier)["state"]  # type: ignore[no-any-return]

    def op(self, type: str, **fields: Any) -> None:
        """The référent does something to set the scene (acknowledged before going on)."""
        assert self.setup is not None
        self.setup.ack(self.setup.send_op(type, **fields))

    def newcomer(self, name: str) -> str:
        return join(self.client, self.people.atelier, first_name=name, last_name="Nouveau")["member_id"]  # type: ignore[no-any-return]

    def goto(self, tool: Tool) -> None:
        steps = get_format(self.people.atelier["format"]).steps
        self.op("step.goto", index=next(index for index, step in enumerate(steps) if tool in step.tools))


Prepare = Callable[[World, str], None]
MakeFrame = Callable[[World, str], Frame]


@dataclass(frozen=True)
class Message:
    """One message type: who may send it (by role), and how to make a valid one in a fresh scene."""

    allowed: frozenset[Role]
    frame: MakeFrame  # (world, unique suffix) → the frame's fields besides `type` and `id`
    world: str = "1"  # the format; rows whose scene would spoil the others' have a world of their own
    prepare: Prepare | None = None
    ok: str = ACK
    refused: str = "forbidden"

    def expect(self, actor: Actor) -> str | int:
        if actor in REFUSED_AT_HELLO:
            return REFUSED_AT_HELLO[actor]  # never past the handshake, whatever they send next
        return self.ok if ROLE_OF[actor] in self.allowed else self.refused


def _card(world: World, suffix: str) -> None:
    world.op("card.create", card_id=f"c-{suffix}", title="Une carte du référent")


def _at(tool: Tool, then: Prepare | None = None) -> Prepare:
    def prepare(world: World, suffix: str) -> None:
        world.goto(tool)
        if then is not None:
            then(world, suffix)

    return prepare


def _reformulation(world: World, suffix: str) -> None:
    world.op("reformulation.create", reformulation_id=f"r-{suffix}", answers={PROMPT: "Du référent"})


def _idea(world: World, suffix: str) -> None:
    world.op("idea.create", idea_id=f"i-{suffix}", question=QUESTION, text="Du référent")


def _sous_actions(world: World, suffix: str) -> None:
    world.op("sous_action.create", sous_action_id=f"s-{suffix}", text="Du référent")
    world.op("sous_action.create", sous_action_id=f"t-{suffix}", text="Une autre")


def _etape(world: World, suffix: str) -> None:
    world.op("etape.create", etape_id=f"e-{suffix}", title="Du référent")


def _questionnaire(world: World, _suffix: str) -> None:
    world.op("questionnaire.open", anonymous=True)


def _other_cards_step(world: World) -> int:
    """A step that opens the cards, other than the current one (a reflection starts once per step)."""
    current = world.state()["step_index"]
    steps = get_format("1").steps
    return next(index for index, step in enumerate(steps) if Tool.CARDS in step.tools and index != current)


def _reflection_closed(world: World, _suffix: str) -> None:
    world.op("step.goto", index=_other_cards_step(world))


def _reflection_open(world: World, suffix: str) -> None:
    _reflection_closed(world, suffix)
    world.op("reflection.start")


def _round(world: World, _suffix: str) -> None:
    """A fresh tour de table: the participants present (the participant's socket) in the order, nobody speaking."""
    world.op("speech.start")


def _own_hand_down(world: World, _suffix: str) -> None:
    if world.actor in world.sockets:  # (raising a hand already raised changes nothing, so shows nothing)
        world.sockets[world.actor].send({"type": "hand.lower"})


def _referent_hand(world: World, _suffix: str) -> None:
    assert world.setup is not None
    world.setup.send({"type": "hand.raise"})  # raised twice keeps its place: no change, no answer


def _vote_closed(world: World, _suffix: str) -> None:
    state = world.state()
    if not state["cards"]:
        world.op("step.goto", index=_other_cards_step(world))
        world.op("card.create", card_id=BALLOT_CARD, title="La carte du vote")
    if state["vote"] is not None and state["vote"]["open"]:
        world.op("vote.close")


def _vote_open(world: World, suffix: str) -> None:
    _vote_closed(world, suffix)
    world.op("vote.open", votes_per_person=VOTES_PER_PERSON_MAX, multiple=True)


def _own_dot(world: World, suffix: str) -> None:
    """An open vote where the actor has a dot to take back (if their role lets them vote at all)."""
    _vote_open(world, suffix)
    if world.actor in ROLE_OF and ROLE_OF[world.actor] in CONTRIBUTORS:
        voter = world.sockets[world.actor]
        voter.ack(voter.send_op("vote.place", card_id=BALLOT_CARD))


REFLECTION, VOTE = "1 reflection", "1 vote"  # worlds of their own: a reflection or a vote changes the cards' rules
BALLOT_CARD = "ballot-card"
PROMPT = REFORMULATION_PROMPTS[0].key
REACTION = next(iter(REACTIONS))
QUESTION = sorted(QUESTION_KEYS)[0]
RATING = next(key for key, question in QUESTION_BY_KEY.items() if question.kind == "rating")

# "Others'" items are the référent's: the owner rule lets the team edit anyone's, a person only their own.
SOCKET: dict[str, Message] = {
    "hello": Message(NOBODY, lambda w, s: {}, refused="bad_frame"),  # once per connection
    "ping": Message(EVERY_ROLE, lambda w, s: {"t": 1}, ok=PONG),
    "field.focus": Message(EVERY_ROLE, lambda w, s: {"field": "notes:0"}, ok=RELAYED),
    "timer.warn": Message(ANIMATEURS, lambda w, s: {"minutes": 2}, ok=RELAYED),
    "follow.lead": Message(ANIMATEURS, lambda w, s: {"panel": "panel-notes"}, ok=RELAYED),
    "follow.stop": Message(ANIMATEURS, lambda w, s: {}, ok=RELAYED),
    "hand.raise": Message(NOT_OBSERVERS, lambda w, s: {}, prepare=_own_hand_down, ok=RELAYED),
    "hand.lower": Message(ANIMATEURS, lambda w, s: {"member_id": w.id_of(Actor.REFERENT)}, prepare=_referent_hand,
                          ok=RELAYED),  # someone else's hand (everyone may lower their own)
    "signal.set": Message(NOT_OBSERVERS, lambda w, s: {"signal": "bad_connection", "on": True}, ok=RELAYED),
    "reaction.send": Message(NOT_OBSERVERS, lambda w, s: {"emoji": REACTION}, ok=RELAYED),
    "speech.start": Message(ANIMATEURS, lambda w, s: {}),
    "speech.shuffle": Message(ANIMATEURS, lambda w, s: {}, prepare=_round),
    "speech.move": Message(ANIMATEURS, lambda w, s: {"member_id": w.id_of(Actor.PARTICIPANT), "index": 0},
                           prepare=_round),
    "speech.remove": Message(ANIMATEURS, lambda w, s: {"member_id": w.id_of(Actor.PARTICIPANT)}, prepare=_round),
    "speech.next": Message(ANIMATEURS, lambda w, s: {}, prepare=_round),
    "speech.give": Message(ANIMATEURS, lambda w, s: {"member_id": w.id_of(Actor.PARTICIPANT)}, prepare=_round),
    "speech.timebox": Message(ANIMATEURS, lambda w, s: {"turn_seconds": TURN_SECONDS_MIN}, prepare=_round),
    "speech.end": Message(ANIMATEURS, lambda w, s: {}, prepare=_round),
    "card.drag": Message(CONTRIBUTORS, lambda w, s: {"card_id": f"c-{s}", "desirability": 0.3, "feasibility": 0.3},
                         prepare=_card, ok=RELAYED),
    "member.set_role": Message(ONLY_THE_REFERENT, lambda w, s: {"member_id": w.newcomer(s), "role": "complice"}),
    "member.remove": Message(ACCESS_KEEPERS, lambda w, s: {"member_id": w.newcomer(s)}),
    "step.goto": Message(ANIMATEURS, lambda w, s: {"index": 2}),
    "step.next": Message(ANIMATEURS, lambda w, s: {}, prepare=lambda w, s: w.op("step.goto", index=1)),
    "step.prev": Message(ANIMATEURS, lambda w, s: {}, prepare=lambda w, s: w.op("step.goto", index=1)),
    "timer.start": Message(ANIMATEURS, lambda w, s: {}),
    "timer.pause": Message(ANIMATEURS, lambda w, s: {}),
    "timer.add": Message(ANIMATEURS, lambda w, s: {"seconds": 60}),
    "timer.reset": Message(ANIMATEURS, lambda w, s: {}),
    "card.create": Message(CONTRIBUTORS, lambda w, s: {"card_id": f"c-{s}", "title": "Ma carte"}),
    "card.update": Message(ANIMATION_TEAM, lambda w, s: {"card_id": f"c-{s}", "title": "Retouchée"}, prepare=_card),
    "card.delete": Message(ANIMATION_TEAM, lambda w, s: {"card_id": f"c-{s}"}, prepare=_card),
    "card.place": Message(CONTRIBUTORS, lambda w, s: {"card_id": f"c-{s}", "desirability": 0.5, "feasibility": 0.5},
                          prepare=_card),
    "card.priority": Message(ANIMATEURS, lambda w, s: {"card_id": f"c-{s}", "priority": True}, prepare=_card),
    "text.update": Message(ANIMATION_TEAM, lambda w, s: {"field": "notes:0", "update": text_update("Note")}),
    "subject.set": Message(ANIMATEURS, lambda w, s: {"title": "Le sujet"}, world="2"),
    "reformulation.create": Message(CONTRIBUTORS, lambda w, s: {"reformulation_id": f"r-{s}", "answers": {PROMPT: "a"}},
                                    world="2", prepare=_at(Tool.REFORMULATIONS)),
    "reformulation.update": Message(ANIMATION_TEAM,
                                    lambda w, s: {"reformulation_id": f"r-{s}", "answers": {PROMPT: "b"}},
                                    world="2", prepare=_at(Tool.REFORMULATIONS, _reformulation)),
    "reformulation.delete": Message(ANIMATION_TEAM, lambda w, s: {"reformulation_id": f"r-{s}"},
                                    world="2", prepare=_at(Tool.REFORMULATIONS, _reformulation)),
    "idea.create": Message(CONTRIBUTORS, lambda w, s: {"idea_id": f"i-{s}", "question": QUESTION, "text": "Une idée"},
                           world="2", prepare=_at(Tool.IDEAS)),
    "idea.update": Message(ANIMATION_TEAM, lambda w, s: {"idea_id": f"i-{s}", "question": QUESTION, "text": "Autre"},
                           world="2", prepare=_at(Tool.IDEAS, _idea)),
    "idea.delete": Message(ANIMATION_TEAM, lambda w, s: {"idea_id": f"i-{s}"}, world="2",
                           prepare=_at(Tool.IDEAS, _idea)),
    "canevas.value": Message(CONTRIBUTORS, lambda w, s: {"value": "transparence", "checked": True}, world="2",
                             prepare=_at(Tool.CANEVAS)),
    "sous_action.create": Message(CONTRIBUTORS, lambda w, s: {"sous_action_id": f"s-{s}", "text": "Une sous-action"},
                                  world="3", prepare=_at(Tool.SOUS_ACTIONS)),
    "sous_action.merge": Message(ANIMATION_TEAM, lambda w, s: {"sous_action_id": f"s-{s}", "into_id": f"t-{s}"},
                                 world="3", prepare=_at(Tool.SOUS_ACTIONS, _sous_actions)),
    "sous_action.delete": Message(ANIMATION_TEAM, lambda w, s: {"sous_action_id": f"s-{s}"}, world="3",
                                  prepare=_at(Tool.SOUS_ACTIONS, _sous_actions)),
    "roadmap.horizon": Message(ANIMATEURS, lambda w, s: {"start_year": 2026, "end_year": 2028}, world="3"),
    "etape.create": Message(CONTRIBUTORS, lambda w, s: {"etape_id": f"e-{s}", "title": "Une étape"}, world="3",
                            prepare=_at(Tool.ROADMAP)),
    "etape.update": Message(ANIMATION_TEAM, lambda w, s: {"etape_id": f"e-{s}", "title": "Retouchée"}, world="3",
                            prepare=_at(Tool.ROADMAP, _etape)),
    "etape.move": Message(CONTRIBUTORS, lambda w, s: {"etape_id": f"e-{s}", "index": 0}, world="3",
                          prepare=_at(Tool.ROADMAP, _etape)),
    "etape.delete": Message(ANIMATION_TEAM, lambda w, s: {"etape_id": f"e-{s}"}, world="3",
                            prepare=_at(Tool.ROADMAP, _etape)),
    "questionnaire.open": Message(ANIMATEURS, lambda w, s: {"anonymous": True}),
    "questionnaire.close": Message(ANIMATEURS, lambda w, s: {}, prepare=_questionnaire),
    "questionnaire.answer": Message(NOT_OBSERVERS, lambda w, s: {"answers": {RATING: 4}}, prepare=_questionnaire),
    "draft.generate": Message(ANIMATION_TEAM, lambda w, s: {"field": "post"}),
    "compte_rendu.finalize": Message(ANIMATEURS, lambda w, s: {"final": False}),
    "reflection.start": Message(ANIMATEURS, lambda w, s: {}, world=REFLECTION, prepare=_reflection_closed),
    "reflection.reveal": Message(ANIMATEURS, lambda w, s: {"anonymous": False}, world=REFLECTION,
                                 prepare=_reflection_open),
    "vote.open": Message(ANIMATEURS, lambda w, s: {"votes_per_person": 3}, world=VOTE, prepare=_vote_closed),
    "vote.close": Message(ANIMATEURS, lambda w, s: {}, world=VOTE, prepare=_vote_open),
    "vote.place": Message(CONTRIBUTORS, lambda w, s: {"card_id": BALLOT_CARD}, world=VOTE, prepare=_vote_open),
    "vote.remove": Message(CONTRIBUTORS, lambda w, s: {"card_id": BALLOT_CARD}, world=VOTE, prepare=_own_dot),
}  # fmt: skip

# How the animation team sees that an ephemeral frame by `me` went through (docs/protocol.md, §4).
Seen = Callable[[Frame, str], bool]


def _relay(kind: str) -> Seen:
    return lambda frame, me: frame["type"] == kind and frame.get("by") == me


RELAYED_AS: dict[str, Seen] = {
    "card.drag": _relay("card.dragging"),
    "field.focus": _relay("field.focused"),
    "timer.warn": _relay("timer.warned"),
    "follow.lead": _relay("follow.view"),
    "follow.stop": _relay("follow.stopped"),
    "reaction.send": _relay("reaction"),
    "hand.raise": lambda frame, me: frame["type"] == "signals" and me in [h["member_id"] for h in frame["hands"]],
    "hand.lower": lambda frame, me: frame["type"] == "signals" and not frame["hands"],
    "signal.set": lambda frame, me: frame["type"] == "signals" and me in frame.get("bad_connection", []),
}
PING_MARKERS = itertools.count(1_000_001)  # each cell's own ping: a pong answers exactly one cell
MESSAGE_TYPES = sorted({*protocol.OP_TYPES, *protocol.EPHEMERAL_TYPES, "hello"})


def test_every_message_type_has_a_row() -> None:
    missing = [f"{kind!r}: Message(...)" for kind in MESSAGE_TYPES if kind not in SOCKET]
    assert not missing, "tests/test_access_matrix.py: add a row to SOCKET for " + ", ".join(missing)
    stale = sorted(set(SOCKET) - set(MESSAGE_TYPES))
    assert not stale, f"rows in SOCKET for message types the protocol no longer has: {stale}"


@pytest.fixture(scope="module")
def worlds(client: TestClient) -> Iterator[dict[str, World]]:
    """One connected atelier per format, shared by the rows (each row sets its own scene)."""
    with contextlib.ExitStack() as stack:
        made: dict[str, World] = {}
        for name in ("1", "2", "3", REFLECTION, VOTE):
            atelier = create_atelier(client, name[0])
            people = _roster(client, People(atelier, {}))
            sockets = {
                actor: stack.enter_context(connected_as(client, people, actor))
                for actor in Actor
                if actor in ROLE_OF
            }
            made[name] = World(client, people, sockets)
        yield made


def _outcome(world: World, actor: Actor, kind: str, fields: Frame) -> str | int:
    """What `actor` gets for sending one `kind` message: ack / relayed / pong, an error code, a close code."""
    if actor in REFUSED_AT_HELLO:
        with ws_connect(world.client, world.people.atelier["id"], world.people.member_token(actor)) as ws:
            ws.hello()
            ws.send({"type": kind, "id": "op-1", **fields} if kind in protocol.OP_TYPES else {"type": kind, **fields})
            return ws.expect_close()
    ws = world.sockets[actor]
    if kind in protocol.OP_TYPES:
        op_id = ws.send_op(kind, **fields)
        reply = ws.recv_until(lambda f: f["type"] in ("ack", "error") and f.get("id") == op_id, limit=2000)
        return ACK if reply["type"] == "ack" else str(reply["code"])
    ws.send({"type": kind, **fields})
    if kind == "ping":
        reply = ws.recv_until(lambda f: f["type"] in ("pong", "error"), limit=2000)
        return PONG if reply["type"] == "pong" else str(reply["code"])
    # Ephemeral or repeated hello: an error comes back before the pong of a ping sent after it.
    marker = next(PING_MARKERS)
    ws.send({"type": "ping", "t": marker})
    before_pong: list[Frame] = []
    ws.recv_until(lambda f: f["type"] == "pong" and f.get("t") == marker, limit=2000, skipped=before_pong)
    errors = [frame for frame in before_pong if frame["type"] == "error"]
    if errors:
        return str(errors[0]["code"])
    seen, me = RELAYED_AS[kind], world.id_of(actor)
    witness = Actor.REFERENT if actor != Actor.REFERENT else Actor.CHALLENGEUR  # the team sees every signal
    try:
        world.sockets[witness].recv_until(lambda frame: seen(frame, me), limit=2000)
    except NoFrame as nothing:
        raise AssertionError(f"{kind} by {actor}: no error, yet {witness} never saw it go through") from nothing
    return RELAYED


@pytest.mark.parametrize("kind", sorted(SOCKET))
def test_message_type_answers_each_actor_as_the_table_says(worlds: dict[str, World], kind: str) -> None:
    row = SOCKET[kind]
    world = worlds[row.world]
    wrong: list[str] = []
    with connected_as(world.client, world.people, Actor.REFERENT) as world.setup:
        for number, actor in enumerate(Actor):
            suffix = f"{kind.replace('.', '-')}-{number}"
            world.actor = actor
            if row.prepare is not None:
                row.prepare(world, suffix)
            fields = row.frame(world, suffix)
            expected = row.expect(actor)
            before = get_state(world.client, world.people.atelier)
            got = _outcome(world, actor, kind, fields)
            if got != expected:
                wrong.append(f"{actor}: expected {expected!r}, got {got!r}")
            elif got not in (ACK, RELAYED, PONG):
                assert get_state(world.client, world.people.atelier) == before, f"{kind}: refused for {actor}, changed"
    world.setup = None
    assert not wrong, f"{kind}: " + "; ".join(wrong)
