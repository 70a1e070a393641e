"""Importing earlier rounds: the sample files reproduce the board report, the dry run
reports every bad row, importing twice changes nothing, and nobody is ever emailed.

The sample files (about 10,000 records) are imported once per database (the
``sample_rounds`` fixture), and one test checks everything about that import in turn; the
other tests use a tiny set of files of their own.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import db
from portal.audit.models import AuditEvent
from portal.auth.models import Role, User
from portal.casestudies.models import CaseStudy, CaseStudyStatus
from portal.cohorts.models import Attendance, Cohort, CohortStatusChange, Place, PlaceStatus
from portal.db_base import utcnow
from portal.earlier_rounds import imports
from portal.earlier_rounds.files import read_folder, read_workbook
from portal.earlier_rounds.imports import ImportReport
from portal.earlier_rounds.samples.generate import HERE as SAMPLES
from portal.earlier_rounds.samples.generate import generate, workbook_bytes
from portal.earlier_rounds.writer_base import COACH_NOT_RECORDED_EMAIL
from portal.jobs import run_due_jobs
from portal.outcomes import figures, round_figures
from portal.outcomes.figures_inputs import answer_counts, satisfaction_figures
from portal.registration.models import Application, ApplicationSource
from portal.rounds.models import Round, RoundStatus
from portal.surveys.models import SurveyAnswer, SurveyInvitation
from tests.earlier_rounds.files import HEADERS, check, messages, tiny, write_files
from tests.fixtures.pages import check_page, error_messages
from tests.fixtures.tasks import result_of

REPORT_DATE = dt.date(2022, 2, 10)
AS_AT = figures.as_at_moment(REPORT_DATE)


def whole_percent(part: int, whole: int) -> int:
    """A percentage as the board report writes it: a whole number, half up."""
    return int((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1), ROUND_HALF_UP))


# The sample files


def test_the_sample_files_reproduce_the_board_report_and_import_idempotently(
    app, session, outbox, sample_rounds
):
    # The first import is the one made once for this database (tests/fixtures/samples.py);
    # this test's database holds exactly the rows it left.
    first = sample_rounds.report
    assert first.imported, first.lines()
    print(f"Sample import: {sample_rounds.seconds:.1f} s")  # shown with -s, for the README

    rounds = {r.name: r for r in session.scalars(select(Round))}
    board_report_as_at_10_february_2022(session, rounds["Round 1"], rounds["Round 2"])
    the_summary_and_breakdowns_agree(session, rounds["Round 1"], rounds["Round 2"])
    later_round_2_has_more(session, rounds["Round 2"])
    realistic_not_tidy(session, first, rounds["Round 1"], rounds["Round 2"])
    marked_with_their_source(session)

    # Importing the same files again changes nothing.
    counts = table_counts(session)
    second = imports.run_import(session, read_folder(SAMPLES), "samples", now=utcnow())
    session.commit()
    assert first.count("created") > 9_000
    assert (second.count("created"), second.count("updated")) == (0, 0)
    assert second.count("unchanged") == first.count("created")
    assert table_counts(session) == counts
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "earlier_rounds.imported")
    ).all()
    assert len(events) == 2  # one per import, not one per record

    # Nobody imported is emailed, even when every scheduled job runs.
    assert outbox.messages() == []
    with app.app_context():
        outcomes = run_due_jobs(db.session)
    assert {o.name for o in outcomes} >= {"survey-invitations", "case-study-consent-expiry"}
    assert all(o.succeeded for o in outcomes), [o.message for o in outcomes]
    assert outbox.messages() == []


def test_the_shipped_sample_files_are_what_the_generator_makes():
    for sheet, text in generate().items():
        assert (SAMPLES / f"{sheet}.csv").read_text(encoding="utf-8") == text, sheet


def board_report_as_at_10_february_2022(session: Session, one: Round, two: Round) -> None:
    satisfaction = {
        counts.round_id: satisfaction_figures(counts)
        for counts in answer_counts(session, as_at=AS_AT, round_ids=[one.id, two.id])
    }
    # 2020-21: 31 cohorts, 327 participants, 97% satisfaction rating, grant £432,000.
    assert figures.cohorts(session, one.id, AS_AT) == 31
    assert figures.participants(session, one.id, AS_AT) == 327
    rating = satisfaction[one.id]
    assert (rating.satisfied, rating.respondents) == (206, 212)
    assert whole_percent(rating.satisfied, rating.respondents) == 97
    assert figures.round_cost(session, one, AS_AT) == figures.RoundCost(43_200_000, "grant")

    # 2021-22: 23 cohorts, 208 participants, 98% "very satisfied", 15 contractors,
    # grant £390,000.
    assert figures.cohorts(session, two.id, AS_AT) == 23
    assert figures.participants(session, two.id, AS_AT) == 208
    very = satisfaction[two.id]
    assert whole_percent(very.very_satisfied, very.respondents) == 98
    assert figures.contractors_delivering(session, two.id, AS_AT) == 15
    assert figures.round_cost(session, two, AS_AT) == figures.RoundCost(39_000_000, "grant")

    # 15 cohorts over both rounds: 15 x £822,000 / 54 = £228,333.
    costs = [
        (figures.round_cost(session, r, AS_AT).pence, figures.cohorts(session, r.id, AS_AT))
        for r in (one, two)
    ]
    projected = figures.projection(15, costs).projected_pence
    assert projected is not None
    assert int(projected / 100) == 228_333


def the_summary_and_breakdowns_agree(session: Session, one: Round, two: Round) -> None:
    first = round_figures.round_summary(session, one, AS_AT)
    second = round_figures.round_summary(session, two, AS_AT)
    assert (first.cohorts, first.participants) == (31, 327)
    assert first.satisfaction_rating.in_sentence() == "97% (n = 212)"
    assert (second.cohorts, second.participants, second.contractors_delivering) == (23, 208, 15)
    assert second.very_satisfied.whole() == "98%"
    assert first.satisfaction.invited >= first.satisfaction.respondents
    assert 0 < first.businesses_supported <= first.participants
    for dimension in round_figures.Dimension:
        rows = round_figures.breakdown(session, two, AS_AT, dimension)
        if dimension.one_per_person:
            assert sum(row.participants for row in rows) == 208, dimension
            assert sum(row.respondents for row in rows) == second.satisfaction.respondents
            assert sum(row.very_satisfied for row in rows) == second.satisfaction.very_satisfied
        else:
            assert sum(row.participants for row in rows) >= 208
    # A contractor's view counts only their own cohorts, and the views add up to the round.
    by_contractor = round_figures.breakdown(session, two, AS_AT, round_figures.Dimension.CONTRACTOR)
    contractor = by_contractor[0]
    theirs = round_figures.round_summary(session, two, AS_AT, contractor_ids=[int(contractor.key)])
    assert theirs.participants == contractor.participants
    assert theirs.satisfaction.respondents == contractor.respondents
    assert theirs.contractors_delivering == 1
    assert theirs.applicants == 0
    assert 0 < theirs.cohorts < second.cohorts


def later_round_2_has_more(session: Session, two: Round) -> None:
    later = figures.as_at_moment(dt.date(2022, 3, 31))
    assert figures.planned_cohorts(session, two.id, AS_AT) == 3
    assert figures.cohorts(session, two.id, later) == 26
    assert figures.planned_cohorts(session, two.id, later) == 0
    # Two people first came after the report date, and three cohorts started after it.
    assert figures.participants(session, two.id, later) == 208 + 2 + 27
    assert figures.contractors_delivering(session, two.id, later) == 16
    [then] = answer_counts(session, as_at=AS_AT, round_ids=[two.id])
    [now] = answer_counts(session, as_at=later, round_ids=[two.id])
    assert now.respondents > then.respondents


def realistic_not_tidy(session: Session, report: ImportReport, one: Round, two: Round) -> None:
    for programme_round in (one, two):
        [counts] = answer_counts(session, as_at=AS_AT, round_ids=[programme_round.id])
        assert counts.invited > counts.respondents  # people who did not answer
        assert figures.withdrawn(session, programme_round.id, AS_AT) > 0
        # Placed people who never came to a session are not participants.
        assert figures.placed(session, programme_round.id, AS_AT) > figures.participants(
            session, programme_round.id, AS_AT
        )
        # Two people from one business.
        assert session.execute(
            select(Application.business_id)
            .where(Application.round_id == programme_round.id)
            .group_by(Application.business_id)
            .having(func.count() > 1)
        ).all()
    # One person took part in both rounds.
    both = session.execute(
        select(Application.person_id)
        .group_by(Application.person_id)
        .having(func.count(Application.round_id.distinct()) == 2)
    ).all()
    assert len(both) == 1
    # Some respondents skipped the satisfaction question: they are not respondents.
    assert report.counts["survey_answers"]["blank"] > 0
    # Cohorts of 8 to 11 people who took part: 31 in Round 1, 26 in Round 2.
    sizes = session.execute(
        select(Place.cohort_id, func.count(Place.person_id.distinct()))
        .join(Attendance, Attendance.place_id == Place.id)
        .where(Attendance.hours > 0)
        .group_by(Place.cohort_id)
    ).all()
    assert {size for _cohort, size in sizes} <= set(range(8, 12))
    assert len(sizes) == 31 + 26


def marked_with_their_source(session: Session) -> None:
    applications = session.scalars(select(Application)).all()
    assert {a.source for a in applications} == {ApplicationSource.IMPORTED}
    assert all(a.import_key for a in applications)
    keyed = session.scalar(
        select(func.count(CohortStatusChange.id)).where(
            CohortStatusChange.reason.startswith("Imported from earlier-round records (cohort ")
        )
    )
    assert keyed == session.scalar(select(func.count(Cohort.id))) == 58
    # Survey invitations were never sent by the portal, so no reminder is ever due.
    assert session.scalar(select(func.count()).where(SurveyInvitation.sent_at.is_not(None))) == 0
    assert all(r.status == RoundStatus.CLOSED for r in session.scalars(select(Round)))
    # Stories whose consent ended before the import came in as ended, so the job that
    # ends consent has nothing to do (and nobody to tell).
    assert session.scalar(
        select(func.count(CaseStudy.id)).where(CaseStudy.status == CaseStudyStatus.EXPIRED)
    )


COUNTED = (Application, Place, Attendance, SurveyInvitation, SurveyAnswer, Cohort, CaseStudy, User)


def table_counts(session: Session) -> dict[str, int]:
    return {
        model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in COUNTED
    }


# A tiny set of files, on the usual per-test database


@pytest.fixture
def tiny_folder(tmp_path: Path, reference_data: None) -> Path:
    return write_files(tmp_path / "tiny", tiny())


def test_a_clean_dry_run_says_what_would_happen_and_changes_nothing(session, tiny_folder):
    report = check(session, tiny_folder)
    assert report.ok, messages(report)
    assert not report.imported
    assert report.counts["participants"]["created"] == 3
    assert report.counts["attendance"]["created"] == 3
    assert report.counts["survey_answers"] == {"created": 3, "blank": 1}
    assert session.scalar(select(func.count(Application.id))) == 0
    assert session.scalar(select(func.count(Round.id))) == 0


def test_the_dry_run_reports_every_bad_row_with_its_file_and_line(
    session, tmp_path, reference_data
):
    sheets = tiny()
    sheets["cohorts"].append("T-2,Round 9,Cohort 2,Nobody Ltd,sector,C,online,,2019-10-01")
    sheets["participants"][0] = sheets["participants"][0].replace(",T-1,", ",T-9,")
    sheets["participants"][1] = sheets["participants"][1].replace("2019-10-06", "31/02/2019")
    sheets["sessions"][1] = sheets["sessions"][1].replace("09:30", "9.30am")
    sheets["attendance"].append("T-P3,3,")
    folder = write_files(tmp_path / "files", sheets)
    (folder / "contracts.csv").write_text("round,contract_value_pounds\nRound 9,90000\n")
    report = check(session, folder)
    found = messages(report)
    assert "contracts.csv line 1: Missing columns: contractor" in found
    assert (
        "cohorts.csv line 3 (contractor): There is no contractor “Nobody Ltd” in the "
        "contractors sheet" in found
    )
    assert (
        "sessions.csv line 3 (start_time): “9.30am” is not a time: enter it as HH:MM, like "
        "09:30 or 18:00" in found
    )
    # Each says how many rows depend on it (and were not checked), rather than a problem for
    # each of them: Ann's 2 attendances, invitation, 4 answers and story; Ben's 2 rows.
    assert (
        "participants.csv line 2 (cohort): There is no cohort “T-9” in the cohorts sheet. "
        "8 rows depend on it and were not checked" in found
    )
    assert (
        "participants.csv line 3 (accepted_on): “31/02/2019” is not a real date. 2 rows "
        "depend on it and were not checked" in found
    )
    assert (
        "attendance.csv line 5 (session): Session 3 was cancelled, so nobody attended it" in found
    )
    assert not report.imported
    assert session.scalar(select(func.count(Round.id))) == 0


def test_formula_like_text_is_kept_as_typed(session, tiny_folder):
    report = imports.run_import(session, read_folder(tiny_folder), "tiny", now=utcnow())
    session.commit()
    assert report.imported, messages(report)
    texts = set(session.scalars(select(SurveyAnswer.text).where(SurveyAnswer.text.is_not(None))))
    assert texts == {"=SUM(A1:A2) more time please"}
    assert session.scalar(select(CaseStudy.quote)) == "-it changed how I run the place"


def test_a_real_formula_in_a_workbook_cell_is_refused(session, reference_data):
    text = {sheet: "\n".join([HEADERS[sheet], *lines]) + "\n" for sheet, lines in tiny().items()}
    text["survey_answers"] = text["survey_answers"].replace("=SUM(A1:A2) more time please", "")
    data = _workbook_with_formula(text)
    report = imports.check(
        session, read_workbook(data, "earlier.xlsx"), "earlier.xlsx", now=utcnow()
    )
    assert (
        "survey_answers sheet line 4 (answer): Cell D4 holds a formula. Replace it with the "
        "value it shows" in messages(report)
    )


def _workbook_with_formula(text: dict[str, str]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, body in text.items():
        sheet = workbook.create_sheet(name)
        for record in csv.reader(io.StringIO(body)):
            sheet.append(record)
    workbook["survey_answers"]["D4"] = "=1+1"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_file_in_the_wrong_encoding_is_reported(session, tmp_path, reference_data):
    folder = write_files(tmp_path / "files", tiny())
    participants = folder / "participants.csv"
    participants.write_bytes(participants.read_text(encoding="utf-8").encode("utf-16"))
    report = check(session, folder)
    [problem] = [p for p in report.problems if p.file == "participants.csv"]
    assert problem.line is None
    assert "not a CSV file we can read" in problem.message


def test_windows_text_is_read_with_a_note(session, tmp_path, reference_data):
    sheets = tiny()
    sheets["participants"][0] = sheets["participants"][0].replace("Ann Ashworth", "Zoë Ashworth")
    folder = write_files(tmp_path / "files", sheets)
    participants = folder / "participants.csv"
    participants.write_bytes(participants.read_text(encoding="utf-8").encode("cp1252"))
    report = check(session, folder)
    assert report.ok, messages(report)
    assert any(
        note.startswith("participants.csv: The file was not saved as UTF-8")
        for note in report.notes
    )


def test_importing_twice_changes_nothing_and_a_correction_updates(session, tiny_folder, tmp_path):
    first = imports.run_import(session, read_folder(tiny_folder), "tiny", now=utcnow())
    session.commit()
    assert first.imported
    again = imports.run_import(session, read_folder(tiny_folder), "tiny", now=utcnow())
    session.commit()
    assert (again.count("created"), again.count("updated")) == (0, 0)
    assert again.count("unchanged") == first.count("created")

    sheets = tiny()
    sheets["attendance"][1] = "T-P1,2,"  # the whole session after all
    sheets["rounds"][0] = sheets["rounds"][0].replace("100,000", "120,000")
    corrected = write_files(tmp_path / "corrected", sheets)
    report = imports.run_import(session, read_folder(corrected), "fixed", now=utcnow())
    session.commit()
    assert report.counts["attendance"]["updated"] == 1
    assert report.counts["rounds"]["updated"] == 1
    assert report.count("created") == 0
    assert session.scalar(select(Round.grant_pence)) == 12_000_000

    # Importing never undoes a recorded status: Ben left, and stays left.
    sheets["participants"][1] = sheets["participants"][1].replace("2019-10-20,Too busy", ",")
    sheets["attendance"] = sheets["attendance"][:2]
    sheets["survey_invitations"] = sheets["survey_invitations"][:1]
    undo = write_files(tmp_path / "undo", sheets)
    refused = check(session, undo)
    assert any("importing never undoes" in problem.message for problem in refused.problems)
    place = session.scalar(select(Place).where(Place.status == PlaceStatus.LEFT))
    assert place is not None


def test_the_figures_count_the_tiny_round_as_figures_md_defines(session, tiny_folder):
    imports.run_import(session, read_folder(tiny_folder), "tiny", now=utcnow())
    session.commit()
    programme_round = session.scalar(select(Round))
    at = figures.as_at_moment(dt.date(2020, 3, 31))
    assert figures.placed(session, programme_round.id, at) == 3
    assert figures.participants(session, programme_round.id, at) == 2  # Cat never came
    assert figures.withdrawn(session, programme_round.id, at) == 1  # Ben
    assert figures.completers(session, programme_round, at) == 0  # Ann: 5.5 hours
    assert figures.cohorts(session, programme_round.id, at) == 1
    assert figures.group_hours_attended(session, programme_round.id, at) == Decimal("8.5")
    [counts] = answer_counts(session, as_at=at, round_ids=[programme_round.id])
    assert (counts.respondents, counts.invited) == (1, 2)
    coach = session.scalar(select(User).where(User.email == COACH_NOT_RECORDED_EMAIL))
    assert coach is not None
    assert not coach.is_active
    assert not coach.roles


def test_recent_dates_and_open_rounds_are_refused(session, tmp_path, make_round):
    sheets = tiny()
    recent = (utcnow() - dt.timedelta(days=30)).date().isoformat()
    sheets["participants"][2] = sheets["participants"][2].replace("2019-10-10", recent)
    found = messages(check(session, write_files(tmp_path / "recent", sheets)))
    assert any(m.startswith("participants.csv line 4 (left_on): This is after ") for m in found), (
        found
    )

    make_round(name="Round 9", status=RoundStatus.OPEN)
    found = messages(check(session, write_files(tmp_path / "open", tiny())))
    assert found == [
        "rounds.csv line 2 (round): Round 9 is open in the portal: only rounds that have "
        "finished (closed) are imported"
    ]


def test_a_staff_email_address_is_refused(session, tiny_folder, make_user):
    make_user(Role.OFFICER, email="ann@ashworth.example")
    assert messages(check(session, tiny_folder)) == [
        "participants.csv line 2 (email): This email address belongs to a member of staff, "
        "not a participant"
    ]


def test_the_command_checks_then_imports_with_no_email(app, session, tiny_folder, outbox):
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["portal", "import-earlier-rounds", str(tiny_folder), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Dry run (nothing was changed): would be" in dry.output
    assert session.scalar(select(func.count(Application.id))) == 0
    done = runner.invoke(args=["portal", "import-earlier-rounds", str(tiny_folder)])
    assert done.exit_code == 0, done.output
    assert "Imported:" in done.output
    session.rollback()
    assert session.scalar(select(func.count(Application.id))) == 3
    with app.app_context():
        run_due_jobs(db.session)
    assert outbox.messages() == []


def test_without_the_reference_lists_nothing_can_be_checked(session, tmp_path):
    report = check(session, write_files(tmp_path / "files", tiny()))
    assert messages(report) == [f"files: {imports.NO_REFERENCE_LISTS}"]


def test_the_command_fails_on_problems(app, tmp_path, reference_data):
    sheets = tiny()
    sheets["attendance"].append("T-P3,9,")
    folder = write_files(tmp_path / "files", sheets)
    result = app.test_cli_runner().invoke(args=["portal", "import-earlier-rounds", str(folder)])
    assert result.exit_code == 1
    assert "attendance.csv line 5 (session): Cohort T-1 has no session 9" in result.output
    assert "1 problem found: nothing imported." in result.output


# The officers' page: the check and the import are background tasks, run by a consumer in
# this process and followed from their status pages as an officer would.


def workbook(sheets: dict[str, list[str]]) -> bytes:
    return workbook_bytes(
        {sheet: "\n".join([HEADERS[sheet], *lines]) + "\n" for sheet, lines in sheets.items()}
    )


def upload(client, data: bytes, filename: str = "earlier.xlsx"):
    """Upload the workbook and follow its check to the page it leads to."""
    started = client.submit_form(
        "/outcomes/import",
        {"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )
    if started.status_code != 302:
        return started
    return result_of(client, started)


def confirm(client, checked):
    """Press the check page's import button and follow the import to the page it leads to."""
    path = checked.request.path
    started = client.submit_form(f"{path}/confirm", {}, from_page=path)
    if not started.headers.get("Location", "").startswith("/tasks/"):
        return started
    return result_of(client, started)


def test_an_officer_checks_and_imports_a_workbook(
    client, signed_in_as, session, outbox, reference_data, task_consumer
):
    signed_in_as(Role.OFFICER)
    page = check_page(client.get("/outcomes/import"))
    assert page.h1.get_text(strip=True) == "Import earlier rounds"

    checked = upload(client, workbook(tiny()))
    page = check_page(checked)
    assert page.h1.get_text(strip=True) == "Check the import"
    assert "Nothing has been saved yet" in page.get_text()
    rows = {
        row.th.get_text(strip=True): [cell.get_text(strip=True) for cell in row.find_all("td")]
        for row in page.select("tbody tr")
        if row.th
    }
    assert rows["participants"] == ["3", "0", "0", "0"]
    assert session.scalar(select(func.count(Application.id))) == 0

    done = check_page(confirm(client, checked))
    assert done.h1.get_text(strip=True) == "Earlier rounds imported"
    session.rollback()
    assert session.scalar(select(func.count(Application.id))) == 3
    assert outbox.messages() == []
    again_confirmed = confirm(client, checked)  # the workbook was imported and removed
    assert again_confirmed.headers["Location"] == "/outcomes/import"

    again = check_page(upload(client, workbook(tiny())))
    assert "Everything in this workbook has been imported already" in again.get_text()


def test_the_page_shows_the_problems_and_offers_no_import(
    client, signed_in_as, reference_data, task_consumer
):
    signed_in_as(Role.OFFICER)
    sheets = tiny()
    sheets["attendance"].append("T-P9,1,")
    checked = upload(client, workbook(sheets))
    page = check_page(checked)
    text = " ".join(page.get_text().split())
    assert (
        "attendance sheet 5 participant There is no participant “T-P9” in the participants sheet"
        in text
    )
    assert page.find("button", string=lambda s: s and "Import" in s) is None
    refused = confirm(client, checked)  # pressing a button that is not there imports nothing
    assert refused.headers["Location"] == checked.request.path


def test_the_page_refuses_a_file_that_is_not_a_workbook(client, signed_in_as, task_consumer):
    signed_in_as(Role.OFFICER)
    page = check_page(upload(client, b"round,year_label\n", "rounds.csv"))
    assert page.h1.get_text(strip=True) == "Import earlier rounds"
    assert error_messages(page) == ["The selected file must be an Excel workbook (.xlsx)"]


def test_a_check_or_import_that_does_not_exist_is_not_found(client, signed_in_as):
    signed_in_as(Role.OFFICER)
    token = client.csrf_token_from("/outcomes/import")
    response = client.post("/outcomes/import/check/99999/confirm", data={"csrf_token": token})
    assert response.status_code == 404
    assert client.get("/outcomes/import/check/99999").status_code == 404
    assert client.get("/outcomes/import/done/99999").status_code == 404
