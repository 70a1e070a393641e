"""In a real browser: the public pages pass axe, and feedback can be given by keyboard alone."""

import pytest

from tests.fixtures.browser import assert_accessible, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.both_databases]


@pytest.mark.parametrize(
    "path", ["/", "/accessibility", "/privacy", "/cookies", "/feedback", "/missing"]
)
def test_public_pages_have_no_accessibility_violations(page, path):
    page.goto(path)
    assert_accessible(page)
    screenshot(page, f"public{path.replace('/', '-') or '-start'}")


def test_feedback_by_keyboard_with_an_error_first(page):
    page.goto("/cookies")
    assert_accessible(page)
    page.get_by_role("link", name="give your feedback").click()
    page.wait_for_url("**/feedback?from_path=/cookies")
    assert_accessible(page)

    page.get_by_label("How could we improve this service?").fill("Bigger buttons, please")
    page.get_by_role("button", name="Send feedback").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.title().startswith("Error: ")
    # GOV.UK Frontend moves focus to the error summary so it is read out first.
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    assert page.get_by_label("How could we improve this service?").input_value() == (
        "Bigger buttons, please"
    )
    assert_accessible(page)

    page.get_by_role("link", name="Select how you feel about this service").click()
    page.keyboard.press("Space")  # selects the focused first radio: "Very satisfied"
    page.get_by_role("button", name="Send feedback").focus()
    with page.expect_navigation(url="**/cookies"):
        page.keyboard.press("Enter")
    assert_accessible(page)
    assert "Thank you for your feedback" in page.locator(".govuk-notification-banner").inner_text()
