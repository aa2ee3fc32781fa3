// The room page: wires the connection to fragments, actions, timer, board and text fields.

import { Connection, newId } from "./connection.js";
import { applyFragments } from "./fragments.js";
import { applyPermissions, applyTools } from "./permissions.js";
import { wireActions } from "./actions.js";
import { startTimer } from "./timer.js";
import { startAlerts } from "./alerts.js";
import { wireFollow } from "./follow.js";
import { localiseTimes } from "./schedule.js";
import { wireBoard } from "./board.js";
import { TextFields } from "./fields.js";
import { wireFormat2 } from "./format2.js";
import { wireFormat3 } from "./format3.js";
import { wireAfter } from "./after.js";
import { wireReflection } from "./reflection.js";
import { wireVote } from "./vote.js";
import { wireSpeech } from "./speech.js";

const body = document.body;
const me = { memberId: body.dataset.memberId, role: body.dataset.role, team: body.dataset.team === "true" };
const announcer = document.getElementById("announcer");
const announce = (text) => {
  announcer.textContent = "";
  // A fresh text node after clearing makes screen readers announce even a repeated message.
  requestAnimationFrame(() => (announcer.textContent = text));
};

const connection = new Connection({
  atelierId: body.dataset.atelierId,
  memberId: me.memberId,
  seq: Number(body.dataset.seq),
  status: document.getElementById("connection"),
});
const fields = new TextFields(connection);
fields.applyAll(JSON.parse(document.getElementById("texts-state").textContent));

// Events that carry CRDT updates: merge them before the fragments bind new textareas.
function applyTextUpdates(event) {
  if (event.type === "text.updated") fields.applyRemote(event.field, event.update);
  if (event.type === "sous_action.created") fields.applyRemote(`sous_action:${event.sous_action.id}`, event.update);
  if (event.type === "canevas.imported") fields.applyAll(event.updates);
  if (event.type === "draft.generated" && event.update) fields.applyRemote(event.field, event.update);
  if (event.type === "speech.turn_given" && event.update) fields.applyRemote(event.field, event.update);
}

const refresh = () => {
  applyPermissions(me);
  applyTools();
  fields.bindAll();
};
document.addEventListener("atelier:fragments", refresh);

connection.addEventListener("snapshot", (event) => {
  fields.applyAll(event.detail.state.texts);
  applyFragments(event.detail.fragments);
  fields.bindAll();
});
connection.addEventListener("event", (event) => {
  const message = event.detail;
  if (message.event.type === "members.anonymised") {
    window.location.reload(); // every text starts again from a new document: take the page afresh
    return;
  }
  applyTextUpdates(message.event);
  document.dispatchEvent(new CustomEvent("atelier:texts")); // e.g. the post's length counter
  applyFragments(message.fragments);
  if (message.event.type === "step.changed") {
    announce(`Nouvelle étape : ${document.getElementById("step-title")?.textContent ?? ""}`);
  }
});
connection.addEventListener("presence", (event) => applyFragments(event.detail.fragments));
const notice = document.getElementById("notice");
let noticeTimer = null;
const showNotice = (text) => {
  notice.textContent = text;
  notice.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => (notice.hidden = true), 8000);
};
connection.addEventListener("rejected", (event) => {
  showNotice(`Refusé : ${event.detail.message}`);
  const field = fields.fieldOf(event.detail.id);
  if (field) {
    fields.discard(field);
    connection.resync(); // the snapshot refills the field as the server has it
  }
});
connection.addEventListener("error", (event) => showNotice(event.detail.message));

wireActions(connection, newId);
wireFormat2(connection, me, newId);
wireFormat3(connection, me, newId);
wireAfter();
wireReflection(connection, me, announce);
wireVote(connection, announce);
wireSpeech(connection, me, announce);
wireBoard(connection, announce);
startTimer(connection);
startAlerts(connection, body.dataset.atelierId);
wireFollow(connection, announce);
localiseTimes();
refresh();
connection.start();
