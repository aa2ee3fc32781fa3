// « Tout le monde me suit »: the animateur shares their view, everyone else's page goes there.
// A view is what this page lets a person browse: which panel of the room is at the top of the
// window and how far down it (the step decides which tool panels exist; scrolling is the rest).
// Ephemeral frames (`follow.lead`, `follow.stop` → `follow.view`, `follow.stopped`), never stored.
// A person who scrolls away stops following and can follow again with one click.

const SEND_EVERY_MS = 300;
const TOP_MARGIN_PX = 40; // within this of the page top, the view is "the top of the page"
const SCROLL_KEYS = new Set(["PageUp", "PageDown", "Home", "End", "ArrowUp", "ArrowDown", " "]);

function candidates() {
  // The main column's panels, which every person has (the guide is the team's alone).
  return [...document.querySelectorAll(".room-main .panel[id]:not([hidden]):not(#guide)")];
}

/** The view at the top of this window: {panel, offset}. */
export function currentView() {
  if (window.scrollY < TOP_MARGIN_PX) return { panel: "top", offset: 0 };
  for (const panel of candidates()) {
    const box = panel.getBoundingClientRect();
    if (box.height > 0 && box.bottom > 0) {
      const offset = Math.min(1, Math.max(0, -box.top / box.height));
      return { panel: panel.id, offset: Math.round(offset * 1000) / 1000 };
    }
  }
  return { panel: "top", offset: 0 };
}

function goTo({ panel, offset }) {
  const target = panel === "top" ? null : document.getElementById(panel);
  if (!target || target.hidden || !target.classList.contains("panel")) {
    window.scrollTo({ top: 0, behavior: "instant" });
    return null;
  }
  const box = target.getBoundingClientRect();
  window.scrollTo({ top: window.scrollY + box.top + offset * box.height, behavior: "instant" });
  return target;
}

function panelName(panel) {
  return panel?.querySelector("h2")?.textContent?.trim() ?? "";
}

/**
 * @param {import("./connection.js").Connection} connection
 * @param {(text: string) => void} announce
 */
export function wireFollow(connection, announce) {
  const lead = document.getElementById("follow-lead");
  const status = document.getElementById("follow-status");
  const again = document.getElementById("follow-again");
  if (!status || !again) return;

  // -- the animateur ----------------------------------------------------------------------------
  let leading = false;
  let sendTimer = null;
  let lastSent = "";
  const share = (summon) => {
    const view = currentView();
    const text = JSON.stringify(view);
    if (!summon && text === lastSent) return;
    lastSent = text;
    connection.sendEphemeral({ type: "follow.lead", ...view, summon });
  };
  const shareSoon = () => {
    if (!leading || sendTimer) return;
    sendTimer = setTimeout(() => {
      sendTimer = null;
      if (leading) share(false);
    }, SEND_EVERY_MS);
  };
  lead?.addEventListener("click", () => {
    leading = !leading;
    lead.setAttribute("aria-pressed", String(leading));
    if (leading) share(true);
    else connection.sendEphemeral({ type: "follow.stop" });
  });
  window.addEventListener("scroll", shareSoon, { passive: true });
  document.addEventListener("atelier:fragments", shareSoon); // a new step changes the panels
  // A reconnection lost nobody's place, but the server forgot nothing it never kept: say it again.
  connection.addEventListener("synced", () => leading && share(true));

  // -- everyone else --------------------------------------------------------------------------------
  let following = false;
  let view = null; // the latest view shared, and by whom
  const show = () => {
    status.hidden = !view;
    again.hidden = !view || following;
    if (!view) return;
    status.textContent = following ? `Vous suivez ${view.name}` : `${view.name} guide la vue.`;
  };
  connection.addEventListener("follow.view", (event) => {
    const { panel, offset, summon, name } = event.detail;
    view = { panel, offset, name };
    if (summon) following = true;
    if (following) {
      const target = goTo(view);
      if (summon) announce(`${name} vous amène à sa vue${target ? ` : ${panelName(target)}` : ""}.`);
    }
    show();
  });
  connection.addEventListener("follow.stopped", () => {
    view = null;
    following = false;
    show();
  });
  const browseAway = () => {
    if (!following) return;
    following = false;
    show();
  };
  window.addEventListener("wheel", browseAway, { passive: true });
  window.addEventListener("touchmove", browseAway, { passive: true });
  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest?.("input, textarea, select, [contenteditable]");
    if (!typing && SCROLL_KEYS.has(event.key)) browseAway();
  });
  again.addEventListener("click", () => {
    following = true;
    if (view) goTo(view);
    show();
  });
}
