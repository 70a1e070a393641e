"""In a real browser: an admin adds a round, changes its settings and keeps the reference lists.

axe checks every page; each page is also saved as a screenshot to look at.
"""

import datetime as dt
from urllib.parse import urlparse

import pyotp
import pytest
from sqlalchemy import delete

from portal.auth.models import Role
from portal.reference import services as reference
from portal.reference.models import BankHoliday
from portal.rounds.demo import load_demo_rounds
from tests.fixtures.browser import assert_accessible, screenshot
from tests.fixtures.users import PASSWORD, TOTP_SECRET

pytestmark = pytest.mark.browser


def go(page, path):
    page.goto(path)
    assert_accessible(page)


def submit(page, button):
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    assert_accessible(page)


def sign_in_as_admin(page, make_user):
    make_user(Role.ADMIN, email="admin@example.com")
    go(page, "/sign-in")
    page.get_by_label("Email address").fill("admin@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    submit(page, "Sign in")
    page.get_by_label("Security code").fill(pyotp.TOTP(TOTP_SECRET).now())
    submit(page, "Continue")


def fill_date(page, name, day, month, year):
    page.locator(f"#{name}-day").fill(day)
    page.locator(f"#{name}-month").fill(month)
    page.locator(f"#{name}-year").fill(year)


@pytest.fixture
def demo_data(session):
    reference.load_all(session)
    load_demo_rounds(session)
    session.commit()


def test_an_admin_adds_a_round_and_changes_its_settings(page, make_user, demo_data):
    sign_in_as_admin(page, make_user)
    go(page, "/admin/rounds/")
    screenshot(page, "rounds-list")
    assert page.locator("tbody tr").count() == 3

    page.get_by_role("button", name="Add a round").click()
    page.wait_for_url("**/admin/rounds/add")
    assert_accessible(page)
    page.get_by_label("Name").fill("Round 4")
    page.get_by_label("Financial year").fill("2027-28")
    fill_date(page, "starts_on", "1", "9", "2027")
    fill_date(page, "ends_on", "31", "8", "2027")
    page.get_by_label("Funder").fill("Department for Business and Trade")
    page.get_by_label("Grant").fill("400,000")
    submit(page, "Add round")
    assert page.title().startswith("Error: ")
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    screenshot(page, "rounds-add-error")

    page.get_by_role("link", name="The end date must be after the start date").click()
    assert page.evaluate("document.activeElement.id") == "ends_on-day"
    fill_date(page, "ends_on", "31", "3", "2028")
    submit(page, "Add round")
    assert page.get_by_role("heading", level=1).inner_text() == "Round 4"
    assert "Round 4 has been added" in page.locator(".govuk-notification-banner").inner_text()
    screenshot(page, "rounds-summary")
    round_path = urlparse(page.url).path

    page.get_by_role("link", name="Change districts").click()
    page.wait_for_url("**/eligibility#eligible_district_codes")
    assert_accessible(page)
    screenshot(page, "rounds-edit-eligibility")
    page.get_by_label("Blackpool").uncheck()
    page.get_by_label("Minimum number of employees").fill("6")
    submit(page, "Save changes")
    assert "Eligibility saved" in page.locator(".govuk-notification-banner").inner_text()
    districts = page.locator(".govuk-summary-list__row", has_text="Districts")
    assert "Blackpool" not in districts.inner_text()
    assert "Burnley" in districts.inner_text()

    for group in ["details", "cohorts", "thresholds", "one-to-one", "surveys"]:
        go(page, f"{round_path}/{group}")
        screenshot(page, f"rounds-edit-{group}")

    page.get_by_label("Days after a survey is sent to remind people").fill("14, 7")
    submit(page, "Save changes")
    assert page.title().startswith("Error: ")
    screenshot(page, "rounds-edit-surveys-error")


def test_an_admin_keeps_the_reference_lists(page, make_user, demo_data):
    sign_in_as_admin(page, make_user)
    go(page, "/admin/reference/")
    screenshot(page, "reference-lists")

    page.get_by_role("link", name="Issues").click()
    page.wait_for_url("**/admin/reference/issues/")
    assert_accessible(page)
    page.get_by_role("button", name="Add an issue").click()
    page.wait_for_url("**/issues/add")
    assert_accessible(page)
    page.get_by_label("Label").fill("Exporting")
    submit(page, "Add item")
    assert page.title().startswith("Error: ")
    screenshot(page, "reference-add-duplicate")
    page.get_by_label("Code (optional)").fill("exporting-new-markets")
    submit(page, "Add item")
    assert "Exporting has been added" in page.locator(".govuk-notification-banner").inner_text()
    screenshot(page, "reference-items")

    page.get_by_role("link", name="Change Staffing and recruitment").click()
    page.wait_for_url("**/change")
    assert_accessible(page)
    screenshot(page, "reference-change")
    page.get_by_label("Label").fill("Recruiting and keeping staff")
    submit(page, "Save changes")

    page.get_by_role("link", name="Retire Production").click()
    page.wait_for_url("**/retire")
    assert_accessible(page)
    screenshot(page, "reference-retire")
    submit(page, "Retire item")
    row = page.locator("tbody tr", has_text="Production")
    assert "Retired" in row.inner_text()

    page.get_by_role("link", name="Restore Production").click()
    page.wait_for_url("**/restore")
    assert_accessible(page)
    submit(page, "Restore item")
    assert "Active" in page.locator("tbody tr", has_text="Production").inner_text()

    go(page, "/admin/reference/bank-holidays")
    assert page.locator(".govuk-warning-text").count() == 0
    screenshot(page, "reference-bank-holidays")


def test_the_bank_holidays_page_warns_when_they_are_about_to_run_out(
    page, make_user, session, demo_data
):
    soon = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=200)
    session.execute(delete(BankHoliday).where(BankHoliday.day > soon))
    session.commit()
    sign_in_as_admin(page, make_user)
    go(page, "/admin/reference/bank-holidays")
    assert "Bank holidays are only known until" in page.locator(".govuk-warning-text").inner_text()
    screenshot(page, "reference-bank-holidays-warning")
