// Co-written text fields (notes per step): one Yjs document per field, bound to its
// textarea. Local edits are batched briefly, merged, and sent as durable operations;
// remote updates (events, snapshots) merge in without moving anyone's caret.

import { Doc, applyUpdate, mergeUpdates } from "../vendor/yjs.mjs";
import { bindText } from "./text.js";

const TEXT_NAME = "text"; // the shared Text inside each field's document (server: app/domain/texts.py)
const SEND_EVERY_MS = 150; // a burst of keystrokes becomes one operation
const REMOTE = "remote";

function toBase64(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text) {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}

export class TextFields {
  /** @param {import("./connection.js").Connection} connection */
  constructor(connection) {
    this.connection = connection;
    this.docs = new Map();
    this.pending = new Map(); // field → [updates not yet sent]
    this.timer = null;
    this.bindings = new Map(); // textarea → unbind
    this.sent = new Map(); // op id → field, to know which field a refusal is about
  }

  /**
   * The server refused an update of `field` (the tool closed, a role changed): our copy now holds
   * text the server will never have. Forget it; the next snapshot refills the field.
   */
  discard(field) {
    this.docs.delete(field);
    this.pending.delete(field);
    for (const [textarea, unbind] of this.bindings) {
      if (textarea.dataset.textField === field) {
        unbind();
        this.bindings.delete(textarea);
      }
    }
  }

  /** The field a text.update operation we sent was for, if it was one. */
  fieldOf(opId) {
    return this.sent.get(opId);
  }

  doc(field) {
    let doc = this.docs.get(field);
    if (!doc) {
      doc = new Doc();
      doc.on("update", (update, origin) => {
        if (origin !== REMOTE) this.#queue(field, update);
      });
      this.docs.set(field, doc);
    }
    return doc;
  }

  /** Merge a base64 update received from the server. */
  applyRemote(field, encoded) {
    applyUpdate(this.doc(field), fromBase64(encoded), REMOTE);
  }

  /** Merge every field of a `{field: base64}` map (page data or a snapshot). */
  applyAll(texts) {
    for (const [field, encoded] of Object.entries(texts || {})) this.applyRemote(field, encoded);
  }

  /** Bind every textarea with data-text-field; rebinding after a fragment swap. */
  bindAll() {
    for (const [textarea, unbind] of this.bindings) {
      if (!textarea.isConnected) {
        unbind();
        this.bindings.delete(textarea);
      }
    }
    for (const textarea of document.querySelectorAll("textarea[data-text-field]")) {
      if (this.bindings.has(textarea)) continue;
      this.bindings.set(textarea, bindText(textarea, this.doc(textarea.dataset.textField), TEXT_NAME));
    }
  }

  #queue(field, update) {
    if (!this.pending.has(field)) this.pending.set(field, []);
    this.pending.get(field).push(update);
    if (!this.timer) this.timer = setTimeout(() => this.#flush(), SEND_EVERY_MS);
  }

  #flush() {
    this.timer = null;
    for (const [field, updates] of this.pending) {
      const id = this.connection.send({ type: "text.update", field, update: toBase64(mergeUpdates(updates)) });
      this.sent.set(id, field);
    }
    this.pending.clear();
  }
}
