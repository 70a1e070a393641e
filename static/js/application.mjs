// Starts GOV.UK Frontend's components and our own. Loaded as a module from 'self', so the
// Content-Security-Policy needs no 'unsafe-inline'.
import { initAll } from "/static/dist/govuk-frontend.min.js";
import { keepSkipLinkOutOfAddress, revealFocusedControls } from "/static/js/focus.mjs";
import { initTimeoutWarning } from "/static/js/timeout-warning.mjs";

initAll();
keepSkipLinkOutOfAddress();
revealFocusedControls();
initTimeoutWarning(document.getElementById("timeout-warning"));
