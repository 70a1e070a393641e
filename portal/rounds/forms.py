"""The round forms: adding a round, and one form per group of settings.

Each edit form's ``settings()`` returns typed values keyed by the Round's column names,
ready for ``services.update_round_settings``.
"""

from __future__ import annotations

import re
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectChoice, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, StopValidation, ValidationError

from portal.forms import PortalForm, Required, strip_whitespace
from portal.rounds.fields import (
    CheckboxesField,
    DateField,
    DayListField,
    PenceField,
    WholeNumberField,
)
from portal.rounds.models import (
    BusinessRole,
    CoachPool,
    ReturningParticipantRule,
    Round,
    RoundStatus,
)
from portal.rounds.services import SETTING_GROUPS

MAXIMUM_GRANT_POUNDS = 100_000_000
_YEAR_LABEL = re.compile(r"(?P<first>\d{4})-(?P<second>\d{2})")


def _yes_no(value: Any) -> str | None:
    """Radios answer "yes" or "no"; a stored boolean is shown as one of them."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]


class RoundDetailsFields(PortalForm):
    name = StringField(
        "Name",
        description="For example, Round 3",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            DataRequired("Enter the round’s name"),
            Length(max=100, message="Name must be 100 characters or fewer"),
        ],
    )
    year_label = StringField(
        "Financial year",
        description="For example, 2021-22",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[DataRequired("Enter the financial year")],
    )
    starts_on = DateField("Start date", noun="start date", description="For example, 1 9 2026")
    ends_on = DateField("End date", noun="end date", description="For example, 31 3 2027")
    funder = StringField(
        "Funder",
        description="For example, Department for Business and Trade",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            DataRequired("Enter the funder"),
            Length(max=200, message="Funder must be 200 characters or fewer"),
        ],
    )
    grant_pence = PenceField(
        "Grant", noun="grant", maximum_pounds=MAXIMUM_GRANT_POUNDS, description="In pounds"
    )

    def validate_year_label(self, field: StringField) -> None:
        match = _YEAR_LABEL.fullmatch(field.data or "")
        if not match or (int(match["first"]) + 1) % 100 != int(match["second"]):
            raise ValidationError("Financial year must be two years in a row, like 2021-22")

    def validate_ends_on(self, field: DateField) -> None:
        if self.starts_on.data and field.data and field.data <= self.starts_on.data:
            raise ValidationError("The end date must be after the start date")

    def details(self) -> dict[str, Any]:
        return {
            "name": self.name.data,
            "year_label": self.year_label.data,
            "starts_on": self.starts_on.data,
            "ends_on": self.ends_on.data,
            "funder": self.funder.data,
            "grant_pence": self.grant_pence.data,
        }


class AddRoundForm(RoundDetailsFields):
    submit = SubmitField("Add round", widget=GovSubmitInput())


class RoundDetailsForm(RoundDetailsFields):
    status = RadioField(
        "Status",
        choices=[SelectChoice(status.value, status.label) for status in RoundStatus],
        widget=GovRadioInput(),
        validators=[Required("Select the round’s status")],
        invalid_choice_message="Select the round’s status",
    )
    submit = SubmitField("Save changes", widget=GovSubmitInput())

    @property
    def status_hints(self) -> list[dict[str, Any]]:
        """Params for each status radio's hint, in the order of the choices."""
        return [{"hint": {"text": status.hint}} for status in RoundStatus]

    def settings(self) -> dict[str, Any]:
        return {**self.details(), "status": RoundStatus(self.status.data)}


class EligibilityForm(PortalForm):
    eligible_district_codes = CheckboxesField(
        "Districts where the business must be",
        description="Select all that apply",
        required_message="Select at least one district",
        invalid_choice_message="Select districts from the list",
    )
    min_months_trading = WholeNumberField(
        "Minimum months trading",
        noun="minimum months trading",
        minimum=0,
        maximum=120,
        description="12 months means the business must have traded for a year",
    )
    min_employees = WholeNumberField(
        "Minimum number of employees", noun="minimum number of employees", minimum=0, maximum=249
    )
    min_employees_inclusive = RadioField(
        "Does a business with exactly the minimum number of employees qualify?",
        description="For example, if the minimum is 5: yes means 5 or more, no means more than 5",
        choices=YES_NO,
        coerce=_yes_no,
        widget=GovRadioInput(),
        validators=[Required("Select yes if a business with exactly the minimum number qualifies")],
        invalid_choice_message="Select yes if a business with exactly the minimum number qualifies",
    )
    max_employees_exclusive = WholeNumberField(
        "Businesses must have fewer employees than",
        noun="maximum number of employees",
        minimum=1,
        maximum=250,
        description="An SME has fewer than 250 employees",
    )
    employee_counting_rule = TextAreaField(
        "How to count employees",
        description="Shown to applicants when they say how many people they employ",
        widget=GovTextArea(),
        filters=[strip_whitespace],
        validators=[
            DataRequired("Enter how to count employees"),
            Length(max=500, message="How to count employees must be 500 characters or fewer"),
        ],
    )
    min_turnover_pounds = WholeNumberField(
        "Minimum yearly turnover",
        noun="minimum yearly turnover",
        minimum=0,
        maximum=100_000_000,
        description="In whole pounds",
    )
    allowed_business_roles = CheckboxesField(
        "Roles in the business that may take part",
        description="Select all that apply",
        choices=[SelectChoice(role.value, role.label) for role in BusinessRole],
        required_message="Select at least one role that may take part",
        invalid_choice_message="Select roles from the list",
    )
    excluded_sector_codes = CheckboxesField(
        "Sectors that cannot take part",
        description="Select all that apply, or none",
        invalid_choice_message="Select sectors from the list",
    )
    returning_participant_rule = RadioField(
        "People who took part in an earlier round",
        choices=[SelectChoice(rule.value, rule.label) for rule in ReturningParticipantRule],
        widget=GovRadioInput(),
        validators=[Required("Select who from an earlier round may take part")],
        invalid_choice_message="Select who from an earlier round may take part",
    )
    max_people_per_business = WholeNumberField(
        "Most people from one business",
        noun="most people from one business",
        minimum=1,
        maximum=10,
    )
    submit = SubmitField("Save changes", widget=GovSubmitInput())

    def validate_max_employees_exclusive(self, field: WholeNumberField) -> None:
        minimum = self.min_employees.data
        if minimum is not None and not self.min_employees.errors and field.data <= minimum:
            raise ValidationError("The maximum number of employees must be more than the minimum")

    def settings(self) -> dict[str, Any]:
        return {
            "eligible_district_codes": list(self.eligible_district_codes.data),
            "min_months_trading": self.min_months_trading.data,
            "min_employees": self.min_employees.data,
            "min_employees_inclusive": self.min_employees_inclusive.data == "yes",
            "max_employees_exclusive": self.max_employees_exclusive.data,
            "employee_counting_rule": self.employee_counting_rule.data,
            "min_turnover_pounds": self.min_turnover_pounds.data,
            "allowed_business_roles": list(self.allowed_business_roles.data),
            "excluded_sector_codes": list(self.excluded_sector_codes.data),
            "returning_participant_rule": ReturningParticipantRule(
                self.returning_participant_rule.data
            ),
            "max_people_per_business": self.max_people_per_business.data,
        }


class OptionalDateField(DateField):
    """A date that may be left blank."""

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            raise StopValidation()


class CohortsForm(PortalForm):
    cohort_size_min = WholeNumberField(
        "Smallest cohort", noun="smallest cohort size", minimum=2, maximum=30
    )
    cohort_size_max = WholeNumberField(
        "Largest cohort", noun="largest cohort size", minimum=2, maximum=30
    )
    planned_hours = WholeNumberField(
        "Total planned hours of group sessions",
        noun="total planned hours",
        minimum=1,
        maximum=100,
    )
    session_length_minutes = WholeNumberField(
        "Length of a session in minutes",
        noun="session length",
        minimum=30,
        maximum=480,
        description="For example, 150 for 2 hours 30 minutes",
    )
    session_frequency_days = WholeNumberField(
        "Days between sessions",
        noun="days between sessions",
        minimum=1,
        maximum=60,
        description="For example, 14 for fortnightly",
    )
    join_before_session_number = WholeNumberField(
        "New members can join a cohort before session number",
        noun="session number",
        minimum=1,
        maximum=20,
        description="For example, 3 means people can join until the second session has been "
        "held. 1 means nobody joins after the first session.",
    )
    members_can_move_until = OptionalDateField(
        "Members can ask to move to another cohort until (optional)",
        noun="date members can move until",
        description="Members choose among the round's cohorts with room that the rules "
        "allow, up to and including this day. Leave it blank and they contact the Growth Hub "
        "instead. For example, 31 1 2027",
    )
    submit = SubmitField("Save changes", widget=GovSubmitInput())

    # The round's completion threshold, set by the view: the planned hours cannot fall below it.
    completion_threshold_hours: int | None = None

    def validate_cohort_size_max(self, field: WholeNumberField) -> None:
        smallest = self.cohort_size_min.data
        if smallest is not None and not self.cohort_size_min.errors and field.data < smallest:
            raise ValidationError(
                "The largest cohort must be the same as or more than the smallest"
            )

    def validate_planned_hours(self, field: WholeNumberField) -> None:
        threshold = self.completion_threshold_hours
        if threshold is not None and field.data < threshold:
            raise ValidationError(
                f"Total planned hours must be at least the completion threshold ({threshold} hours)"
            )

    def settings(self) -> dict[str, Any]:
        return {name: getattr(self, name).data for name in SETTING_GROUPS["cohorts"]}


class ThresholdsForm(PortalForm):
    completion_threshold_hours = WholeNumberField(
        "Completion threshold in hours",
        noun="completion threshold",
        minimum=1,
        maximum=100,
        description="A participant completes when the group hours they attended reach this",
    )
    business_supported_threshold_hours = WholeNumberField(
        "Business supported threshold in hours",
        noun="business supported threshold",
        minimum=1,
        maximum=200,
        description="A business counts as supported when its participants’ group hours "
        "attended and one-to-one hours together reach this",
    )
    submit = SubmitField("Save changes", widget=GovSubmitInput())

    # The round's planned hours, set by the view: nobody could complete above them.
    planned_hours: int | None = None

    def validate_completion_threshold_hours(self, field: WholeNumberField) -> None:
        if self.planned_hours is not None and field.data > self.planned_hours:
            raise ValidationError(
                "The completion threshold must be no more than the total planned hours "
                f"({self.planned_hours} hours)"
            )

    def settings(self) -> dict[str, Any]:
        return {
            "completion_threshold_hours": self.completion_threshold_hours.data,
            "business_supported_threshold_hours": self.business_supported_threshold_hours.data,
        }


class OneToOneForm(PortalForm):
    one_to_one_hours_per_participant = WholeNumberField(
        "Hours of one-to-one support for each participant",
        noun="hours of one-to-one support",
        minimum=0,
        maximum=50,
    )
    cancellation_cutoff_hours = WholeNumberField(
        "Cancellation cut-off in hours",
        noun="cancellation cut-off",
        minimum=0,
        maximum=168,
        description="Cancelling less than this many hours before a booking is a late cancellation",
    )
    late_cancellation_counts = RadioField(
        "Do late cancellations and no-shows use up the participant’s hours?",
        choices=YES_NO,
        coerce=_yes_no,
        widget=GovRadioInput(),
        validators=[Required("Select yes if late cancellations and no-shows use up hours")],
        invalid_choice_message="Select yes if late cancellations and no-shows use up hours",
    )
    coach_pool = RadioField(
        "Which coaches are participants offered?",
        choices=[SelectChoice(pool.value, pool.label) for pool in CoachPool],
        widget=GovRadioInput(),
        validators=[Required("Select which coaches participants are offered")],
        invalid_choice_message="Select which coaches participants are offered",
    )
    submit = SubmitField("Save changes", widget=GovSubmitInput())

    def settings(self) -> dict[str, Any]:
        return {
            "one_to_one_hours_per_participant": self.one_to_one_hours_per_participant.data,
            "cancellation_cutoff_hours": self.cancellation_cutoff_hours.data,
            "late_cancellation_counts": self.late_cancellation_counts.data == "yes",
            "coach_pool": CoachPool(self.coach_pool.data),
        }


class SurveysForm(PortalForm):
    exit_survey_days_after_last_session = WholeNumberField(
        "Days after the last session to send the exit survey",
        noun="days after the last session",
        minimum=0,
        maximum=60,
        description="0 sends it as soon as the last session has been held",
    )
    follow_up_survey_months = WholeNumberField(
        "Months after the exit survey to send the follow-up survey",
        noun="months after the exit survey",
        minimum=1,
        maximum=24,
    )
    survey_reminder_days = DayListField(
        "Days after a survey is sent to remind people who have not answered",
        noun="reminder days",
        maximum=60,
        description="Separate the days with commas, for example 7, 14. Leave blank for no "
        "reminders.",
    )
    submit = SubmitField("Save changes", widget=GovSubmitInput())

    def settings(self) -> dict[str, Any]:
        return {
            "exit_survey_days_after_last_session": self.exit_survey_days_after_last_session.data,
            "follow_up_survey_months": self.follow_up_survey_months.data,
            "survey_reminder_days": list(self.survey_reminder_days.data),
        }


def form_for(group: str, round: Round | None, *, submitted: bool) -> PortalForm:
    """The edit form for a group of settings: filled from the round until it is submitted.

    A submitted form never falls back to the stored value for a question left out of the
    request, so every question is answered by what was sent.
    """
    form_class = EDIT_FORMS[group]
    return form_class(obj=None if submitted else round)


EDIT_FORMS: dict[str, type[PortalForm]] = {
    "details": RoundDetailsForm,
    "eligibility": EligibilityForm,
    "cohorts": CohortsForm,
    "thresholds": ThresholdsForm,
    "one-to-one": OneToOneForm,
    "surveys": SurveysForm,
}
