"""At 320 CSS pixels wide, every page of the portal, for every role: WCAG 2.2 AA reflow
(1.4.10) and target size (minimum) (2.5.8).

The pages are those of the access inventory (tests/test_access_inventory.py), at the records
of its world: each GET endpoint a role may use that answers with an HTML page (downloads,
feeds and JSON are not pages), followed through any redirect and checked once per address.
Public pages are checked signed out and as a participant; staff see them with only their
header changed, and the header is checked on every staff page (and once with its menu open).
One browser context per role, signed in through the real sign-in pages (the two-factor step
is checked on the way). No axe here: the journeys run axe on every page they visit.

On each page:

- Reflow: the page never scrolls sideways (``scrollWidth <= innerWidth``). Only a data table
  may scroll sideways, inside its own region that keyboard users can reach and that is named
  (``role="region"``, ``tabindex="0"``, ``aria-label`` or ``aria-labelledby``, as
  templates/components/table.html makes), which 1.4.10 allows. Nothing else scrolls
  sideways, and no text is cut off by a box too narrow for it.
- Target size: every target a pointer can use (links, buttons, form controls, summaries) is
  at least 24 by 24 CSS pixels, or is a link in a sentence (WCAG's "inline" exception), or is
  far enough from every other target (WCAG's spacing exception: a circle 24 pixels across,
  centred on it, meets no other target and no such circle of another small target).

Every problem on every page is collected, and the test fails once per role, listing them all
(page, element, size). The last test shows on a specimen page that the checks find each kind
of problem.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask, url_for
from playwright.sync_api import Error as PlaywrightError

from portal.auth.models import Role
from tests.fixtures.browser import LiveServer, screenshot
from tests.fixtures.users import PASSWORD, current_code
from tests.test_access_inventory import (
    ANONYMOUS,
    INVENTORY,
    World,
    endpoints,
    expected_outcome,
)
from tests.test_access_inventory import world as world  # the fixture: records to visit

pytestmark = pytest.mark.browser

# 320 CSS pixels is WCAG's reflow width (1280 pixels at 400% zoom); the height does not
# matter for sideways scrolling.
NARROW = {"width": 320, "height": 640}
MINIMUM_TARGET = 24
PUBLIC_PAGES_AS = {ANONYMOUS, Role.PARTICIPANT}

# Saved as screenshots at 320 pixels to look at (the widest content at the narrowest width).
SCREENSHOTS = {
    "account.two_factor_set_up",
    "admin.users",
    "coaching.availability",
    "my_cohort.index",
    "notifications.outbox_message",
    "outcomes.compare",
}

CHECK_PAGE = r"""
() => {
  const MINIMUM = MINIMUM_TARGET;
  const TARGETS =
    "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]";
  const viewportWidth = window.innerWidth;
  const problems = [];

  const describe = (element) => {
    const id = element.id ? "#" + element.id : "";
    const classes = [...element.classList].slice(0, 2).map((name) => "." + name).join("");
    const text = (element.innerText || element.value || element.getAttribute("aria-label") || "")
      .replace(/\s+/g, " ").trim().slice(0, 60);
    return element.tagName.toLowerCase() + id + classes + (text ? ` "${text}"` : "");
  };
  const size = (box) => `${Math.round(box.width * 10) / 10}x${Math.round(box.height * 10) / 10}px`;

  // Hidden from sight though rendered: GOV.UK's visually hidden text and the skip link until
  // it has focus (clipped to a box of 1 pixel).
  const visuallyHidden = (element) => {
    for (let node = element; node && node !== document.body; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.clipPath !== "none" || style.clip !== "auto") {
        const box = node.getBoundingClientRect();
        if (box.width <= 1 || box.height <= 1) return true;
      }
    }
    return false;
  };
  const shown = (element) => {
    const box = element.getBoundingClientRect();
    return box.width > 0 && box.height > 0
      && element.checkVisibility({visibilityProperty: true})
      && !visuallyHidden(element);
  };

  // 1.4.10 Reflow: no sideways scrolling of the page.
  const pageWidth = document.documentElement.scrollWidth;
  if (pageWidth > viewportWidth) {
    // What sticks out: a box past the right edge inside one that is not, or text too long
    // for the box that holds it (a long word, email address or link).
    const culprits = [];
    const inScrollingBox = (element) => {
      for (let node = element.parentElement; node !== document.body; node = node.parentElement) {
        if (getComputedStyle(node).overflowX !== "visible") return true;
      }
      return false;
    };
    for (const element of document.body.querySelectorAll("*")) {
      const box = element.getBoundingClientRect();
      if (box.right <= viewportWidth + 0.5 || !element.checkVisibility()) continue;
      const parent = element.parentElement.getBoundingClientRect();
      // A box positioned absolutely escapes a scrolling box that is not positioned itself.
      const escapes = ["absolute", "fixed"].includes(getComputedStyle(element).position);
      if (escapes || (parent.right <= viewportWidth + 0.5 && !inScrollingBox(element))) {
        const hidden = visuallyHidden(element) ? " (visually hidden)" : "";
        culprits.push(`${describe(element)}${hidden} reaches ${Math.round(box.right)}px`);
      }
    }
    const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    while (texts.nextNode()) {
      range.selectNodeContents(texts.currentNode);
      const box = range.getBoundingClientRect();
      const holder = texts.currentNode.parentElement;
      const inside = holder.getBoundingClientRect().right <= viewportWidth + 0.5;
      if (box.right > viewportWidth + 0.5 && inside && shown(holder)) {
        culprits.push(`the text of ${describe(holder)} reaches ${Math.round(box.right)}px`);
      }
    }
    problems.push(
      `reflow: the page is ${pageWidth}px wide at ${viewportWidth}px: ` +
      (culprits.slice(0, 4).join("; ") || "(no single element)")
    );
  }
  // Only a data table may scroll sideways, in a named region keyboard users can reach, and
  // no text may be cut off by a box too narrow for it. (Text fields scroll their own text.)
  for (const element of document.body.querySelectorAll("*")) {
    if (element.scrollWidth <= element.clientWidth + 1 || element.clientWidth <= 1) continue;
    if (element.matches("input, textarea, select")) continue;
    const overflow = getComputedStyle(element).overflowX;
    if (overflow === "auto" || overflow === "scroll") {
      const named = element.hasAttribute("aria-label") || element.hasAttribute("aria-labelledby");
      const region = element.getAttribute("role") === "region" && element.tabIndex === 0 && named;
      if (!region || !element.querySelector("table")) {
        problems.push(
          `reflow: ${describe(element)} scrolls sideways ` +
          `(${element.scrollWidth}px in ${element.clientWidth}px) but is not a data table ` +
          "in a named region that can be reached by keyboard"
        );
      }
    } else if ((overflow === "hidden" || overflow === "clip") && shown(element)) {
      problems.push(
        `reflow: ${describe(element)} cuts off its content ` +
        `(${element.scrollWidth}px in ${element.clientWidth}px)`
      );
    }
  }

  // 2.5.8 Target size (minimum).
  const targets = [...document.querySelectorAll(TARGETS)]
    .filter((element) => !element.disabled && shown(element))
    .map((element) => {
      const box = element.getBoundingClientRect();
      return {
        element, box,
        x: (box.left + box.right) / 2,
        y: (box.top + box.bottom) / 2,
        small: box.width < MINIMUM - 0.05 || box.height < MINIMUM - 0.05,
      };
    });
  // The inline exception: a link in a sentence, whose size the line height of the text
  // around it sets. The block it is in holds words (letters or digits) outside any target.
  const words = /[\p{L}\p{N}]/u;
  const blockOf = (node) => {
    let block = node.parentElement;
    while (block.parentElement && getComputedStyle(block).display === "inline") {
      block = block.parentElement;
    }
    return block;
  };
  const inSentence = (element) => {
    if (getComputedStyle(element).display !== "inline") return false;
    const block = blockOf(element);
    const texts = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    while (texts.nextNode()) {
      const holder = texts.currentNode.parentElement;
      if (!words.test(texts.currentNode.textContent) || holder.closest(TARGETS)) continue;
      if (blockOf(texts.currentNode) === block && shown(holder)) return true;
    }
    return false;
  };
  for (const target of targets) target.inline = target.small && inSentence(target.element);
  const distanceToBox = (x, y, box) => Math.hypot(
    Math.max(box.left - x, 0, x - box.right), Math.max(box.top - y, 0, y - box.bottom)
  );
  for (const target of targets) {
    if (!target.small || target.inline) continue;
    const clash = targets.find((other) =>
      other !== target
      && !other.element.contains(target.element) && !target.element.contains(other.element)
      && (distanceToBox(target.x, target.y, other.box) < MINIMUM / 2
        || (other.small && !other.inline
          && Math.hypot(other.x - target.x, other.y - target.y) < MINIMUM))
    );
    if (clash) {
      problems.push(
        `target size: ${describe(target.element)} is ${size(target.box)}, ` +
        `closer than 12px to ${describe(clash.element)} (${size(clash.box)})`
      );
    }
  }
  return problems;
}
""".replace("MINIMUM_TARGET", str(MINIMUM_TARGET))


def pages_for(app: Flask, world: World, role: Role | str) -> list[tuple[str, str]]:
    """(endpoint, path) of every GET endpoint that answers the role with a page, and the
    error pages.

    Public pages are the same for everyone but for the header, which each role's own pages
    check: they are checked signed out and as a participant (who reaches them signed in
    from emails), not again for each kind of staff.
    """
    routes = endpoints(app)
    found = []
    for endpoint, declared in sorted(INVENTORY.items()):
        if "GET" not in routes[endpoint] or expected_outcome(declared, role) != "page":
            continue
        if declared.roles is None and role not in PUBLIC_PAGES_AS:
            continue
        with app.test_request_context():
            found.append((endpoint, url_for(endpoint, **declared.url(world))))
    # The error pages: not found for anyone, and refused for someone signed in.
    if role == ANONYMOUS:
        found.append(("errors.not_found", "/no-such-page"))
    if role == Role.PARTICIPANT:
        found.append(("errors.forbidden", "/admin/"))
    return found


class NarrowBrowser:
    """One role's browser tab at 320 pixels, and what the checks found on each page."""

    def __init__(self, context: Any) -> None:
        self.page = context.new_page()
        self.problems: list[str] = []
        self.checked: set[str] = set()
        self.waiting: set[Any] = set()
        # No favicon: Chromium asks for it after the page has loaded and drops the request
        # when the next page starts, which leaves the live server's file open (a warning).
        devtools = context.new_cdp_session(self.page)
        devtools.send("Network.enable")
        devtools.send("Network.setBlockedURLs", {"urls": ["*/favicon.*"]})
        # Requests not yet answered, to wait for before leaving a page.
        self.page.on("request", lambda request: self.waiting.add(request))
        self.page.on("requestfinished", lambda request: self.waiting.discard(request))
        self.page.on("requestfailed", lambda request: self.waiting.discard(request))

    def open(self, path: str) -> bool:
        """Go to ``path``; False when it is not an HTML page (a download, a feed, JSON)."""
        self.settle()
        try:
            response = self.page.goto(path)
        except PlaywrightError as error:
            if "Download is starting" in error.message:
                return False
            raise
        assert response is not None, path
        return response.headers.get("content-type", "").startswith("text/html")

    def settle(self) -> None:
        for _ in range(200):
            if not self.waiting:
                return
            self.page.wait_for_timeout(5)

    def check(self, endpoint: str, state: str = "") -> None:
        """Run the checks on the page shown, once per address."""
        path = urlsplit(self.page.url)._replace(scheme="", netloc="").geturl() + state
        if path in self.checked:
            return
        self.checked.add(path)
        self.problems.extend(f"{path}: {problem}" for problem in self.page.evaluate(CHECK_PAGE))
        if endpoint in SCREENSHOTS and not state:
            screenshot(self.page, f"reflow-320-{endpoint.replace('.', '-')}")

    def open_the_menu(self) -> bool:
        """At 320 pixels the service navigation folds behind a "Menu" button: open it."""
        toggle = self.page.locator(".govuk-service-navigation__toggle")
        if not toggle.count() or not toggle.is_visible():
            return False
        toggle.click()
        self.page.locator(".govuk-service-navigation__list").wait_for(state="visible")
        return True

    def sign_in(self, user: Any) -> None:
        """Through the real pages, checking the two-factor step on the way."""
        self.open("/sign-in")
        self.page.get_by_label("Email address").fill(user.email)
        self.page.get_by_label("Password", exact=True).fill(PASSWORD)
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="Sign in").click()
        if self.page.get_by_label("Security code").count():
            self.check("auth.second_factor")
            self.page.get_by_label("Security code").fill(current_code())
            with self.page.expect_navigation():
                self.page.get_by_role("button", name="Continue").click()
        assert urlsplit(self.page.url).path != "/sign-in", f"{user.email} could not sign in"


@pytest.fixture
def cached_assets(live_server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> LiveServer:
    """The live server, telling the browser to keep the styles and scripts for an hour (as a
    production proxy would) rather than ask again on every page: a tenth quicker."""
    monkeypatch.setitem(live_server.app.config, "SEND_FILE_MAX_AGE_DEFAULT", 3600)
    return live_server


@pytest.mark.parametrize("role", [ANONYMOUS, *Role], ids=str)
def test_every_page_reflows_at_320_pixels_and_its_targets_are_big_enough(
    app: Flask, world: World, browser: Any, cached_assets: LiveServer, role: Role | str
) -> None:
    context = browser.new_context(base_url=cached_assets.url, viewport=NARROW)
    context.set_default_timeout(10_000)
    try:
        narrow = NarrowBrowser(context)
        if role != ANONYMOUS:
            narrow.sign_in(world.users[role])
        menu_checked = False
        for endpoint, path in pages_for(app, world, role):
            if not narrow.open(path):
                continue
            narrow.check(endpoint)
            if not menu_checked and narrow.open_the_menu():
                narrow.check(endpoint, " (menu open)")
                menu_checked = True
        narrow.settle()
    finally:
        context.close()
    assert len(narrow.checked) >= 5, f"too few pages as {role}: {sorted(narrow.checked)}"
    assert not narrow.problems, (
        f"{len(narrow.problems)} problems at 320px wide as {role}, "
        f"on {len(narrow.checked)} pages:\n" + "\n".join(narrow.problems)
    )


# A page with one of each thing the checks look for, to show they find them.
SPECIMEN = """
<!DOCTYPE html>
<html lang="en"><head><title>Specimen</title></head>
<body style="margin: 8px; font: 16px/1.25 sans-serif">
  <p>A sentence with <a href="#inline">a link</a> in it.</p>
  <ul><li><a href="#far">A link on its own, far from others</a></li></ul>
  <p><a href="#one" id="close-1">1</a> <a href="#two" id="close-2">2</a></p>
  <p><button id="big" style="width: 44px; height: 44px">Go</button></p>
  <div id="wide" style="width: 400px">Too wide for the screen</div>
  <div id="scrolls" style="overflow-x: auto"><div style="width: 600px">Scrolls</div></div>
  <div role="region" aria-label="A data table" tabindex="0" style="overflow-x: auto">
    <table><tr><td style="min-width: 600px">A data table may scroll</td></tr></table>
  </div>
  <div id="cut" style="overflow: hidden; width: 100px; white-space: nowrap">Cut off by its box</div>
</body></html>
"""


def test_the_checks_find_what_they_look_for(browser: Any) -> None:
    context = browser.new_context(viewport=NARROW)
    try:
        page = context.new_page()
        page.set_content(SPECIMEN)
        problems = page.evaluate(CHECK_PAGE)
    finally:
        context.close()
    found = "\n".join(problems)
    assert len(problems) == 5, found
    assert "reflow: the page is" in problems[0]
    assert "div#wide" in problems[0]
    assert "div#scrolls" in problems[1]
    assert "not a data table" in problems[1]
    assert "div#cut" in problems[2]
    assert "cuts off its content" in problems[2]
    assert 'a#close-1 "1"' in problems[3]
    assert "closer than 12px" in problems[3]
    assert 'a#close-2 "2"' in problems[4]
    assert "a link" not in found
    assert "#big" not in found
