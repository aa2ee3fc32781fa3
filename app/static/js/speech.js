// The tour de table and the visio signals in the room.
//
// The server renders the tour de table (room/_speech.html), the hand queue and the team's counts
// (room/_signals.html); this module sends what the buttons ask (durable speech.* operations,
// ephemeral hand/signal/reaction frames), ticks the turn's countdown, reorders the speaking order by
// drag, shows reactions for a moment, and tells screen readers when the floor changes hands (only
// then: the countdown itself is not announced, except "time is up" to the person speaking).

import { applyFragments } from "./fragments.js";
import { secondsLeft } from "./timer.js";

const TICK_MS = 250;
const REACTION_SHOWN_MS = 4000;
const REACTIONS_SHOWN_MAX = 12; // a burst of applause does not cover the board
const POSTING_TOOLS = ["cards", "reformulations", "ideas", "sous_actions"]; // where « j'ai terminé » makes sense

function clock(seconds) {
  const whole = Math.ceil(Math.abs(seconds) - 1e-6);
  return `${seconds < 0 ? "-" : ""}${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

function ordinal(n) {
  return n === 1 ? "1re" : `${n}e`;
}

/**
 * @param {import("./connection.js").Connection} connection
 * @param {{memberId: string, role: string, team: boolean}} me
 * @param {(text: string) => void} announce
 */
export function wireSpeech(connection, me, announce) {
  const myStatus = () => document.getElementById("my-signals");
  const pressed = (name) => document.querySelector(`[data-signal="${name}"]`);

  // -- signals from the server -------------------------------------------------------------------
  let lastStatus = "";
  connection.addEventListener("signals", (event) => {
    const message = event.detail;
    const mine = message.mine ?? {};
    for (const [name, on] of Object.entries(mine)) pressed(name)?.setAttribute("aria-pressed", String(on));
    const place = (message.hands ?? []).findIndex((hand) => hand.member_id === me.memberId) + 1;
    const parts = [];
    if (place) parts.push(`Votre main est levée (${ordinal(place)} dans la file).`);
    if (mine.done) parts.push("Vous avez signalé avoir terminé.");
    if (mine.bad_connection) parts.push("Vous avez signalé une mauvaise réception.");
    const status = parts.join(" ");
    // Only a change is written: the status region must not repeat itself on every broadcast.
    if (status !== lastStatus && myStatus()) myStatus().textContent = status;
    lastStatus = status;
    applyFragments(message.fragments);
  });

  connection.addEventListener("reaction", (event) => showReaction(event.detail));

  // -- buttons -----------------------------------------------------------------------------------
  document.addEventListener("click", (event) => {
    const toggle = event.target.closest("[data-signal]");
    if (toggle) {
      const on = toggle.getAttribute("aria-pressed") !== "true";
      toggle.setAttribute("aria-pressed", String(on)); // at once; the server's `signals` confirms
      const name = toggle.dataset.signal;
      if (name === "hand") connection.sendEphemeral({ type: on ? "hand.raise" : "hand.lower" });
      else connection.sendEphemeral({ type: "signal.set", signal: name, on });
      return;
    }
    const reaction = event.target.closest("[data-reaction]");
    if (reaction) {
      connection.sendEphemeral({ type: "reaction.send", emoji: reaction.dataset.reaction });
      return;
    }
    const lower = event.target.closest("[data-hand-lower]");
    if (lower) {
      connection.sendEphemeral({ type: "hand.lower", member_id: lower.dataset.handLower });
      return;
    }
    const move = event.target.closest("[data-speech-move]");
    if (move && !move.disabled) {
      const item = move.closest("[data-member-id]");
      const items = orderItems();
      const index = items.indexOf(item) + Number(move.dataset.speechMove);
      if (index >= 0 && index < items.length) {
        connection.send({ type: "speech.move", member_id: item.dataset.memberId, index });
        announce(`${item.dataset.name} : ${ordinal(index + 1)} position.`);
      }
    }
  });

  wireDrag(connection);

  // -- the floor changes hands -------------------------------------------------------------------
  connection.addEventListener("event", (event) => {
    const kind = event.detail.event.type;
    if (kind === "speech.turn_given") {
      const speaker = event.detail.event.member_id;
      if (speaker === me.memberId) announce("C'est à vous : vous avez la parole.");
      else if (speaker) {
        const name = document.querySelector("#speech [data-speaker-name]")?.textContent ?? "";
        announce(`Parole à ${name}.`);
      }
    } else if (kind === "speech.round_started") {
      announce("Le tour de table commence.");
    } else if (kind === "speech.round_ended") {
      announce("Le tour de table est terminé.");
    }
  });

  // -- the turn's countdown ----------------------------------------------------------------------
  const tick = startTurnCountdown(connection, me.memberId, announce);

  // « J'ai terminé » belongs to steps where each person writes something of their own.
  const showDone = () => {
    tick();
    const done = pressed("done");
    const tools = (document.getElementById("step")?.dataset.tools ?? "").split(" ");
    if (done) done.hidden = !POSTING_TOOLS.some((tool) => tools.includes(tool));
  };
  document.addEventListener("atelier:fragments", showDone);
  showDone();
}

/**
 * Keep the speaking turn's countdown (#speech-timer) ticking; tell the speaker once when their time is
 * up (nobody else: the countdown itself is never announced). Returns the tick, to run after fragments.
 * @param {import("./connection.js").Connection} connection
 * @param {string} memberId the person on this page ("" on a projection screen)
 * @param {(text: string) => void} announce
 */
export function startTurnCountdown(connection, memberId = "", announce = () => {}) {
  let toldTimeUp = null;
  const tick = () => {
    const timer = document.getElementById("speech-timer");
    if (!timer) return;
    const left = secondsLeft(timer, connection.serverNow());
    const display = timer.querySelector("[data-speech-display]");
    const status = timer.querySelector("[data-speech-status]");
    if (display) display.textContent = clock(left);
    timer.classList.toggle("speech-timer--over", left <= 0);
    timer.classList.toggle("speech-timer--soon", left > 0 && left <= 15);
    if (status) status.textContent = left <= 0 ? "Temps de parole écoulé" : "";
    const key = `${timer.dataset.speaker}:${timer.dataset.startedAt}`;
    if (left <= 0 && memberId && timer.dataset.speaker === memberId && toldTimeUp !== key) {
      toldTimeUp = key;
      announce("Votre temps de parole est écoulé.");
    }
  };
  setInterval(tick, TICK_MS);
  document.addEventListener("atelier:fragments", tick);
  return tick;
}

function orderItems() {
  return [...(document.getElementById("speech-order")?.children ?? [])].filter((li) => li.dataset.memberId);
}

/** Reorder the speaking order by pointer drag (HTML drag and drop); keyboard users have ↑ ↓. */
function wireDrag(connection) {
  let dragged = null;
  document.addEventListener("dragstart", (event) => {
    const item = event.target.closest?.("#speech-order [data-member-id][draggable='true']");
    if (!item) return;
    dragged = item.dataset.memberId;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged);
    item.classList.add("speaker--dragging");
  });
  document.addEventListener("dragover", (event) => {
    if (dragged && event.target.closest?.("#speech-order")) event.preventDefault();
  });
  document.addEventListener("drop", (event) => {
    const list = event.target.closest?.("#speech-order");
    if (!dragged || !list) return;
    event.preventDefault();
    const items = orderItems();
    const over = event.target.closest("[data-member-id]");
    let index = over ? items.indexOf(over) : items.length - 1;
    if (over) {
      const box = over.getBoundingClientRect();
      const from = items.findIndex((li) => li.dataset.memberId === dragged);
      // Dropped on the lower half of someone: after them.
      if (event.clientY > box.top + box.height / 2 && index < from) index += 1;
      if (event.clientY <= box.top + box.height / 2 && index > from) index -= 1;
    }
    connection.send({ type: "speech.move", member_id: dragged, index: Math.max(0, index) });
    dragged = null;
  });
  document.addEventListener("dragend", () => {
    document.querySelector(".speaker--dragging")?.classList.remove("speaker--dragging");
    dragged = null;
  });
}

/** Show a `reaction` frame for a few seconds (the room and the projection screen). */
export function showReaction({ emoji, name, label }) {
  const stream = document.getElementById("reactions");
  if (!stream) return;
  while (stream.children.length >= REACTIONS_SHOWN_MAX) stream.firstElementChild.remove();
  const bubble = document.createElement("p");
  bubble.className = "reaction";
  bubble.title = label;
  const face = document.createElement("span");
  face.className = "reaction-emoji";
  face.textContent = emoji; // text, never HTML: the name comes from a person
  const who = document.createElement("span");
  who.className = "reaction-name";
  who.textContent = name;
  bubble.append(face, who);
  stream.append(bubble);
  setTimeout(() => bubble.remove(), REACTION_SHOWN_MS);
}
