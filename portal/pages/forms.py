from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovRadioInput, GovSubmitInput
from wtforms import RadioField, SelectChoice, SubmitField, TextAreaField
from wtforms.validators import Length

from portal.forms import PortalForm, Required, strip_whitespace
from portal.pages.models import FeedbackRating

FEEDBACK_MAX_LENGTH = 1200


class FeedbackForm(PortalForm):
    rating = RadioField(
        "Overall, how do you feel about this service?",
        choices=[SelectChoice(rating.value, rating.label) for rating in FeedbackRating],
        widget=GovRadioInput(),
        validators=[Required("Select how you feel about this service")],
    )
    comments = TextAreaField(
        "How could we improve this service?",
        description="Do not include personal or business details, such as your name, "
        "email address or phone number.",
        widget=GovCharacterCount(),
        filters=[strip_whitespace],
        validators=[
            Length(
                max=FEEDBACK_MAX_LENGTH,
                message=f"Improvements must be {FEEDBACK_MAX_LENGTH:,} characters or fewer",
            )
        ],
    )
    submit = SubmitField("Send feedback", widget=GovSubmitInput())
