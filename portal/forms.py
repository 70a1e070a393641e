"""The base form every portal form uses, and the error summary built from it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.main import wtforms_errors
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovDateInput
from werkzeug.datastructures import MultiDict
from wtforms import DateField, TextAreaField
from wtforms.validators import InputRequired, Length, StopValidation

EXPIRED_FORM_MESSAGE = (
    "This page was open for too long or was sent from somewhere else. "
    "Check your answers and submit them again."
)


_NOT_QUESTIONS = frozenset({"CSRFTokenField", "HiddenField", "SubmitField"})


class Required(InputRequired):
    """Like WTForms' InputRequired, but an answer of only spaces counts as no answer.

    InputRequired looks at what was sent before filters run, so "   " would pass and then be
    stripped to nothing; this checks the filtered answer too.
    """

    def __call__(self, form: Any, field: Any) -> None:
        super().__call__(form, field)
        if isinstance(field.data, str) and not field.data.strip():
            field.errors[:] = []
            raise StopValidation(self.message)


def strip_whitespace(value: Any) -> Any:
    """A WTForms filter: surrounding spaces are never part of an answer."""
    return value.strip() if isinstance(value, str) else value


# Control characters other than tab and line breaks: invisible, never meant, and
# PostgreSQL refuses NUL outright. With them, the bidirectional controls (embeddings,
# overrides, isolates and marks): invisible too, and able to make a name in a list read
# backwards or as another's ("\u202egnp.exe" shows as "exe.png").
_CONTROL_CHARACTERS = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def without_control_characters(value: str) -> str:
    """``value`` without control characters: every form answer, query value and imported
    cell passes through here before anything reads it."""
    return _CONTROL_CHARACTERS.sub("", value)


REASON_MAX = 500


def reason_field(message: str) -> TextAreaField:
    """Why a change was made, kept in the audit log (``message`` when it is left empty)."""
    return TextAreaField(
        "Reason",
        description="This is kept in the audit log. Do not include personal details.",
        widget=GovCharacterCount(),
        filters=[strip_whitespace],
        validators=[
            Required(message),
            Length(max=REASON_MAX, message=f"Reason must be {REASON_MAX} characters or fewer"),
        ],
    )


class GovukDateField(DateField):
    """A GOV.UK date input (day, month, year) with GOV.UK error messages.

    Tolerates any number of parts in the request (a tampered form cannot cause an error
    page) and accepts only a real date with a 4-digit year.
    """

    # As WTForms' own fields: the answer, untyped (None until given; validation refuses None
    # where an answer is required, so views read it as given).
    data: Any
    raw_data: list[str] | None  # the three boxes as typed

    widget = GovDateInput()

    def __init__(self, label: str, *, name_in_errors: str | None = None, **kwargs: Any) -> None:
        super().__init__(label, format="%d %m %Y", **kwargs)
        self.name_in_errors = name_in_errors or label

    def process_formdata(self, valuelist: list[Any]) -> None:
        parts = [str(part).strip() for part in [*valuelist, "", "", ""][:3]]
        self.raw_data = parts
        if not any(parts):
            self.data = None
            return
        missing = [
            name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part
        ]
        if missing:
            self.data = None
            raise ValueError(f"{self.name_in_errors} must include a {' and '.join(missing)}")
        day, month, year = parts
        if not (day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4):
            self.data = None
            raise ValueError(f"{self.name_in_errors} must be a real date")
        try:
            self.data = dt.date(int(year), int(month), int(day))
        except ValueError:
            self.data = None
            raise ValueError(f"{self.name_in_errors} must be a real date") from None


class PortalForm(FlaskForm):
    """A FlaskForm whose CSRF failure reads as a GOV.UK message and keeps the answers.

    The token is checked before the view (portal.security); when it fails, the form is
    shown again with what was typed and a new token, so the person can simply resubmit.
    Control characters are removed from every answer before any validator sees it.
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            data = super().wrap_formdata(form, formdata)
            if data is None:
                return None
            cleaned: MultiDict[str, Any] = MultiDict()
            for key, value in data.items(multi=True):
                cleaned.add(
                    key, without_control_characters(value) if isinstance(value, str) else value
                )
            return cleaned

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators=extra_validators)
        csrf_field = getattr(self, "csrf_token", None)
        if csrf_field is not None and csrf_field.errors:
            csrf_field.errors = [EXPIRED_FORM_MESSAGE]
        return valid


def form_status(form: FlaskForm) -> int:
    """The status of a page showing ``form``: 400 when it is shown again with errors, else 200."""
    return 400 if form.errors else 200


def error_summary(form: FlaskForm) -> dict[str, Any]:
    """Params for ``govukErrorSummary``: one link per field error, in page order.

    An expired-form error links to the first question, as the hidden token field cannot
    take focus.
    """
    params = wtforms_errors(form)
    # Every message of a field, not only its first: a change refused by several rules
    # (a move that breaks three of the cohort rules) lists each one.
    listed = []
    for field in form:
        errors = field.errors
        if isinstance(errors, list) and all(isinstance(error, str) for error in errors):
            listed += [{"text": error, "href": f"#{field.id}"} for error in errors]
        else:
            listed += [
                item for item in params["errorList"] if item["href"].startswith(f"#{field.id}")
            ]
    params["errorList"] = listed
    visible_ids = [field.id for field in form if field.type not in _NOT_QUESTIONS]
    first = f"#{visible_ids[0]}" if visible_ids else "#main-content"
    for item in params["errorList"]:
        if item["href"] == "#csrf_token":
            item["href"] = first
    return params
