"""In a real browser, with axe on every page: an administrator reads the service status and
the service measures, and restricts then lifts processing of a person's data, with an error
first."""

from __future__ import annotations

import pytest

from portal.auth.models import Role
from tests.browser.test_rounds_admin import go, sign_in_as_admin, submit
from tests.fixtures.browser import assert_accessible, screenshot

pytestmark = pytest.mark.browser


def test_an_administrator_checks_the_service_and_restricts_a_person(page, make_user):
    person = make_user(Role.PARTICIPANT, name="Rita Restricted")
    sign_in_as_admin(page, make_user)

    go(page, "/admin/status")
    assert page.locator("h1").inner_text() == "Service status"
    assert "No job has run yet" in page.locator("main").inner_text()
    screenshot(page, "admin-status")

    go(page, "/service-measures/")
    assert page.locator("h1").inner_text() == "Service measures"
    page.get_by_role("link", name="Last 90 days").click()
    assert_accessible(page)
    screenshot(page, "service-measures")

    go(page, f"/admin/users/{person.id}")
    page.get_by_role("link", name="Restrict processing").click()
    assert_accessible(page)
    submit(page, "Restrict processing")
    assert (
        "Enter why you are restricting this person's data"
        in page.locator(".govuk-error-summary").inner_text()
    )
    page.get_by_label("Reason").fill("Asked for erasure; the funder may audit until 2027")
    submit(page, "Restrict processing")
    assert "is now restricted" in page.locator(".govuk-notification-banner").inner_text()
    screenshot(page, "restricted-person")
    page.get_by_role("link", name="Lift the restriction").click()
    assert_accessible(page)
    page.get_by_label("Reason").fill("Audit finished")
    submit(page, "Lift the restriction")
    assert "is no longer restricted" in page.locator(".govuk-notification-banner").inner_text()
