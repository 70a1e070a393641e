from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import Length, Optional

from portal.auth.forms import SendableEmail, email_field
from portal.auth.models import Contractor, Role, UserStatus
from portal.forms import PortalForm, Required, reason_field, strip_whitespace


def role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, role.label) for role in Role]


def contractor_choices(contractors: list[Contractor]) -> list[SelectChoice]:
    return [SelectChoice(str(c.id), c.name) for c in contractors]


class AccessForm(PortalForm):
    roles = SelectMultipleField(
        "Roles",
        description="Select all that apply.",
        choices=role_choices(),
        widget=GovCheckboxesInput(),
    )
    contractors = SelectMultipleField(
        "Organisations",
        description="Facilitators, coaches and contractor leads see only their organisation's "
        "cohorts and figures. Select all that apply.",
        choices=[],
        widget=GovCheckboxesInput(),
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class InviteUserForm(AccessForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Required("Enter their full name"),
            Length(max=200, message="Full name must be 200 characters or fewer"),
        ],
    )
    email = email_field()
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class DeactivateForm(PortalForm):
    reason = reason_field("Enter why you are deactivating this account")
    submit = SubmitField("Deactivate account", widget=GovSubmitInput())


class ReactivateForm(PortalForm):
    reason = reason_field("Enter why you are reactivating this account")
    submit = SubmitField("Reactivate account", widget=GovSubmitInput())


class EraseForm(PortalForm):
    reason = reason_field("Enter why you are erasing this person's data")
    submit = SubmitField("Erase their personal data", widget=GovSubmitInput())


class RestrictForm(PortalForm):
    reason = reason_field("Enter why you are restricting this person's data")
    submit = SubmitField("Restrict processing", widget=GovSubmitInput())


class LiftRestrictionForm(PortalForm):
    reason = reason_field("Enter why you are lifting the restriction")
    submit = SubmitField("Lift the restriction", widget=GovSubmitInput())


class ContractorForm(PortalForm):
    name = StringField(
        "Organisation name",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Required("Enter the organisation's name"),
            Length(max=200, message="Organisation name must be 200 characters or fewer"),
        ],
    )
    contact_email = StringField(
        "Contact email address (optional)",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(max=320, message="Email address must be 320 characters or fewer"),
            SendableEmail(),
        ],
        render_kw={"type": "email", "spellcheck": "false"},
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class EndContractorForm(PortalForm):
    reason = reason_field("Enter why this contract has ended")
    submit = SubmitField("End contract", widget=GovSubmitInput())


class UserFilterForm(PortalForm):
    """Filters in the query string: a GET form, so it carries no CSRF token."""

    class Meta:
        csrf = False

    search = StringField(
        "Name or email address",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=200, message="Search must be 200 characters or fewer")],
    )
    role = SelectField(
        "Role",
        choices=[SelectChoice("", "Any role"), *role_choices()],
        widget=GovSelect(),
        validators=[Optional()],
    )
    status = SelectField(
        "Status",
        choices=[SelectChoice("", "Any status")]
        + [SelectChoice(s.value, s.value.capitalize()) for s in UserStatus],
        widget=GovSelect(),
        validators=[Optional()],
    )
    submit = SubmitField("Filter", widget=GovSubmitInput())
