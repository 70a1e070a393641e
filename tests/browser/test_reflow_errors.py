"""At 320 CSS pixels wide, forms showing their errors, and pages holding very long answers:
WCAG 2.2 AA reflow (1.4.10) and target size (minimum) (2.5.8), with axe on every page.

The 320-pixel audit of every page (test_reflow.py) looks at each page as it first opens. A
form sent with nothing filled in shows the error summary and a message above each field, and
a person may have typed a very long name or address: both make pages wider and longer than
they first are. Here the forms people fill in most, for each kind of user, are sent empty,
and the error page is checked with the same checks; then a person with a very long name and
email address reads their account and fills a form with a very long answer.
"""

from __future__ import annotations

from typing import Any

import pytest

from portal.auth.models import Role
from tests.browser.test_reflow import CHECK_PAGE, NARROW
from tests.fixtures.browser import assert_accessible, screenshot
from tests.fixtures.users import PASSWORD, current_code

pytestmark = pytest.mark.browser

# The forms with questions, by who fills them in. Each is sent empty: every one has a question
# that must be answered, so each comes back with its errors (status 400) and nothing is saved.
FORMS: dict[str | Role, list[str]] = {
    "signed out": ["/sign-in", "/create-account", "/forgot-password", "/feedback"],
    Role.PARTICIPANT: ["/account/email", "/account/password"],
    Role.COACH: [
        "/coaching/availability/weekly/add",
        "/coaching/availability/days/add",
    ],
    Role.ADMIN: ["/admin/users/invite", "/admin/contractors/add", "/admin/rounds/add"],
}

LONG_NAME = "Anastasia-Wilhelmina Featherstonehaugh-Cholmondeley-Marjoribanks " * 2
LONG_EMAIL = (
    "anastasia.wilhelmina.featherstonehaugh.cholmondeley@averyveryverylongdomainname-example.co.uk"
)


def sign_in(page: Any, email: str) -> None:
    page.goto("/sign-in")
    assert_accessible(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert_accessible(page)
    if page.get_by_label("Security code").count():
        page.get_by_label("Security code").fill(current_code())
        with page.expect_navigation():
            page.get_by_role("button", name="Continue").click()
        assert_accessible(page)
    assert not page.url.endswith("/sign-in"), f"{email} could not sign in"


def send_empty(page: Any, path: str) -> list[str]:
    """Open the form at 320 pixels, send it with nothing filled in, and check the error page.
    Returns the reflow and target-size problems found on it."""
    page.goto(path)
    assert_accessible(page)
    form = page.locator("main form[method=post]").last
    with page.expect_navigation() as sent:
        form.locator("button:not([type=button])").first.click()
    assert sent.value.status == 400, f"{path}: sent empty, answered {sent.value.status}"
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible(), f"{path}: no error summary"
    assert summary.locator("a").count() >= 1, f"{path}: the error summary links to nothing"
    assert_accessible(page)
    return [f"{path} with errors: {problem}" for problem in page.evaluate(CHECK_PAGE)]


@pytest.mark.parametrize("role", list(FORMS), ids=str)
def test_forms_showing_errors_reflow_at_320_pixels(page, make_user, make_contractor, role):
    page.set_viewport_size(NARROW)
    if role != "signed out":
        contractors = [make_contractor()] if role == Role.COACH else []
        user = make_user(role, contractors=contractors)
        sign_in(page, user.email)
    problems = [problem for path in FORMS[role] for problem in send_empty(page, path)]
    screenshot(page, f"reflow-320-errors-{str(role).replace(' ', '-')}")
    assert not problems, "\n".join(problems)


def test_very_long_names_and_answers_reflow_at_320_pixels(page, make_user):
    person = make_user(Role.PARTICIPANT, name=LONG_NAME.strip(), email=LONG_EMAIL)
    page.set_viewport_size(NARROW)
    sign_in(page, person.email)
    problems = []

    page.goto("/account/")
    assert_accessible(page)
    assert LONG_EMAIL in page.locator("main").inner_text()
    problems += [f"/account/: {problem}" for problem in page.evaluate(CHECK_PAGE)]

    # A very long answer that is wrong: the answer is kept in the field, and the message
    # and the summary wrap.
    page.goto("/account/email")
    assert_accessible(page)
    page.get_by_label("New email address").fill("not-an-email-" + "x" * 200)
    with page.expect_navigation() as sent:
        page.locator("main form[method=post] button:not([type=button])").first.click()
    assert sent.value.status == 400
    assert page.get_by_label("New email address").input_value().startswith("not-an-email-")
    assert_accessible(page)
    problems += [f"/account/email with a long answer: {p}" for p in page.evaluate(CHECK_PAGE)]
    screenshot(page, "reflow-320-long-answer")

    assert not problems, "\n".join(problems)
