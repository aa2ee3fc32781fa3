// Apply server-rendered fragments (upsert / remove / clear) to the page.
// The server renders every fragment from its templates; this module only places them,
// keeping what the person is doing: focus, caret, and any edit form they have open.

const deferred = new Map(); // element id → fragment waiting until the element is released
const locked = new Set(); // ids of elements the person is dragging right now

/** Hold fragments for `id` while it is being dragged; apply the latest on release. */
export function lock(id) {
  locked.add(id);
}

export function release(id) {
  locked.delete(id);
  const fragment = deferred.get(id);
  deferred.delete(id);
  if (fragment) applyFragments([fragment]);
}

/** @param {Array<{op: string, id: string, parent?: string, html?: string}>} fragments */
export function applyFragments(fragments) {
  if (!fragments || fragments.length === 0) return;
  for (const fragment of fragments) {
    if (locked.has(fragment.id)) {
      deferred.set(fragment.id, fragment);
      continue;
    }
    if (fragment.op === "remove") document.getElementById(fragment.id)?.remove();
    else if (fragment.op === "clear") clear(fragment.id);
    else if (fragment.op === "upsert") upsert(fragment);
  }
  document.dispatchEvent(new CustomEvent("atelier:fragments"));
}

function clear(containerId) {
  const container = document.getElementById(containerId);
  if (!container) return;
  for (const child of [...container.children]) {
    if (child.dataset.cardId && !locked.has(child.id)) child.remove();
  }
}

function upsert({ id, parent, html }) {
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  const element = template.content.firstElementChild;
  if (!element) return;
  const existing = document.getElementById(id);
  const kept = existing ? keepWork(existing) : null;
  if (existing && (!parent || existing.parentElement?.id === parent)) {
    existing.replaceWith(element);
  } else {
    existing?.remove();
    const container = parent ? document.getElementById(parent) : null;
    if (!container) return;
    container.append(element);
  }
  if (kept) restoreWork(element, kept);
  if (globalThis.htmx) globalThis.htmx.process(element);
}

// What the person was doing inside an element about to be replaced.
function keepWork(element) {
  const active = element.contains(document.activeElement) ? document.activeElement : null;
  // Every visible form with an id keeps what the person typed (an edit form, a "new item" form
  // inside a region that someone else's change re-renders).
  const openForms = [...element.querySelectorAll("form[id]:not([hidden])")];
  const values = new Map();
  for (const form of openForms) {
    for (const field of form.querySelectorAll("input[id], textarea[id], select[id]")) {
      if (field.type === "hidden") continue;
      values.set(field.id, field.type === "checkbox" || field.type === "radio" ? field.checked : field.value);
    }
  }
  // Status messages the person was shown (a "merci" after sending) stay shown.
  const shown = [...element.querySelectorAll("[data-keep-shown]:not([hidden])")].map((node) => node.dataset.keepShown);
  return {
    shown,
    activeId: active?.id || null,
    selection: active && "selectionStart" in active ? [active.selectionStart, active.selectionEnd] : null,
    openFormIds: openForms.map((form) => form.id),
    values,
  };
}

function restoreWork(element, kept) {
  for (const key of kept.shown) {
    const node = element.querySelector(`[data-keep-shown="${CSS.escape(key)}"]`);
    if (node) node.hidden = false;
  }
  for (const formId of kept.openFormIds) {
    const form = element.querySelector(`#${CSS.escape(formId)}`);
    if (form) form.hidden = false;
  }
  for (const [fieldId, value] of kept.values) {
    const field = element.querySelector(`#${CSS.escape(fieldId)}`);
    if (!field) continue;
    if (typeof value === "boolean") field.checked = value;
    else field.value = value;
  }
  if (kept.activeId) {
    const target = document.getElementById(kept.activeId);
    if (target) {
      target.focus({ preventScroll: true });
      if (kept.selection && "setSelectionRange" in target) {
        try {
          target.setSelectionRange(kept.selection[0], kept.selection[1]);
        } catch {
          // Not a text field: nothing to restore.
        }
      }
    }
  }
}
