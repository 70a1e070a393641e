"""The registration question pages' forms: GOV.UK components, GOV.UK error messages."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
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
from wtforms.validators import Length, Optional, ValidationError

from portal.auth.forms import email_field
from portal.forms import GovukDateField, PortalForm, Required, strip_whitespace
from portal.reference.models import ReferenceItem
from portal.registration.duplicates import normalise_company_number
from portal.registration.eligibility import TurnoverBand
from portal.registration.models import (
    WEEKDAYS,
    DeliveryPreference,
    FactAnswer,
    LegalForm,
    PartOfDay,
)
from portal.registration.postcodes import normalise_postcode
from portal.registration.services import OUTSIDE_AREA
from portal.rounds.models import BusinessRole
from portal.timefmt import today_in_london

CONTINUE = "Continue"
MAX_CONFLICT_NAMES = 20


def _submit() -> SubmitField:
    return SubmitField(CONTINUE, widget=GovSubmitInput())


class RoleForm(PortalForm):
    role_in_business = RadioField(
        "What is your role in the business?",
        choices=[SelectChoice(role.value, role.label) for role in BusinessRole],
        widget=GovRadioInput(),
        validators=[Required("Select your role in the business")],
    )
    submit = _submit()


_PHONE_CHARACTERS = re.compile(r"^[0-9 +()\-]+$")


def uk_phone_number(value: str) -> str | None:
    """The digits of a UK phone number (0 followed by 9 or 10 digits), or None."""
    if not _PHONE_CHARACTERS.match(value):
        return None
    digits = re.sub(r"\D", "", value)
    if value.strip().startswith("+"):
        if not digits.startswith("44"):
            return None
        digits = "0" + digits[2:].removeprefix("0")
    if not digits.startswith("0") or len(digits) not in {10, 11}:
        return None
    return digits


class PhoneForm(PortalForm):
    phone = StringField(
        "What is your phone number?",
        description="We will only call you about your place in Peer Networks. "
        "For international numbers include the country code.",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Required("Enter a phone number"),
            Length(max=30, message="Phone number must be 30 characters or fewer"),
        ],
        render_kw={"autocomplete": "tel", "type": "tel"},
    )
    submit = _submit()

    def validate_phone(self, field: Field) -> None:
        if uk_phone_number(field.data or "") is None:
            # A number was entered: say what is wrong with it, not to enter one.
            raise ValidationError(
                "Enter a phone number in the correct format, like 01632 960 001, "
                "07700 900 982 or +44 808 157 0192"
            )


class BusinessForm(PortalForm):
    business_name = StringField(
        "What is your business called?",
        description="Use the name your customers know it by.",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Required("Enter the name of your business"),
            Length(max=200, message="Business name must be 200 characters or fewer"),
        ],
        render_kw={"autocomplete": "organization", "spellcheck": "false"},
    )
    company_number = StringField(
        "Companies House number (optional)",
        description="This is 8 characters, like 01234567 or SC123456. Leave this empty if "
        "your business is not a registered company.",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=20, message="Companies House number is too long")],
        render_kw={"spellcheck": "false"},
    )
    submit = _submit()

    def validate_company_number(self, field: Field) -> None:
        if field.data and normalise_company_number(field.data) is None:
            raise ValidationError(
                "Enter a Companies House number in the correct format, like 01234567 or SC123456"
            )


def _items(items: list[ReferenceItem]) -> list[SelectChoice]:
    return [SelectChoice(item.code, item.label) for item in items]


class LocationForm(PortalForm):
    postcode = StringField(
        "Postcode of the business's trading address",
        description="Where your business trades from, like PR1 2HE.",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Required("Enter the postcode of your business"),
            Length(max=10, message="Enter a real postcode, like PR1 2HE"),
        ],
        render_kw={"autocomplete": "postal-code", "spellcheck": "false"},
    )
    district = SelectField(
        "Which area is it in?",
        description="If you are not sure, choose the council you pay business rates to.",
        choices=[],
        widget=GovSelect(),
        validators=[Required("Select the area your business is in")],
    )
    submit = _submit()

    def __init__(self, *args: Any, districts: list[ReferenceItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.district.choices = [
            SelectChoice("", "Choose an area"),
            *_items(districts),
            SelectChoice(OUTSIDE_AREA, "My business is not in any of these areas"),
        ]

    def validate_postcode(self, field: Field) -> None:
        if normalise_postcode(field.data) is None:
            raise ValidationError("Enter a real postcode, like PR1 2HE")


class SectorForm(PortalForm):
    sector = RadioField(
        "What does your business mainly do?",
        choices=[],
        widget=GovRadioInput(),
        validators=[Required("Select what your business mainly does")],
    )
    sic_code = StringField(
        "SIC code (optional)",
        description="If you know it, the 5-digit code your business registered with "
        "Companies House, like 62020.",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=5, message="SIC code must be 5 digits, like 62020")],
        render_kw={"inputmode": "numeric", "spellcheck": "false"},
    )
    submit = _submit()

    def __init__(self, *args: Any, sectors: list[ReferenceItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sector.choices = _items(sectors)

    def validate_sic_code(self, field: Field) -> None:
        if field.data and not (field.data.isdigit() and len(field.data) == 5):
            raise ValidationError("SIC code must be 5 digits, like 62020")


class EmployeesForm(PortalForm):
    employees = StringField(
        "How many people work in the business?",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[Required("Enter how many people work in the business")],
        render_kw={"inputmode": "decimal", "spellcheck": "false"},
    )
    submit = _submit()

    def validate_employees(self, field: Field) -> None:
        try:
            value = Decimal(field.data.replace(",", ""))
        except InvalidOperation:
            raise ValidationError("Number of people must be a number, like 12 or 7.5") from None
        if not value.is_finite() or value < 1:
            raise ValidationError("Number of people must be 1 or more")
        if value > 100_000:
            raise ValidationError("Number of people must be 100,000 or fewer")
        if value * 2 != int(value * 2):
            raise ValidationError("Number of people must be a whole number or end in .5")
        field.data = str(value)


class TurnoverForm(PortalForm):
    turnover_band = RadioField(
        "What was the business's turnover in its last financial year?",
        description="Turnover is the total money the business took from sales, before costs.",
        choices=[SelectChoice(band.value, band.label) for band in TurnoverBand],
        widget=GovRadioInput(),
        validators=[Required("Select the business's turnover")],
    )
    submit = _submit()


class TradingForm(PortalForm):
    started_trading_on = GovukDateField(
        "When did the business start trading?",
        name_in_errors="The date the business started trading",
        description="For example, 27 3 2019. If you do not know the day, enter 1.",
    )
    submit = _submit()

    def validate_started_trading_on(self, field: Field) -> None:
        if field.data is None:
            if not field.errors:
                raise ValidationError("Enter the date the business started trading")
            return
        if field.data > today_in_london():
            raise ValidationError("The date the business started trading must be in the past")
        if field.data.year < 1800:
            raise ValidationError("The date the business started trading must be after 1800")


class LegalFormForm(PortalForm):
    legal_form = RadioField(
        "What type of business is it?",
        choices=[SelectChoice(form.value, form.label) for form in LegalForm],
        widget=GovRadioInput(),
        validators=[Required("Select the type of business")],
    )
    submit = _submit()


def ownership_form(facts: list[ReferenceItem], data: Any = None) -> PortalForm:
    """A form with one yes / no / prefer not to say question per ownership fact.

    Built from the reference list, so officers can change the facts without code.
    """

    class OwnershipForm(PortalForm):
        submit = _submit()

    for fact in facts:
        setattr(
            OwnershipForm,
            f"fact_{fact.code}",
            RadioField(
                fact.label,
                description=fact.note,
                choices=[SelectChoice(answer.value, answer.label) for answer in FactAnswer],
                widget=GovRadioInput(),
                validators=[
                    Required(f"Select yes, no or prefer not to say for ‘{fact.label.lower()}’")
                ],
            ),
        )
    return OwnershipForm(data=data)


class OrganisationsForm(PortalForm):
    organisations = SelectMultipleField(
        "Is the business a member of any of these organisations?",
        description="Select all that apply. Some groups are formed from members of one "
        "organisation.",
        choices=[],
        widget=GovCheckboxesInput(),
    )
    organisations_other = StringField(
        "Other organisations (optional)",
        description="Separate names with commas.",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(max=500, message="Other organisations must be 500 characters or fewer"),
        ],
    )
    submit = _submit()

    def __init__(self, *args: Any, organisations: list[ReferenceItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisations.choices = _items(organisations)


class IssuesForm(PortalForm):
    issues = SelectMultipleField(
        "What would you like help with?",
        description="Select all that apply. Your group will work on the issues its members bring.",
        choices=[],
        widget=GovCheckboxesInput(),
    )
    issues_other = TextAreaField(
        "Anything else (optional)",
        widget=GovCharacterCount(),
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(max=500, message="Anything else must be 500 characters or fewer"),
        ],
    )
    submit = _submit()

    def __init__(self, *args: Any, issues: list[ReferenceItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.issues.choices = _items(issues)

    def validate_issues(self, field: Field) -> None:
        if not field.data and not (self.issues_other.data or "").strip():
            raise ValidationError(
                "Select what you would like help with, or tell us in your own words"
            )


class DeliveryForm(PortalForm):
    delivery = RadioField(
        "How would you like to meet your group?",
        choices=[
            SelectChoice(DeliveryPreference.ONLINE.value, "Online, by video call"),
            SelectChoice(DeliveryPreference.IN_PERSON.value, "In person, at a venue near you"),
            SelectChoice(DeliveryPreference.EITHER.value, "Either"),
        ],
        widget=GovRadioInput(),
        validators=[Required("Select how you would like to meet your group")],
    )
    submit = _submit()


def _weekday_field(part: PartOfDay) -> SelectMultipleField:
    return SelectMultipleField(
        part.label,
        choices=[SelectChoice(str(number), day) for number, day in enumerate(WEEKDAYS)],
        widget=GovCheckboxesInput(),
    )


class AvailabilityForm(PortalForm):
    morning = _weekday_field(PartOfDay.MORNING)
    afternoon = _weekday_field(PartOfDay.AFTERNOON)
    evening = _weekday_field(PartOfDay.EVENING)
    submit = _submit()

    def validate_morning(self, field: Field) -> None:
        if not (self.morning.data or self.afternoon.data or self.evening.data):
            raise ValidationError("Select at least one time you could meet every 2 weeks")


def _names_field(label: str, description: str) -> TextAreaField:
    return TextAreaField(
        label,
        description=description,
        widget=GovCharacterCount(),
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(max=2000, message=f"{label} must be 2,000 characters or fewer"),
        ],
    )


class ConflictsForm(PortalForm):
    competitors = _names_field("Competitors (optional)", "One business name on each line.")
    customers = _names_field(
        "Customers (optional)",
        "Only customers you would not want to share a group with. One on each line.",
    )
    suppliers = _names_field(
        "Suppliers (optional)",
        "Only suppliers you would not want to share a group with. One on each line.",
    )
    submit = _submit()

    def _check(self, field: Field) -> None:
        names = names_from(field.data)
        if len(names) > MAX_CONFLICT_NAMES:
            raise ValidationError(f"Enter {MAX_CONFLICT_NAMES} businesses or fewer")
        if any(len(name) > 200 for name in names):
            raise ValidationError("Each business name must be 200 characters or fewer")

    validate_competitors = _check
    validate_customers = _check
    validate_suppliers = _check


def names_from(text: str | None) -> list[str]:
    seen: list[str] = []
    for line in (text or "").splitlines():
        name = " ".join(line.split())
        if name and name not in seen:
            seen.append(name)
    return seen


SHARE_WITH_COHORT = "share_with_cohort"
CONTACT_ABOUT_FUTURE = "contact_about_future"


class ChoicesForm(PortalForm):
    choices = SelectMultipleField(
        "Do you want us to do either of these?",
        description="These are up to you. They do not affect whether you can take part. "
        "Select all that apply, or none.",
        choices=[
            SelectChoice(
                SHARE_WITH_COHORT,
                "Show my name and business name to the other members of my group",
            ),
            SelectChoice(CONTACT_ABOUT_FUTURE, "Contact me about future programmes and events"),
        ],
        widget=GovCheckboxesInput(),
    )
    submit = _submit()


class WithdrawForm(PortalForm):
    reason = TextAreaField(
        "Why are you withdrawing? (optional)",
        description="This helps us improve the programme.",
        widget=GovCharacterCount(),
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=500, message="Reason must be 500 characters or fewer")],
    )
    submit = SubmitField("Withdraw my registration", widget=GovSubmitInput())


class OnBehalfForm(PortalForm):
    """An officer registering someone who phoned in."""

    name = StringField(
        "Their full name",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Required("Enter their full name"),
            Length(max=200, message="Full name must be 200 characters or fewer"),
        ],
        render_kw={"spellcheck": "false"},
    )
    email = email_field(
        "Their email address",
        description="We will email them a link to take over their account and see their answers.",
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())
