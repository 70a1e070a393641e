"""An administrator changes a round's settings, one group at a time, checked on the server."""

import datetime as dt

import pytest
from sqlalchemy import select

from portal.auth.models import Role
from portal.reference.models import ReferenceItem
from portal.rounds.models import CoachPool, ReturningParticipantRule, RoundStatus
from tests.fixtures.pages import check_page, error_messages
from tests.rounds.helpers import audit_events, fresh

ALL_DISTRICTS = [
    "burnley",
    "chorley",
    "fylde",
    "hyndburn",
    "lancaster",
    "pendle",
    "preston",
    "ribble-valley",
    "rossendale",
    "south-ribble",
    "west-lancashire",
    "wyre",
    "blackburn-with-darwen",
    "blackpool",
]
ELIGIBILITY = {
    "eligible_district_codes": ALL_DISTRICTS,
    "min_months_trading": "12",
    "min_employees": "5",
    "min_employees_inclusive": "no",
    "max_employees_exclusive": "250",
    "employee_counting_rule": "Count full-time employees as 1",
    "min_turnover_pounds": "100,000",
    "allowed_business_roles": ["owner", "director", "manager"],
    "returning_participant_rule": "completers_excluded",
    "max_people_per_business": "1",
}
COHORTS = {
    "cohort_size_min": "8",
    "cohort_size_max": "10",
    "planned_hours": "18",
    "session_length_minutes": "150",
    "session_frequency_days": "14",
    "join_before_session_number": "3",
}


@pytest.fixture
def round_2(make_round):
    return make_round(name="Round 2")


@pytest.fixture
def admin(signed_in_as):
    return signed_in_as(Role.ADMIN)


def test_each_group_has_an_edit_page_filled_with_the_round_settings(client, round_2, admin):
    titles = {
        "details": "Round details",
        "eligibility": "Eligibility",
        "cohorts": "Cohorts and sessions",
        "thresholds": "Thresholds",
        "one-to-one": "One-to-one support",
        "surveys": "Surveys",
    }
    for group, title in titles.items():
        page = check_page(client.get(f"/admin/rounds/{round_2.id}/{group}"))
        assert page.h1.get_text(strip=True) == title
    details = check_page(client.get(f"/admin/rounds/{round_2.id}/details"))
    assert details.select_one("input#name")["value"] == "Round 2"
    assert details.select_one("input#starts_on-day")["value"] == "1"
    assert details.select_one("input#starts_on-month")["value"] == "6"
    assert details.select_one("input#grant_pence")["value"] == "390000"
    assert details.select_one("input[name=status][value=planned]").has_attr("checked")
    eligibility = check_page(client.get(f"/admin/rounds/{round_2.id}/eligibility"))
    checked = [box["value"] for box in eligibility.select("input[name=eligible_district_codes]")]
    assert checked == ALL_DISTRICTS
    assert all(
        box.has_attr("checked") for box in eligibility.select("input[name=eligible_district_codes]")
    )
    assert eligibility.select_one("input[name=min_employees_inclusive][value=no]").has_attr(
        "checked"
    )
    surveys = check_page(client.get(f"/admin/rounds/{round_2.id}/surveys"))
    assert surveys.select_one("input#survey_reminder_days")["value"] == "7, 14"


def test_changing_the_details_records_which_fields_changed_never_their_values(
    client, session, round_2, admin
):
    before = fresh(session, round_2.id).status_changed_at
    response = client.submit_form(
        f"/admin/rounds/{round_2.id}/details",
        {
            "name": "Round 2 (2021-22)",
            "year_label": "2021-22",
            "starts_on": ["1", "6", "2021"],
            "ends_on": ["31", "3", "2022"],
            "funder": "Department for Business, Energy and Industrial Strategy",
            "grant_pence": "390000",
            "status": "open",
        },
    )
    assert response.status_code == 302
    # No #fragment: scrolling to it would take focus from the success banner.
    assert response.headers["Location"] == f"/admin/rounds/{round_2.id}"
    changed = fresh(session, round_2.id)
    assert changed.name == "Round 2 (2021-22)"
    assert changed.status is RoundStatus.OPEN
    assert changed.status_changed_at > before

    [event] = audit_events(session, "round.settings_changed")
    assert event.actor_id == admin.id
    assert (event.entity_type, event.entity_id) == ("round", str(round_2.id))
    assert event.fields == ["name", "status"]
    assert "Round 2 (2021-22)" not in repr(event.fields)

    page = check_page(client.get(response.headers["Location"]))
    assert "Round details saved" in page.select_one(".govuk-notification-banner").get_text()


def test_saving_without_changing_anything_records_nothing(client, session, round_2, admin):
    response = client.submit_form(f"/admin/rounds/{round_2.id}/cohorts", COHORTS)
    assert response.status_code == 302
    assert audit_events(session, "round.settings_changed") == []
    page = check_page(client.get(response.headers["Location"]))
    assert page.select_one(".govuk-notification-banner") is None


def test_eligibility_is_saved_with_the_names_of_what_changed(client, session, round_2, admin):
    response = client.submit_form(
        f"/admin/rounds/{round_2.id}/eligibility",
        {
            **ELIGIBILITY,
            "eligible_district_codes": ["burnley", "pendle"],
            "min_employees_inclusive": "yes",
            "min_turnover_pounds": "£250,000",
            "excluded_sector_codes": ["A", "K"],
            "returning_participant_rule": "anyone_may_reapply",
        },
    )
    assert response.status_code == 302
    changed = fresh(session, round_2.id)
    assert changed.eligible_district_codes == ["burnley", "pendle"]
    assert changed.min_employees_inclusive is True
    assert changed.min_turnover_pounds == 250_000
    assert changed.excluded_sector_codes == ["A", "K"]
    assert changed.returning_participant_rule is ReturningParticipantRule.ANYONE_MAY_REAPPLY
    [event] = audit_events(session, "round.settings_changed")
    assert event.fields == [
        "eligible_district_codes",
        "employee_counting_rule",
        "excluded_sector_codes",
        "min_employees_inclusive",
        "min_turnover_pounds",
        "returning_participant_rule",
    ]

    page = check_page(client.get(f"/admin/rounds/{round_2.id}"))
    districts = page.select_one(".govuk-summary-list__row:-soup-contains('Districts') ul")
    assert [li.get_text() for li in districts.select("li")] == ["Burnley", "Pendle"]
    employees = page.select_one(".govuk-summary-list__row:-soup-contains('Employees') dd")
    assert " ".join(employees.get_text().split()) == "5 or more and fewer than 250"


def test_eligibility_answers_are_checked_and_kept(client, session, round_2, admin):
    response = client.submit_form(
        f"/admin/rounds/{round_2.id}/eligibility",
        {
            **ELIGIBILITY,
            "eligible_district_codes": [],
            "min_months_trading": "a year",
            "min_employees": "10",
            "max_employees_exclusive": "10",
            "employee_counting_rule": "   ",
            "min_turnover_pounds": "",
            "allowed_business_roles": [],
            "excluded_sector_codes": ["Z9"],
            "returning_participant_rule": "",
            "max_people_per_business": "0",
        },
    )
    page = check_page(response, status=400)
    assert error_messages(page) == [
        "Select at least one district",
        "Minimum months trading must be a whole number",
        "The maximum number of employees must be more than the minimum",
        "Enter how to count employees",
        "Enter the minimum yearly turnover",
        "Select at least one role that may take part",
        "Select sectors from the list",
        "Select who from an earlier round may take part",
        "Most people from one business must be between 1 and 10",
    ]
    assert page.select_one("input#min_months_trading")["value"] == "a year"
    assert page.select_one("input#min_employees")["value"] == "10"
    assert page.select_one("input#max_people_per_business")["value"] == "0"
    assert not page.select("input[name=eligible_district_codes][checked]")
    assert fresh(session, round_2.id).min_employees == 5
    assert audit_events(session, "round.settings_changed") == []


def test_a_district_that_is_not_offered_is_refused(client, round_2, admin):
    response = client.submit_form(
        f"/admin/rounds/{round_2.id}/eligibility",
        {**ELIGIBILITY, "eligible_district_codes": ["burnley", "atlantis"]},
    )
    page = check_page(response, status=400)
    assert error_messages(page) == ["Select districts from the list"]
    assert page.select_one("input[name=eligible_district_codes][value=burnley]").has_attr("checked")


def test_only_active_districts_are_offered_but_a_retired_one_the_round_uses_is_kept(
    client, session, round_2, admin
):
    round_row = fresh(session, round_2.id)
    round_row.eligible_district_codes = [c for c in ALL_DISTRICTS if c != "wyre"]
    retired = session.scalars(
        select(ReferenceItem).where(ReferenceItem.code.in_(["fylde", "wyre"]))
    ).all()
    for district in retired:
        district.retired_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    session.commit()

    page = check_page(client.get(f"/admin/rounds/{round_2.id}/eligibility"))
    offered = {
        box["value"]: box.find_next("label").get_text(strip=True)
        for box in page.select("input[name=eligible_district_codes]")
    }
    assert "wyre" not in offered
    assert offered["fylde"] == "Fylde (retired)"
    assert len(offered) == 13


def test_cohort_settings_are_checked_against_each_other_and_the_threshold(
    client, session, round_2, admin
):
    response = client.submit_form(
        f"/admin/rounds/{round_2.id}/cohorts",
        {
            **COHORTS,
            "cohort_size_min": "10",
            "cohort_size_max": "8",
            "planned_hours": "10",
            "session_length_minutes": "20",
            "session_frequency_days": "",
            "join_before_session_number": "2.5",
        },
    )
    page = check_page(response, status=400)
    assert error_messages(page) == [
        "The largest cohort must be the same as or more than the smallest",
        "Total planned hours must be at least the completion threshold (12 hours)",
        "Session length must be between 30 and 480",
        "Enter the days between sessions",
        "Session number must be a whole number",
    ]
    assert page.select_one("input#join_before_session_number")["value"] == "2.5"
    assert fresh(session, round_2.id).cohort_size_min == 8

    response = client.submit_form(
        f"/admin/rounds/{round_2.id}/cohorts",
        {**COHORTS, "cohort_size_min": "8", "cohort_size_max": "11", "planned_hours": "20"},
    )
    assert response.status_code == 302
    assert audit_events(session, "round.settings_changed")[0].fields == [
        "cohort_size_max",
        "planned_hours",
    ]


def test_the_completion_threshold_cannot_exceed_the_planned_hours(client, session, round_2, admin):
    response = client.submit_form(
        f"/admin/rounds/{round_2.id}/thresholds",
        {"completion_threshold_hours": "19", "business_supported_threshold_hours": "0"},
    )
    page = check_page(response, status=400)
    assert error_messages(page) == [
        "The completion threshold must be no more than the total planned hours (18 hours)",
        "Business supported threshold must be between 1 and 200",
    ]
    response = client.submit_form(
        f"/admin/rounds/{round_2.id}/thresholds",
        {"completion_threshold_hours": "15", "business_supported_threshold_hours": "12"},
    )
    assert response.status_code == 302
    assert fresh(session, round_2.id).completion_threshold_hours == 15
    assert audit_events(session, "round.settings_changed")[0].fields == [
        "completion_threshold_hours"
    ]


def test_one_to_one_support_answers_are_checked_and_saved(client, session, round_2, admin):
    response = client.submit_form(
        f"/admin/rounds/{round_2.id}/one-to-one",
        {"one_to_one_hours_per_participant": "2.5", "cancellation_cutoff_hours": "200"},
    )
    page = check_page(response, status=400)
    assert error_messages(page) == [
        "Hours of one-to-one support must be a whole number",
        "Cancellation cut-off must be between 0 and 168",
        "Select yes if late cancellations and no-shows use up hours",
        "Select which coaches participants are offered",
    ]
    response = client.submit_form(
        f"/admin/rounds/{round_2.id}/one-to-one",
        {
            "one_to_one_hours_per_participant": "4",
            "cancellation_cutoff_hours": "48",
            "late_cancellation_counts": "no",
            "coach_pool": "all",
        },
    )
    assert response.status_code == 302
    changed = fresh(session, round_2.id)
    assert changed.one_to_one_hours_per_participant == 4
    assert changed.late_cancellation_counts is False
    assert changed.coach_pool is CoachPool.ALL


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("7, 7", "Reminder days must go from the earliest to the latest, with no repeats"),
        ("14, 7", "Reminder days must go from the earliest to the latest, with no repeats"),
        ("a week", "Reminder days must be whole numbers separated by commas, like 7, 14"),
        ("0", "Reminder days must each be between 1 and 60"),
        ("1, 2, 3, 4, 5, 6", "Enter no more than 5 reminder days"),
    ],
)
def test_reminder_days_are_checked(client, round_2, admin, typed, message):
    response = client.submit_form(
        f"/admin/rounds/{round_2.id}/surveys",
        {
            "exit_survey_days_after_last_session": "0",
            "follow_up_survey_months": "6",
            "survey_reminder_days": typed,
        },
    )
    page = check_page(response, status=400)
    assert error_messages(page) == [message]
    assert page.select_one("input#survey_reminder_days")["value"] == typed


def test_surveys_can_have_other_reminders_or_none(client, session, round_2, admin):
    form = {"exit_survey_days_after_last_session": "2", "follow_up_survey_months": "12"}
    client.submit_form(
        f"/admin/rounds/{round_2.id}/surveys", {**form, "survey_reminder_days": "3 and 10"}
    )
    changed = fresh(session, round_2.id)
    assert changed.survey_reminder_days == [3, 10]
    assert changed.follow_up_survey_months == 12
    client.submit_form(f"/admin/rounds/{round_2.id}/surveys", {**form, "survey_reminder_days": ""})
    assert fresh(session, round_2.id).survey_reminder_days == []
    page = check_page(client.get(f"/admin/rounds/{round_2.id}"))
    reminders = page.select_one(".govuk-summary-list__row:-soup-contains('Reminders') dd")
    assert reminders.get_text(strip=True) == "None"


def test_a_post_without_a_token_changes_nothing_and_keeps_the_answers(
    client, session, round_2, admin
):
    response = client.post(
        f"/admin/rounds/{round_2.id}/cohorts", data={**COHORTS, "cohort_size_min": "6"}
    )
    page = check_page(response, status=400)
    assert error_messages(page) == [
        "This page was open for too long or was sent from somewhere else. "
        "Check your answers and submit them again."
    ]
    assert page.select_one("input#cohort_size_min")["value"] == "6"
    assert fresh(session, round_2.id).cohort_size_min == 8
    assert audit_events(session, "round.settings_changed") == []


def test_renaming_to_another_rounds_name_is_refused(client, session, make_round, admin):
    make_round(name="Round 1", year_label="2020-21")
    round_2 = make_round(name="Round 2")
    response = client.submit_form(
        f"/admin/rounds/{round_2.id}/details",
        {
            "name": "Round 1",
            "year_label": "2021-22",
            "starts_on": ["1", "6", "2021"],
            "ends_on": ["31", "3", "2022"],
            "funder": "BEIS",
            "grant_pence": "390000",
            "status": "planned",
        },
    )
    page = check_page(response, status=400)
    assert error_messages(page) == ["There is already a round with this name"]
    assert fresh(session, round_2.id).name == "Round 2"
