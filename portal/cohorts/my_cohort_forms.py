"""The participant's forms on "Your cohort": leaving the group, and a new calendar feed link."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from portal.cohorts.facilitation_forms import reason_field
from portal.forms import PortalForm


class LeaveForm(PortalForm):
    reason = reason_field(
        "Why are you leaving?",
        "Enter why you are leaving the group",
        "This helps us improve the programme. Your facilitator and the Growth Hub's team "
        "will see it.",
    )
    submit = SubmitField("Leave the group", widget=GovSubmitInput())


class FeedLinkForm(PortalForm):
    submit = SubmitField("Create a calendar link", widget=GovSubmitInput())
