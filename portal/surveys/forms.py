"""Forms for the survey pages, built from the questions a page shows.

Each question becomes one GOV.UK field named after its measure code. Choices are checked
against the question's own options (a tampered value gets a message, never an error page),
numbers must be whole and within the question's limits, text within its length.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    Field,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import StopValidation, ValidationError

from portal.forms import PortalForm, strip_whitespace
from portal.surveys.models import QuestionKind
from portal.surveys.questions import (
    AnswerValue,
    QuestionLike,
    number_limits,
    options_of,
    text_limit,
)

# A multiple-choice option with this value ("None of these") excludes the others.
EXCLUSIVE_OPTION = "none"
_WHOLE_NUMBER = re.compile(r"^-?\d{1,3}(,\d{3})*$|^-?\d+$")


def _required_message(question: QuestionLike) -> str:
    if question.error_message:
        return question.error_message
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return "Select at least one answer"
    if question.kind in (QuestionKind.NUMBER,):
        return "Enter a number"
    if question.kind.is_text:
        return "Enter your answer"
    return "Select an answer"


class _Required:
    """Stops validation with the question's message when nothing was given.

    ``optional``: every question may be left unanswered (answers keyed in from a paper
    form, where a question left blank is recorded as skipped, never made up).
    """

    def __init__(self, question: QuestionLike, optional: bool = False) -> None:
        self.question = question
        self.required = question.required and not optional
        self.field_flags = {"required": True} if self.required else {}

    def __call__(self, form: PortalForm, field: Field) -> None:
        given = [str(value).strip() for value in (field.raw_data or []) if str(value).strip()]
        if given:
            return
        field.errors[:] = []
        if self.required:
            raise StopValidation(_required_message(self.question))
        raise StopValidation()


class _OneOf:
    def __init__(self, question: QuestionLike) -> None:
        self.labels = dict(options_of(question))
        self.allowed = set(self.labels)
        self.message = (
            "Select answers from the list"
            if question.kind == QuestionKind.MULTIPLE_CHOICE
            else "Select an answer from the list"
        )

    def __call__(self, form: PortalForm, field: Field) -> None:
        values = field.data if isinstance(field.data, list) else [field.data]
        if not values or any(value not in self.allowed for value in values):
            raise ValidationError(self.message)
        if EXCLUSIVE_OPTION in values and len(set(values)) > 1:
            raise ValidationError(
                f"Select ‘{self.labels[EXCLUSIVE_OPTION]}’ or other answers, not both"
            )


class _WholeNumber:
    def __init__(self, question: QuestionLike) -> None:
        self.low, self.high = number_limits(question)

    def __call__(self, form: PortalForm, field: Field) -> None:
        text = (field.data or "").replace(" ", "")
        if not _WHOLE_NUMBER.match(text):
            raise ValidationError("Enter a whole number, like 12")
        value = int(text.replace(",", ""))
        if not self.low <= value <= self.high:
            raise ValidationError(f"Enter a number between {self.low:,} and {self.high:,}")


class _MaxLength:
    def __init__(self, question: QuestionLike) -> None:
        self.limit = text_limit(question)

    def __call__(self, form: PortalForm, field: Field) -> None:
        if len(field.data or "") > self.limit:
            raise ValidationError(f"Your answer must be {self.limit:,} characters or fewer")


def _field(question: QuestionLike, optional: bool) -> Field:
    label, hint = question.text, question.hint
    required = _Required(question, optional)
    if question.kind in (
        QuestionKind.SINGLE_CHOICE,
        QuestionKind.SATISFACTION,
        QuestionKind.RECOMMEND,
    ):
        return RadioField(
            label,
            description=hint,
            choices=[SelectChoice(value, text) for value, text in options_of(question)],
            widget=GovRadioInput(),
            validate_choice=False,
            validators=[required, _OneOf(question)],
        )
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return SelectMultipleField(
            label,
            description=hint,
            choices=[SelectChoice(value, text) for value, text in options_of(question)],
            widget=GovCheckboxesInput(),
            validate_choice=False,
            validators=[required, _OneOf(question)],
        )
    if question.kind == QuestionKind.NUMBER:
        return StringField(
            label,
            description=hint,
            widget=GovTextInput(),
            filters=[strip_whitespace],
            validators=[required, _WholeNumber(question)],
            render_kw={"inputmode": "numeric", "spellcheck": "false"},
        )
    if question.kind == QuestionKind.LONG_TEXT:
        return TextAreaField(
            label,
            description=hint,
            widget=GovCharacterCount(),
            filters=[strip_whitespace],
            validators=[required, _MaxLength(question)],
        )
    return StringField(
        label,
        description=hint,
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[required, _MaxLength(question)],
    )


def page_form(
    questions: Sequence[QuestionLike],
    *,
    answers: dict[str, AnswerValue],
    submitted: bool,
    all_optional: bool = False,
    button: str = "Save and continue",
) -> PortalForm:
    """A form for the page's questions, filled from the answers saved (on GET) or from
    the request (on POST). ``all_optional`` for answers keyed in from paper."""

    class SurveyPageForm(PortalForm):
        submit = SubmitField(button, widget=GovSubmitInput())

    for question in questions:
        setattr(SurveyPageForm, question.measure_code, _field(question, all_optional))
    if submitted:
        return SurveyPageForm()
    data: dict[str, Any] = {}
    for question in questions:
        value = answers.get(question.measure_code)
        if value is None:
            continue
        data[question.measure_code] = (
            f"{value.normalize():f}" if isinstance(value, Decimal) else value
        )
    return SurveyPageForm(formdata=None, data=data)


def values_from(
    form: PortalForm, questions: Sequence[QuestionLike]
) -> dict[str, AnswerValue | None]:
    """The form's answers as typed values (None: not answered)."""
    values: dict[str, AnswerValue | None] = {}
    for question in questions:
        data = form[question.measure_code].data
        if data in (None, "", []):
            values[question.measure_code] = None
        elif question.kind == QuestionKind.MULTIPLE_CHOICE:
            order = [value for value, _label in options_of(question)]
            values[question.measure_code] = sorted(set(data), key=order.index)
        elif question.kind in (QuestionKind.NUMBER, QuestionKind.RECOMMEND):
            values[question.measure_code] = Decimal(str(data).replace(",", "").replace(" ", ""))
        else:
            values[question.measure_code] = str(data)
    return values


class KeyInForm(PortalForm):
    mode = RadioField(
        "How did the person give their answers?",
        choices=[SelectChoice("paper", "On paper"), SelectChoice("phone", "By phone")],
        widget=GovRadioInput(),
        validate_choice=False,
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())

    def validate_mode(self, field: Field) -> None:
        if field.data not in ("paper", "phone"):
            raise ValidationError("Select how the person gave their answers")
