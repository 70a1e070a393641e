"""Earlier-rounds files are read in full or refused, and codes may be given as names."""

from __future__ import annotations

import time

from sqlalchemy import select

from portal.cohorts.models import Cohort, CohortSession
from portal.db import utcnow
from portal.earlier_rounds import imports
from portal.earlier_rounds.files import read_workbook
from portal.earlier_rounds.samples.generate import workbook_bytes
from portal.registration.models import Application
from tests.earlier_rounds.files import HEADERS, check, messages, tiny, write_files
from tests.fixtures.spreadsheets import declaring, with_wide_row


def tiny_workbook(sheets: dict[str, list[str]] | None = None) -> bytes:
    sheets = sheets or tiny()
    return workbook_bytes(
        {sheet: "\n".join([HEADERS[sheet], *lines]) + "\n" for sheet, lines in sheets.items()}
    )


def check_workbook(session, data: bytes) -> imports.ImportReport:
    report = imports.check(
        session, read_workbook(data, "earlier.xlsx"), "earlier.xlsx", now=utcnow()
    )
    session.rollback()
    return report


# Reading every row, or refusing the file


def test_a_sheet_declaring_fewer_rows_than_it_holds_is_read_in_full(session, reference_data):
    data = declaring(tiny_workbook(), "survey_answers", "A1:Z3")  # 2 of the 4 answers, it says
    report = check_workbook(session, data)
    assert report.ok, messages(report)
    assert report.counts["survey_answers"] == {"created": 3, "blank": 1}


def test_a_sheet_far_wider_than_the_format_is_refused_at_once(session, reference_data):
    data = with_wide_row(tiny_workbook(), "survey_answers", 1_000_000)
    assert len(data) < 200_000
    started = time.process_time()
    report = check_workbook(session, data)
    assert time.process_time() - started < 1
    [problem] = messages(report)
    assert problem.startswith("earlier.xlsx: Row 6 of the sheet “survey_answers” goes past column ")
    assert "Delete the columns after" in problem


# Codes given as names, and email addresses


def test_districts_issues_and_sectors_may_be_given_as_their_names(
    session, tmp_path, reference_data
):
    sheets = tiny()
    sheets["cohorts"][0] = sheets["cohorts"][0].replace(",preston,", ",Preston;South Ribble,")
    sheets["sessions"][0] = sheets["sessions"][0].replace(
        "staffing;finance", "Supply chain and logistics;finance"
    )
    sheets["participants"][0] = sheets["participants"][0].replace(
        ",preston,C,staffing,", ",Burnley,Manufacturing,Staffing and recruitment,"
    )
    report = imports.run_import(
        session, read_workbook(tiny_workbook(sheets), "e.xlsx"), "e.xlsx", now=utcnow()
    )
    session.commit()
    assert report.imported, report.lines()
    ann = session.scalar(select(Application).where(Application.import_key == "T-P1"))
    assert (ann.district_code, ann.sector_code) == ("burnley", "C")
    assert {issue.issue_code for issue in ann.issues} == {"staffing"}
    assert session.scalar(select(Cohort)).districts == ["preston", "south-ribble"]
    first = session.scalar(select(CohortSession).order_by(CohortSession.id))
    assert {theme.issue_code for theme in first.themes} == {"supply-chain", "finance"}


def test_an_email_address_at_a_reserved_domain_says_why_it_is_refused(
    session, tmp_path, reference_data
):
    sheets = tiny()
    sheets["participants"][2] = sheets["participants"][2].replace("clarke.example", "clarke.test")
    assert messages(check(session, write_files(tmp_path / "files", sheets))) == [
        "participants.csv line 4 (email): “clarke.test” cannot receive email: addresses "
        "ending .test are reserved and never delivered. Enter an address the person "
        "receives email at"
    ]
