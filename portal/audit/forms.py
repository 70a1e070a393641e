from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import Length, Optional

from portal.forms import GovukDateField, PortalForm, strip_whitespace


class AuditFilterForm(PortalForm):
    """Filters in the query string: a GET form, so it carries no CSRF token."""

    class Meta:
        csrf = False

    action = StringField(
        "What happened",
        description="For example, user.invited, or user for everything about users",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(max=80, message="What happened must be 80 characters or fewer"),
        ],
    )
    actor_email = StringField(
        "Done by (email address)",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(max=320, message="Email address must be 320 characters or fewer"),
        ],
    )
    entity_type = StringField(
        "Kind of record",
        description="For example, user, contractor or round",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(max=60, message="Kind of record must be 60 characters or fewer"),
        ],
    )
    entity_id = StringField(
        "Record number",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(max=60, message="Record number must be 60 characters or fewer"),
        ],
    )
    date_from = GovukDateField("From", name_in_errors="The from date")
    date_to = GovukDateField("To", name_in_errors="The to date")
    submit = SubmitField("Search", widget=GovSubmitInput())
