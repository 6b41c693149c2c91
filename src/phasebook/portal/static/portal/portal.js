// The portal's only script: copy buttons (data-copy). Static, so the CSP needs no inline script.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button || !navigator.clipboard) return;
  navigator.clipboard.writeText(button.dataset.copy).then(() => {
    button.classList.add("is-copied");
    setTimeout(() => button.classList.remove("is-copied"), 1500);
  });
});
