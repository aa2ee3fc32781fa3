// The dot vote: say what changed (dots left, opened, closed) and keep the keyboard focus on the
// ballot when a button the person used becomes disabled (no dot left, one dot per card).

/** @param {import("./connection.js").Connection} connection */
export function wireVote(connection, announce) {
  let lastCard = null;

  document.addEventListener("click", (event) => {
    const button = event.target.closest('[data-op="vote.place"], [data-op="vote.remove"]');
    if (button) lastCard = button.dataset.cardId;
  });

  document.addEventListener("atelier:fragments", () => {
    if (!lastCard || (document.activeElement && document.activeElement !== document.body)) return;
    const place = document.getElementById(`vote-place-${lastCard}`);
    const remove = document.getElementById(`vote-remove-${lastCard}`);
    const target = [place, remove].find((button) => button && !button.disabled);
    target?.focus();
  });

  connection.addEventListener("event", (event) => {
    const change = event.detail.event;
    if ((change.type === "vote.dot_placed" || change.type === "vote.dot_removed") && change.card_id) {
      const verb = change.type === "vote.dot_placed" ? "Point placé" : "Point retiré";
      announce(`${verb}. ${document.getElementById("ballot-remaining")?.textContent ?? ""}`);
    } else if (change.type === "vote.opened") {
      announce(`Vote ouvert : ${change.votes_per_person} point(s) par personne. Les résultats restent cachés.`);
    } else if (change.type === "vote.closed") {
      lastCard = null;
      announce("Vote clos : les résultats sont affichés sur les cartes et la matrice.");
    }
  });
}
