// Keyboard focus stays where GOV.UK Frontend puts it, and a focused control shows whole
// (WCAG 2.4.3 focus order, 2.4.11 focus not obscured, 3.3.1 error identification).

// The skip link moves focus to the main content without putting "#main-content" in the
// address. With the fragment there, every form on the page posts to that address and the
// browser keeps the fragment on the page that comes back (through a redirect too); scrolling
// to it there takes focus away from the error summary or the success banner that GOV.UK
// Frontend has just focused, so keyboard and screen reader users were not taken to it.
// GOV.UK Frontend's own handler still moves focus to the main content.
export function keepSkipLinkOutOfAddress() {
  for (const link of document.querySelectorAll(".govuk-skip-link")) {
    link.addEventListener("click", (event) => event.preventDefault());
  }
}

// Chromium does not scroll a control that takes focus while partly on screen (a text area
// at the foot of the window stays cut off), so scroll it the least needed to show it whole.
export function revealFocusedControls() {
  document.addEventListener("focusin", (event) => {
    const target = event.target;
    if (!(target instanceof Element)) return;
    const box = target.getBoundingClientRect();
    if (box.height > window.innerHeight || box.width > window.innerWidth) return;
    const cut =
      box.top < 0 || box.left < 0 || box.bottom > window.innerHeight || box.right > window.innerWidth;
    if (cut) target.scrollIntoView({ block: "nearest", inline: "nearest" });
  });
}
