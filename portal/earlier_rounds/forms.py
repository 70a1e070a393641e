"""The officers' form for importing earlier rounds from a workbook."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import SubmitField

from portal.forms import PortalForm


class EarlierRoundsUploadForm(PortalForm):
    file = FileField(
        "Upload the workbook",
        widget=GovFileInput(),
        validators=[FileRequired("Select an Excel workbook (.xlsx)")],
    )
    submit = SubmitField("Check the workbook", widget=GovSubmitInput())
