// Format 3 tools in the room: sous-actions and the feuille de route.
//
// The server renders everything (room/_sous-actions.html, _sous_action.html, _roadmap.html); this
// module sends the operations that markup describes, keeps the client-side details current between
// fragments (numbers, merge pickers, "already on the feuille de route"), places the frise's bars,
// and reorders étapes by pointer drag and by keyboard. The server's order is the truth: every
// client re-renders from it, so two people moving étapes at once end with the same list.

import { lock, release } from "./fragments.js";

const ROADMAP = "roadmap"; // the region fragments.js upserts
const DRAG_THRESHOLD_PX = 4;
const KEY_SETTLE_MS = 450; // a burst of arrow presses becomes one move
const ANSWER_WAIT_MS = 5000; // show others' changes again even if the server's answer is late
const EDGE_PX = 48; // drag near a window edge scrolls
const EDGE_SCROLL_PX = 14;
const OPTION_TEXT_MAX = 60;

const etapeItems = () => [...(document.getElementById("etapes-list")?.children ?? [])].filter((li) => li.matches(".etape"));
const etapeOrder = () => etapeItems().map((li) => li.dataset.etapeId);
const sousActionItems = () =>
  [...(document.getElementById("sous-actions-list")?.children ?? [])].filter((li) => li.matches(".sous-action"));

function announce(text) {
  const announcer = document.getElementById("announcer");
  if (!announcer) return;
  announcer.textContent = "";
  requestAnimationFrame(() => (announcer.textContent = text));
}

function truncate(text, max) {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Put `li` at position `target` among the étapes by moving its siblings: `li` itself never leaves
 * the DOM, so it keeps the focus and the pointer. */
function placeAt(li, target) {
  const items = etapeItems();
  const current = items.indexOf(li);
  if (target < current) li.after(...items.slice(target, current));
  else if (target > current) li.before(...items.slice(current + 1, target + 1));
}

/** Put the étapes back in `order` (ids), keeping the focus where it was. */
function restoreOrder(order) {
  const list = document.getElementById("etapes-list");
  if (!list) return;
  const focused = document.activeElement;
  for (const id of order) {
    const li = document.getElementById(`etape-${id}`);
    if (li && li.parentElement === list) list.append(li);
  }
  if (focused && focused !== document.activeElement && focused.isConnected) focused.focus({ preventScroll: true });
  renumberEtapes();
}

/** Numbers, edge buttons and handle names follow the order the person sees (before the server's). */
function renumberEtapes() {
  const items = etapeItems();
  items.forEach((li, index) => {
    const num = li.querySelector(".etape-num");
    if (num) num.textContent = String(index + 1);
    li.querySelector("[data-etape-move='-1']")?.setAttribute("aria-disabled", String(index === 0));
    li.querySelector("[data-etape-move='1']")?.setAttribute("aria-disabled", String(index === items.length - 1));
    const name = li.querySelector("[data-etape-handle] .visually-hidden");
    if (name) name.textContent = `Déplacer l'étape ${index + 1} « ${li.dataset.title} »`;
  });
}

/** Bars of the frise: from their first month for their duration, as percentages of the horizon. */
export function positionBars(root = document) {
  for (const bar of root.querySelectorAll(".timeline-bar")) {
    const total = Number(bar.dataset.months);
    const start = Number(bar.dataset.startMonth);
    const duration = Number(bar.dataset.duration);
    if (!(total > 0) || Number.isNaN(start) || !(duration > 0)) continue;
    const from = Math.max(0, start);
    const to = Math.min(total, start + duration);
    const span = Math.max(0, to - from);
    bar.style.left = `${(from / total) * 100}%`;
    bar.style.width = `${(span / total) * 100}%`;
    // The label may run past a short bar, but not past the frise: it gets the room up to the edge.
    const label = bar.querySelector(".timeline-label");
    const room = bar.classList.contains("timeline-bar--label-before") ? to : total - from;
    if (label && span > 0) label.style.maxWidth = `calc(${(room / span) * 100}% - 0.7rem)`;
  }
}

/** @param {import("./connection.js").Connection} connection */
export function wireFormat3(connection, me, newId) {
  const observer = me.role === "observer";

  // -- holding the roadmap region while the person moves an étape ---------------------------------
  // While they drag, while their arrow presses settle, and until the server answers their move,
  // fragments.js keeps the roadmap as they see it and applies the latest one afterwards.
  const holds = new Map(); // reason → {timer, order to restore if refused}
  const hold = (reason, order = null) => {
    if (holds.size === 0) lock(ROADMAP);
    const previous = holds.get(reason);
    if (previous) clearTimeout(previous.timer);
    const timer = reason.startsWith("op:") ? setTimeout(() => unhold(reason), ANSWER_WAIT_MS) : null;
    holds.set(reason, { timer, order });
  };
  const unhold = (reason) => {
    const held = holds.get(reason);
    if (!held) return;
    clearTimeout(held.timer);
    holds.delete(reason);
    if (holds.size === 0) release(ROADMAP);
  };

  const sendMove = (etapeId, index, previousOrder) => {
    const opId = connection.send({ type: "etape.move", etape_id: etapeId, index });
    hold(`op:${opId}`, previousOrder);
  };

  // Sous-actions being put on the feuille de route: sous-action id → op id, until the server answers.
  const schedulingNow = new Map();
  const settleScheduling = (opId) => {
    for (const [sousActionId, pending] of schedulingNow) {
      if (pending === opId) {
        schedulingNow.delete(sousActionId);
        sync();
      }
    }
  };

  // Deleting the item that holds the focus: give the focus to a neighbour once it is gone.
  let afterDelete = null; // {goneId, candidates: [element ids]}
  const focusAfterDelete = (button) => {
    const item = button.closest(".sous-action, .etape");
    if (!item) return;
    const field = (li) => (li?.matches(".etape") ? `etape-handle-${li.dataset.etapeId}` : li?.querySelector("textarea")?.id);
    const fallback = item.matches(".etape") ? "etape-new-title" : "sous-action-new-text";
    afterDelete = {
      goneId: item.id,
      candidates: [field(item.nextElementSibling), field(item.previousElementSibling), fallback].filter(Boolean),
    };
  };
  const restoreFocusAfterDelete = () => {
    if (!afterDelete || document.getElementById(afterDelete.goneId)) return;
    const { candidates } = afterDelete;
    afterDelete = null;
    if (document.activeElement && document.activeElement !== document.body) return;
    for (const id of candidates) {
      const target = document.getElementById(id);
      if (target && !target.closest("[hidden]")) {
        target.focus();
        return;
      }
    }
  };

  connection.addEventListener("event", (event) => {
    const message = event.detail;
    if (holds.has(`op:${message.id}`)) unhold(`op:${message.id}`);
    settleScheduling(message.id);
  });
  connection.addEventListener("rejected", (event) => {
    settleScheduling(event.detail.id);
    const reason = `op:${event.detail.id}`;
    const held = holds.get(reason);
    if (!held) return;
    if (held.order) restoreOrder(held.order);
    unhold(reason);
  });

  let drag = null; // pointer drag in progress: {li, etapeId, pointerId, startX, startY, grab, moved, order}

  // -- keyboard: arrows on the handle (Alt + arrows anywhere on the étape), Monter / Descendre ----
  let keyMove = null; // {li, etapeId, order (before the burst), timer}

  const flushKeyMove = () => {
    if (!keyMove) return;
    const { li, etapeId, order, timer } = keyMove;
    keyMove = null;
    clearTimeout(timer);
    const index = etapeItems().indexOf(li);
    if (index >= 0 && index !== order.indexOf(etapeId)) sendMove(etapeId, index, order);
    unhold("keys");
  };

  const moveTo = (li, target) => {
    const items = etapeItems();
    const index = items.indexOf(li);
    const title = li.dataset.title;
    if (index < 0) return;
    const clamped = Math.max(0, Math.min(items.length - 1, target));
    if (clamped === index) {
      announce(
        index === 0 ? `« ${title} » est déjà la première étape.` : `« ${title} » est déjà la dernière étape.`,
      );
      return;
    }
    if (keyMove && keyMove.li !== li) flushKeyMove();
    if (!keyMove) {
      keyMove = { li, etapeId: li.dataset.etapeId, order: etapeOrder(), timer: null };
      hold("keys");
    }
    placeAt(li, clamped);
    renumberEtapes();
    announce(`« ${title} » : position ${clamped + 1} sur ${items.length}.`);
    clearTimeout(keyMove.timer);
    keyMove.timer = setTimeout(flushKeyMove, KEY_SETTLE_MS);
  };

  document.addEventListener("keydown", (event) => {
    if (observer || drag) return;
    const li = event.target.closest?.("#etapes-list > .etape");
    if (!li || event.target.closest("form")) return;
    const onHandle = event.target.matches("[data-etape-handle]");
    const index = etapeItems().indexOf(li);
    let target = null;
    if (event.key === "ArrowUp" && (onHandle || event.altKey)) target = index - 1;
    else if (event.key === "ArrowDown" && (onHandle || event.altKey)) target = index + 1;
    else if (event.key === "Home" && onHandle) target = 0;
    else if (event.key === "End" && onHandle) target = etapeItems().length - 1;
    if (target === null) return;
    event.preventDefault();
    moveTo(li, target);
  });

  // -- pointer: drag an étape by its handle or its text ------------------------------------------
  document.addEventListener("pointerdown", (event) => {
    if (observer || event.button !== 0 || drag) return;
    const grip = event.target.closest?.("[data-etape-handle], [data-etape-grip]");
    const li = grip?.closest("#etapes-list > .etape");
    if (!li) return;
    drag = { li, etapeId: li.dataset.etapeId, pointerId: event.pointerId, startX: event.clientX, startY: event.clientY, moved: false };
  });

  const dragTo = (clientY) => {
    const { li } = drag;
    let target = 0;
    for (const item of etapeItems()) {
      if (item === li) continue;
      const rect = item.getBoundingClientRect();
      if (clientY > rect.top + rect.height / 2) target += 1;
    }
    if (target !== etapeItems().indexOf(li)) {
      placeAt(li, target);
      renumberEtapes();
    }
    li.style.transform = "";
    const natural = li.getBoundingClientRect().top;
    li.style.transform = `translateY(${clientY - drag.grab - natural}px)`;
  };

  document.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.pointerId) return;
    if (!drag.moved) {
      if (Math.hypot(event.clientX - drag.startX, event.clientY - drag.startY) < DRAG_THRESHOLD_PX) return;
      drag.moved = true;
      drag.order = etapeOrder();
      drag.grab = drag.startY - drag.li.getBoundingClientRect().top;
      hold("drag");
      drag.li.classList.add("is-dragging");
      document.body.classList.add("is-reordering");
      window.getSelection()?.removeAllRanges();
    }
    event.preventDefault();
    if (event.clientY < EDGE_PX) window.scrollBy(0, -EDGE_SCROLL_PX);
    else if (event.clientY > window.innerHeight - EDGE_PX) window.scrollBy(0, EDGE_SCROLL_PX);
    dragTo(event.clientY);
  });

  const endDrag = (cancelled) => {
    const { li, etapeId, moved, order } = drag;
    drag = null;
    if (!moved) return;
    li.style.transform = "";
    li.classList.remove("is-dragging");
    document.body.classList.remove("is-reordering");
    const index = etapeItems().indexOf(li);
    if (cancelled) {
      restoreOrder(order);
    } else if (index >= 0 && index !== order.indexOf(etapeId)) {
      sendMove(etapeId, index, order);
      announce(`« ${li.dataset.title} » déplacée : position ${index + 1} sur ${etapeItems().length}.`);
    }
    unhold("drag");
  };
  document.addEventListener("pointerup", (event) => {
    if (drag && event.pointerId === drag.pointerId) endDrag(false);
  });
  document.addEventListener("pointercancel", (event) => {
    if (drag && event.pointerId === drag.pointerId) endDrag(true);
  });
  document.addEventListener("keydown", (event) => {
    if (drag?.moved && event.key === "Escape") {
      event.preventDefault();
      endDrag(true);
    }
  });

  // -- buttons: Monter / Descendre, and operations written in data-f3-op ---------------------------
  document.addEventListener("click", (event) => {
    const moveButton = event.target.closest("[data-etape-move]");
    if (moveButton) {
      const li = moveButton.closest("#etapes-list > .etape");
      if (!li || observer) return;
      if (moveButton.getAttribute("aria-disabled") === "true") {
        const first = moveButton.dataset.etapeMove === "-1";
        announce(`« ${li.dataset.title} » est déjà la ${first ? "première" : "dernière"} étape.`);
        return;
      }
      moveTo(li, etapeItems().indexOf(li) + Number(moveButton.dataset.etapeMove));
      return;
    }
    const opButton = event.target.closest("[data-f3-op]");
    if (opButton && !opButton.disabled) {
      if (opButton.dataset.confirm && !window.confirm(opButton.dataset.confirm)) return;
      const op = JSON.parse(opButton.dataset.f3Op);
      // One click, one étape: a double click must not schedule a sous-action twice.
      const scheduling = opButton.matches("[data-sous-action-schedule]") ? op.sous_action_id : null;
      if (opButton.getAttribute("aria-disabled") === "true" || (scheduling && schedulingNow.has(scheduling))) return;
      if (opButton.dataset.f3NewId) op[opButton.dataset.f3NewId] = newId();
      if (op.type.endsWith(".delete")) focusAfterDelete(opButton);
      const opId = connection.send(op);
      if (scheduling) {
        schedulingNow.set(scheduling, opId);
        opButton.setAttribute("aria-disabled", "true");
        setTimeout(() => settleScheduling(opId), ANSWER_WAIT_MS);
      }
      return;
    }
    const prompt = event.target.closest("[data-sous-action-prompt]");
    if (prompt) {
      const textarea = document.getElementById("sous-action-new-text");
      if (!textarea) return;
      const starter = prompt.dataset.sousActionPrompt.replace(/…$/, "").trimEnd();
      textarea.value = textarea.value.trim() ? `${textarea.value.trimEnd()} ${starter} ` : `${starter} `;
      textarea.focus();
      textarea.setSelectionRange(textarea.value.length, textarea.value.length);
    }
  });

  // Ctrl + Entrée publishes a new sous-action.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    const textarea = event.target.closest?.("#sous-action-new-text");
    if (!textarea) return;
    event.preventDefault();
    textarea.form?.requestSubmit();
  });

  // Merge pickers list the sous-actions as they read now (their wording changes as people type).
  const refreshPicker = (event) => {
    const select = event.target.closest?.("[data-merge-select]");
    if (select) fillMergeSelect(select);
  };
  document.addEventListener("focusin", refreshPicker);
  document.addEventListener("pointerdown", refreshPicker);

  function sync() {
    syncSousActions(observer, new Set(schedulingNow.keys()));
    syncEditToggles();
    positionBars();
    restoreFocusAfterDelete();
  }
  document.addEventListener("atelier:fragments", sync);
  queueMicrotask(sync); // after room.js has applied permissions and tools to the first page
}

function fillMergeSelect(select) {
  const own = select.dataset.mergeSelect;
  const options = [];
  sousActionItems().forEach((li, index) => {
    if (li.dataset.sousActionId === own || li.dataset.mergedInto) return;
    const text = li.querySelector("textarea")?.value ?? "";
    options.push([li.dataset.sousActionId, `n°${index + 1} — ${truncate(text, OPTION_TEXT_MAX)}`]);
  });
  const signature = JSON.stringify(options);
  if (select.dataset.signature === signature) return;
  const value = select.value;
  const placeholder = select.options[0];
  select.replaceChildren(placeholder, ...options.map(([id, label]) => new Option(label, id)));
  select.value = options.some(([id]) => id === value) ? value : "";
  select.dataset.signature = signature;
}

function syncSousActions(observer, scheduling) {
  const items = sousActionItems();
  const count = document.querySelector("[data-sous-action-count]");
  if (count) count.textContent = `· ${items.length}`;
  const scheduled = new Set(etapeItems().map((li) => li.dataset.sousActionId).filter(Boolean));
  const roadmapOpen = !document.getElementById("panel-roadmap")?.hidden;
  items.forEach((li, index) => {
    for (const num of li.querySelectorAll("[data-sous-action-num]")) num.textContent = `n°${index + 1}`;
    const onRoadmap = scheduled.has(li.dataset.sousActionId);
    const button = li.querySelector("[data-sous-action-schedule]");
    const marker = li.querySelector("[data-sous-action-scheduled]");
    if (marker) marker.hidden = !onRoadmap;
    if (button) {
      const focused = button === document.activeElement;
      button.hidden = onRoadmap || !roadmapOpen || observer;
      if (scheduling.has(li.dataset.sousActionId)) button.setAttribute("aria-disabled", "true");
      else button.removeAttribute("aria-disabled");
      if (focused && button.hidden && marker && !marker.hidden) marker.focus(); // the answer to their click
    }
    if (observer) li.querySelector("textarea")?.setAttribute("readonly", "");
  });
  for (const select of document.querySelectorAll("[data-merge-select]")) {
    if (select !== document.activeElement) fillMergeSelect(select);
  }
}

// An étape's edit form stays open across re-renders (fragments.js): its toggle must say so.
function syncEditToggles() {
  for (const toggle of document.querySelectorAll("#etapes-list [data-edit-card][aria-controls]")) {
    const form = document.getElementById(toggle.getAttribute("aria-controls"));
    if (form) toggle.setAttribute("aria-expanded", String(!form.hidden));
  }
}
