"""The round summary page's rows: each setting in words, grouped as the edit pages are."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.presentation import minutes_in_words, plural
from portal.reference.models import ReferenceItem, ReferenceKind
from portal.rounds.models import BusinessRole, CoachPool, ReturningParticipantRule, Round
from portal.rounds.services import whole_pounds
from portal.timefmt import govuk_date


@dataclass(frozen=True)
class Row:
    key: str
    value: str | Markup
    # The id of the question on the edit page, so "Change" lands on it.
    field_id: str


@dataclass(frozen=True)
class Group:
    slug: str
    title: str
    rows: list[Row]


GROUP_TITLES = {
    "details": "Round details",
    "eligibility": "Eligibility",
    "cohorts": "Cohorts and sessions",
    "thresholds": "Thresholds",
    "one-to-one": "One-to-one support",
    "surveys": "Surveys",
}


def meeting_frequency(days: int) -> str:
    """How often sessions are, as an adverb: "weekly", "fortnightly", "every 10 days"."""
    if days == 7:
        return "weekly"
    if days == 14:
        return "fortnightly"
    if days % 7 == 0:
        return f"every {days // 7} weeks"
    return f"every {plural(days, 'day')}"


def labels_by_code(session: Session, kind: ReferenceKind) -> dict[str, ReferenceItem]:
    return {
        item.code: item
        for item in session.scalars(
            select(ReferenceItem)
            .where(ReferenceItem.kind == kind)
            .order_by(ReferenceItem.position, ReferenceItem.label)
        )
    }


def _item_labels(codes: list[str], items: dict[str, ReferenceItem]) -> list[str]:
    labels = []
    for code in codes:
        item = items.get(code)
        if item is None:
            labels.append(f"{code} (not in the list)")
        else:
            labels.append(item.label if item.is_active else f"{item.label} (retired)")
    return labels


def _listed(labels: list[str]) -> Markup:
    items = Markup("").join(Markup("<li>{}</li>").format(label) for label in labels)
    return Markup('<ul class="govuk-list">{}</ul>').format(items)


def _districts(codes: list[str], districts: dict[str, ReferenceItem]) -> str | Markup:
    active = [code for code, item in districts.items() if item.is_active]
    if active and set(codes) == set(active):
        return f"All {len(active)} districts"
    return _listed(_item_labels(codes, districts))


def summary_groups(session: Session, round: Round) -> list[Group]:
    districts = labels_by_code(session, ReferenceKind.DISTRICT)
    sectors = labels_by_code(session, ReferenceKind.SECTOR)
    exactly = round.min_employees_inclusive
    employees = f"{round.min_employees} or more" if exactly else f"More than {round.min_employees}"
    roles = [BusinessRole(role).label for role in round.allowed_business_roles]
    reminders = round.survey_reminder_days
    exit_days = round.exit_survey_days_after_last_session
    rows = {
        "details": [
            Row("Name", round.name, "name"),
            Row("Financial year", round.year_label, "year_label"),
            Row("Start date", govuk_date(round.starts_on), "starts_on-day"),
            Row("End date", govuk_date(round.ends_on), "ends_on-day"),
            Row("Funder", round.funder, "funder"),
            Row("Grant", whole_pounds(round.grant_pence), "grant_pence"),
            Row(
                "Status",
                f"{round.status.label} since {govuk_date(round.status_changed_at)}",
                "status",
            ),
        ],
        "eligibility": [
            Row(
                "Districts",
                _districts(round.eligible_district_codes, districts),
                "eligible_district_codes",
            ),
            Row(
                "Minimum time trading",
                plural(round.min_months_trading, "month"),
                "min_months_trading",
            ),
            Row(
                "Employees",
                f"{employees} and fewer than {round.max_employees_exclusive}",
                "min_employees",
            ),
            Row("How to count employees", round.employee_counting_rule, "employee_counting_rule"),
            Row(
                "Minimum yearly turnover",
                whole_pounds(round.min_turnover_pounds * 100),
                "min_turnover_pounds",
            ),
            Row("Roles that may take part", ", ".join(roles), "allowed_business_roles"),
            Row(
                "Sectors that cannot take part",
                _listed(_item_labels(round.excluded_sector_codes, sectors))
                if round.excluded_sector_codes
                else "None",
                "excluded_sector_codes",
            ),
            Row(
                "People from earlier rounds",
                ReturningParticipantRule(round.returning_participant_rule).label,
                "returning_participant_rule",
            ),
            Row(
                "Most people from one business",
                str(round.max_people_per_business),
                "max_people_per_business",
            ),
        ],
        "cohorts": [
            Row(
                "Cohort size",
                f"{round.cohort_size_min} to {round.cohort_size_max} people",
                "cohort_size_min",
            ),
            Row("Total planned hours", plural(round.planned_hours, "hour"), "planned_hours"),
            Row(
                "Session length",
                minutes_in_words(round.session_length_minutes)
                + _against_plan(round.planned_hours, round.session_length_minutes),
                "session_length_minutes",
            ),
            Row(
                "Sessions",
                f"Every {plural(round.session_frequency_days, 'day')}",
                "session_frequency_days",
            ),
            Row(
                "New members can join",
                f"Before session {round.join_before_session_number}",
                "join_before_session_number",
            ),
            Row(
                "Members can ask to move",
                f"Until {govuk_date(round.members_can_move_until, weekday=True)}"
                if round.members_can_move_until
                else "No: they contact the Growth Hub",
                "members_can_move_until-day",
            ),
        ],
        "thresholds": [
            Row(
                "Completion",
                f"{plural(round.completion_threshold_hours, 'hour')} of group sessions attended",
                "completion_threshold_hours",
            ),
            Row(
                "Business supported",
                f"{plural(round.business_supported_threshold_hours, 'hour')} of group sessions "
                "and one-to-one support",
                "business_supported_threshold_hours",
            ),
        ],
        "one-to-one": [
            Row(
                "Support for each participant",
                plural(round.one_to_one_hours_per_participant, "hour"),
                "one_to_one_hours_per_participant",
            ),
            Row(
                "Cancellation cut-off",
                f"{plural(round.cancellation_cutoff_hours, 'hour')} before the booking",
                "cancellation_cutoff_hours",
            ),
            Row(
                "Late cancellations and no-shows",
                "Use up the participant’s hours"
                if round.late_cancellation_counts
                else "Do not use up the participant’s hours",
                "late_cancellation_counts",
            ),
            Row("Coaches offered", CoachPool(round.coach_pool).label, "coach_pool"),
        ],
        "surveys": [
            Row(
                "Exit survey",
                "As soon as the last session has been held"
                if exit_days == 0
                else f"{plural(exit_days, 'day')} after the last session",
                "exit_survey_days_after_last_session",
            ),
            Row(
                "Follow-up survey",
                f"{plural(round.follow_up_survey_months, 'month')} after the exit survey",
                "follow_up_survey_months",
            ),
            Row(
                "Reminders",
                _days_list(reminders) + " after a survey is sent" if reminders else "None",
                "survey_reminder_days",
            ),
        ],
    }
    return [Group(slug, GROUP_TITLES[slug], rows[slug]) for slug in GROUP_TITLES]


def _days_list(days: list[int]) -> str:
    words = [str(day) for day in days]
    joined = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return f"{joined} {'day' if days == [1] else 'days'}"


def as_text(value: str | Markup) -> Markup:
    """A row's value ready for the summary list's ``html`` (plain text is escaped)."""
    return value if isinstance(value, Markup) else escape(value)


def _against_plan(planned_hours: int, session_minutes: int) -> str:
    """What the sessions add up to when they do not make the planned hours exactly (a
    cohort's schedule has the fewest sessions that reach them), or nothing."""
    sessions = -(-planned_hours * 60 // session_minutes)
    over = sessions * session_minutes - planned_hours * 60
    if not over:
        return ""
    return (
        f". {plural(sessions, 'session')} make {minutes_in_words(sessions * session_minutes)}, "
        f"{minutes_in_words(over)} more than the planned hours"
    )
