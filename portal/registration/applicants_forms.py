"""Officers' forms: filtering the applicant list, exporting it, overriding eligibility and
importing a partner's file."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import Length, Optional

from portal.forms import PortalForm, Required, reason_field, strip_whitespace
from portal.registration.models import ApplicationStatus, DeliveryPreference
from portal.registration.queries import LISTED_STATUSES, ApplicantFilters

SORT_CHOICES = [
    SelectChoice("submitted-desc", "Newest first"),
    SelectChoice("submitted-asc", "Oldest first"),
    SelectChoice("name-asc", "Name, A to Z"),
    SelectChoice("name-desc", "Name, Z to A"),
    SelectChoice("business-asc", "Business, A to Z"),
    SelectChoice("business-desc", "Business, Z to A"),
    SelectChoice("status-asc", "Status, first to last"),
    SelectChoice("status-desc", "Status, last to first"),
]
DEFAULT_SORT = "submitted-desc"


def _any(text: str) -> list[SelectChoice]:
    return [SelectChoice("", text)]


class ApplicantFilterForm(PortalForm):
    """Filters in the query string: a GET form, so it carries no CSRF token.

    The round and reference-list choices are filled in by the view.
    """

    class Meta:
        csrf = False

    round = SelectField("Round", choices=[], widget=GovSelect(), validators=[Optional()])
    search = StringField(
        "Name, email address, business or reference",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=200, message="Search must be 200 characters or fewer")],
    )
    status = SelectField(
        "Status",
        choices=_any("Any status")
        + [SelectChoice(status.value, status.label) for status in LISTED_STATUSES],
        widget=GovSelect(),
        validators=[Optional()],
    )
    district = SelectField("District", choices=[], widget=GovSelect(), validators=[Optional()])
    sector = SelectField("Sector", choices=[], widget=GovSelect(), validators=[Optional()])
    ownership = SelectField(
        "Ownership profile", choices=[], widget=GovSelect(), validators=[Optional()]
    )
    organisation = SelectField(
        "Business organisation", choices=[], widget=GovSelect(), validators=[Optional()]
    )
    issue = SelectField("Issue", choices=[], widget=GovSelect(), validators=[Optional()])
    delivery = SelectField(
        "Meeting in person or online",
        choices=_any("Any")
        + [SelectChoice(choice.value, choice.label) for choice in DeliveryPreference],
        widget=GovSelect(),
        validators=[Optional()],
    )
    sort = SelectField(
        "Sort by",
        choices=SORT_CHOICES,
        default=DEFAULT_SORT,
        widget=GovSelect(),
        validators=[Optional()],
    )

    def set_reference_choices(self, choices: dict[str, list[SelectChoice]]) -> None:
        """``choices`` maps a field name to its options (without the "Any" option)."""
        for name, options in choices.items():
            self[name].choices = _any(f"Any {self[name].label.text.lower()}") + options

    def filters(self) -> ApplicantFilters:
        """What was chosen; call after ``validate()`` succeeded (invalid choices are errors)."""
        sort, _, direction = (self.sort.data or DEFAULT_SORT).partition("-")
        return ApplicantFilters(
            status=ApplicationStatus(self.status.data) if self.status.data else None,
            district=self.district.data or "",
            sector=self.sector.data or "",
            ownership=self.ownership.data or "",
            organisation=self.organisation.data or "",
            issue=self.issue.data or "",
            delivery=DeliveryPreference(self.delivery.data) if self.delivery.data else None,
            search=self.search.data or "",
            sort=sort,
            descending=direction == "desc",
        )


class ExportForm(PortalForm):
    sensitive = BooleanField(
        "Include ownership profile answers (sensitive)",
        description="Only include them if you need them. The export is recorded in the audit log.",
        widget=GovCheckboxInput(),
    )
    csv = SubmitField("Download CSV", widget=GovSubmitInput())
    xlsx = SubmitField("Download XLSX", widget=GovSubmitInput())


ELIGIBLE = "eligible"
INELIGIBLE = "ineligible"


class OverrideEligibilityForm(PortalForm):
    decision = RadioField(
        "Can this person take part?",
        choices=[
            SelectChoice(ELIGIBLE, "Eligible"),
            SelectChoice(INELIGIBLE, "Not eligible"),
        ],
        widget=GovRadioInput(),
        validators=[Required("Select whether the person is eligible")],
    )
    reason = reason_field("Enter the reason for changing the eligibility decision")
    submit = SubmitField("Save decision", widget=GovSubmitInput())


class ImportUploadForm(PortalForm):
    round = SelectField(
        "Round to import into",
        choices=[],
        widget=GovSelect(),
        validators=[Required("Select the round to import into")],
    )
    file = FileField(
        "Upload a file",
        description="A CSV or XLSX file of up to 2,000 rows and 2 MB, in the import format.",
        widget=GovFileInput(),
        validators=[FileRequired("Select a CSV or XLSX file")],
    )
    submit = SubmitField("Check the file", widget=GovSubmitInput())
