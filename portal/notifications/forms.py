from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from portal.forms import PortalForm


class ResendForm(PortalForm):
    submit = SubmitField("Send again", widget=GovSubmitInput())
