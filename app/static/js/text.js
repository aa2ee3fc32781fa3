// Two-way binding between a <textarea> and a Y.Text of a Y.Doc.
//
// Plain ES module: no globals, no eval, no inline script, so it runs under a
// strict Content-Security-Policy. The caller owns the network: it wires
// `doc.on("update", (update, origin) => …)` to send updates whose origin is not
// its own remote marker, and applies incoming ones with `applyUpdate(doc, u, "remote")`
// (any origin other than "local" is treated as remote here).
//
// Indexes are UTF-16 code units on both sides (textarea selection and Y.Text),
// so no conversion is needed in the browser. (pycrdt on the server counts UTF-8
// bytes by default: index-based edits there must convert.)

import {
  createRelativePositionFromTypeIndex,
  createAbsolutePositionFromRelativePosition,
} from "../vendor/yjs.mjs";

/** Transaction origin used for edits made through the textarea. */
const LOCAL = "local";

/**
 * @typedef {object} TextDiff
 * @property {number} index  UTF-16 offset where the change starts.
 * @property {number} remove Number of UTF-16 code units removed at `index`.
 * @property {string} insert Text inserted at `index` after the removal.
 */

/** @param {number} c @returns {boolean} */
const isHighSurrogate = (c) => c >= 0xd800 && c <= 0xdbff;
/** @param {number} c @returns {boolean} */
const isLowSurrogate = (c) => c >= 0xdc00 && c <= 0xdfff;

/**
 * Minimal single-range diff between two strings (common prefix and suffix).
 * Never splits a surrogate pair: Yjs would replace half a pair with U+FFFD.
 *
 * @param {string} before
 * @param {string} after
 * @returns {TextDiff}
 */
function diffStrings(before, after) {
  const min = Math.min(before.length, after.length);
  let start = 0;
  while (start < min && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  if (start > 0 && isHighSurrogate(before.charCodeAt(start - 1))) start--;

  let endBefore = before.length;
  let endAfter = after.length;
  while (
    endBefore > start &&
    endAfter > start &&
    before.charCodeAt(endBefore - 1) === after.charCodeAt(endAfter - 1)
  ) {
    endBefore--;
    endAfter--;
  }
  if (endBefore < before.length && isLowSurrogate(before.charCodeAt(endBefore))) {
    endBefore++;
    endAfter++;
  }
  return {
    index: start,
    remove: endBefore - start,
    insert: after.slice(start, endAfter),
  };
}

/**
 * Absolute index of a relative position, clamped to the text, or `fallback`.
 *
 * @param {object|null} rel    A Y.RelativePosition.
 * @param {import("../vendor/yjs.mjs").Doc} doc
 * @param {number} fallback
 * @param {number} length      Current length of the text.
 * @returns {number}
 */
function resolve(rel, doc, fallback, length) {
  const abs = rel ? createAbsolutePositionFromRelativePosition(rel, doc) : null;
  const index = abs ? abs.index : fallback;
  return Math.max(0, Math.min(index, length));
}

/**
 * Bind a textarea to the Y.Text `fieldName` of `doc`, both ways.
 *
 * - The textarea's value is set from the Y.Text at once.
 * - Each `input` event is turned into the minimal delete + insert (common
 *   prefix/suffix diff against the last synced value), applied in
 *   `doc.transact(fn, "local")`.
 * - Changes made by anyone else (transaction origin not "local", or a "local"
 *   transaction not made by this binding) rewrite the textarea's value; the
 *   selection, its direction and the scroll offset are kept, through relative
 *   positions captured just before the transaction.
 * - IME composition: input events are ignored while composing and the result
 *   is applied on `compositionend`. Remote changes arriving meanwhile are not
 *   shown until the composition ends (rewriting the value would cancel it);
 *   the composed text is then inserted where the composition began, mapped
 *   through those remote changes.
 *
 * The caller wires `doc.on("update", …)` to the network.
 *
 * @param {HTMLTextAreaElement} textarea
 * @param {import("../vendor/yjs.mjs").Doc} doc
 * @param {string} fieldName Name of the shared text in `doc` (`doc.getText(fieldName)`).
 * @returns {() => void} `unbind()`: removes every listener and observer; the
 *   textarea keeps its current value and the doc is left untouched.
 */
export function bindText(textarea, doc, fieldName) {
  const ytext = doc.getText(fieldName);

  /** Value of the Y.Text that the textarea last showed (the diff base). */
  let synced = ytext.toString();
  textarea.value = synced;

  /** True from this binding's call to `doc.transact` until its callback runs. */
  let starting = false;
  /** The transaction this binding is running (its changes are already shown). */
  let ownTransaction = null;
  let composing = false;
  /** Set at compositionstart: where the composition began, as relative positions. */
  let composition = null;
  /** Selection captured before a remote transaction, used by the observer. */
  let saved = null;

  /**
   * Apply `change` to the Y.Text in a "local" transaction.
   * @param {TextDiff} change
   */
  function applyLocal(change) {
    if (change.remove === 0 && change.insert === "") return;
    starting = true;
    try {
      doc.transact((transaction) => {
        starting = false;
        ownTransaction = transaction;
        if (change.remove > 0) ytext.delete(change.index, change.remove);
        if (change.insert) ytext.insert(change.index, change.insert);
      }, LOCAL);
    } finally {
      starting = false;
      ownTransaction = null;
    }
  }

  /**
   * Write the Y.Text into the textarea, placing the selection at the given
   * offsets (already in the new text's coordinates).
   * @param {number} start
   * @param {number} end
   * @param {"forward"|"backward"|"none"} direction
   */
  function render(start, end, direction) {
    const scrollTop = textarea.scrollTop;
    const value = ytext.toString();
    if (textarea.value !== value) textarea.value = value;
    synced = value;
    textarea.setSelectionRange(start, Math.max(start, end), direction);
    textarea.scrollTop = scrollTop;
  }

  /** Push the textarea's current value to the Y.Text (no composition pending). */
  function flush() {
    const value = textarea.value;
    if (value === synced) return;
    applyLocal(diffStrings(synced, value));
    synced = value;
    if (ytext.length !== value.length) {
      // Should not happen; if the two ever drift, the document wins.
      render(textarea.selectionStart, textarea.selectionEnd, textarea.selectionDirection);
    }
  }

  /** End of an IME composition: apply its result, mapped through remote edits. */
  function finishComposition() {
    const state = composition;
    composing = false;
    composition = null;
    if (!state || !state.remoteChanged) {
      flush();
      return;
    }
    // The textarea still shows `state.base` with the composition applied; the
    // Y.Text has moved on. Map the edit's range through the remote changes.
    const change = diffStrings(state.base, textarea.value);
    const length = ytext.length;
    const from =
      resolve(state.relStart, doc, state.start, length) + Math.max(0, change.index - state.start);
    const to = Math.max(
      from,
      resolve(state.relEnd, doc, state.end, length) -
        Math.max(0, state.end - (change.index + change.remove)),
    );
    const mapped = {
      index: Math.min(from, length),
      remove: Math.min(to, length) - Math.min(from, length),
      insert: change.insert,
    };
    applyLocal(mapped);
    const caret = mapped.index + mapped.insert.length;
    render(caret, caret, "none");
  }

  /** @param {Event} event */
  function onInput(event) {
    if (composing || /** @type {InputEvent} */ (event).isComposing) return;
    flush();
  }

  function onCompositionStart() {
    flush(); // anything typed before the composition goes first
    composing = true;
    const start = textarea.selectionStart;
    const end = textarea.selectionEnd;
    const relStart = createRelativePositionFromTypeIndex(ytext, start);
    composition = {
      base: synced,
      start,
      end,
      relStart,
      relEnd: end === start ? relStart : createRelativePositionFromTypeIndex(ytext, end, -1),
      remoteChanged: false,
    };
  }

  function onCompositionEnd() {
    finishComposition();
  }

  /**
   * Before any transaction not made by this binding, remember the selection
   * as relative positions (the Y.Text still equals what the textarea shows).
   */
  function onBeforeTransaction() {
    if (starting || composing) return;
    const start = textarea.selectionStart;
    const end = textarea.selectionEnd;
    saved = {
      start,
      end,
      direction: textarea.selectionDirection,
      relStart: createRelativePositionFromTypeIndex(ytext, start),
      relEnd:
        end === start ? null : createRelativePositionFromTypeIndex(ytext, end, -1),
    };
  }

  function onAfterTransaction() {
    saved = null;
  }

  /**
   * The Y.Text changed. Ignore this binding's own edits; show the others.
   * @param {object} _event      A Y.YTextEvent (unused).
   * @param {object} transaction A Y.Transaction.
   */
  function onTextChange(_event, transaction) {
    if (transaction === ownTransaction) return;
    if (composing) {
      if (composition) composition.remoteChanged = true;
      return;
    }
    const length = ytext.length;
    if (!saved) {
      // No capture (e.g. the binding was made inside a transaction): keep offsets.
      render(
        Math.min(textarea.selectionStart, length),
        Math.min(textarea.selectionEnd, length),
        textarea.selectionDirection,
      );
      return;
    }
    const start = resolve(saved.relStart, doc, saved.start, length);
    const end = saved.relEnd ? resolve(saved.relEnd, doc, saved.end, length) : start;
    render(start, end, saved.direction);
  }

  textarea.addEventListener("input", onInput);
  textarea.addEventListener("compositionstart", onCompositionStart);
  textarea.addEventListener("compositionend", onCompositionEnd);
  doc.on("beforeTransaction", onBeforeTransaction);
  doc.on("afterTransaction", onAfterTransaction);
  ytext.observe(onTextChange);

  return function unbind() {
    textarea.removeEventListener("input", onInput);
    textarea.removeEventListener("compositionstart", onCompositionStart);
    textarea.removeEventListener("compositionend", onCompositionEnd);
    doc.off("beforeTransaction", onBeforeTransaction);
    doc.off("afterTransaction", onAfterTransaction);
    ytext.unobserve(onTextChange);
  };
}
