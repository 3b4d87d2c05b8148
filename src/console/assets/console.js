// Progressive enhancement only: every page works without this file.
document.addEventListener('click', async (event) => {
  const copy = event.target.closest('[data-copy]');
  if (copy) {
    const source = document.getElementById(copy.getAttribute('data-copy'));
    if (!source) return;
    try {
      await navigator.clipboard.writeText(source.textContent.trim());
      copy.textContent = 'Copied';
    } catch {
      const range = document.createRange();
      range.selectNodeContents(source);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      copy.textContent = 'Press Ctrl+C';
    }
    return;
  }
  const close = event.target.closest('[data-close-dialog]');
  if (close) close.closest('dialog')?.close();
});
document.addEventListener('DOMContentLoaded', () => {
  // Rendered open so the page works without scripts; reopened as a modal when scripts run.
  for (const dialog of document.querySelectorAll('dialog[data-open]')) {
    dialog.close();
    dialog.showModal();
  }
});
