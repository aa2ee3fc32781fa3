// The silent reflection: an animateur changing step while private drafts wait is asked first
// (reveal now, keep them private, or stay); drafts are announced to their author only.

const ANIMATEURS = new Set(["referent", "challengeur"]);
const STEP_OPS = '[data-op="step.next"], [data-op="step.prev"], [data-op="step.goto"]';

const plural = (count, one, many) => (count === 1 ? `1 ${one}` : `${count} ${many}`);

// While a reflection runs in the step, the writing forms say where their text goes.
const DRAFT_LABELS = {
  cards: ["#card-create button[type=submit]", "Enregistrer mon brouillon privé"],
  ideas: ["#idea-create button[type=submit]", "Enregistrer mon idée en brouillon privé"],
};

function labelForms() {
  const drafting = document.getElementById("reflection")?.dataset.drafting || "";
  for (const [kind, [selector, label]] of Object.entries(DRAFT_LABELS)) {
    const button = document.querySelector(selector);
    if (!button) continue;
    button.dataset.publicLabel ??= button.textContent;
    button.textContent = kind === drafting ? label : button.dataset.publicLabel;
  }
}

/** @param {import("./connection.js").Connection} connection */
export function wireReflection(connection, me, announce) {
  const dialog = document.getElementById("reveal-dialog");
  let stepOp = null;
  labelForms();
  document.addEventListener("atelier:fragments", labelForms);

  // Capture phase: runs before actions.js sends the step change.
  document.addEventListener(
    "click",
    (event) => {
      const button = event.target.closest(STEP_OPS);
      if (!button || button.disabled || !dialog || !ANIMATEURS.has(me.role)) return;
      const pending = Number(document.getElementById("reflection")?.dataset.pending || 0);
      if (!pending) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      stepOp = { type: button.dataset.op };
      if (button.dataset.index !== undefined) stepOp.index = Number(button.dataset.index);
      document.getElementById("reveal-dialog-text").textContent =
        `${plural(pending, "brouillon non révélé", "brouillons non révélés")} — les révéler maintenant ?`;
      dialog.returnValue = "";
      dialog.showModal();
    },
    true,
  );

  dialog?.addEventListener("close", () => {
    const choice = dialog.returnValue;
    if (choice === "reveal") {
      const anonymous = document.getElementById("reveal-dialog-anonymous").checked;
      connection.send({ type: "reflection.reveal", anonymous });
    }
    // Sent after the reveal: one connection's operations are applied in order.
    if ((choice === "reveal" || choice === "keep") && stepOp) connection.send(stepOp);
    stepOp = null;
  });

  connection.addEventListener("event", (event) => {
    const change = event.detail.event;
    if (change.type === "reflection.started") {
      announce("Réflexion individuelle et silencieuse : vos cartes restent privées jusqu'à la révélation.");
    } else if (change.type === "reflection.drafted" && change.draft) {
      announce("Brouillon privé enregistré : vous seul·e le voyez.");
    } else if (change.type === "reflection.revealed") {
      announce(`Brouillons révélés : ${plural(change.cards.length + change.ideas.length, "élément", "éléments")}.`);
    }
  });
}
