"""The people pages' forms: logging a contact note, and the search box."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SelectChoice, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from portal.forms import PortalForm, Required, strip_whitespace
from portal.people.models import ContactChannel
from portal.people.notes import NOTE_MAX
from portal.people.search import QUERY_MAX
from portal.rounds.fields import DateField


class ContactNoteForm(PortalForm):
    contacted_on = DateField(
        "When were you in contact?",
        noun="date of the contact",
        description="For example, 27 11 2026",
    )
    channel = RadioField(
        "How were you in contact?",
        choices=[SelectChoice(channel.value, channel.label) for channel in ContactChannel],
        widget=GovRadioInput(),
        validators=[Required("Select how you were in contact")],
        invalid_choice_message="Select how you were in contact",
    )
    text = TextAreaField(
        "What was said",
        widget=GovCharacterCount(),
        filters=[strip_whitespace],
        validators=[
            Required("Enter what was said"),
            Length(max=NOTE_MAX, message=f"The note must be {NOTE_MAX} characters or fewer"),
        ],
    )
    submit = SubmitField("Save the note", widget=GovSubmitInput())


class SearchForm(PortalForm):
    """The search box, in the query string: a GET form, so it carries no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(
        "Name, email address, business, postcode or reference",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(max=QUERY_MAX, message=f"Search must be {QUERY_MAX} characters or fewer"),
        ],
    )
