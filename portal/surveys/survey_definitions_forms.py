"""Forms for changing a survey's questions (officers)."""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    Field,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, ValidationError

from portal.forms import PortalForm, Required, strip_whitespace
from portal.surveys.models import QuestionKind, SurveyQuestion
from portal.surveys.questions import NUMBER_LIMIT

AT_THE_START = "start"


def _question_text() -> StringField:
    return StringField(
        "Question",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Required("Enter the question"),
            Length(max=300, message="Question must be 300 characters or fewer"),
        ],
    )


def _hint(description: str = "") -> TextAreaField:
    return TextAreaField(
        "Hint (optional)",
        description=description,
        widget=GovTextArea(),
        filters=[strip_whitespace],
        validators=[Length(max=500, message="Hint must be 500 characters or fewer")],
    )


def _error_message(example: str) -> StringField:
    """The message shown when a required question is not answered, with an example."""
    return StringField(
        "Message when it is not answered (optional)",
        description=f"For example, ‘{example}’.",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[Length(max=200, message="Message must be 200 characters or fewer")],
    )


class RewordForm(PortalForm):
    text = _question_text()
    hint = _hint(description="Help shown under the question.")
    error_message = _error_message("Select how satisfied you are overall")
    submit = SubmitField("Save wording", widget=GovSubmitInput())


def _whole_number(label: str) -> Any:
    def check(form: PortalForm, field: Field) -> None:
        text = (field.data or "").replace(",", "")
        if not text:
            return
        if not text.lstrip("-").isdigit() or len(text) > 14:
            raise ValidationError(f"{label} must be a whole number, like 100")
        if abs(int(text)) > NUMBER_LIMIT:
            raise ValidationError(f"{label} must be {NUMBER_LIMIT:,} or less")

    return check


class AddQuestionForm(PortalForm):
    text = _question_text()
    hint = _hint()
    kind = RadioField(
        "What kind of answer does it take?",
        choices=[SelectChoice(kind.value, kind.label) for kind in QuestionKind],
        widget=GovRadioInput(),
        validate_choice=False,
    )
    options = TextAreaField(
        "Answers to choose from",
        description="Only for a list of answers: one on each line. Add ‘None of these’ "
        "last if people may choose nothing else.",
        widget=GovCharacterCount(),
        filters=[strip_whitespace],
        validators=[Length(max=3000, message="Answers must be 3,000 characters or fewer")],
    )
    min_value = StringField(
        "Smallest number accepted (optional)",
        description="Only for a number. Leave empty for 0.",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[_whole_number("Smallest number")],
        render_kw={"inputmode": "numeric"},
    )
    max_value = StringField(
        "Largest number accepted (optional)",
        description="Only for a number.",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[_whole_number("Largest number")],
        render_kw={"inputmode": "numeric"},
    )
    required = RadioField(
        "Must people answer it?",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No, it is optional")],
        widget=GovRadioInput(),
        validate_choice=False,
    )
    error_message = _error_message("Select how satisfied you are with the venue")
    measure_code = StringField(
        "Measure code",
        description="How figures and exports name this answer, now and in later versions. "
        "Lower-case letters, digits and underscores, like venue_satisfaction. It cannot "
        "be changed later.",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Required("Enter a measure code"),
            Length(max=60, message="Measure code must be 60 characters or fewer"),
        ],
        render_kw={"spellcheck": "false"},
    )
    after = SelectField(
        "Where does it go?",
        description="It is asked on a page of its own.",
        choices=[],
        widget=GovSelect(),
        validate_choice=False,
    )
    submit = SubmitField("Add question", widget=GovSubmitInput())

    def __init__(self, *args: Any, questions: list[SurveyQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.after.choices = [SelectChoice(AT_THE_START, "At the start")] + [
            SelectChoice(str(q.id), f"After: {q.text}") for q in questions
        ]
        if not self.is_submitted() and questions and not self.after.data:
            self.after.data = str(questions[-1].id)
        self._question_ids = {str(q.id) for q in questions}

    def validate_kind(self, field: Field) -> None:
        if field.data not in {kind.value for kind in QuestionKind}:
            raise ValidationError("Select the kind of answer the question takes")

    def validate_required(self, field: Field) -> None:
        if field.data not in ("yes", "no"):
            raise ValidationError("Select whether people must answer it")

    def validate_after(self, field: Field) -> None:
        if field.data != AT_THE_START and field.data not in self._question_ids:
            raise ValidationError("Select where the question goes")

    def validate_options(self, field: Field) -> None:
        if self.kind.data in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
            lines = [line for line in (field.data or "").splitlines() if line.strip()]
            if len(lines) < 2:
                raise ValidationError("Enter at least 2 answers to choose from, one on each line")

    def validate_max_value(self, field: Field) -> None:
        low, high = self.min_value.data, field.data
        if self.kind.data == QuestionKind.NUMBER and low and high and not self.min_value.errors:
            try:
                smallest, largest = int(low.replace(",", "")), int(high.replace(",", ""))
            except ValueError:
                return
            if smallest > largest:
                raise ValidationError(
                    "Largest number must be the same as or more than the smallest"
                )


class PublishForm(PortalForm):
    note = TextAreaField(
        "What has changed in this version?",
        description="Officers see this in the survey’s history.",
        widget=GovTextArea(),
        filters=[strip_whitespace],
        validators=[
            Required("Describe what has changed in this version"),
            Length(max=1000, message="Description must be 1,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Publish this version", widget=GovSubmitInput())


def number_or_none(text: str | None) -> int | None:
    return int(text.replace(",", "")) if text else None
