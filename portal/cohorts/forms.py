"""Forms for forming cohorts: matching runs, moves, hand-made cohorts, confirming, offers."""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from portal.cohorts.models import DeclineReason
from portal.forms import PortalForm, Required, strip_whitespace
from portal.matching.model import Basis
from portal.registration.models import WEEKDAYS, PartOfDay

# Districts that are near each other, for in-person cohorts: officers can change them per run.
DEFAULT_NEAR_DISTRICTS = (
    "preston, south-ribble, chorley\n"
    "blackpool, fylde, wyre\n"
    "burnley, pendle, rossendale, hyndburn\n"
    "blackburn-with-darwen, ribble-valley\n"
    "lancaster\n"
    "west-lancashire"
)

BASIS_CHOICES = [
    SelectChoice(Basis.SECTOR.value, "Same sector"),
    SelectChoice(Basis.OWNERSHIP.value, "Same ownership profile"),
    SelectChoice(Basis.ORGANISATION.value, "Same business organisation"),
    SelectChoice(Basis.MIXED.value, "Mixed: any of the three, each cohort labelled by its basis"),
]


def _weight(label: str) -> IntegerField:
    return IntegerField(
        label,
        widget=GovTextInput(),
        default=3,
        validators=[
            Required(f"Enter a weight for {label.lower()}, from 0 to 5"),
            NumberRange(
                min=0, max=5, message=f"The weight for {label.lower()} must be from 0 to 5"
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )


class MatchingRunForm(PortalForm):
    basis = RadioField(
        "What should cohorts have in common?",
        choices=BASIS_CHOICES,
        default=Basis.MIXED.value,
        widget=GovRadioInput(),
        validators=[Required("Select what cohorts should have in common")],
    )
    delivery = SelectField(
        "Only people who want to meet",
        choices=[
            SelectChoice("", "Any way"),
            SelectChoice("online", "Online, or either"),
            SelectChoice("in_person", "In person, or either"),
        ],
        widget=GovSelect(),
        validators=[Optional()],
    )
    homogeneity = _weight("Sharing the basis")
    shared_issues = _weight("Shared issues")
    similar_size = _weight("Similar business size")
    no_isolation = _weight("Nobody the only one of their ownership profile")
    near_districts = TextAreaField(
        "Districts near each other, for in-person cohorts",
        description="One group on each line, district names separated by commas. An in-person "
        "cohort only has members from one group.",
        widget=GovTextArea(),
        default=DEFAULT_NEAR_DISTRICTS,
        filters=[strip_whitespace],
        validators=[Length(max=2000, message="Districts must be 2,000 characters or fewer")],
    )
    submit = SubmitField("Run the matching", widget=GovSubmitInput())

    def __init__(self, *args: Any, districts: dict[str, str], **kwargs: Any) -> None:
        """``districts``: each district's name by its code. Officers read and type names;
        codes are accepted too (the form's earlier wording)."""
        super().__init__(*args, **kwargs)
        self.districts = districts
        self._codes = {name.lower(): code for code, name in districts.items()} | {
            code.lower(): code for code in districts
        }
        if not self.is_submitted() and self.near_districts.data == DEFAULT_NEAR_DISTRICTS:
            self.near_districts.data = "\n".join(
                ", ".join(districts.get(code, code) for code in group) for group in self._lines()
            )

    def _lines(self) -> list[list[str]]:
        return [
            [part.strip() for part in line.split(",") if part.strip()]
            for line in (self.near_districts.data or "").splitlines()
            if line.strip()
        ]

    def validate_near_districts(self, field: Any) -> None:
        seen: set[str] = set()
        for line in self._lines():
            for typed in line:
                code = self._codes.get(typed.lower())
                if code is None:
                    raise ValidationError(f"‘{typed}’ is not the name of a district")
                if code in seen:
                    raise ValidationError(f"{self.districts[code]} is in more than one group")
                seen.add(code)

    def groups(self) -> tuple[frozenset[str], ...]:
        """The groups of district codes."""
        return tuple(
            frozenset(self._codes[typed.lower()] for typed in line) for line in self._lines()
        )


class MoveForm(PortalForm):
    target = RadioField(
        "Where should they go?",
        choices=[],
        widget=GovRadioInput(),
        validators=[Required("Select a cohort or the waiting list")],
    )
    submit = SubmitField("Move", widget=GovSubmitInput())


def slot_choices() -> list[SelectChoice]:
    return [
        SelectChoice(f"{day}-{part.value}", f"{WEEKDAYS[day]} {part.value}s")
        for day in range(len(WEEKDAYS))
        for part in PartOfDay
    ]


class ManualCohortForm(PortalForm):
    members = SelectMultipleField(
        "Who is in the cohort?",
        choices=[],
        widget=GovCheckboxesInput(),
    )
    delivery = RadioField(
        "How will it meet?",
        choices=[SelectChoice("online", "Online"), SelectChoice("in_person", "In person")],
        widget=GovRadioInput(),
        validators=[Required("Select how the cohort will meet")],
    )
    slot = SelectField(
        "When will it meet?",
        choices=[SelectChoice("", "Choose a time"), *slot_choices()],
        widget=GovSelect(),
        validators=[Required("Select when the cohort will meet")],
    )
    submit = SubmitField("Check and create the cohort", widget=GovSubmitInput())

    def validate_members(self, field: Any) -> None:
        if not field.data:
            raise ValidationError("Select the people in the cohort")


class ConfirmCohortForm(PortalForm):
    name = StringField(
        "Name of the cohort",
        description="For example, ‘Manufacturing peer group, Preston’. Members see this name.",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Required("Enter a name for the cohort"),
            Length(max=120, message="The name must be 120 characters or fewer"),
        ],
    )
    reply_days = IntegerField(
        "Days to reply to the offer",
        widget=GovTextInput(),
        default=7,
        validators=[
            Required("Enter how many days people have to reply"),
            NumberRange(min=1, max=28, message="Days to reply must be from 1 to 28"),
        ],
        render_kw={"inputmode": "numeric"},
    )
    submit = SubmitField("Confirm and send offers", widget=GovSubmitInput())


class DeliveryAssignmentForm(PortalForm):
    contractor = SelectField(
        "Contractor",
        choices=[],
        widget=GovSelect(),
        validators=[Required("Select a contractor")],
    )
    facilitator = SelectField(
        "Facilitator", choices=[], widget=GovSelect(), validators=[Optional()]
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class ConfirmConflictForm(PortalForm):
    pair = StringField(validators=[Required()])
    submit = SubmitField("Keep apart", widget=GovSubmitInput())


class RespondForm(PortalForm):
    answer = RadioField(
        "Do you want this place?",
        choices=[
            SelectChoice("accept", "Yes, I accept the place"),
            SelectChoice("decline", "No, I decline the place"),
        ],
        widget=GovRadioInput(),
        validators=[Required("Select yes if you want the place")],
    )
    decline_reason = RadioField(
        "If you decline, tell us why (optional)",
        choices=[SelectChoice(reason.value, reason.label) for reason in DeclineReason],
        widget=GovRadioInput(),
        validators=[Optional()],
        validate_choice=False,
    )
    submit = SubmitField("Send my answer", widget=GovSubmitInput())

    def validate_decline_reason(self, field: RadioField) -> None:
        if field.data and field.data not in set(DeclineReason):
            raise ValidationError("Select a reason from the list, or none")
