// The step timer's display. The server owns the timer (duration, remaining, started_at);
// every browser computes the same seconds left from the server's clock.

const TICK_MS = 250;

function format(seconds) {
  const sign = seconds < 0 ? "-" : "";
  const whole = Math.ceil(Math.abs(seconds) - 1e-6);
  const minutes = Math.floor(whole / 60);
  return `${sign}${minutes}:${String(whole % 60).padStart(2, "0")}`;
}

/**
 * Seconds left now for the #timer element's data.
 * @param {HTMLElement} element
 * @param {number} serverNowMs
 */
export function secondsLeft(element, serverNowMs) {
  const remaining = Number(element.dataset.remaining);
  const startedAt = element.dataset.startedAt;
  if (!startedAt) return remaining;
  // Never above the remainder at start: a clock estimate a hair early must not show 10:01.
  return Math.min(remaining, remaining - (serverNowMs / 1000 - Number(startedAt)));
}

/** Keep the timer display ticking (alerts.js says when time is nearly or wholly up). */
export function startTimer(connection) {
  const tick = () => {
    const element = document.getElementById("timer");
    if (!element) return;
    const left = secondsLeft(element, connection.serverNow());
    const display = element.querySelector("[data-timer-display]");
    const status = element.querySelector("[data-timer-status]");
    if (display) display.textContent = format(left);
    element.classList.toggle("timer--over", left <= 0);
    element.classList.toggle("timer--soon", left > 0 && left <= 60);
    if (left <= 0 && status) status.textContent = "Temps écoulé";
  };
  tick();
  setInterval(tick, TICK_MS);
  document.addEventListener("atelier:fragments", tick);
}
