// Starts GOV.UK Frontend's components. Loaded as a module from 'self', so the
// Content-Security-Policy needs no 'unsafe-inline'.
import { initAll } from "/static/dist/govuk-frontend.min.js";

initAll();
