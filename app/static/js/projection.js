// The projection view: the room as participants see it, live, with nothing to click.
// Its socket asks for `view: "projection"`; the server then sends the participants' picture
// and refuses anything this page might send.

import { Connection } from "./connection.js";
import { applyFragments } from "./fragments.js";
import { applyPermissions, applyTools } from "./permissions.js";
import { startTimer } from "./timer.js";
import { startAlerts } from "./alerts.js";
import { positionAll } from "./board.js";
import { showReaction, startTurnCountdown } from "./speech.js";

const body = document.body;
const connection = new Connection({
  atelierId: body.dataset.atelierId,
  memberId: `${body.dataset.memberId}:projection`, // its own (always empty) outbox
  seq: Number(body.dataset.seq),
  status: document.getElementById("connection"),
  view: "projection",
});
const observer = { memberId: "", role: "observer", team: false }; // shows no control of any role

const refresh = () => {
  applyPermissions(observer);
  applyTools();
  positionAll();
};
document.addEventListener("atelier:fragments", refresh);
connection.addEventListener("snapshot", (event) => applyFragments(event.detail.fragments));
connection.addEventListener("event", (event) => applyFragments(event.detail.fragments));
startTimer(connection);
startTurnCountdown(connection);
// The tour de table, the hand queue and the reactions, as the participants see them.
connection.addEventListener("signals", (event) => applyFragments(event.detail.fragments));
connection.addEventListener("reaction", (event) => showReaction(event.detail));
startAlerts(connection, body.dataset.atelierId);
refresh();
connection.start();
