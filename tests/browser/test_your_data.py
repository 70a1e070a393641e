"""In a real browser: a participant finds everything the portal holds about them from their
account page and downloads it. axe checks every page, at full width and at 320px."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from portal.auth.models import Role
from tests.browser.test_delivery import follow, sign_in
from tests.fixtures.browser import assert_accessible, screenshot

pytestmark = pytest.mark.browser


def test_a_participant_sees_and_downloads_their_data(page, make_round, make_application, make_user):
    person = make_user(Role.PARTICIPANT, name="Priya Shah", email="priya@example.org")
    application = make_application(make_round(), person=person, business_name="Shah Bakery Ltd")
    sign_in(page, person.email)
    page.goto("/account/")
    assert_accessible(page)
    follow(page, "See everything we hold about you")
    assert page.locator("h1").inner_text() == "Everything we hold about you"
    assert application.reference in page.locator("main").inner_text()
    screenshot(page, "your-data")

    page.set_viewport_size({"width": 320, "height": 800})
    wider = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not wider, "the page scrolls sideways at 320px"
    screenshot(page, "your-data-320px")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download everything as a file (JSON)").click()
    data = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert data["sections"]["account"][0]["email"] == "priya@example.org"
