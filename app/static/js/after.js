// After the atelier: copy the drafts, open the thank-you mail in the mail client, count the post.

function draft(field) {
  return document.querySelector(`textarea[data-text-field="${field}"]`)?.value ?? "";
}

function say(text) {
  const status = document.querySelector("[data-copy-status]");
  if (status) status.textContent = text;
}

/** The emails people left when joining (the team's presence list holds them), for the thank-you mail. */
function emails() {
  return [...document.querySelectorAll("#presence [data-email]")].map((person) => person.dataset.email);
}

/**
 * A mailto: link from the mail draft: its first "Objet : …" line is the subject; the people who left
 * an email are in blind copy, so nobody's address is shown to the others.
 */
function mailto(text) {
  const lines = text.split("\n");
  let subject = "";
  if (lines[0]?.startsWith("Objet :")) subject = lines.shift().slice("Objet :".length).trim();
  const body = lines.join("\n").replace(/^\n+/, "");
  const bcc = emails().map(encodeURIComponent).join(",");
  return `mailto:?${bcc ? `bcc=${bcc}&` : ""}subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(body)}`;
}

function countPost() {
  const counter = document.querySelector('[data-length-of="post"]');
  if (counter) counter.textContent = `${draft("post").length} caractères (280 au plus pour certains réseaux)`;
}

export function wireAfter() {
  document.addEventListener("click", async (event) => {
    const copy = event.target.closest("[data-copy-field]");
    if (copy) {
      try {
        await navigator.clipboard.writeText(draft(copy.dataset.copyField));
        say("Texte copié.");
      } catch {
        document.querySelector(`textarea[data-text-field="${copy.dataset.copyField}"]`)?.select();
        say("Texte sélectionné : copiez-le avec Ctrl+C.");
      }
      return;
    }
    const mail = event.target.closest("[data-mailto-field]");
    if (mail) mail.href = mailto(draft(mail.dataset.mailtoField));
  });
  document.addEventListener("input", (event) => {
    if (event.target.matches?.('textarea[data-text-field="post"]')) countPost();
  });
  document.addEventListener("atelier:fragments", countPost);
  document.addEventListener("atelier:texts", countPost);
  countPost();
}
