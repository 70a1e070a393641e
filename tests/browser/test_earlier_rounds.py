"""In a real browser: an officer imports earlier rounds from a workbook. A file that is not a
workbook comes back on the upload form with its error; the workbook is checked and imported
by background tasks, each followed on its status page. axe checks every page; each is saved
as a screenshot to look at."""

from __future__ import annotations

import pytest

from tests.browser.test_officer_applicants import follow_task, go, sign_in_as_officer, submit
from tests.earlier_rounds.files import tiny
from tests.earlier_rounds.test_import import workbook
from tests.fixtures.browser import screenshot

pytestmark = pytest.mark.browser


def heading(page) -> str:  # type: ignore[no-untyped-def]
    return page.get_by_role("heading", level=1).inner_text().strip()


def test_an_officer_imports_a_workbook_through_its_tasks(page, make_user, reference_data, tmp_path):  # type: ignore[no-untyped-def]
    sign_in_as_officer(page, make_user)
    go(page, "/outcomes/import")
    not_a_workbook = tmp_path / "rounds.csv"
    not_a_workbook.write_text("round,year_label\n", encoding="utf-8")
    page.get_by_label("Upload the workbook").set_input_files(not_a_workbook)
    submit(page, "Check the workbook")
    assert heading(page) == "Earlier rounds workbook check"
    follow_task(page, "Choose another workbook", "earlier-rounds-check-task-refused")
    assert heading(page) == "Import earlier rounds"
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "The selected file must be an Excel workbook (.xlsx)" in summary
    screenshot(page, "earlier-rounds-upload-error")

    path = tmp_path / "earlier.xlsx"
    path.write_bytes(workbook(tiny()))
    page.get_by_label("Upload the workbook").set_input_files(path)
    submit(page, "Check the workbook")
    follow_task(page, "See the check and import it", "earlier-rounds-check-task")
    assert heading(page) == "Check the import"
    screenshot(page, "earlier-rounds-check")
    submit(page, "Import the workbook")
    assert heading(page) == "Earlier rounds import"
    follow_task(page, "See what happened", "earlier-rounds-import-task")
    assert heading(page) == "Earlier rounds imported"
    assert "19 created, 0 updated, 0 unchanged" in page.locator(".govuk-panel").inner_text()
    screenshot(page, "earlier-rounds-done")
