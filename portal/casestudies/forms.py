"""The case study's question pages and the officers' review forms."""

from __future__ import annotations

import re
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    Field,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, ValidationError

from portal.casestudies.models import CONSENT_YEARS, ConsentUse
from portal.forms import PortalForm, Required, strip_whitespace
from portal.reference.models import ReferenceItem

CONTINUE = "Save and continue"
STORY_LIMIT = 2000
QUOTE_LIMIT = 500
# Whole pounds and whole jobs: generous limits, so a typo is caught, not a real business.
MAX_JOBS = 100_000
MAX_POUNDS = 10_000_000_000
AGREE = "agree"
MAY_AGREE_FOR_BUSINESS = "may_agree_for_business"
_WHOLE = re.compile(r"^-?£?\d{1,3}(,\d{3})*$|^-?£?\d+$")


def _submit() -> SubmitField:
    return SubmitField(CONTINUE, widget=GovSubmitInput())


def _story(label: str, message: str, *, required: bool = True, hint: str = "") -> TextAreaField:
    validators: list[Any] = [
        Length(max=STORY_LIMIT, message=f"{label} must be {STORY_LIMIT:,} characters or fewer")
    ]
    if required:
        validators.insert(0, Required(message))
    return TextAreaField(
        label,
        description=hint,
        widget=GovCharacterCount(),
        filters=[strip_whitespace],
        validators=validators,
    )


class TitleForm(PortalForm):
    title = StringField(
        "Give your story a title",
        description="For example, ‘How a Preston bakery found the staff it needed’.",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Required("Enter a title for your story"),
            Length(max=120, message="Title must be 120 characters or fewer"),
        ],
    )
    submit = _submit()


class ChallengeForm(PortalForm):
    challenge = _story(
        "What challenge did your business face?",
        "Enter the challenge your business faced",
        hint="What was the problem or opportunity you brought to your group?",
    )
    submit = _submit()


class HelpForm(PortalForm):
    group_help = _story("How did your peer group help?", "Enter how your peer group helped")
    one_to_one_help = _story(
        "How did one-to-one support help? (optional)",
        "",
        required=False,
        hint="Coaching, mentoring or advice. Leave this empty if you did not have any.",
    )
    submit = _submit()


class ActionsForm(PortalForm):
    actions = _story(
        "What did you do?",
        "Enter what you did",
        hint="The actions you took because of what you learned.",
    )
    submit = _submit()


class OutcomesForm(PortalForm):
    outcomes = _story(
        "What changed for the business?",
        "Enter what changed for the business",
        hint="In your own words. You can add figures on the next page.",
    )
    submit = _submit()


def _whole_number(label: str, *, low: int, high: int) -> Any:
    def check(form: PortalForm, field: Field) -> None:
        text = (field.data or "").replace(" ", "")
        if not text:
            return
        if not _WHOLE.match(text):
            raise ValidationError(f"{label} must be a whole number, like 12")
        value = int(text.replace(",", "").replace("£", ""))
        if not low <= value <= high:
            raise ValidationError(f"{label} must be between {low:,} and {high:,}")

    return check


def _number_field(
    label: str, error_name: str, *, low: int, high: int, hint: str = ""
) -> StringField:
    return StringField(
        label,
        description=hint,
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Length(max=20, message=f"{error_name} must be a whole number, like 12"),
            _whole_number(error_name, low=low, high=high),
        ],
        render_kw={"inputmode": "numeric", "spellcheck": "false"},
    )


class FiguresForm(PortalForm):
    jobs_created = _number_field("Jobs created (optional)", "Jobs created", low=0, high=MAX_JOBS)
    jobs_safeguarded = _number_field(
        "Jobs safeguarded (optional)",
        "Jobs safeguarded",
        low=0,
        high=MAX_JOBS,
        hint="Jobs that would have gone without the changes you made.",
    )
    turnover_change_pounds = _number_field(
        "Change in yearly turnover, in pounds (optional)",
        "Change in turnover",
        low=-MAX_POUNDS,
        high=MAX_POUNDS,
        hint="For example, 25000. Put a minus sign in front for a fall.",
    )
    cost_savings_pounds = _number_field(
        "Yearly cost savings, in pounds (optional)", "Cost savings", low=0, high=MAX_POUNDS
    )
    new_markets = StringField(
        "New markets or exporting (optional)",
        description="For example, ‘Started selling to Ireland’.",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[Length(max=200, message="New markets must be 200 characters or fewer")],
    )
    submit = _submit()


class IssuesForm(PortalForm):
    issues = SelectMultipleField(
        "Which issues is your story about?",
        description="Select all that apply. People can find stories by issue.",
        choices=[],
        widget=GovCheckboxesInput(),
        validate_choice=False,
    )
    submit = _submit()

    def __init__(self, *args: Any, issues: list[ReferenceItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.issues.choices = [SelectChoice(item.code, item.label) for item in issues]

    def validate_issues(self, field: Field) -> None:
        allowed = {choice.value for choice in self.issues.choices}
        if not field.data:
            raise ValidationError("Select at least one issue your story is about")
        if any(value not in allowed for value in field.data):
            raise ValidationError("Select issues from the list")


class QuoteForm(PortalForm):
    quote = TextAreaField(
        "A quote for your story (optional)",
        description="A sentence or two in your own words that sums up what the programme "
        "meant to you.",
        widget=GovCharacterCount(),
        filters=[strip_whitespace],
        validators=[
            Length(max=QUOTE_LIMIT, message=f"Quote must be {QUOTE_LIMIT} characters or fewer")
        ],
    )
    submit = _submit()


class NamedForm(PortalForm):
    named = RadioField(
        "How may we tell your story?",
        choices=[
            SelectChoice("named", "With my name and my business’s name"),
            SelectChoice("anonymous", "Anonymously"),
        ],
        widget=GovRadioInput(),
        validate_choice=False,
    )
    submit = _submit()

    def validate_named(self, field: Field) -> None:
        if field.data not in ("named", "anonymous"):
            raise ValidationError("Select whether we may use your name")


class UsesForm(PortalForm):
    uses = SelectMultipleField(
        "Where may we use your story?",
        description="Select all that apply.",
        choices=[SelectChoice(use.value, use.label) for use in ConsentUse],
        widget=GovCheckboxesInput(),
        validate_choice=False,
    )
    submit = _submit()

    def validate_uses(self, field: Field) -> None:
        if not field.data:
            raise ValidationError("Select at least one place we may use your story")
        if any(value not in set(ConsentUse) for value in field.data):
            raise ValidationError("Select places from the list")


class PeriodForm(PortalForm):
    years = RadioField(
        "For how long may we use it?",
        description="You can withdraw your consent at any time, and we will take your story "
        "down at once.",
        choices=[
            SelectChoice(str(years), f"{years} year{'s' if years != 1 else ''}")
            for years in CONSENT_YEARS
        ],
        widget=GovRadioInput(),
        validate_choice=False,
    )
    submit = _submit()

    def validate_years(self, field: Field) -> None:
        if field.data not in {str(years) for years in CONSENT_YEARS}:
            raise ValidationError("Select for how long we may use your story")


class ConfirmConsentForm(PortalForm):
    confirm = SelectMultipleField(
        "Your consent",
        choices=[
            SelectChoice(
                AGREE,
                "I agree to my story being used as I have chosen, and I understand I can "
                "withdraw my consent at any time",
            ),
            SelectChoice(
                MAY_AGREE_FOR_BUSINESS,
                "I am able to agree to this for the business (for example, I own or run it)",
            ),
        ],
        widget=GovCheckboxesInput(),
        validate_choice=False,
    )
    submit = _submit()

    def validate_confirm(self, field: Field) -> None:
        chosen = set(field.data or [])
        if AGREE not in chosen:
            raise ValidationError("Confirm you agree to your story being used as you have chosen")
        if MAY_AGREE_FOR_BUSINESS not in chosen:
            raise ValidationError("Confirm you are able to agree to this for the business")


# Officers' review


class DecisionForm(PortalForm):
    decision = RadioField(
        "What is your decision?",
        choices=[
            SelectChoice("approve", "Approve it"),
            SelectChoice("changes", "Ask the author for changes"),
            SelectChoice("reject", "Reject it"),
        ],
        widget=GovRadioInput(),
        validate_choice=False,
    )
    comment = TextAreaField(
        "Comments for the author",
        description="Needed when you ask for changes or reject the story: say what to change, "
        "or why. The author sees this in an email.",
        widget=GovCharacterCount(),
        filters=[strip_whitespace],
        validators=[Length(max=2000, message="Comments must be 2,000 characters or fewer")],
    )
    submit = SubmitField("Save decision", widget=GovSubmitInput())

    def validate_decision(self, field: Field) -> None:
        if field.data not in ("approve", "changes", "reject"):
            raise ValidationError("Select your decision")

    def validate_comment(self, field: Field) -> None:
        if not field.data and self.decision.data == "changes":
            raise ValidationError("Enter the changes you are asking for")
        if not field.data and self.decision.data == "reject":
            raise ValidationError("Enter the reason for rejecting the story")


class PublishForm(PortalForm):
    checked = SelectMultipleField(
        "Before you publish",
        choices=[
            SelectChoice(
                "cannot_identify",
                "I have checked that this anonymised story cannot identify the business or "
                "the person",
            )
        ],
        widget=GovCheckboxesInput(),
        validate_choice=False,
    )
    submit = SubmitField("Publish story", widget=GovSubmitInput())

    def __init__(self, *args: Any, anonymised: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.anonymised = anonymised

    def validate_checked(self, field: Field) -> None:
        if self.anonymised and "cannot_identify" not in (field.data or []):
            raise ValidationError(
                "Confirm you have checked the story cannot identify the business or the person"
            )


class WithdrawConsentForm(PortalForm):
    submit = SubmitField("Withdraw my consent", widget=GovSubmitInput())


class StoriesFilterForm(PortalForm):
    class Meta(PortalForm.Meta):
        csrf = False

    sector = SelectField("Sector", choices=[], widget=GovSelect(), validate_choice=False)
    issue = SelectField("Issue", choices=[], widget=GovSelect(), validate_choice=False)

    def __init__(
        self,
        *args: Any,
        sectors: list[ReferenceItem],
        issues: list[ReferenceItem],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sector.choices = [SelectChoice("", "All sectors")] + [
            SelectChoice(s.code, s.label) for s in sectors
        ]
        self.issue.choices = [SelectChoice("", "All issues")] + [
            SelectChoice(i.code, i.label) for i in issues
        ]

    def chosen(self, field: SelectField) -> str:
        """The choice if it is one of the options, else "" (a tampered filter is ignored)."""
        allowed = {choice.value for choice in field.choices}
        value = field.data if isinstance(field.data, str) else ""
        return value if value in allowed else ""


def whole_number_or_none(text: str | None) -> int | None:
    if not text:
        return None
    return int(text.replace(",", "").replace("£", "").replace(" ", ""))
