// The matrice désirabilité / faisabilité: place cards by pointer drag (mouse, touch, pen)
// or by keyboard (arrow keys; Enter opens the precise placement dialog).
// Positions are values in 0..1, never pixels: the matrix renders at any size.

import { lock, release } from "./fragments.js";

const DRAG_INTERVAL_MS = 60; // a little slower than the server's 50 ms window, so each update is relayed at once
const KEY_STEP = 0.05;
const FINE_STEP = 0.01;
const KEY_SETTLE_MS = 400; // keyboard moves become durable once the keys rest
const DRAG_THRESHOLD_PX = 4;

const clamp = (value) => Math.min(1, Math.max(0, value));
const round = (value) => Math.round(value * 10000) / 10000;
const percent = (value) => Math.round(value * 100);

function plane() {
  return document.getElementById("matrix-plane");
}

/** Put a token where its values say, inside the plane. */
export function positionToken(token, desirability, feasibility) {
  token.style.left = `${feasibility * 100}%`;
  token.style.top = `${(1 - desirability) * 100}%`;
  // The CSS shifts the token by these fractions of its size, so it never sticks out of the matrix.
  token.style.setProperty("--f", String(feasibility));
  token.style.setProperty("--d", String(desirability));
}

export function positionAll() {
  for (const token of plane()?.querySelectorAll(".token") ?? []) {
    const d = token.dataset.desirability;
    const f = token.dataset.feasibility;
    if (d !== "" && f !== "") positionToken(token, Number(d), Number(f));
  }
  for (const token of document.querySelectorAll("#matrix-tray .token")) token.style.left = token.style.top = "";
}

function valuesAt(clientX, clientY) {
  const rect = plane().getBoundingClientRect();
  return {
    feasibility: round(clamp((clientX - rect.left) / rect.width)),
    desirability: round(clamp(1 - (clientY - rect.top) / rect.height)),
  };
}

export function wireBoard(connection, announce) {
  let drag = null; // {token, pointerId, startX, startY, moved, lastSent, values}
  const keyTimers = new Map();

  const sendDrag = (token, values, force) => {
    const now = performance.now();
    if (!force && drag && now - drag.lastSent < DRAG_INTERVAL_MS) return;
    if (drag) drag.lastSent = now;
    connection.sendEphemeral({ type: "card.drag", card_id: token.dataset.cardId, ...values });
  };

  const moveInto = (token, values, local = true) => {
    if (token.parentElement !== plane()) {
      if (local) holdPlace(token);
      plane().append(token);
    }
    token.dataset.desirability = String(values.desirability);
    token.dataset.feasibility = String(values.feasibility);
    positionToken(token, values.desirability, values.feasibility);
  };

  document.addEventListener("pointerdown", (event) => {
    const token = event.target.closest(".token");
    if (!token || event.button !== 0 || !plane()) return;
    drag = { token, pointerId: event.pointerId, startX: event.clientX, startY: event.clientY, moved: false, lastSent: 0 };
    token.setPointerCapture(event.pointerId);
  });

  document.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.pointerId) return;
    const distance = Math.hypot(event.clientX - drag.startX, event.clientY - drag.startY);
    if (!drag.moved && distance < DRAG_THRESHOLD_PX) return;
    if (!drag.moved) {
      drag.moved = true;
      lock(drag.token.id);
      drag.token.classList.add("is-dragging");
    }
    event.preventDefault();
    drag.values = valuesAt(event.clientX, event.clientY);
    moveInto(drag.token, drag.values);
    sendDrag(drag.token, drag.values, false);
  });

  const endDrag = (event, cancelled) => {
    if (!drag || event.pointerId !== drag.pointerId) return;
    const { token, moved, values } = drag;
    drag = null;
    if (!moved) return; // a click: the click handler opens the dialog
    token.classList.remove("is-dragging");
    token.dataset.justDragged = "true";
    if (!cancelled && values) {
      connection.send({ type: "card.place", card_id: token.dataset.cardId, ...values });
      announce(`${token.dataset.title} placée : désirabilité ${percent(values.desirability)} %, faisabilité ${percent(values.feasibility)} %.`);
    }
    release(token.id);
    dropPlaceholder(token);
  };
  document.addEventListener("pointerup", (event) => endDrag(event, false));
  document.addEventListener("pointercancel", (event) => endDrag(event, true));

  document.addEventListener("click", (event) => {
    const token = event.target.closest(".token");
    if (!token) return;
    if (token.dataset.justDragged) {
      delete token.dataset.justDragged;
      return;
    }
    openDialog(token);
  });

  document.addEventListener("keydown", (event) => {
    const token = event.target.closest?.(".token");
    if (!token) return;
    const step = event.shiftKey ? FINE_STEP : KEY_STEP;
    const moves = { ArrowUp: [step, 0], ArrowDown: [-step, 0], ArrowRight: [0, step], ArrowLeft: [0, -step] };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    const d = token.dataset.desirability === "" ? 0.5 : Number(token.dataset.desirability);
    const f = token.dataset.feasibility === "" ? 0.5 : Number(token.dataset.feasibility);
    const values = { desirability: round(clamp(d + move[0])), feasibility: round(clamp(f + move[1])) };
    lock(token.id);
    moveInto(token, values);
    token.focus();
    connection.sendEphemeral({ type: "card.drag", card_id: token.dataset.cardId, ...values });
    clearTimeout(keyTimers.get(token.id));
    keyTimers.set(
      token.id,
      setTimeout(() => {
        keyTimers.delete(token.id);
        connection.send({ type: "card.place", card_id: token.dataset.cardId, ...values });
        announce(`Désirabilité ${percent(values.desirability)} %, faisabilité ${percent(values.feasibility)} %.`);
        release(token.id);
        dropPlaceholder(token);
      }, KEY_SETTLE_MS),
    );
  });

  connection.addEventListener("card.dragging", (event) => {
    const { card_id: cardId, desirability, feasibility } = event.detail;
    const token = document.getElementById(`token-${cardId}`);
    if (!token || token.classList.contains("is-dragging") || !plane()) return;
    token.classList.add("is-remote-dragging");
    moveInto(token, { desirability, feasibility }, false);
  });

  wireDialog(connection);
  document.addEventListener("atelier:fragments", positionAll);
  positionAll();
}

// While a card leaves the tray, an empty twin keeps its place so the matrix does not jump
// under the pointer when the tray loses a row.
function holdPlace(token) {
  const tray = document.getElementById("matrix-tray");
  if (token.parentElement !== tray) return;
  const placeholder = document.createElement("span");
  placeholder.className = "token-placeholder";
  placeholder.dataset.placeholderFor = token.id;
  placeholder.style.width = `${token.offsetWidth}px`;
  placeholder.style.height = `${token.offsetHeight}px`;
  token.replaceWith(placeholder);
}

function dropPlaceholder(token) {
  document.querySelector(`[data-placeholder-for="${CSS.escape(token.id)}"]`)?.remove();
}

let dialogToken = null;

function openDialog(token) {
  const dialog = document.getElementById("place-dialog");
  if (!dialog) return;
  dialogToken = token;
  document.getElementById("place-card-name").textContent = token.dataset.title;
  const d = token.dataset.desirability;
  const f = token.dataset.feasibility;
  document.getElementById("place-desirability").value = d === "" ? 50 : percent(Number(d));
  document.getElementById("place-feasibility").value = f === "" ? 50 : percent(Number(f));
  dialog.showModal();
  document.getElementById("place-desirability").focus();
}

function wireDialog(connection) {
  const dialog = document.getElementById("place-dialog");
  if (!dialog) return;
  dialog.addEventListener("close", () => {
    const token = dialogToken;
    dialogToken = null;
    if (!token) return;
    const cardId = token.dataset.cardId;
    if (dialog.returnValue === "place") {
      const desirability = clamp(Number(document.getElementById("place-desirability").value) / 100);
      const feasibility = clamp(Number(document.getElementById("place-feasibility").value) / 100);
      connection.send({ type: "card.place", card_id: cardId, desirability, feasibility });
    } else if (dialog.returnValue === "remove") {
      connection.send({ type: "card.place", card_id: cardId, desirability: null, feasibility: null });
    }
    dialog.returnValue = "";
    document.getElementById(`token-${cardId}`)?.focus();
  });
}
