// The animateur's schedule panel is rendered on the server in UTC; show its times in the reader's zone.

function localise(root = document) {
  for (const time of root.querySelectorAll("time[data-local-time]")) {
    const date = new Date(time.getAttribute("datetime"));
    if (!Number.isNaN(date.getTime())) {
      time.textContent = date.toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" });
    }
  }
}

/** Localise now, after every live fragment, and after each 30-second refresh (an htmx swap). */
export function localiseTimes() {
  localise();
  document.addEventListener("atelier:fragments", () => localise());
  document.body.addEventListener("htmx:afterSettle", () => localise());
}
