"""The facilitator's forms: a cohort's delivery settings, changes to sessions, the register.

The register is built per session, one question per member (``session_record_form``): the
members differ from session to session. Forms only parse what was typed; the rules (hours
within the session's length, members only) live in ``portal.cohorts.sessions`` and
``portal.cohorts.registers``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import Field, RadioField, SelectChoice, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional, StopValidation, ValidationError

from portal.cohorts.models import AttendanceStatus
from portal.cohorts.schedule import (
    MAX_PLANNED_HOURS,
    MAX_SESSION_MINUTES,
    MIN_PLANNED_HOURS,
    MIN_SESSION_MINUTES,
)
from portal.forms import PortalForm, Required, strip_whitespace
from portal.rounds.fields import CheckboxesField, DateField, WholeNumberField

REASON_MAX = 500
NOTES_MAX = 5000
LINK_MAX = 500
VENUE_MAX = 500


def venue_field() -> TextAreaField:
    """Where an in-person group meets (the delivery settings and an officer's changes)."""
    return TextAreaField(
        "Venue (optional)",
        description="The address, and where to go when people arrive. Members see this.",
        widget=GovCharacterCount(),
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(max=VENUE_MAX, message=f"The venue must be {VENUE_MAX} characters or fewer"),
        ],
    )


def online_link_field() -> StringField:
    """The link to an online group's meeting; ``check_link`` checks its form."""
    return StringField(
        "Link to the online meeting (optional)",
        description="For example, https://meet.example.com/peer-group. Members see this.",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(max=LINK_MAX, message=f"The link must be {LINK_MAX} characters or fewer"),
        ],
        render_kw={"spellcheck": "false", "type": "url"},
    )


def check_link(field: StringField) -> None:
    if field.data and not _is_link(field.data):
        raise ValidationError(
            "Enter the link in the correct format, starting https://, like "
            "https://meet.example.com/peer-group"
        )


FREQUENCY_CHOICES = [
    SelectChoice("7", "Every week"),
    SelectChoice("14", "Every 2 weeks (fortnightly)"),
    SelectChoice("21", "Every 3 weeks"),
    SelectChoice("28", "Every 4 weeks"),
]

_TIME = re.compile(r"(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<half>am|pm|a\.m\.|p\.m\.)?")


def parse_time(text: str) -> dt.time | None:
    """A time as people type it: "9:30", "09:30", "9.30am", "2pm", "14:00", "midday".

    None when it is not a real time.
    """
    cleaned = text.strip().lower().replace(" ", "")
    if cleaned in {"midday", "noon", "12noon"}:
        return dt.time(12, 0)
    match = _TIME.fullmatch(cleaned)
    if match is None:
        return None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    half = (match["half"] or "").replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif match["minute"] is None:
        return None  # "9" alone could be morning or evening
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return dt.time(hour, minute)


def time_text(value: dt.time) -> str:
    """How a stored time is shown in a form: "9:30am", "2pm"."""
    suffix = "am" if value.hour < 12 else "pm"
    hour = value.hour % 12 or 12
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


class TimeField(Field):
    """A London wall-clock time typed in a text input (GOV.UK has no time component)."""

    # As WTForms' own fields: the answer, untyped (None until given; validation refuses None
    # where an answer is required, so views read it as given).
    data: Any

    widget = GovTextInput()

    def __init__(self, label: str, *, noun: str, **kwargs: Any) -> None:
        render_kw = {"spellcheck": "false", "autocomplete": "off", **kwargs.pop("render_kw", {})}
        kwargs.setdefault("description", "For example, 9:30am or 2pm")
        super().__init__(label, render_kw=render_kw, **kwargs)
        self.noun = noun

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return time_text(self.data) if isinstance(self.data, dt.time) else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        text = str(valuelist[0]).strip() if valuelist else ""
        if not text:
            return
        parsed = parse_time(text)
        if parsed is None:
            raise ValueError(
                f"{self.noun[:1].upper()}{self.noun[1:]} must be a real time, like 9:30am or 2pm"
            )
        self.data = parsed

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            raise StopValidation()
        if self.data is None:
            raise StopValidation(f"Enter the {self.noun}")


def reason_field(label: str, message: str, description: str) -> TextAreaField:
    return TextAreaField(
        label,
        description=description,
        widget=GovCharacterCount(),
        filters=[strip_whitespace],
        validators=[
            Required(message),
            Length(max=REASON_MAX, message=f"The reason must be {REASON_MAX} characters or fewer"),
        ],
    )


def _session_length_field(label: str = "Session length in minutes") -> WholeNumberField:
    return WholeNumberField(
        label,
        noun="session length",
        minimum=MIN_SESSION_MINUTES,
        maximum=MAX_SESSION_MINUTES,
        description="For example, 150 for 2 and a half hours",
    )


def _is_link(value: str) -> bool:
    return bool(re.fullmatch(r"https://[^\s/]+\.[^\s]+", value))


class DeliverySettingsForm(PortalForm):
    start_on = DateField(
        "Date of the first session",
        noun="date of the first session",
        description="For example, 15 9 2026",
    )
    start_time = TimeField("Start time", noun="start time")
    session_length_minutes = _session_length_field()
    session_frequency_days = RadioField(
        "How often does the group meet?",
        choices=FREQUENCY_CHOICES,
        widget=GovRadioInput(),
        validators=[Required("Select how often the group meets")],
        invalid_choice_message="Select how often the group meets",
    )
    planned_hours = WholeNumberField(
        "Total hours of group sessions",
        noun="total hours",
        minimum=MIN_PLANNED_HOURS,
        maximum=MAX_PLANNED_HOURS,
    )
    venue = venue_field()
    online_link = online_link_field()
    submit = SubmitField("Save settings", widget=GovSubmitInput())

    def validate_online_link(self, field: StringField) -> None:
        check_link(field)


class SessionTimeForm(PortalForm):
    starts_on = DateField("Date", noun="date", description="For example, 27 10 2026")
    start_time = TimeField("Start time", noun="start time")


class MoveSessionForm(SessionTimeForm):
    reason = reason_field(
        "Why is the session moving?",
        "Enter why the session is moving",
        "Members will read this in the email telling them about the change.",
    )
    submit = SubmitField("Move the session", widget=GovSubmitInput())


class AddSessionForm(SessionTimeForm):
    length_minutes = _session_length_field()
    reason = reason_field(
        "Why are you adding a session?",
        "Enter why you are adding a session",
        "Members will read this in the email inviting them to the session.",
    )
    submit = SubmitField("Add the session", widget=GovSubmitInput())


class CancelSessionForm(PortalForm):
    reason = reason_field(
        "Why is the session cancelled?",
        "Enter why the session is cancelled",
        "Members will read this in the email telling them about the cancellation.",
    )
    submit = SubmitField("Cancel the session", widget=GovSubmitInput())


class GenerateScheduleForm(PortalForm):
    submit = SubmitField("Create the sessions", widget=GovSubmitInput())


# The register


EVERYONE = "everyone"


@dataclass(frozen=True)
class RegisterMember:
    place_id: int
    name: str


def _attendance_field(name: str) -> RadioField:
    return RadioField(
        f"Did {name} attend?",
        choices=[
            SelectChoice(status.value, status.label)
            for status in AttendanceStatus
            if status != AttendanceStatus.PRESENT
        ],
        widget=GovRadioInput(),
        validators=[Required(f"Select whether {name} attended")],
        invalid_choice_message=f"Select whether {name} attended",
    )


def _hours_field(name: str) -> StringField:
    return StringField(
        "Hours attended",
        description="For example, 1.5 for an hour and a half",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        render_kw={"inputmode": "decimal", "spellcheck": "false"},
    )


class SessionRecordForm(PortalForm):
    """The register's first question (who did not attend the whole session?), the themes
    discussed and private notes.

    Built by ``session_record_form``; ``members`` holds who the register is about. The
    register starts from everyone present: only the members named in ``missed`` are asked
    about, on the next page (``ExceptionsForm``).
    """

    members: list[RegisterMember]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators=extra_validators)
        if self.members and EVERYONE in (self.missed.data or []) and len(self.missed.data) > 1:
            self.missed.errors = [
                "Select who did not attend the whole session, or select that everyone "
                "attended, not both"
            ]
            valid = False
        return valid

    def missed_places(self) -> list[int]:
        """The places of the members who did not attend the whole session, in page order."""
        chosen = set(self.missed.data or []) if self.members else set()
        return [m.place_id for m in self.members if str(m.place_id) in chosen]


def session_record_form(
    members: list[RegisterMember],
    issue_choices: list[SelectChoice],
    *,
    with_register: bool,
    **kwargs: Any,
) -> SessionRecordForm:
    """The session's form, its fields in page order: the register question, themes, notes."""
    fields: dict[str, Any] = {}
    if with_register and members:
        fields["missed"] = CheckboxesField(
            "Who did not attend the whole session?",
            description="Select each member who sent apologies, did not come, or was there "
            "for part of it. You tell us about each of them next.",
            choices=[SelectChoice(str(m.place_id), m.name) for m in members]
            + [SelectChoice(EVERYONE, "Everyone attended the whole session")],
            required_message="Select who did not attend the whole session, or select that "
            "everyone attended",
            invalid_choice_message="Select members of the group from the list",
        )
    fields["themes"] = CheckboxesField(
        "Which issues did the group discuss?",
        description="Select all that apply. These are counted in the programme's figures; "
        "no names are attached to them.",
        choices=issue_choices,
        invalid_choice_message="Select issues from the list",
    )
    fields["notes"] = TextAreaField(
        "Your notes",
        widget=GovCharacterCount(),
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(max=NOTES_MAX, message=f"Notes must be {NOTES_MAX:,} characters or fewer"),
        ],
    )
    fields["submit"] = SubmitField("Save and continue", widget=GovSubmitInput())
    form_class = type("BoundSessionRecordForm", (SessionRecordForm,), fields)
    form = form_class(**kwargs)
    form.members = members if with_register else []
    return form


class ExceptionsForm(PortalForm):
    """The register's exceptions: one question for each member who did not attend the whole
    session. Everyone else in the group was present for all of it.

    Built by ``exceptions_form``; ``members`` holds who each question is about.
    """

    members: list[RegisterMember]

    def attendance(self, member: RegisterMember) -> RadioField:
        return self[f"attendance_{member.place_id}"]

    def hours(self, member: RegisterMember) -> StringField:
        return self[f"hours_{member.place_id}"]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators=extra_validators)
        for member in self.members:
            field = self.hours(member)
            chosen = self.attendance(member).data
            if chosen != AttendanceStatus.PARTIAL.value:
                if field.data and chosen in {s.value for s in AttendanceStatus}:
                    field.errors = [
                        f"You entered hours for {member.name}: select present for part of "
                        "the session, or delete the hours"
                    ]
                    valid = False
                continue
            if field.data and parse_hours(field.data) is None:
                field.errors = [
                    f"Hours {member.name} attended must be a number, like 1.5, "
                    "with up to 2 decimal places"
                ]
                valid = False
        return valid

    def entries(
        self, everyone: list[RegisterMember]
    ) -> list[tuple[int, AttendanceStatus, Decimal | None]]:
        """Every member's answer (place, status, hours for partial attendance): the answers
        given here, and present for the rest of ``everyone``."""
        asked = {m.place_id for m in self.members}
        answers: list[tuple[int, AttendanceStatus, Decimal | None]] = [
            (m.place_id, AttendanceStatus.PRESENT, None)
            for m in everyone
            if m.place_id not in asked
        ]
        for member in self.members:
            status = AttendanceStatus(self.attendance(member).data)
            hours = (
                parse_hours(self.hours(member).data or "")
                if status == AttendanceStatus.PARTIAL
                else None
            )
            answers.append((member.place_id, status, hours))
        return answers


def exceptions_form(members: list[RegisterMember], **kwargs: Any) -> ExceptionsForm:
    """One attendance question (not present for the whole session) and hours box a member."""
    fields: dict[str, Any] = {}
    for member in members:
        fields[f"attendance_{member.place_id}"] = _attendance_field(member.name)
        fields[f"hours_{member.place_id}"] = _hours_field(member.name)
    fields["submit"] = SubmitField("Save the register", widget=GovSubmitInput())
    form_class = type("BoundExceptionsForm", (ExceptionsForm,), fields)
    form = form_class(**kwargs)
    form.members = members
    return form


def parse_hours(text: str) -> Decimal | None:
    """A number of hours with up to 2 decimal places ("1.5", "2", "0.75"), or None."""
    if not re.fullmatch(r"\d{1,3}(\.\d{1,2})?|\.\d{1,2}", text.strip()):
        return None
    try:
        return Decimal(text.strip())
    except InvalidOperation:  # pragma: no cover (the pattern rules it out)
        return None
