// Format 2 tools in the room: carte sujet, reformulations, engagement ideas, canevas.
// Forms use data-op-form (actions.js) and co-written fields bind through fields.js; this module
// adds what those do not: edit toggles, deletes, the canevas values, who writes in which field,
// and the canevas' « deux phrases maximum » hint.

const WRITER_TTL_MS = 30000; // a badge without a fresh focus frame for this long is stale (tab closed, link lost)
const FOCUS_REFRESH_MS = 10000; // re-announce the focused field well within the others' TTL
const FIELD_SELECTOR = "textarea[data-text-field]";
const FOCUSABLE = "textarea, select, input:not([type=hidden])";
const NUMBERS = { 1: "une", 2: "deux", 3: "trois", 4: "quatre", 5: "cinq" };

/** Sentences in `text`: runs ending with . ! ? or … and holding at least one letter or digit. */
export function countSentences(text) {
  return text
    .split(/(?<=[.!?…])\s+/u)
    .filter((sentence) => /[\p{L}\p{N}]/u.test(sentence)).length;
}

/** @param {import("./connection.js").Connection} connection */
export function wireFormat2(connection, me, newId) {
  const observer = me.role === "observer";
  const writers = new Map(); // member id → {field, name, timer}
  let focusedField = null;
  let focusTimer = null;
  let focusAfterRender = null; // an element id to focus once the next fragments have landed

  // -- edit toggles, deletes, op forms ---------------------------------------------------------

  document.addEventListener("click", (event) => {
    const toggle = event.target.closest("[data-toggle-form]");
    if (toggle) {
      const form = document.getElementById(toggle.getAttribute("aria-controls"));
      if (!form) return;
      form.hidden = !form.hidden;
      toggle.setAttribute("aria-expanded", String(!form.hidden));
      if (!form.hidden) form.querySelector(FOCUSABLE)?.focus();
      return;
    }
    const remove = event.target.closest("[data-delete]");
    if (remove && !remove.disabled) {
      if (remove.dataset.confirm && !window.confirm(remove.dataset.confirm)) return;
      connection.send({ type: remove.dataset.delete, [remove.dataset.key]: remove.dataset.itemId });
    }
  });

  // Runs after actions.js has sent the op (it listens first and prevents the default).
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-op-form]");
    if (!form || !event.defaultPrevented) return;
    // actions.js sends nothing while a required field is empty (it focuses that field instead).
    if ([...form.querySelectorAll("[required]")].some((field) => !field.value.trim())) return;
    if (form.id === "idea-create") {
      // Keep the chosen question: people often share several ideas on one question.
      const text = form.elements.text;
      if (text.value.trim()) {
        text.value = "";
        text.focus();
      }
      return;
    }
    if (form.hidden) {
      const toggle = document.querySelector(`[aria-controls="${CSS.escape(form.id)}"]`);
      if (toggle) {
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
      } else if (form.id === "subject-form") {
        focusAfterRender = "subject-form-toggle"; // the subject's first setting: the toggle comes with it
      }
    }
  });

  // A refused first subject: show its form again, or the animateur has nothing left to retry with.
  connection.addEventListener("rejected", () => {
    const form = document.getElementById("subject-form");
    if (form?.hidden && !document.getElementById("subject-form-toggle")) form.hidden = false;
  });

  document.addEventListener("change", (event) => {
    const box = event.target.closest("[data-canevas-value]");
    if (!box) return;
    connection.send({ type: "canevas.value", value: box.dataset.canevasValue, checked: box.checked });
  });

  // -- who writes in which field ---------------------------------------------------------------

  const announceFocus = (field) => {
    clearInterval(focusTimer);
    focusTimer = null;
    focusedField = field;
    connection.sendEphemeral({ type: "field.focus", field });
    if (field) focusTimer = setInterval(() => connection.sendEphemeral({ type: "field.focus", field }), FOCUS_REFRESH_MS);
  };

  document.addEventListener("focusin", (event) => {
    const textarea = event.target.closest?.(FIELD_SELECTOR);
    if (!textarea || textarea.readOnly) return;
    if (textarea.dataset.textField !== focusedField) announceFocus(textarea.dataset.textField);
  });
  document.addEventListener("focusout", (event) => {
    const textarea = event.target.closest?.(FIELD_SELECTOR);
    if (!textarea || !focusedField) return;
    // Moving straight to another co-written field: its focusin says so; a fragment swap
    // (the element replaced while focused) gets its focus back at once.
    if (event.relatedTarget?.closest?.(FIELD_SELECTOR)) return;
    queueMicrotask(() => {
      const active = document.activeElement?.closest?.(FIELD_SELECTOR);
      if (!active || active.dataset.textField !== focusedField) announceFocus(null);
    });
  });
  connection.addEventListener("synced", () => {
    if (focusedField) connection.sendEphemeral({ type: "field.focus", field: focusedField });
  });

  const forget = (memberId) => {
    clearTimeout(writers.get(memberId)?.timer);
    writers.delete(memberId);
  };

  connection.addEventListener("field.focused", (event) => {
    const { field, by, name } = event.detail;
    forget(by);
    if (field) {
      const timer = setTimeout(() => {
        writers.delete(by);
        renderWriters();
      }, WRITER_TTL_MS);
      writers.set(by, { field, name, timer });
    }
    renderWriters();
  });

  function renderWriters() {
    for (const container of document.querySelectorAll("[data-writers-for]")) {
      const names = [...writers.values()]
        .filter((writer) => writer.field === container.dataset.writersFor)
        .map((writer) => writer.name)
        .sort((a, b) => a.localeCompare(b, "fr"));
      const shown = container.dataset.names || "";
      if (shown === names.join("\n")) continue;
      container.dataset.names = names.join("\n");
      container.replaceChildren();
      if (!names.length) continue;
      const hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = "en cours d'écriture par ";
      container.append(hidden);
      names.forEach((name, index) => {
        if (index) {
          const comma = document.createElement("span");
          comma.className = "visually-hidden";
          comma.textContent = ", ";
          container.append(comma);
        }
        const badge = document.createElement("span");
        badge.className = "writer";
        const pencil = document.createElement("span");
        pencil.setAttribute("aria-hidden", "true");
        pencil.textContent = "✎ ";
        badge.append(pencil, name);
        container.append(badge);
      });
    }
  }

  // -- « deux phrases maximum » ---------------------------------------------------------------

  function checkSentences() {
    for (const textarea of document.querySelectorAll("textarea[data-max-sentences]")) {
      const hint = document.querySelector(`[data-sentence-hint-for="${CSS.escape(textarea.id)}"]`);
      if (!hint) continue;
      const max = Number(textarea.dataset.maxSentences);
      const count = countSentences(textarea.value);
      const over = count > max;
      const text = over ? `Le kit demande ${NUMBERS[max] ?? max} phrases maximum ici : ce texte en compte ${count}.` : "";
      if (hint.textContent !== text) hint.textContent = text;
      hint.hidden = !over;
    }
  }

  document.addEventListener("input", (event) => {
    if (event.target.matches?.("textarea[data-max-sentences]")) checkSentences();
  });
  // Others' keystrokes reach the textarea without an input event.
  connection.addEventListener("event", (event) => {
    if (event.detail.event.type === "text.updated") checkSentences();
  });
  connection.addEventListener("snapshot", checkSentences);

  // -- after every fragment ------------------------------------------------------------------------

  function refresh() {
    if (observer) {
      for (const textarea of document.querySelectorAll('textarea[data-text-field^="canevas:"]')) {
        textarea.readOnly = true;
        textarea.setAttribute("aria-readonly", "true");
      }
      for (const box of document.querySelectorAll("[data-canevas-value]")) box.disabled = true;
    }
    // A re-render may reopen a form the person had open (fragments.js): keep its toggle in step.
    for (const toggle of document.querySelectorAll("[data-toggle-form]")) {
      const form = document.getElementById(toggle.getAttribute("aria-controls"));
      if (form) toggle.setAttribute("aria-expanded", String(!form.hidden));
    }
    if (focusAfterRender) {
      const target = document.getElementById(focusAfterRender);
      if (target && !target.closest("[hidden]")) {
        focusAfterRender = null;
        target.focus();
      }
    }
    renderWriters();
    checkSentences();
  }

  document.addEventListener("atelier:fragments", refresh);
  refresh();
}
