"""Forms for one-to-one support: the coach's availability, booking and cancelling, what
happened, support outside the booking system, and the report's filters.

Forms only parse what was typed; the rules live in ``portal.coaching.services`` and
``portal.coaching.diary``. Choices that depend on the person (their coach's support types,
the people a coach supports) are set by the view.
"""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional, StopValidation, ValidationError

from portal.coaching.diary import (
    LENGTH_CHOICES,
    MAX_BUFFER_MINUTES,
    MAX_HORIZON_WEEKS,
    MAX_NOTICE_HOURS,
    WEEKDAY_NAMES,
)
from portal.coaching.models import ExceptionKind, LocationType, SupportChannel
from portal.coaching.scope import minutes_text
from portal.coaching.services import MAX_DELIVERED_MINUTES, NOTE_MAX, TOPIC_MAX
from portal.cohorts.facilitation_forms import TimeField
from portal.forms import PortalForm, Required, strip_whitespace
from portal.rounds.fields import CheckboxesField, DateField, WholeNumberField

ABOUT_MAX = 1000
ADDRESS_MAX = 500
LINK_MAX = 500
REASON_MAX = 500
DAY_NOTE_MAX = 200


def _text_area(
    label: str, *, maximum: int, noun: str, required: str | None = None, **kwargs: Any
) -> TextAreaField:
    validators: list[Any] = [Required(required)] if required else [Optional()]
    validators.append(
        Length(
            max=maximum,
            message=f"{noun[:1].upper()}{noun[1:]} must be {maximum} characters or fewer",
        )
    )
    return TextAreaField(
        label,
        widget=GovCharacterCount(),
        filters=[strip_whitespace],
        validators=validators,
        **kwargs,
    )


class OptionalTimeField(TimeField):
    """A London wall-clock time that may be left blank."""

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            raise StopValidation()


class OptionalWholeNumber(WholeNumberField):
    """A whole number that may be left blank (the form decides when it is needed)."""

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            raise StopValidation()
        if self.data is not None:
            super().pre_validate(form)


class OptionalDateField(DateField):
    """A date that may be left blank."""

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            raise StopValidation()


# The coach's availability


class ProfileForm(PortalForm):
    session_lengths = CheckboxesField(
        "Session lengths you offer",
        description="Select all that apply. People choose one when they book.",
        choices=[SelectChoice(str(m), minutes_text(m)) for m in LENGTH_CHOICES],
        required_message="Select at least one session length",
        invalid_choice_message="Select session lengths from the list",
    )
    support_types = CheckboxesField(
        "Kinds of support you give",
        description="Select all that apply.",
        required_message="Select the kinds of support you give",
    )
    buffer_minutes = WholeNumberField(
        "Break between bookings",
        noun="break between bookings",
        minimum=0,
        maximum=MAX_BUFFER_MINUTES,
        description="Minutes kept free after each booking. Enter 0 for none.",
    )
    min_notice_hours = WholeNumberField(
        "Notice you need",
        noun="notice you need",
        minimum=0,
        maximum=MAX_NOTICE_HOURS,
        description="The fewest hours ahead someone can book you. For example, 24 for a day.",
    )
    horizon_weeks = WholeNumberField(
        "How far ahead people can book",
        noun="how far ahead people can book",
        minimum=1,
        maximum=MAX_HORIZON_WEEKS,
        description="In weeks. For example, 8.",
    )
    location_type = RadioField(
        "How do you meet people?",
        choices=[SelectChoice(t.value, t.label) for t in LocationType],
        widget=GovRadioInput(),
        validators=[Required("Select how you meet people")],
        invalid_choice_message="Select how you meet people",
    )
    video_link = StringField(
        "Link to your video meeting room (optional)",
        description="For video calls. For example, https://meet.example.com/colin. People see "
        "it when they book.",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(max=LINK_MAX, message=f"The link must be {LINK_MAX} characters or fewer"),
        ],
        render_kw={"spellcheck": "false"},
    )
    address = _text_area(
        "Address where you meet people",
        maximum=ADDRESS_MAX,
        noun="the address",
        description="For meeting in person. People see it when they book.",
    )
    about = _text_area(
        "About you (optional)",
        maximum=ABOUT_MAX,
        noun="about you",
        description="A few lines to help people choose: your background and what you help "
        "businesses with.",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate_video_link(self, field: StringField) -> None:
        if field.data and not field.data.startswith("https://"):
            raise ValidationError(
                "Enter the link in the correct format, starting https://, like "
                "https://meet.example.com/colin"
            )

    def validate_address(self, field: TextAreaField) -> None:
        if self.location_type.data == LocationType.IN_PERSON.value and not field.data:
            raise ValidationError("Enter the address where you meet people")


WEEKDAY_CHOICES = [SelectChoice(str(number), name) for number, name in enumerate(WEEKDAY_NAMES)]


class WeeklyHoursForm(PortalForm):
    weekday = RadioField(
        "Day of the week",
        choices=WEEKDAY_CHOICES,
        widget=GovRadioInput(),
        validators=[Required("Select the day of the week")],
        invalid_choice_message="Select the day of the week",
    )
    start_time = TimeField("Start time", noun="start time")
    end_time = TimeField("End time", noun="end time")
    submit = SubmitField("Add these hours", widget=GovSubmitInput())


class DayChangeForm(PortalForm):
    on = DateField("Date", noun="date", description="For example, 24 12 2026")
    kind = RadioField(
        "What changes on this day?",
        choices=[
            SelectChoice(ExceptionKind.TIME_OFF.value, "I am not available"),
            SelectChoice(ExceptionKind.EXTRA_HOURS.value, "I am available for extra hours"),
        ],
        widget=GovRadioInput(),
        validators=[Required("Select what changes on this day")],
        invalid_choice_message="Select what changes on this day",
    )
    start_time = OptionalTimeField(
        "Start time", noun="start time", description="Leave both times blank for the whole day off"
    )
    end_time = OptionalTimeField("End time", noun="end time", description="For example, 5pm")
    note = StringField(
        "Note for yourself (optional)",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(
                max=DAY_NOTE_MAX, message=f"The note must be {DAY_NOTE_MAX} characters or fewer"
            ),
        ],
    )
    submit = SubmitField("Save this change", widget=GovSubmitInput())


# Booking


class BookForm(PortalForm):
    support_type = RadioField(
        "What kind of support do you want?",
        widget=GovRadioInput(),
        validators=[Required("Select the kind of support you want")],
        invalid_choice_message="Select the kind of support you want",
    )
    topic = _text_area(
        "What would you like to talk about?",
        maximum=TOPIC_MAX,
        noun="what you would like to talk about",
        required="Enter what you would like to talk about",
        description="Your coach reads this before you meet. For example, an issue from your "
        "group you want to take further.",
    )
    submit = SubmitField("Confirm booking", widget=GovSubmitInput())


class RescheduleForm(PortalForm):
    submit = SubmitField("Move my booking", widget=GovSubmitInput())


class ParticipantCancelForm(PortalForm):
    reason = _text_area(
        "Why are you cancelling? (optional)",
        maximum=REASON_MAX,
        noun="the reason",
        description="Your coach will see this.",
    )
    submit = SubmitField("Cancel my booking", widget=GovSubmitInput())


class CoachCancelForm(PortalForm):
    reason = _text_area(
        "Why are you cancelling?",
        maximum=REASON_MAX,
        noun="the reason",
        required="Enter why you are cancelling",
        description="The participant reads this in the email telling them.",
    )
    submit = SubmitField("Cancel the booking", widget=GovSubmitInput())


class OutcomeForm(PortalForm):
    outcome = RadioField(
        "What happened?",
        choices=[
            SelectChoice("delivered", "The session took place"),
            SelectChoice("no_show", "They did not come"),
        ],
        widget=GovRadioInput(),
        validators=[Required("Select what happened")],
        invalid_choice_message="Select what happened",
    )
    minutes = OptionalWholeNumber(
        "How many minutes did it last?",
        noun="minutes",
        minimum=1,
        maximum=MAX_DELIVERED_MINUTES,
        description="If it took place.",
    )
    note = _text_area(
        "Notes (optional)",
        maximum=NOTE_MAX,
        noun="the notes",
        description="Only you can see these.",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate_minutes(self, field: WholeNumberField) -> None:
        if self.outcome.data == "delivered" and field.data is None:
            raise StopValidation("Enter how many minutes the session lasted")


class OutsideSupportForm(PortalForm):
    place_id = SelectField(
        "Who did you support?",
        widget=GovSelect(),
        validators=[Required("Select who you supported")],
        invalid_choice_message="Select who you supported",
    )
    happened_on = DateField("Date", noun="date", description="For example, 3 11 2026")
    minutes = WholeNumberField(
        "How many minutes?", noun="minutes", minimum=1, maximum=MAX_DELIVERED_MINUTES
    )
    channel = RadioField(
        "How?",
        choices=[SelectChoice(c.value, c.label) for c in SupportChannel],
        widget=GovRadioInput(),
        validators=[Required("Select how you gave the support")],
        invalid_choice_message="Select how you gave the support",
    )
    support_type = RadioField(
        "Kind of support",
        widget=GovRadioInput(),
        validators=[Required("Select the kind of support")],
        invalid_choice_message="Select the kind of support",
    )
    note = _text_area(
        "Notes (optional)",
        maximum=NOTE_MAX,
        noun="the notes",
        description="Only you can see these.",
    )
    submit = SubmitField("Record support", widget=GovSubmitInput())


# Filters (GET forms: no CSRF token)


class TimesFilterForm(PortalForm):
    class Meta:
        csrf = False

    from_date = OptionalDateField(
        "Show times from", noun="date to show times from", description="For example, 7 12 2026"
    )
    minutes = RadioField(
        "Session length",
        widget=GovRadioInput(),
        validators=[Optional()],
        invalid_choice_message="Select a session length from the list",
    )
    support = RadioField(
        "Kind of support",
        widget=GovRadioInput(),
        validators=[Optional()],
        invalid_choice_message="Select a kind of support from the list",
    )


class CoachesFilterForm(PortalForm):
    class Meta:
        csrf = False

    support = SelectField(
        "Kind of support",
        widget=GovSelect(),
        validators=[Optional()],
        invalid_choice_message="Select a kind of support from the list",
    )


class ReportFilterForm(PortalForm):
    class Meta:
        csrf = False

    round_id = SelectField(
        "Round",
        widget=GovSelect(),
        validators=[Optional()],
        invalid_choice_message="Select a round from the list",
    )
    by = RadioField(
        "Show hours by",
        choices=[
            SelectChoice("participant", "Participant"),
            SelectChoice("cohort", "Cohort"),
            SelectChoice("coach", "Coach"),
            SelectChoice("contractor", "Contractor"),
        ],
        widget=GovRadioInput(),
        validators=[Optional()],
        invalid_choice_message="Select how to show the hours",
    )
