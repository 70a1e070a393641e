"""In a real browser: an officer finds applicants, reads one, changes its eligibility,
downloads the list and imports a partner's file. axe checks every page; each is saved as a
screenshot to look at."""

import csv
import io
from decimal import Decimal

import pyotp
import pytest
from openpyxl import load_workbook

from portal.auth.models import Role
from portal.registration.models import FactAnswer, PartOfDay
from tests.fixtures.browser import assert_accessible, screenshot
from tests.fixtures.factories import open_round, sent_application
from tests.fixtures.users import PASSWORD, TOTP_SECRET

pytestmark = pytest.mark.browser


def go(page, path):
    page.goto(path)
    assert_accessible(page)


def submit(page, button):
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    assert_accessible(page)


def follow(page, link, role="link"):
    with page.expect_navigation():
        page.get_by_role(role, name=link).click()
    assert_accessible(page)


def open_section(page, name):
    with page.expect_navigation():
        page.get_by_role("navigation", name="Menu").get_by_role("link", name=name).click()
    assert_accessible(page)


def sign_in_as_officer(page, make_user):
    make_user(Role.OFFICER, email="officer@example.com", name="Olivia Officer")
    go(page, "/sign-in")
    page.get_by_label("Email address").fill("officer@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    submit(page, "Sign in")
    page.get_by_label("Security code").fill(pyotp.TOTP(TOTP_SECRET).now())
    submit(page, "Continue")


@pytest.fixture
def applicants(app, session, reference_data):
    round_3 = open_round(session, app)
    eligible = sent_application(
        session,
        app,
        round_3,
        "Priya Shah",
        business_name="Shah Bakes Ltd",
        organisations=frozenset({"nw-lancs-chamber"}),
        issues=frozenset({"staffing", "marketing"}),
        availability=frozenset({(0, PartOfDay.MORNING), (3, PartOfDay.EVENING)}),
        ownership={"women_led": FactAnswer.YES, "family_owned": FactAnswer.NO},
    )
    review = sent_application(
        session,
        app,
        round_3,
        "Nia Okafor",
        business_name="Okafor Care Services",
        employees=Decimal("5.5"),
        district_code="blackpool",
        postcode="FY1 1AA",
        sector_code="Q",
    )
    sent_application(
        session,
        app,
        round_3,
        "Eve Hacker",
        business_name='=HYPERLINK("http://evil.example","Click")',
        employees=Decimal(3),
    )
    return round_3, eligible, review


def test_an_officer_screens_applicants_and_downloads_the_list(
    page, make_user, applicants, tmp_path
):
    _, _, review = applicants
    sign_in_as_officer(page, make_user)
    open_section(page, "Applicants")
    assert page.get_by_role("heading", level=1).inner_text() == "Applicants"
    assert page.locator("tbody tr").count() == 3
    screenshot(page, "applicants-list")

    page.get_by_label("Status").select_option(label="Needs review")
    # The less used filters are folded away; opening the fold shows them.
    assert not page.get_by_label("District").is_visible()
    page.get_by_text("More filters").click()
    assert page.get_by_label("District").is_visible()
    submit(page, "Show applications")
    assert page.locator("tbody tr").count() == 1
    assert "Status: Needs review" in page.locator("#filters-in-use").inner_text()
    assert_accessible(page)
    screenshot(page, "applicants-list-filtered")

    follow(page, review.reference)
    assert page.get_by_role("heading", level=1).inner_text() == "Nia Okafor"
    assert "Sensitive" in page.locator("main").inner_text()
    screenshot(page, "applicants-application")

    follow(page, "Change the eligibility decision")
    submit(page, "Save decision")
    assert page.title().startswith("Error: ")
    screenshot(page, "applicants-override-error")
    page.get_by_label("Eligible", exact=True).check()
    page.get_by_label("Reason for your decision").fill("Checked the part-time hours by phone")
    submit(page, "Save decision")
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert f"{review.reference} is now eligible." in banner
    assert "Checked the part-time hours by phone" in page.locator("main").inner_text()
    screenshot(page, "applicants-application-overridden")

    open_section(page, "Applicants")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").click()
    csv_path = tmp_path / "list.csv"
    download_info.value.save_as(csv_path)
    data = csv_path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows) == 4
    assert '\'=HYPERLINK("http://evil.example","Click")' in [row[7] for row in rows]

    page.get_by_label("Include ownership profile answers (sensitive)").check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download XLSX").click()
    assert download_info.value.suggested_filename.endswith(".xlsx")
    xlsx_path = tmp_path / "list.xlsx"
    download_info.value.save_as(xlsx_path)
    sheet = load_workbook(xlsx_path).active
    header = [cell.value for cell in sheet[1]]
    assert "Ownership: Women-led (sensitive)" in header
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_an_officer_imports_a_partners_file(page, make_user, applicants, tmp_path):
    sign_in_as_officer(page, make_user)
    go(page, "/applicants/")
    follow(page, "Import applicants from a file", role="button")
    screenshot(page, "applicants-import")
    path = tmp_path / "partner.csv"
    path.write_text(
        "source_reference,email,name,role,business_name,postcode,district,employees,"
        "turnover_band,started_trading_on\r\n"
        "P-1,amara@example.com,Amara Ahmed,owner,Ahmed Textiles,BB11 1AA,burnley,14,"
        "250k_to_1m,2012-04-01\r\n"
        "P-2,not-an-email,Ben Barker,owner,Barker Joinery,PR7 1AA,chorley,lots,"
        "250k_to_1m,01/02/2019\r\n",
        encoding="utf-8",
    )
    page.get_by_label("Upload a file").set_input_files(path)
    submit(page, "Check the file")
    # The check runs as a background task; its status page follows it to the end.
    assert page.get_by_role("heading", level=1).inner_text() == "Applicant file check"
    follow_task(page, "See the check and import the file", "applicants-import-check-task")
    assert page.get_by_role("heading", level=1).inner_text() == "Check the import"
    assert page.locator("table").first.locator("tbody tr").count() == 2  # two problems, row 3
    screenshot(page, "applicants-import-check")
    submit(page, "Import 1 row")
    assert page.get_by_role("heading", level=1).inner_text() == "Applicant import"
    follow_task(page, "See what was imported", "applicants-import-task")
    assert page.get_by_role("heading", level=1).inner_text() == "Import finished"
    assert "Amara Ahmed" in page.locator("main").inner_text()
    screenshot(page, "applicants-import-done")


def follow_task(page, link, name):
    """Wait on a task's status page (it updates itself) for the link to its result, check
    the finished page with axe, keep a screenshot of it, and follow the link."""
    page.locator("[data-task-status][data-finished]").wait_for(timeout=30_000)
    assert_accessible(page)
    screenshot(page, name)
    follow(page, link)
