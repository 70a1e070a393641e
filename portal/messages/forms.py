"""The forms for writing to a group and for changing a standard email's wording."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SelectChoice, StringField, SubmitField, TextAreaField
from wtforms.validators import Length

from portal.auth.models import EmailCategory
from portal.forms import PortalForm, Required, strip_whitespace
from portal.messages.services import BODY_MAX, SUBJECT_MAX
from portal.notifications import wording

ESSENTIAL = "essential"
KIND_CHOICES = [
    SelectChoice(ESSENTIAL, "About their application, place or group (everyone gets it)"),
    SelectChoice(EmailCategory.REMINDERS.value, "A reminder about sessions or support"),
    SelectChoice(EmailCategory.SURVEY_REMINDERS.value, "A reminder to answer a survey"),
    SelectChoice(EmailCategory.PROGRAMME_NEWS.value, "News about future programmes and events"),
]


class MessageForm(PortalForm):
    subject = StringField(
        "Subject",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Required("Enter a subject"),
            Length(
                max=SUBJECT_MAX, message=f"The subject must be {SUBJECT_MAX} characters or fewer"
            ),
        ],
    )
    body = TextAreaField(
        "Message",
        widget=GovCharacterCount(),
        filters=[strip_whitespace],
        validators=[
            Required("Enter the message"),
            Length(max=BODY_MAX, message=f"The message must be {BODY_MAX:,} characters or fewer"),
        ],
    )
    kind = RadioField(
        "What is the message about?",
        description=(
            "People who turned off a kind of email in their preferences are left out of "
            "messages of that kind."
        ),
        choices=KIND_CHOICES,
        widget=GovRadioInput(),
        validators=[Required("Select what the message is about")],
        invalid_choice_message="Select what the message is about",
    )
    submit = SubmitField("Preview the message", widget=GovSubmitInput())

    def category(self) -> EmailCategory | None:
        return None if self.kind.data == ESSENTIAL else EmailCategory(self.kind.data)


class TestForm(PortalForm):
    submit = SubmitField("Send a test to me", widget=GovSubmitInput())


class SendForm(PortalForm):
    submit = SubmitField("Send the message", widget=GovSubmitInput())


class WordingForm(PortalForm):
    subject = StringField(
        "Subject",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Required("Enter the subject"),
            Length(
                max=wording.SUBJECT_MAX,
                message=f"The subject must be {wording.SUBJECT_MAX} characters or fewer",
            ),
        ],
    )
    body = TextAreaField(
        "Opening of the email",
        widget=GovCharacterCount(),
        filters=[strip_whitespace],
        validators=[
            Required("Enter the opening of the email"),
            Length(
                max=wording.BODY_MAX,
                message=f"The opening must be {wording.BODY_MAX} characters or fewer",
            ),
        ],
    )
    preview = SubmitField("Preview", widget=GovSubmitInput())
    save = SubmitField("Save as a new version", widget=GovSubmitInput())
