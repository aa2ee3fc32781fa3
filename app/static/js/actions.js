// Buttons, selects and forms that send operations. Markup says what to send:
// data-op="step.goto" data-index="3" → {type: "step.goto", index: 3}.

const NUMBER_PARAMS = { index: "index", seconds: "seconds" };

function opFrom(element) {
  const op = { type: element.dataset.op };
  for (const [attribute, field] of Object.entries(NUMBER_PARAMS)) {
    if (element.dataset[attribute] !== undefined) op[field] = Number(element.dataset[attribute]);
  }
  if (element.dataset.cardId !== undefined) op.card_id = element.dataset.cardId;
  if (element.dataset.memberId !== undefined) op.member_id = element.dataset.memberId;
  if (element.dataset.priority !== undefined) op.priority = element.dataset.priority === "true";
  if (element.dataset.final !== undefined) op.final = element.dataset.final === "true";
  if (element.dataset.field !== undefined) op.field = element.dataset.field;
  if (element.dataset.withLink !== undefined) op.link = `${location.origin}/a/${document.body.dataset.atelierId}`;
  return op;
}

/** @param {import("./connection.js").Connection} connection */
export function wireActions(connection, newId) {
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-op]");
    if (button && !button.disabled) {
      if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
      const filled = button.dataset.confirmIfFilled;
      const current = filled && document.querySelector(`textarea[data-text-field="${filled}"]`);
      if (current && current.value.trim() && !window.confirm("Remplacer le texte actuel par un nouveau brouillon ?")) return;
      connection.send(opFrom(button));
      return;
    }
    const edit = event.target.closest("[data-edit-card]");
    if (edit) {
      const form = document.getElementById(edit.getAttribute("aria-controls"));
      form.hidden = !form.hidden;
      edit.setAttribute("aria-expanded", String(!form.hidden));
      if (!form.hidden) form.querySelector("input")?.focus();
      return;
    }
    const cancel = event.target.closest("[data-cancel-edit]");
    if (cancel) {
      const form = cancel.closest("form");
      form.reset();
      form.hidden = true;
      const toggle = document.querySelector(`[aria-controls="${form.id}"]`);
      toggle?.setAttribute("aria-expanded", "false");
      toggle?.focus();
    }
  });

  document.addEventListener("change", (event) => {
    const select = event.target.closest("[data-op-select]");
    if (!select) return;
    connection.send({ type: select.dataset.opSelect, member_id: select.dataset.memberId, role: select.value });
  });

  document.addEventListener("submit", (event) => {
    const opForm = event.target.closest("form[data-op-form]");
    if (opForm) {
      event.preventDefault();
      submitOpForm(opForm, connection, newId);
      return;
    }
    const form = event.target.closest("[data-card-form]");
    if (!form) return;
    event.preventDefault();
    const title = form.elements.title.value.trim();
    const description = form.elements.description.value.trim();
    if (!title) {
      form.elements.title.focus();
      return;
    }
    if (form.dataset.cardForm === "create") {
      connection.send({ type: "card.create", card_id: newId(), title, description });
      form.reset();
      form.elements.title.focus();
    } else {
      connection.send({ type: "card.update", card_id: form.dataset.cardId, title, description });
      form.hidden = true;
    }
  });
}

/**
 * A form that sends one operation. Markup says how:
 *   <form data-op-form="idea.create" data-new-id="idea_id" data-after="reset|hide">
 * Each named field becomes an op field; a name with a dot fills a nested object
 * (answers.permet → {answers: {permet: …}}); data-number on a field sends a number (empty → null);
 * a checkbox sends true/false. data-new-id names a field that gets a fresh client id.
 */
export function submitOpForm(form, connection, newId) {
  const op = { type: form.dataset.opForm };
  for (const field of form.elements) {
    if (!field.name || field.disabled) continue;
    if (field.type === "radio" && !field.checked) continue;
    let value = field.type === "checkbox" ? field.checked : field.value.trim();
    if (field.dataset.number !== undefined) value = value === "" ? null : Number(value);
    const [head, tail] = field.name.split(".");
    if (tail) (op[head] ??= {})[tail] = value;
    else op[head] = value;
  }
  if (form.dataset.newId) op[form.dataset.newId] = newId();
  const required = [...form.querySelectorAll("[required]")].find((field) => !field.value.trim());
  if (required) {
    required.focus();
    return;
  }
  connection.send(op);
  if (form.dataset.after === "reset") {
    form.reset();
    form.querySelector("input, textarea, select")?.focus();
  } else if (form.dataset.after === "hide") {
    form.hidden = true;
  } else if (form.dataset.after === "thanks") {
    const thanks = form.querySelector("[data-questionnaire-thanks]");
    if (thanks) thanks.hidden = false;
  }
}
