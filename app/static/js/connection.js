// The realtime connection: hello with the last seq seen, acks, resync, automatic reconnection
// with backoff, and an outbox of unacknowledged operations kept in localStorage so nothing typed
// is lost on a reconnect or a reload. Protocol: docs/protocol.md.
//
// The frames travel over a WebSocket, or over SSE + POST where WebSockets are blocked (links.js);
// everything here works the same on both. The connection falls back to SSE + POST by itself when
// the socket cannot open while the server answers HTTP, or keeps dropping; the tab remembers it.

import { SocketLink, StreamLink } from "./links.js";

const PING_EVERY_MS = 20000;
const SILENCE_LIMIT_MS = 25000; // no frame (pongs included) for this long: the link is dead, reconnect
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 10000;
const RETRY_CODES = new Set(["unavailable", "rate_limited"]);
const RESEND_AFTER_MS = 1000; // a refused burst goes out again at the rate limit's refill pace
const TRANSPORT_KEY = "atelier:transport"; // sessionStorage: the tab's transport, once it fell back
const FAILED_OPENS_BEFORE_FALLBACK = 2; // sockets closed before any welcome while HTTP works
const DROPS_BEFORE_FALLBACK = 3; // live sockets lost…
const DROP_WINDOW_MS = 60000; // …within this long
const FATAL_CLOSES = new Map([
  [4400, "Connexion refusée (message initial invalide)."],
  [4401, "Accès refusé : rouvrez le lien d'invitation."],
  [4403, "Connexion refusée depuis cette origine."],
  [4404, "Cet atelier n'existe plus."],
  [4410, "Vous avez été retiré de l'atelier."],
]);
const CLOSE_REMOVED = 4410;

/** A new client-made operation id. */
export function newId() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

export class Connection extends EventTarget {
  /**
   * @param {{atelierId: string, memberId: string, seq: number, status: HTMLElement, view?: string}} options
   * `view: "projection"` asks for the read-only big-screen view (docs/protocol.md).
   */
  constructor({ atelierId, memberId, seq, status, view }) {
    super();
    this.atelierId = atelierId;
    this.view = view;
    this.seq = seq;
    this.status = status;
    this.offsetMs = 0; // server clock minus ours
    this.link = null;
    // `?transport=sse` (or `websocket`) on the room's URL forces a transport, for support: no fallback then.
    const asked = new URLSearchParams(location.search).get("transport");
    this.forced = asked === "sse" || asked === "websocket" ? asked : null;
    this.transport = this.#chooseTransport();
    this.failedOpens = 0;
    this.drops = []; // when live sockets were lost, for the fallback
    this.synced = false;
    this.stopped = false;
    this.attempt = 0;
    this.storageKey = `atelier:outbox:${atelierId}:${memberId}`;
    this.outbox = this.#loadOutbox();
    this.lastFrameAt = Date.now();
    this.retryTimer = null;
    this.resendTimer = null;
    this.toResend = new Set(); // ids refused with a retryable code, sent again together
    this.state = "connecting";
    this.fatalMessage = "";
  }

  start() {
    this.#open();
    setInterval(() => this.#heartbeat(), PING_EVERY_MS / 2);
    window.addEventListener("online", () => this.#reconnectNow());
    // An offline browser keeps a dead socket "open" for a long time: drop it now, say so,
    // and reconnect as soon as the network is back.
    window.addEventListener("offline", () => this.#dropLink());
  }

  /** Start again from a fresh snapshot (after our copy of something was refused). */
  resync() {
    this.seq = 0;
    this.#closeOnPurpose();
  }

  /** Server time in ms, corrected for this machine's clock offset. */
  serverNow() {
    return Date.now() + this.offsetMs;
  }

  /** Queue a durable operation; it is kept until the server acknowledges it. */
  send(op) {
    const frame = { id: newId(), ...op };
    this.outbox.push(frame);
    this.#saveOutbox();
    if (this.synced) this.#write(frame);
    this.#showStatus();
    return frame.id;
  }

  /** Send an ephemeral frame now, or drop it (it is only a picture of something in flight). */
  sendEphemeral(frame) {
    if (this.synced) this.#write(frame);
  }

  get pending() {
    return this.outbox.length;
  }

  #chooseTransport() {
    if (this.forced) return this.forced;
    try {
      return sessionStorage.getItem(TRANSPORT_KEY) === "sse" ? "sse" : "websocket";
    } catch {
      return "websocket"; // storage disabled: try the socket first every time
    }
  }

  #open() {
    const Link = this.transport === "sse" ? StreamLink : SocketLink;
    const link = new Link(this.atelierId, {
      onmessage: (data) => {
        if (link === this.link) this.#receive(data);
      },
      onclose: (code) => this.#closed(link, code),
    });
    link.welcomed = false;
    link.wasSynced = false;
    link.onPurpose = false;
    this.link = link;
    this.synced = false;
    this.#showStatus("connecting");
    this.lastFrameAt = Date.now();
    const hello = { type: "hello", last_seq: this.seq, html: true };
    if (this.view) hello.view = this.view;
    link.start(hello);
  }

  #closeOnPurpose() {
    if (!this.link) return;
    this.link.onPurpose = true; // not a drop: no reason to change transport
    this.link.close();
  }

  #closed(link, code) {
    if (link !== this.link) return;
    this.synced = false;
    this.link = null;
    if (FATAL_CLOSES.has(code)) {
      this.stopped = true;
      this.#showStatus("fatal", FATAL_CLOSES.get(code));
      // The server's page for a removed person says so and offers no control: show it instead of the room.
      if (code === CLOSE_REMOVED) location.reload();
      return;
    }
    if (this.transport === "websocket" && !this.forced && !link.onPurpose) this.#judgeSocket(link);
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt += 1;
    this.#showStatus("offline");
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.#open(), delay);
  }

  /** A socket was lost: is something on the way blocking WebSockets? Then use SSE + POST. */
  #judgeSocket(link) {
    if (link.wasSynced) {
      const now = Date.now();
      this.drops = [...this.drops.filter((at) => now - at < DROP_WINDOW_MS), now];
      if (this.drops.length >= DROPS_BEFORE_FALLBACK) this.#fallBack();
      return;
    }
    if (link.welcomed) return;
    // Closed before any answer. Blocked, if plain HTTP reaches the server; if not, the server or the
    // network is down (a restart, an outage) and the socket will do once it is back.
    fetch("/healthz", { cache: "no-store" })
      .then((response) => {
        if (!response.ok || this.transport !== "websocket") return;
        this.failedOpens += 1;
        if (this.failedOpens >= FAILED_OPENS_BEFORE_FALLBACK) this.#fallBack();
      })
      .catch(() => {});
  }

  #fallBack() {
    this.transport = "sse";
    try {
      sessionStorage.setItem(TRANSPORT_KEY, "sse");
    } catch {
      // Storage disabled: this page still stays on SSE + POST.
    }
    this.attempt = 0;
    if (!this.link && !this.stopped) this.#reconnectNow(); // else the next reconnection uses it
  }

  #dropLink() {
    const link = this.link;
    if (!link) return;
    this.link = null;
    this.synced = false;
    link.close();
    this.#showStatus("offline");
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.#reconnectNow(), BACKOFF_MAX_MS);
  }

  #reconnectNow() {
    if (this.stopped || this.link) return;
    clearTimeout(this.retryTimer);
    this.#open();
  }

  #heartbeat() {
    if (!this.link?.ready) return;
    if (Date.now() - this.lastFrameAt > SILENCE_LIMIT_MS) {
      this.link.close(); // dead link: the close handler reconnects
      return;
    }
    this.#write({ type: "ping", t: Date.now() });
  }

  #write(frame) {
    this.link?.send(frame);
  }

  #receive(data) {
    this.lastFrameAt = Date.now();
    const message = JSON.parse(data);
    switch (message.type) {
      case "welcome":
        this.link.welcomed = true;
        this.failedOpens = 0;
        this.offsetMs = message.server_time - Date.now();
        break;
      case "snapshot":
        this.seq = message.seq;
        this.#emit("snapshot", message);
        break;
      case "event":
        if (message.seq <= this.seq) return; // already applied (replay overlap)
        if (message.seq !== this.seq + 1) {
          this.#closeOnPurpose(); // a gap: reconnect and catch up from our last seq
          return;
        }
        this.seq = message.seq;
        this.#forget(message.id);
        this.#emit("event", message);
        break;
      case "synced":
        this.synced = true;
        this.link.wasSynced = true;
        this.attempt = 0;
        for (const frame of this.outbox) this.#write(frame); // same ids: the server dedups
        this.#showStatus();
        this.#emit("synced", message);
        break;
      case "ack":
        this.#forget(message.id);
        break;
      case "error":
        this.#failed(message);
        break;
      case "pong":
        if (typeof message.t === "number") {
          const rtt = Date.now() - message.t;
          this.offsetMs = message.server_time + rtt / 2 - Date.now();
        }
        break;
      case "role.changed":
        location.reload(); // a different role sees a different room; the outbox survives in storage
        break;
      default:
        this.#emit(message.type, message);
    }
  }

  #failed(message) {
    const index = this.outbox.findIndex((frame) => frame.id === message.id);
    if (index >= 0 && RETRY_CODES.has(message.code)) {
      // Nothing was done: send it again shortly. Every refused frame of a burst is kept for the
      // resend (one timer for all of them), and the reconnection timer is left alone.
      this.toResend.add(message.id);
      if (!this.resendTimer) this.resendTimer = setTimeout(() => this.#resend(), RESEND_AFTER_MS);
      return;
    }
    if (index >= 0) {
      this.outbox.splice(index, 1);
      this.#saveOutbox();
    }
    this.#showStatus();
    this.#emit("rejected", message);
  }

  #resend() {
    this.resendTimer = null;
    const ids = this.toResend;
    this.toResend = new Set();
    if (!this.synced) return; // the next "synced" sends the whole outbox anyway
    for (const frame of this.outbox) if (ids.has(frame.id)) this.#write(frame);
  }

  #forget(id) {
    const index = this.outbox.findIndex((frame) => frame.id === id);
    if (index < 0) return;
    this.outbox.splice(index, 1);
    this.#saveOutbox();
    this.#showStatus();
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  #loadOutbox() {
    try {
      return JSON.parse(localStorage.getItem(this.storageKey) || "[]");
    } catch {
      return [];
    }
  }

  #saveOutbox() {
    try {
      if (this.outbox.length) localStorage.setItem(this.storageKey, JSON.stringify(this.outbox));
      else localStorage.removeItem(this.storageKey);
    } catch {
      // Storage full or disabled: the outbox still lives in memory until acknowledged.
    }
  }

  #showStatus(state, message) {
    if (state) this.state = state;
    if (message) this.fatalMessage = message;
    if (this.synced) this.state = "online";
    const labels = {
      connecting: "Connexion…",
      online: this.transport === "sse" ? "Connecté (mode compatibilité)" : "Connecté",
      offline: "Hors ligne — reconnexion automatique ; vos saisies sont gardées",
    };
    const pending = this.outbox.length;
    let text = this.state === "fatal" ? this.fatalMessage : labels[this.state];
    if (pending && this.state !== "fatal") text += ` · ${pending} en attente d'envoi`;
    this.status.textContent = text;
    this.status.dataset.state = this.state;
    this.status.dataset.transport = this.transport;
    this.status.dataset.pending = String(pending);
  }
}
