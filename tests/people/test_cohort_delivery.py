"""The staff cohort delivery page: schedule, register (members by sessions), hours against the
target, one-to-one hours, surveys and case studies, in a fixed number of statements; the
register and member list downloads, formula-safe, read back; contractor leads' scope."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from portal import db
from portal.auth.models import Role
from portal.cohorts.models import Attendance, AttendanceStatus
from portal.db_base import utcnow
from portal.people.cohort_record import delivery_record
from portal.surveys.models import SurveyTiming
from tests.fixtures.factories import (
    delivered_booking,
    hold_session,
    submitted_case_study,
    survey_invitation,
)
from tests.fixtures.pages import check_page, table_rows


@pytest.fixture
def group(session, make_group, make_user):
    """Two members (one named like a formula); two held sessions: the first attended by both,
    the second by the first only, the second member sending apologies; coaching, a survey and
    a case study for the first."""
    made = make_group(members=2)
    made.people[1].name = "=HYPERLINK(1)"
    session.commit()
    first, second = made.places
    hold_session(session, made, attended=[first, second])
    held = hold_session(session, made, attended=[first])
    session.add(
        Attendance(
            session_id=held.id, place_id=second.id, status=AttendanceStatus.APOLOGIES, hours=0
        )
    )
    session.commit()
    coach = make_user(Role.COACH, contractors=[made.contractor], name="Colin Coach")
    delivered_booking(session, first, coach, utcnow() - dt.timedelta(days=1), minutes=90)
    survey_invitation(session, first, SurveyTiming.BASELINE)
    submitted_case_study(session, first, "How a mill found its apprentices")
    return made


def test_the_record_adds_up_hours_marks_surveys_and_stories(app, session, group):
    record = delivery_record(session, group.cohort)
    by_name = {m.name: m for m in record.members}
    first, second = by_name[group.people[0].name], by_name["=HYPERLINK(1)"]
    assert first.group_hours == Decimal("5.00")
    assert second.group_hours == Decimal("2.50")
    assert first.one_to_one_hours == Decimal("1.50")
    assert second.one_to_one_hours == Decimal(0)
    assert first.survey_text(SurveyTiming.BASELINE) == "Invited, not answered"
    assert second.survey_text(SurveyTiming.BASELINE) == "Not invited"
    assert [s.number for s in record.register_sessions] == [1, 2]
    assert [second.marks[s.id].words for s in record.register_sessions] == [
        "Attended",
        "Apologies",
    ]
    (story,) = record.case_studies
    assert (story.title, story.person_id) == ("How a mill found its apprentices", first.person_id)
    assert record.target_hours == Decimal(group.cohort.planned_hours)


def test_an_officer_sees_the_delivery_on_the_cohort_page(client, signed_in_as, group):
    signed_in_as(Role.OFFICER)
    page = check_page(client.get(f"/cohorts/{group.cohort.id}/record"))
    name = group.people[0].name
    sessions = table_rows(page, f"Sessions of {group.cohort.name}", cells="th, td")
    assert [row[0] for row in sessions] == ["Session 1", "Session 2"]
    assert [row[2] for row in sessions] == ["Held, register taken"] * 2
    register = table_rows(
        page, f"Register of {group.cohort.name}: members by sessions", cells="th, td"
    )
    assert ["=HYPERLINK(1)", "Attended, 2.5 hours", "Apologies, 0 hours"] in register
    assert [name, "Attended, 2.5 hours", "Attended, 2.5 hours"] in register
    hours = table_rows(page, f"Hours and surveys of members of {group.cohort.name}", cells="th, td")
    target = group.cohort.planned_hours
    surveys = ["Invited, not answered", "Not invited", "Not invited"]
    assert [name, f"5 of {target}", "1.5", *surveys] in hours
    headers = page.select(f'table th[scope="row"] a[href="/people/{group.people[0].id}"]')
    assert headers, "names link to the person page"
    assert "How a mill found its apprentices" in page.get_text()


def test_the_number_of_statements_does_not_grow_with_the_cohort(
    app, client, signed_in_as, group, session, make_user
):
    signed_in_as(Role.OFFICER)

    def statements() -> int:
        seen: list[str] = []

        def count(*args: object) -> None:
            seen.append(str(args[2]))

        engine = db.engine_for(app)
        event.listen(engine, "before_cursor_execute", count)
        check_page(client.get(f"/cohorts/{group.cohort.id}/record"))
        event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    before = statements()
    coach = make_user(Role.COACH, contractors=[group.contractor], name="Cara Coach")
    for days in (3, 5, 7):
        hold_session(session, group)
        for hour, place in enumerate(group.places):
            when = utcnow() - dt.timedelta(days=days, hours=2 * hour)
            delivered_booking(session, place, coach, when)
    survey_invitation(session, group.places[1], SurveyTiming.BASELINE)
    submitted_case_study(session, group.places[1], "A second story")
    assert statements() == before


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def read_xlsx(response) -> list[list[object]]:
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def test_the_register_downloads_read_back_formula_safe(client, signed_in_as, group):
    signed_in_as(Role.OFFICER)
    base = f"/cohorts/{group.cohort.id}/record/register"
    header, *rows = read_csv(client.get(f"{base}.csv"))
    assert header[:5] == ["Name", "Reference", "Business", "Email address", "Phone number"]
    assert header[5].startswith("Session 1 (")
    assert header[6] == "Session 1 hours"
    formula = next(row for row in rows if row[0].endswith("HYPERLINK(1)"))
    assert formula[0] == "'=HYPERLINK(1)"
    assert formula[3] == group.people[1].email
    assert formula[5:] == ["Attended", "2.50", "Apologies", "0.00"]

    header, *rows = read_xlsx(client.get(f"{base}.xlsx"))
    formula = next(row for row in rows if str(row[0]).endswith("HYPERLINK(1)"))
    assert formula[0] == "'=HYPERLINK(1)"
    assert formula[5:] == ["Attended", 2.5, "Apologies", 0]


def test_the_member_list_downloads_read_back(client, signed_in_as, group):
    signed_in_as(Role.OFFICER)
    base = f"/cohorts/{group.cohort.id}/record/members"
    target = group.cohort.planned_hours
    header, *rows = read_csv(client.get(f"{base}.csv"))
    assert header[5:] == [
        "Place",
        "Group hours to date",
        "Target hours",
        "One-to-one hours",
        "Baseline survey",
        "Exit survey",
        "Follow-up survey",
    ]
    first = next(row for row in rows if row[0] == group.people[0].name)
    assert (
        first[5:]
        == ["Placed", "5.00", str(target), "1.50", "Invited, not answered"] + ["Not invited"] * 2
    )
    header, *rows = read_xlsx(client.get(f"{base}.xlsx"))
    first = next(row for row in rows if row[0] == group.people[0].name)
    assert first[5:8] == ["Placed", 5, target]


def test_unknown_cohorts_and_downloads_are_not_found(client, signed_in_as, group):
    signed_in_as(Role.OFFICER)
    assert client.get("/cohorts/999999/record").status_code == 404
    assert client.get("/cohorts/999999/record/register.csv").status_code == 404
    assert client.get(f"/cohorts/{group.cohort.id}/record/register.pdf").status_code == 404


def test_a_contractor_lead_sees_only_their_own_contractors_cohorts(
    client, signed_in_as, group, make_group, make_contractor
):
    signed_in_as(Role.CONTRACTOR_LEAD, contractors=[group.contractor])
    page = check_page(client.get(f"/cohorts/{group.cohort.id}/record"))
    assert table_rows(page, f"Sessions of {group.cohort.name}", cells="th, td")[0][0] == "Session 1"
    header, *_rows = read_csv(client.get(f"/cohorts/{group.cohort.id}/record/members.csv"))
    assert header[0] == "Name"
    elsewhere = make_group(members=1, contractor=make_contractor("Pennine Peer Learning CIC"))
    assert client.get(f"/cohorts/{elsewhere.cohort.id}/record").status_code == 404
    assert client.get(f"/cohorts/{elsewhere.cohort.id}/record/register.xlsx").status_code == 404


def test_a_contractor_lead_lists_their_own_contractors_cohorts_only(
    client, signed_in_as, group, make_group, make_contractor
):
    elsewhere = make_group(members=1, contractor=make_contractor("Pennine Peer Learning CIC"))
    signed_in_as(Role.CONTRACTOR_LEAD, contractors=[group.contractor])
    page = check_page(client.get("/cohorts/yours"))
    rows = table_rows(page, "Cohorts your organisation delivers", cells="th, td")
    assert rows == [[group.cohort.name, "Round 3", "Running"]]
    assert elsewhere.cohort.name not in page.get_text()
    link = page.select_one("tbody a")
    assert link["href"] == f"/cohorts/{group.cohort.id}/record"
