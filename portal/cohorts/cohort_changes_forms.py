"""Forms for changing a confirmed or running cohort: moving or withdrawing a member, its
details, cancelling it, and a participant asking to move.

Each change is asked, then checked on a "check your answers" page before it is made: the
second step posts the same answers again with ``confirmed=yes``.
"""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import Length, Optional, ValidationError

from portal.cohorts.facilitation_forms import (
    TimeField,
    check_link,
    online_link_field,
    reason_field,
    venue_field,
)
from portal.cohorts.forms import slot_choices
from portal.forms import PortalForm, Required, strip_whitespace

WAITING_LIST = "waiting-list"


class CheckedForm(PortalForm):
    """A form answered, then confirmed on a check-your-answers page."""

    confirmed = HiddenField()

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed.data == "yes"


class AddMemberForm(CheckedForm):
    application = RadioField(
        "Who should be offered a place?",
        choices=[],
        widget=GovRadioInput(),
        validators=[Required("Select someone from the waiting list")],
        invalid_choice_message="Select someone from the waiting list",
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class MoveMemberForm(CheckedForm):
    target = RadioField(
        "Which cohort should they move to?",
        choices=[],
        widget=GovRadioInput(),
        validators=[Required("Select the cohort they should move to")],
        invalid_choice_message="Select the cohort they should move to",
    )
    reason = reason_field(
        "Why are they moving?",
        "Enter why they are moving",
        "They will read this in the email telling them about their new group.",
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class WithdrawMemberForm(CheckedForm):
    reason = reason_field(
        "Why are they being withdrawn?",
        "Enter why they are being withdrawn",
        "They will read this in the email telling them their place has ended.",
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class WithdrawOfferForm(CheckedForm):
    reason = reason_field(
        "Why is the offer being withdrawn?",
        "Enter why the offer is being withdrawn",
        "They will read this in the email telling them the offer is withdrawn.",
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class CohortDetailsForm(CheckedForm):
    # The cohort's details_version when the page was shown (a save against details
    # changed since is refused).
    version = HiddenField()
    name = StringField(
        "Name of the cohort",
        description="Members see this name.",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Required("Enter a name for the cohort"),
            Length(max=120, message="The name must be 120 characters or fewer"),
        ],
    )
    slot = SelectField(
        "When does it meet?",
        choices=slot_choices(),
        widget=GovSelect(),
        validators=[Required("Select when the cohort meets")],
        validate_choice=False,
    )
    start_time = TimeField("Start time", noun="start time")
    delivery = RadioField(
        "How does it meet?",
        choices=[SelectChoice("online", "Online"), SelectChoice("in_person", "In person")],
        widget=GovRadioInput(),
        validators=[Required("Select how the cohort meets")],
        invalid_choice_message="Select how the cohort meets",
    )
    venue = venue_field()
    online_link = online_link_field()
    facilitator = SelectField(
        "Facilitator",
        choices=[],
        widget=GovSelect(),
        validators=[Optional()],
        invalid_choice_message="Select a facilitator from the list",
    )
    reason = reason_field(
        "Why is it changing?",
        "Enter why the cohort is changing",
        "Members will read this in the email telling them what changed.",
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())

    def validate_slot(self, field: SelectField) -> None:
        if field.data not in {choice.value for choice in slot_choices()}:
            raise ValidationError("Select when the cohort meets")

    def validate_online_link(self, field: StringField) -> None:
        check_link(field)


class CancelCohortForm(CheckedForm):
    """The reason; the view adds one ``to_<place id>`` choice per member."""

    reason = reason_field(
        "Why is the cohort cancelled?",
        "Enter why the cohort is cancelled",
        "Members will read this in the email telling them about the cancellation.",
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


def cancel_form(members: list[tuple[int, str]], choices: list[SelectChoice]) -> type:
    """A cancel form with one question per member, (place id, name): where they go."""
    fields: dict[str, Any] = {
        f"to_{place_id}": RadioField(
            f"Where should {name} go?",
            choices=choices,
            widget=GovRadioInput(),
            validators=[Required(f"Select where {name} should go")],
            invalid_choice_message=f"Select where {name} should go",
        )
        for place_id, name in members
    }
    return type("MembersCancelForm", (CancelCohortForm,), fields)


class SelfMoveForm(CheckedForm):
    target = RadioField(
        "Which group would you like to move to?",
        choices=[],
        widget=GovRadioInput(),
        validators=[Required("Select the group you would like to move to")],
        invalid_choice_message="Select the group you would like to move to",
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())
