"""In a real browser: an officer opens the outcomes dashboard, looks at the round as at an
earlier date, drills from a figure to the records behind it and downloads a spreadsheet.
axe checks every page; each page is saved as a screenshot to look at.
"""

from __future__ import annotations

import io
from pathlib import Path

import pyotp
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.auth.models import Role
from portal.db_base import utcnow
from portal.earlier_rounds import imports
from portal.earlier_rounds.files import read_folder
from portal.rounds.models import Round
from tests.browser.test_coaching import follow, go, heading, sign_in, submit
from tests.earlier_rounds.files import tiny, write_files
from tests.fixtures.browser import screenshot
from tests.fixtures.users import TOTP_SECRET

pytestmark = pytest.mark.browser


@pytest.fixture
def tiny_round(session, tmp_path: Path, reference_data) -> Round:  # type: ignore[no-untyped-def]
    folder = write_files(tmp_path / "tiny", tiny())
    imports.run_import(session, read_folder(folder), "tiny", now=utcnow())
    session.commit()
    return session.scalar(select(Round).where(Round.name == "Round 9"))


def test_an_officer_reads_the_dashboard_drills_down_and_downloads(page, make_user, tiny_round):
    officer = make_user(Role.OFFICER, email="olivia@example.com")
    sign_in(page, officer.email, pyotp.TOTP(TOTP_SECRET).now())
    follow(page, "Outcomes")
    assert heading(page) == "Outcomes"
    assert "Round 9 (2019-20) as at" in page.inner_text("main")
    screenshot(page, "outcomes-dashboard")
    contents = page.get_by_role("navigation", name="Contents")
    contents.get_by_role("link", name="Issues covered").click()
    assert page.url.endswith("#issues-covered")
    assert page.get_by_role("heading", name="Issues covered").is_visible()
    assert (
        page.evaluate("document.getElementById('issues-covered').getBoundingClientRect().top") < 50
    )

    # As at 19 October 2019: one session held, and Ben had not yet left.
    page.get_by_label("Day").fill("19")
    page.get_by_label("Month").fill("10")
    page.get_by_label("Year").fill("2019")
    submit(page, "Show figures")
    main = page.inner_text("main")
    assert "as at 19 October 2019" in main
    withdrawn = page.get_by_role("row", name="Withdrawn")
    assert withdrawn.get_by_role("cell").inner_text().split()[0] == "0"

    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    submit(page, "Show figures")
    assert "The as-at date must be a real date" in page.inner_text("main")
    screenshot(page, "outcomes-dashboard-error")

    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2020")
    submit(page, "Show figures")
    follow(page, "2 – participants: see the records")
    assert heading(page) == "Participants in Round 9"
    assert "Ann Ashworth" in page.inner_text("main")
    assert "Ben Booth" in page.inner_text("main")
    assert "Cat Clarke" not in page.inner_text("main")
    screenshot(page, "outcomes-records")

    with page.expect_download() as download:
        page.get_by_role("link", name="spreadsheet (XLSX) of participants").click()
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    names = sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert names == ["Ann Ashworth", "Ben Booth"]

    follow(page, "Outcomes")
    follow(page, "compare rounds side by side")
    assert heading(page) == "Compare rounds"
    screenshot(page, "outcomes-compare")
    follow(page, "how the figures are worked out")
    screenshot(page, "outcomes-help")
    go(page, "/outcomes/")
