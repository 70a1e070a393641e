// Warns before an idle session ends and lets the person stay signed in (WCAG 2.2.1).
// The server is the authority: the dialog asks it how long is left before showing.

const minutesText = (seconds) => {
  const minutes = Math.ceil(seconds / 60);
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
};

export function initTimeoutWarning(dialog) {
  if (!dialog || typeof dialog.showModal !== "function") return;
  const warnSeconds = Number(dialog.dataset.warnSeconds);
  const idleSeconds = Number(dialog.dataset.idleSeconds);
  const countdown = dialog.querySelector(".app-timeout-dialog__countdown");
  const token = dialog.querySelector("input[name=csrf_token]").value;
  let checkTimer;
  let tickTimer;
  let endsAt;

  const schedule = (secondsLeft) => {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(check, Math.max(0, secondsLeft - warnSeconds) * 1000);
  };

  const tick = () => {
    const left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    if (left === 0) {
      // Sign out for real, so the session ends here even if the server's clock lags.
      dialog.querySelector("form#timeout-sign-out").submit();
      return;
    }
    // Announce whole minutes, then every 15 seconds in the last minute, not every second.
    const text = minutesText(left > 60 ? left : Math.ceil(left / 15) * 15);
    if (countdown.textContent !== text) countdown.textContent = text;
    tickTimer = setTimeout(tick, 1000);
  };

  async function check() {
    const response = await fetch(dialog.dataset.statusUrl, { credentials: "same-origin" });
    const status = await response.json();
    if (!status.signed_in) {
      window.location.href = dialog.dataset.signedOutUrl;
      return;
    }
    if (status.seconds_left > warnSeconds) {
      schedule(status.seconds_left); // activity in another tab gave more time
      return;
    }
    endsAt = Date.now() + status.seconds_left * 1000;
    if (!dialog.open) dialog.showModal();
    tick();
  }

  async function extend() {
    clearTimeout(tickTimer);
    const response = await fetch(dialog.dataset.extendUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token },
    });
    if (!response.ok) {
      window.location.href = dialog.dataset.signedOutUrl;
      return;
    }
    const status = await response.json();
    dialog.close();
    schedule(status.seconds_left);
  }

  dialog.querySelector("[data-timeout-action=extend]").addEventListener("click", extend);
  // Escape closes a modal dialog: treat it as "stay signed in", as the GOV.UK pattern does.
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    extend();
  });
  schedule(idleSeconds);
}
