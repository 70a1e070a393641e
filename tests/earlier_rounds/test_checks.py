"""Earlier-rounds files are read in full or refused, and a row that cannot be right is refused
with its file, line and reason, once, however many rows depend on it."""

from __future__ import annotations

import datetime as dt
import io
import time

import pytest
from sqlalchemy import select

from portal.auth.models import User
from portal.cohorts.models import Cohort, CohortSession, CohortStatus, SessionStatus
from portal.db_base import utcnow
from portal.earlier_rounds import imports
from portal.earlier_rounds.files import read_folder, read_workbook
from portal.earlier_rounds.samples.generate import workbook_bytes
from portal.email_addresses import NOT_ASCII
from portal.outcomes import figures
from portal.registration.models import Application
from portal.rounds.models import Round
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


def test_sheets_not_in_the_format_are_not_held_to_it(session, reference_data):
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(tiny_workbook()))
    notes = workbook.create_sheet("Notes")
    notes.append([f"note {n}" for n in range(60)])  # wider than survey_answers may be
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = check_workbook(session, buffer.getvalue())
    assert report.ok, messages(report)
    assert "These sheets are not part of the format and were ignored: Notes" in report.notes
    # A workbook of nothing but such sheets says so, as before.
    for title in list(workbook.sheetnames[:-1]):
        del workbook[title]
    buffer = io.BytesIO()
    workbook.save(buffer)
    sources = read_workbook(buffer.getvalue(), "notes.xlsx")
    assert sources.problems == []
    assert "These sheets are not part of the format and were ignored: Notes" in sources.notes


# Dates, places, and what depends on a refused row


def test_dates_outside_the_round_are_refused(session, tmp_path, reference_data):
    sheets = tiny()  # Round 9 ran from 1 September 2019 to 31 March 2020
    sheets["sessions"][2] = sheets["sessions"][2].replace("2019-11-12", "2020-07-14")
    sheets["participants"][2] = sheets["participants"][2].replace("2019-10-07", "2018-04-07")
    assert messages(check(session, write_files(tmp_path / "files", sheets))) == [
        "sessions.csv line 4 (date): This is after Round 9 ended (31 March 2020). Check "
        "the date, or the round’s dates in the rounds sheet",
        "participants.csv line 4 (accepted_on): This is before Round 9 started "
        "(1 September 2019). Check the date, or the round’s dates in the rounds sheet",
    ]


def test_a_second_place_for_one_person_in_one_cohort_is_refused(session, tmp_path, reference_data):
    sheets = tiny()  # Ben left T-1 on 20 October; here he comes back to it the next day
    sheets["participants"].append(
        "T-P4,Round 9,T-1,Ben Booth,ben@booth.example,Booth Joinery,,PR2 3AB,preston,F,,"
        "2019-10-21,,,"
    )
    assert messages(check(session, write_files(tmp_path / "files", sheets))) == [
        "participants.csv line 5 (email): Participant T-P2 (line 3) has a place in cohort T-1 "
        "with the same email address: one person has one place in a cohort, so record it "
        "once (with left_on if they left)"
    ]


def test_a_second_place_in_a_cohort_imported_before_is_refused(session, tmp_path, reference_data):
    report = imports.run_import(
        session, read_workbook(tiny_workbook(), "e.xlsx"), "e.xlsx", now=utcnow()
    )
    session.commit()
    assert report.imported, report.lines()
    sheets = tiny()  # Ben again, under another key this time
    sheets["participants"][1] = sheets["participants"][1].replace("T-P2,", "T-P2b,")
    sheets["attendance"][2] = "T-P2b,1,"
    sheets["survey_invitations"][1] = "T-P2b,exit,2019-10-20,,"
    [problem] = messages(check(session, write_files(tmp_path / "files", sheets)))
    assert problem.startswith(
        "participants.csv line 3 (email): This person already has a place in cohort T-1 (PN-"
    )
    assert problem.endswith("): one person has one place in a cohort")


def test_an_unknown_contractor_is_reported_once_with_the_rows_that_depend_on_it(
    session, tmp_path, reference_data
):
    sheets = tiny()
    sheets["cohorts"][0] = sheets["cohorts"][0].replace("Coaching Ltd", "Coaching Limited")
    # The cohort's 3 sessions, 3 participants, 3 attendances, 2 invitations, 4 answers and
    # 1 case study cannot be checked without it.
    assert messages(check(session, write_files(tmp_path / "files", sheets))) == [
        "cohorts.csv line 2 (contractor): There is no contractor “Ribble Coaching Limited” in "
        "the contractors sheet. 16 rows depend on it and were not checked"
    ]


def test_a_missing_key_is_reported_once_however_many_rows_name_it(
    session, tmp_path, reference_data
):
    sheets = tiny()
    sheets["attendance"] += ["T-P9,1,", "T-P9,2,"]
    sheets["survey_invitations"].append("T-P9,exit,2019-10-30,,")
    assert messages(check(session, write_files(tmp_path / "files", sheets))) == [
        "attendance.csv line 5 (participant): There is no participant “T-P9” in the "
        "participants sheet. 2 rows depend on it and were not checked"
    ]


# Planned sessions, codes given as names, and email addresses


def test_planned_sessions_are_imported_and_do_not_count_as_held(session, tmp_path, reference_data):
    sheets = tiny()
    sheets["sessions"][2] = sheets["sessions"][2].replace("cancelled", "planned")
    # A second cohort formed but not started when the records were made.
    sheets["cohorts"].append(
        "T-2,Round 9,Cohort 2: Later makers,Ribble Coaching Ltd,sector,C,in_person,preston,"
        "2020-01-10"
    )
    sheets["sessions"] += [
        "T-2,1,2020-02-04,09:30,180,planned,",
        "T-2,2,2020-02-18,09:30,180,Planned,",
    ]
    sheets["participants"].append(
        "T-P5,Round 9,T-2,Dan Dobson,dan@dobson.example,Dobson Ltd,,PR1 3AB,preston,C,,"
        "2020-01-15,,,"
    )
    report = imports.run_import(
        session, read_workbook(tiny_workbook(sheets), "e.xlsx"), "e.xlsx", now=utcnow()
    )
    session.commit()
    assert report.imported, report.lines()

    programme_round = session.scalar(select(Round))
    at = figures.as_at_moment(dt.date(2020, 3, 31))
    assert figures.cohorts(session, programme_round.id, at) == 1
    assert figures.planned_cohorts(session, programme_round.id, at) == 1
    assert figures.group_hours_delivered(session, programme_round.id, at) == 6
    statuses = {c.name[:8]: c.status for c in session.scalars(select(Cohort))}
    assert statuses == {"Cohort 1": CohortStatus.RUNNING, "Cohort 2": CohortStatus.CONFIRMED}
    assert [
        s.status for s in session.scalars(select(CohortSession).order_by(CohortSession.id))
    ] == [
        SessionStatus.HELD,
        SessionStatus.HELD,
        SessionStatus.PLANNED,
        SessionStatus.PLANNED,
        SessionStatus.PLANNED,
    ]

    # Nobody attends a planned session, and a session is not still planned once a later
    # one has been held.
    sheets["sessions"][1] = "T-1,2,2019-10-29,09:30,180,planned,"
    sheets["sessions"][2] = "T-1,3,2019-11-12,09:30,180,held,"
    sheets["attendance"] = ["T-P1,1,", "T-P2,1,", "T-P5,1,"]
    assert messages(check(session, write_files(tmp_path / "files", sheets))) == [
        "sessions.csv line 3 (status): Session 2 is planned, but session 3 after it was "
        "held: record whether session 2 was held or cancelled",
        "attendance.csv line 4 (session): Session 1 is planned: nobody has attended it yet",
    ]


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


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        (
            "cat@clarke.test",
            "“clarke.test” cannot receive email: addresses ending .test are reserved and never "
            "delivered. Enter an address the person receives email at",
        ),
        # The mail server refused ü@exämple.com (no SMTPUTF8): refused here as in every form.
        ("c\u00e4t@clarke.example", NOT_ASCII),
    ],
)
def test_an_email_address_email_cannot_reach_is_refused_saying_why(
    session, tmp_path, reference_data, typed, reason
):
    sheets = tiny()
    sheets["participants"][2] = sheets["participants"][2].replace("cat@clarke.example", typed)
    assert messages(check(session, write_files(tmp_path / "files", sheets))) == [
        f"participants.csv line 4 (email): {reason}"
    ]


def test_names_and_business_names_lose_bidirectional_controls(session, tmp_path, reference_data):
    """U+202E would show "Ann\u202eLtd" reversed in every list: such characters are removed."""
    sheets = tiny()
    sheets["participants"][0] = (
        sheets["participants"][0]
        .replace("Ann Ashworth", "\u202eAnn\u200f Ashworth\u2069")
        .replace("Ashworth Foods Ltd", "Ashworth\u2066 Foods\u061c Ltd\u202a")
    )
    report = imports.run_import(
        session, read_folder(write_files(tmp_path / "files", sheets)), "files", now=utcnow()
    )
    assert report.imported, report.lines()
    session.commit()
    ann = session.scalar(select(Application).where(Application.import_key == "T-P1"))
    person = session.get(User, ann.person_id)
    assert (person.name, ann.business_name) == ("Ann Ashworth", "Ashworth Foods Ltd")
