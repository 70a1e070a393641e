"""In a real browser: an officer opens the board report from the menu, chooses a round and a
date, downloads the Word document (made by a background task, followed on its status page),
prints the page (no menu or buttons) and issues the report. axe checks every page; each page
is saved as a screenshot to look at.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pyotp
import pytest
from docx import Document
from sqlalchemy import select

from portal.auth.models import Role
from portal.cohorts.models import (
    Cohort,
    CohortBasis,
    CohortDelivery,
    CohortSession,
    CohortStatus,
    SessionStatus,
)
from portal.outcomes.models import IssuedReport
from portal.registration.models import PartOfDay
from tests.browser.test_coaching import follow, go, heading, sign_in, submit
from tests.fixtures.browser import assert_accessible, screenshot
from tests.fixtures.users import TOTP_SECRET

pytestmark = pytest.mark.browser


@pytest.fixture
def held_round(session, make_round, make_contractor):  # type: ignore[no-untyped-def]
    """Round 1 (2020-21), £432,000 grant, with 3 cohorts that met in March 2021."""
    programme_round = make_round(name="Round 1", year_label="2020-21", grant_pence=43_200_000)
    contractor = make_contractor("Red Rose Business Growth Ltd")
    started = dt.datetime(2021, 3, 1, 10, tzinfo=dt.UTC)
    for number in range(3):
        cohort = Cohort(
            round_id=programme_round.id,
            contractor_id=contractor.id,
            name=f"Cohort {number + 1}",
            basis=CohortBasis.MIXED,
            delivery=CohortDelivery.ONLINE,
            meeting_weekday=1,
            meeting_part_of_day=PartOfDay.MORNING,
            status=CohortStatus.CONFIRMED,
            planned_hours=18,
            session_length_minutes=150,
            session_frequency_days=14,
        )
        session.add(cohort)
        session.flush()
        session.add(
            CohortSession(
                cohort_id=cohort.id,
                starts_at=started,
                ends_at=started + dt.timedelta(minutes=150),
                status=SessionStatus.HELD,
            )
        )
    session.commit()
    return programme_round


def test_an_officer_opens_downloads_prints_and_issues_the_board_report(
    page, session, make_user, held_round
):  # type: ignore[no-untyped-def]
    officer = make_user(Role.OFFICER, email="olivia@example.com")
    sign_in(page, officer.email, pyotp.TOTP(TOTP_SECRET).now())
    follow(page, "Board report")
    assert heading(page) == "Board report"

    page.get_by_label("Round 1 (2020-21)").check()
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2021")
    submit(page, "Show the report")
    assert heading(page) == "Peer Networks board report: Round 1"
    body = page.locator("main").inner_text()
    assert (
        "In 2020-21 Peer Networks was delivered to 3 cohorts of businesses in Lancashire with "
        "0 participants"
    ) in body
    assert "15 × (£432,000 ÷ 3) = 15 × £144,000 = £2,160,000" in body
    screenshot(page, "board-report")

    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="Issue this report").is_visible()
    assert not page.locator(".govuk-service-navigation").is_visible()
    assert not page.locator("header").first.is_visible()
    assert page.get_by_text("15 × (£432,000 ÷ 3)").is_visible()
    screenshot(page, "board-report-print")
    page.emulate_media(media="screen")

    report_url = page.url
    submit(page, "Download as a Word document (.docx)")
    assert heading(page) == "Board report document"  # made by a background task
    page.locator("[data-task-status][data-finished]").wait_for(timeout=30_000)
    assert_accessible(page)
    assert "is ready. You can download it for a day." in page.locator("main").inner_text()
    screenshot(page, "board-report-document-task")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the report (.docx)").click()
    assert download_info.value.suggested_filename == "board-report-as-at-2021-03-31.docx"
    document = Document(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "15 × (£432,000 ÷ 3) = 15 × £144,000 = £2,160,000" in text

    go(page, report_url)
    follow(page, "Issue this report")
    assert heading(page) == "Issue this report"
    screenshot(page, "board-report-issue")
    submit(page, "Issue this report")
    assert heading(page) == "Peer Networks board report: Round 1"
    assert "has been issued" in page.locator("main").inner_text()
    assert "15 × (£432,000 ÷ 3)" in page.locator("main").inner_text()
    screenshot(page, "board-report-issued")
    session.rollback()
    issued = session.scalars(select(IssuedReport)).one()
    assert issued.as_at == dt.date(2021, 3, 31)
    session.commit()

    follow(page, "Issued reports")
    assert page.get_by_role("link", name="Peer Networks board report: Round 1").is_visible()
    go(page, "/money/projection")
    page.get_by_label("Round 1 (2020-21)").check()
    submit(page, "Work out the projection")
    assert "15 × (£432,000 ÷ 3) = 15 × £144,000 = £2,160,000" in page.locator("main").inner_text()
    assert_accessible(page)
    screenshot(page, "money-projection")
