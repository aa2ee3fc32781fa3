// Show each person the controls their role allows. The server checks every operation
// anyway; this only spares people buttons that would be refused.

const ANIMATEURS = new Set(["referent", "challengeur"]);

/** @param {{memberId: string, role: string, team: boolean}} me */
export function applyPermissions(me, root = document) {
  for (const element of root.querySelectorAll("[data-requires]")) {
    const need = element.dataset.requires;
    const allowed = need === "animateur" ? ANIMATEURS.has(me.role) : me.role === need;
    element.hidden = !allowed;
  }
  for (const element of root.querySelectorAll("[data-requires-not]")) {
    element.hidden = me.role === element.dataset.requiresNot;
  }
  for (const card of root.querySelectorAll("[data-author]")) {
    const own = card.dataset.author === me.memberId && me.role !== "observer";
    const controls = card.querySelector("[data-owner-only]");
    if (controls) controls.hidden = !(own || me.team);
  }
}

/** Show the board tools the current step opens (the notes are always there). */
export function applyTools() {
  const step = document.getElementById("step");
  if (!step) return;
  const tools = new Set((step.dataset.tools || "").split(" "));
  for (const panel of document.querySelectorAll("section[data-tool]")) {
    if (panel.dataset.tool === "notes") continue;
    panel.hidden = !tools.has(panel.dataset.tool);
  }
}
