// The background task's status page updates itself while the task runs: it fetches the page
// again every few seconds and swaps in the status (a polite live region, so screen readers
// hear the new stage without losing their place). When the task has finished, the Cancel
// button and the Refresh link go and the link to the result appears. Without JavaScript the
// page's "Refresh" link does the same.
const region = document.querySelector("[data-task-status]");

async function refresh() {
  const response = await fetch(window.location.href, { headers: { Accept: "text/html" } });
  if (!response.ok) return true;
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = page.querySelector("[data-task-status]");
  if (!fresh) return true;
  region.innerHTML = fresh.innerHTML;
  if (!fresh.hasAttribute("data-finished")) return false;
  region.setAttribute("data-finished", "");
  document.querySelector("[data-task-actions]")?.remove();
  return true;
}

if (region && !region.hasAttribute("data-finished")) {
  const seconds = Number(region.dataset.refreshSeconds) || 2;
  const tick = async () => {
    let finished = false;
    try {
      finished = await refresh();
    } catch {
      finished = false; // offline for a moment: try again on the next tick
    }
    if (!finished) window.setTimeout(tick, seconds * 1000);
  };
  window.setTimeout(tick, seconds * 1000);
}
