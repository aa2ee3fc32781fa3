// "Copier" buttons next to the links to share.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const input = document.getElementById(button.dataset.copy);
  const status = document.getElementById("copy-status");
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    input.select(); // no clipboard permission: leave the link selected for Ctrl+C
  }
  if (status) status.textContent = "Lien copié.";
});
