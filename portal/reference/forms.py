from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError

from portal.forms import PortalForm, strip_whitespace
from portal.reference.editing import CODE_MAX_LENGTH, CODE_PATTERN, code_from_label


def _label_field() -> StringField:
    return StringField(
        "Label",
        description="What people see, for example Supply chain and logistics",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            DataRequired("Enter the label"),
            Length(max=200, message="Label must be 200 characters or fewer"),
        ],
    )


def _note_field() -> StringField:
    return StringField(
        "Description (optional)",
        description="Shown as a hint where people choose from the list",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[Length(max=300, message="Description must be 300 characters or fewer")],
    )


class AddItemForm(PortalForm):
    label = _label_field()
    code = StringField(
        "Code (optional)",
        description="Used in exports and never changes. Leave blank to make one from the label.",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Length(
                max=CODE_MAX_LENGTH,
                message=f"Code must be {CODE_MAX_LENGTH} characters or fewer",
            )
        ],
    )
    note = _note_field()
    submit = SubmitField("Add item", widget=GovSubmitInput())

    def validate_code(self, field: StringField) -> None:
        if field.data:
            if not CODE_PATTERN.fullmatch(field.data):
                raise ValidationError(
                    "Code must start with a letter or number and only include letters, "
                    "numbers, hyphens and underscores"
                )
        elif self.label.data and not code_from_label(self.label.data):
            raise ValidationError("Enter a code, as the label has no letters or numbers")


class ChangeItemForm(PortalForm):
    label = _label_field()
    note = _note_field()
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class RetireItemForm(PortalForm):
    submit = SubmitField("Retire item", widget=GovSubmitInput())


class RestoreItemForm(PortalForm):
    submit = SubmitField("Restore item", widget=GovSubmitInput())
