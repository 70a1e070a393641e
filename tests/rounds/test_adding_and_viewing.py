"""An administrator adds a round; officers and administrators see the rounds and their settings."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.auth.models import Role
from portal.rounds.models import (
    DEFAULT_EMPLOYEE_COUNTING_RULE,
    CoachPool,
    ReturningParticipantRule,
    Round,
    RoundStatus,
)
from tests.fixtures.pages import check_page, error_messages
from tests.rounds.helpers import audit_events

ROUND_3 = {
    "name": "Round 3",
    "year_label": "2026-27",
    "starts_on": ["1", "9", "2026"],
    "ends_on": ["31", "3", "2027"],
    "funder": "Department for Business and Trade",
    "grant_pence": "£400,000",
}


def count_rounds(session):
    count = session.scalar(select(func.count()).select_from(Round))
    session.rollback()
    return count


def test_an_admin_adds_a_round_and_every_setting_starts_at_its_default(
    client, session, signed_in_as, reference_data
):
    admin = signed_in_as(Role.ADMIN)
    response = client.submit_form("/admin/rounds/add", ROUND_3)
    assert response.status_code == 302

    session.rollback()  # a fresh snapshot, taken after the request
    added = session.scalars(select(Round)).one()
    assert response.headers["Location"] == f"/admin/rounds/{added.id}"
    assert (added.name, added.year_label, added.funder) == (
        "Round 3",
        "2026-27",
        "Department for Business and Trade",
    )
    assert (added.starts_on, added.ends_on) == (dt.date(2026, 9, 1), dt.date(2027, 3, 31))
    assert added.grant_pence == 40_000_000
    assert added.status is RoundStatus.PLANNED
    assert added.created_at.tzinfo is not None

    assert len(added.eligible_district_codes) == 14
    assert "blackburn-with-darwen" in added.eligible_district_codes
    assert added.min_months_trading == 12
    assert (added.min_employees, added.min_employees_inclusive) == (5, False)
    assert added.max_employees_exclusive == 250
    assert added.employee_counting_rule == DEFAULT_EMPLOYEE_COUNTING_RULE
    assert added.min_turnover_pounds == 100_000
    assert added.allowed_business_roles == ["owner", "director", "manager"]
    assert added.excluded_sector_codes == []
    assert added.returning_participant_rule is ReturningParticipantRule.COMPLETERS_EXCLUDED
    assert added.max_people_per_business == 1
    assert (added.cohort_size_min, added.cohort_size_max) == (8, 10)
    assert added.planned_hours == 18
    assert (added.session_length_minutes, added.session_frequency_days) == (150, 14)
    assert added.join_before_session_number == 3
    assert added.completion_threshold_hours == 12
    assert added.business_supported_threshold_hours == 12
    assert added.one_to_one_hours_per_participant == 3
    assert added.cancellation_cutoff_hours == 24
    assert added.late_cancellation_counts is True
    assert added.coach_pool is CoachPool.CONTRACTOR
    assert added.exit_survey_days_after_last_session == 0
    assert added.follow_up_survey_months == 6
    assert added.survey_reminder_days == [7, 14]

    [event] = audit_events(session, "round.created")
    assert event.actor_id == admin.id
    assert (event.entity_type, event.entity_id) == ("round", str(added.id))
    assert event.fields == sorted(
        ["name", "year_label", "starts_on", "ends_on", "funder", "grant_pence", "status"]
    )

    page = check_page(client.get(response.headers["Location"]))
    assert "Round 3 has been added" in page.select_one(".govuk-notification-banner").get_text()
    assert [h2.get_text(strip=True) for h2 in page.select("main h2.govuk-heading-m")] == [
        "Round details",
        "Eligibility",
        "Cohorts and sessions",
        "Thresholds",
        "One-to-one support",
        "Surveys",
    ]
    rows = {
        row.select_one(".govuk-summary-list__key").get_text(strip=True): " ".join(
            row.select_one(".govuk-summary-list__value").get_text().split()
        )
        for row in page.select(".govuk-summary-list__row")
    }
    assert rows["Grant"] == "£400,000"
    assert rows["Start date"] == "1 September 2026"
    assert rows["Districts"] == "All 14 districts"
    assert rows["Employees"] == "More than 5 and fewer than 250"
    assert rows["Minimum yearly turnover"] == "£100,000"
    assert rows["Roles that may take part"] == "Owner, Director, Manager"
    assert rows["Cohort size"] == "8 to 10 people"
    # The defaults do not make the planned 18 hours exactly: the summary says so.
    assert rows["Session length"] == (
        "2 hours 30 minutes. 8 sessions make 20 hours, 2 hours more than the planned hours"
    )
    assert rows["Reminders"] == "7 and 14 days after a survey is sent"
    change = page.select_one(".govuk-summary-list__row:-soup-contains('Minimum time trading') a")
    assert change["href"] == f"/admin/rounds/{added.id}/eligibility#min_months_trading"
    assert change.get_text(" ", strip=True) == "Change minimum time trading"


def test_every_question_must_be_answered(client, session, signed_in_as, reference_data):
    signed_in_as(Role.ADMIN)
    response = client.submit_form("/admin/rounds/add", {"starts_on": ["", "", ""]})
    page = check_page(response, status=400)
    assert error_messages(page) == [
        "Enter the round’s name",
        "Enter the financial year",
        "Enter the start date",
        "Enter the end date",
        "Enter the funder",
        "Enter the grant",
    ]
    # The summary's date link moves focus to the day box, where the person can type.
    assert page.select_one(".govuk-error-summary a[href='#starts_on-day']")
    assert page.select_one("input#starts_on-day")
    assert count_rounds(session) == 0


def test_wrong_answers_get_govuk_messages_and_what_was_typed_is_kept(
    client, session, signed_in_as, reference_data
):
    signed_in_as(Role.ADMIN)
    response = client.submit_form(
        "/admin/rounds/add",
        {
            **ROUND_3,
            "year_label": "2026",
            "starts_on": ["31", "2", "2026"],
            "ends_on": ["1", "", "2027"],
            "grant_pence": "-5",
        },
    )
    page = check_page(response, status=400)
    assert error_messages(page) == [
        "Financial year must be two years in a row, like 2021-22",
        "Start date must be a real date",
        "End date must include a month",
        "Grant must be £0 or more",
    ]
    assert page.select_one("input#year_label")["value"] == "2026"
    assert page.select_one("input#starts_on-day")["value"] == "31"
    assert page.select_one("input#starts_on-month")["value"] == "2"
    assert page.select_one("input#ends_on-year")["value"] == "2027"
    assert page.select_one("input#grant_pence")["value"] == "-5"
    assert page.select_one("input#funder")["value"] == "Department for Business and Trade"
    assert count_rounds(session) == 0


def test_the_end_date_must_come_after_the_start_and_the_grant_be_money(
    client, session, signed_in_as, reference_data
):
    signed_in_as(Role.ADMIN)
    response = client.submit_form(
        "/admin/rounds/add",
        {
            **ROUND_3,
            "starts_on": ["1", "9", "2026"],
            "ends_on": ["1", "9", "2026"],
            "grant_pence": "four hundred thousand",
        },
    )
    page = check_page(response, status=400)
    assert error_messages(page) == [
        "The end date must be after the start date",
        "Grant must be an amount of money, like 390,000 or 390,000.50",
    ]
    response = client.submit_form(
        "/admin/rounds/add", {**ROUND_3, "starts_on": ["1", "9", "26"], "grant_pence": "1.234"}
    )
    assert error_messages(check_page(response, status=400)) == [
        "Year must include 4 numbers",
        "Grant must be an amount of money, like 390,000 or 390,000.50",
    ]
    assert count_rounds(session) == 0


def test_a_grant_with_pence_is_kept_to_the_penny_and_shown_in_whole_pounds(
    client, session, signed_in_as, reference_data
):
    signed_in_as(Role.ADMIN)
    client.submit_form("/admin/rounds/add", {**ROUND_3, "grant_pence": "1,234,567.50"})
    session.rollback()
    assert session.scalars(select(Round.grant_pence)).one() == 123_456_750
    page = check_page(client.get("/admin/rounds/"))
    assert page.select_one("td.govuk-table__cell--numeric").get_text(strip=True) == "£1,234,568"


def test_two_rounds_cannot_share_a_name(client, session, signed_in_as, make_round):
    make_round(name="Round 3")
    signed_in_as(Role.ADMIN)
    response = client.submit_form("/admin/rounds/add", ROUND_3)
    page = check_page(response, status=400)
    assert error_messages(page) == ["There is already a round with this name"]
    assert page.select_one("input#name")["value"] == "Round 3"
    assert count_rounds(session) == 1


def test_the_list_shows_each_round_with_its_dates_status_and_grant(
    client, signed_in_as, make_round
):
    make_round(
        name="Round 1",
        year_label="2020-21",
        starts_on=dt.date(2020, 9, 1),
        ends_on=dt.date(2021, 3, 31),
        grant_pence=43_200_000,
        status=RoundStatus.CLOSED,
    )
    make_round(name="Round 2", status=RoundStatus.OPEN)
    signed_in_as(Role.ADMIN)
    page = check_page(client.get("/admin/rounds/"))
    rows = [
        [" ".join(cell.get_text().split()) for cell in row.select("th, td")]
        for row in page.select("tbody tr")
    ]
    assert rows == [
        ["Round 1", "2020-21", "1 September 2020 to 31 March 2021", "Closed", "£432,000"],
        ["Round 2", "2021-22", "1 June 2021 to 31 March 2022", "Open", "£390,000"],
    ]
    assert page.select_one("a[href='/admin/rounds/add']").get_text(strip=True) == "Add a round"


def test_officers_see_rounds_but_cannot_change_them(client, session, signed_in_as, make_round):
    made = make_round()
    signed_in_as(Role.OFFICER)
    listing = check_page(client.get("/admin/rounds/"))
    assert listing.select_one("a[href='/admin/rounds/add']") is None
    summary = check_page(client.get(f"/admin/rounds/{made.id}"))
    assert summary.select(".govuk-summary-list__row")
    assert not summary.select(".govuk-summary-list__actions a")

    assert client.get("/admin/rounds/add").status_code == 403
    assert client.post("/admin/rounds/add", data=ROUND_3).status_code == 403
    for group in ["details", "eligibility", "cohorts", "thresholds", "one-to-one", "surveys"]:
        assert client.get(f"/admin/rounds/{made.id}/{group}").status_code == 403
    response = client.post(f"/admin/rounds/{made.id}/cohorts", data={"cohort_size_min": "2"})
    assert response.status_code == 403
    assert count_rounds(session) == 1


def test_participants_and_facilitators_cannot_see_rounds(client, signed_in_as, make_round):
    made = make_round()
    for role in [Role.PARTICIPANT, Role.FACILITATOR, Role.COACH, Role.CONTRACTOR_LEAD]:
        signed_in_as(role)
        for path in ["/admin/rounds/", f"/admin/rounds/{made.id}", "/admin/rounds/add"]:
            assert client.get(path).status_code == 403, (role, path)


def test_people_not_signed_in_are_sent_to_sign_in(client, make_round):
    made = make_round()
    for path in ["/admin/rounds/", f"/admin/rounds/{made.id}", f"/admin/rounds/{made.id}/surveys"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"] == f"/sign-in?next={path}"


def test_unknown_rounds_and_groups_are_not_found(client, signed_in_as, make_round):
    made = make_round()
    signed_in_as(Role.ADMIN)
    check_page(client.get("/admin/rounds/999999"), status=404)
    check_page(client.get("/admin/rounds/999999/eligibility"), status=404)
    check_page(client.get(f"/admin/rounds/{made.id}/colour"), status=404)


@pytest.mark.parametrize(
    ("planned_hours", "minutes", "said"),
    [
        (18, 180, ""),
        (18, 135, ""),
        (18, 150, ". 8 sessions make 20 hours, 2 hours more than the planned hours"),
        (12, 300, ". 3 sessions make 15 hours, 3 hours more than the planned hours"),
        (10, 45, ". 14 sessions make 10 hours 30 minutes, 30 minutes more than the planned hours"),
    ],
)
def test_the_session_length_says_what_the_sessions_add_up_to(planned_hours, minutes, said):
    from portal.rounds.settings_summary import _against_plan

    assert _against_plan(planned_hours, minutes) == said
