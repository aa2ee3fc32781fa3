// Timer alerts: a soft chime and a visual cue when the step timer reaches 5 minutes, 1 minute and 0,
// and when the animateur warns « plus que 2 minutes » (an ephemeral `timer.warned` frame).
// The #timer-alert live region changes only at an alert, never with the seconds.
// The chime is made with WebAudio (no file to fetch) and armed on the person's first interaction,
// as browsers refuse sound before one. Each person can mute it; the choice stays in localStorage.

import { secondsLeft } from "./timer.js";

const TICK_MS = 250;
const THRESHOLDS = [300, 60, 0]; // seconds left, in the order they come
const MESSAGES = {
  300: "Plus que 5 minutes pour cette étape.",
  60: "Plus qu'une minute pour cette étape.",
  0: "Temps écoulé pour cette étape.",
};
const MUTE_KEY = "atelier:alerts:muted";
const STALE_AFTER_MS = 20000; // the banner steps back (it stays readable to screen readers)

/** A soft two-note chime, played only once audio has been armed by a gesture. */
class Chime {
  constructor() {
    this.context = null;
  }

  arm() {
    const Context = globalThis.AudioContext || globalThis.webkitAudioContext;
    if (!Context) return;
    try {
      this.context ??= new Context();
      if (this.context.state === "suspended") this.context.resume();
    } catch {
      this.context = null; // no audio on this machine: the visual cue remains
    }
  }

  /** @returns {"played" | "unarmed"} */
  play(notes) {
    const context = this.context;
    if (!context || context.state !== "running") return "unarmed";
    notes.forEach((frequency, index) => {
      const start = context.currentTime + index * 0.22;
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = "sine";
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.12, start + 0.03); // soft: well under full volume
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.7);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(start);
      oscillator.stop(start + 0.75);
    });
    return "played";
  }
}

const NOTES = { 300: [587], 60: [587, 784], 0: [784, 523], warn: [659, 659] };

function readMuted() {
  try {
    return localStorage.getItem(MUTE_KEY) === "true";
  } catch {
    return false;
  }
}

function storeMuted(muted) {
  try {
    localStorage.setItem(MUTE_KEY, String(muted));
  } catch {
    // Storage disabled: the choice holds for this page.
  }
}

/** Thresholds already alerted for a step's timer, kept per tab so a reload does not repeat them. */
class Fired {
  constructor(atelierId) {
    this.storageKey = `atelier:alerts:${atelierId}`;
    this.key = null;
    this.done = new Set();
    try {
      const saved = JSON.parse(sessionStorage.getItem(this.storageKey) || "null");
      if (saved) [this.key, this.done] = [saved.key, new Set(saved.done)];
    } catch {
      // Nothing saved: start afresh.
    }
  }

  reset(key) {
    this.key = key;
    this.done = new Set();
    this.#save();
  }

  add(threshold) {
    for (const value of THRESHOLDS) if (value >= threshold) this.done.add(value);
    this.#save();
  }

  #save() {
    try {
      sessionStorage.setItem(this.storageKey, JSON.stringify({ key: this.key, done: [...this.done] }));
    } catch {
      // Storage disabled: memory is enough within the page.
    }
  }
}

/**
 * @param {import("./connection.js").Connection} connection
 * @param {string} atelierId
 */
export function startAlerts(connection, atelierId) {
  const region = document.getElementById("timer-alert");
  const toggle = document.getElementById("alert-sound");
  if (!region) return;
  const chime = new Chime();
  let muted = readMuted();
  let staleTimer = null;

  const showMuted = () => toggle?.setAttribute("aria-pressed", String(muted));
  showMuted();
  toggle?.addEventListener("click", () => {
    muted = !muted;
    storeMuted(muted);
    showMuted();
  });
  for (const kind of ["pointerdown", "keydown"]) document.addEventListener(kind, () => chime.arm(), true);

  const alert = (text, kind) => {
    region.dataset.kind = String(kind);
    region.dataset.chime = muted ? "muted" : chime.play(NOTES[kind]);
    region.classList.remove("is-stale");
    region.classList.remove("is-new");
    // Emptied first so a repeated message is announced again; filled after a beat.
    region.textContent = "";
    setTimeout(() => {
      region.textContent = text;
      region.classList.add("is-new");
    }, 30);
    clearTimeout(staleTimer);
    staleTimer = setTimeout(() => region.classList.add("is-stale"), STALE_AFTER_MS);
  };

  const fired = new Fired(atelierId);
  let previous = null; // the last tick: {key, left, running}
  const tick = () => {
    const timer = document.getElementById("timer");
    if (!timer) return;
    const duration = Number(timer.dataset.duration);
    const remaining = Number(timer.dataset.remaining);
    const running = Boolean(timer.dataset.startedAt);
    const key = `${document.getElementById("step")?.dataset.stepIndex ?? ""}:${duration}`;
    const left = secondsLeft(timer, connection.serverNow());
    if (key !== fired.key || (!running && remaining >= duration)) {
      // Another step, or this one's timer reset: its alerts may come again.
      if (key !== fired.key) region.classList.add("is-stale");
      if (key !== fired.key || fired.done.size) fired.reset(key);
    }
    if (running && previous?.running && previous.key === key) {
      // A threshold counts only when crossed while running (never at a reload, a reconnect or a
      // resume), once per step, and not the 5-minute one in a step of 5 minutes or less.
      const crossed = THRESHOLDS.filter(
        (threshold) =>
          previous.left > threshold &&
          left <= threshold &&
          !fired.done.has(threshold) &&
          (threshold < duration || threshold === 0),
      );
      if (crossed.length) {
        const threshold = Math.min(...crossed); // a jump over several says only the latest
        fired.add(threshold);
        alert(MESSAGES[threshold], threshold);
      }
    }
    previous = { key, left, running };
  };
  setInterval(tick, TICK_MS);
  document.addEventListener("atelier:fragments", tick);
  tick();

  connection.addEventListener("timer.warned", (event) => {
    const { minutes, name } = event.detail;
    alert(`${name} prévient : plus que ${minutes} minute${minutes > 1 ? "s" : ""}.`, "warn");
  });
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-warn-minutes]");
    if (button) connection.sendEphemeral({ type: "timer.warn", minutes: Number(button.dataset.warnMinutes) });
  });
}
