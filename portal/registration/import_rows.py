"""One row of an applicant import file: its columns and how each is checked.

The format is documented in ``docs/applicant-import-format.md``. ``read_row`` turns a
row's cells into ``Answers`` or a list of problems, one per thing wrong, so a partner can
fix the whole row at once. Text is kept as typed (surrounding spaces and control
characters removed); codes are checked against the active reference lists.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from email_validator import EmailNotValidError, validate_email

from portal.auth.services import normalise_email
from portal.forms import without_control_characters
from portal.reference.models import ReferenceKind
from portal.registration.duplicates import normalise_company_number
from portal.registration.eligibility import TurnoverBand
from portal.registration.import_files import Cell, Formula
from portal.registration.models import (
    WEEKDAYS,
    ConflictKind,
    DeliveryPreference,
    FactAnswer,
    LegalForm,
    PartOfDay,
)
from portal.registration.officer_answers import ReferenceLabels
from portal.registration.postcodes import normalise_postcode
from portal.registration.services import OUTSIDE_AREA
from portal.rounds.models import BusinessRole

OWNERSHIP_PREFIX = "ownership_"
REQUIRED_COLUMNS = (
    "source_reference",
    "email",
    "name",
    "role",
    "business_name",
    "postcode",
    "district",
    "employees",
    "turnover_band",
    "started_trading_on",
)
OPTIONAL_COLUMNS = (
    "phone",
    "company_number",
    "sector",
    "sic_code",
    "legal_form",
    "organisations",
    "organisations_other",
    "issues",
    "issues_other",
    "delivery",
    "availability",
    "competitors",
    "customers",
    "suppliers",
    "share_with_cohort",
    "contact_about_future",
)
_CONFLICT_COLUMNS = {
    "competitors": ConflictKind.COMPETITOR,
    "customers": ConflictKind.CUSTOMER,
    "suppliers": ConflictKind.SUPPLIER,
}
_LIST_SEPARATOR = re.compile(r"[;\n]")
_CODE_SEPARATOR = re.compile(r"[;,\n]")
_PHONE = re.compile(r"^[0-9 +()\-]{7,30}$")
_SIC = re.compile(r"^[0-9]{5}$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_YEAR_MONTH_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_YES = frozenset({"yes", "y", "true", "1"})
_NO = frozenset({"no", "n", "false", "0"})
_WEEKDAY_NAMES = {name.lower(): index for index, name in enumerate(WEEKDAYS)} | {
    name[:3].lower(): index for index, name in enumerate(WEEKDAYS)
}
_MAX_TEXT = 500
_MAX_NAMES = 20


@dataclass
class Answers:
    """What one row says. ``None`` (or a missing key) means the file has no such column,
    so an update leaves that answer as it is."""

    values: dict[str, Any]
    organisations: frozenset[str] | None = None
    issues: frozenset[str] | None = None
    availability: frozenset[tuple[int, PartOfDay]] | None = None
    # Fact code -> answer, for the ownership columns in the file (None: left blank).
    ownership: dict[str, FactAnswer | None] = field(default_factory=dict)
    # Conflict kind -> business names, for the conflict columns in the file.
    conflicts: dict[ConflictKind, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class Problem:
    row: int | None
    column: str
    message: str


class _RowReader:
    """Turns one row's cells into answers, collecting every problem on the way."""

    def __init__(self, row: int, cells: dict[str, Cell], labels: ReferenceLabels) -> None:
        self.row = row
        self.cells = cells
        self.labels = labels
        self.problems: list[Problem] = []

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.row, column, message))

    def has(self, column: str) -> bool:
        return column in self.cells

    def text(self, column: str, *, max_length: int = 200, required: str | None = None) -> str:
        value = self.cells.get(column)
        if isinstance(value, Formula):
            self.problem(
                column, f"Cell {value.cell} holds a formula. Replace it with the value it shows"
            )
            return ""
        text = _as_text(value)
        if not text and required:
            self.problem(column, required)
        elif len(text) > max_length:
            self.problem(column, f"Must be {max_length:,} characters or fewer")
        return text

    def choice(self, column: str, allowed: dict[str, Any], what: str, required: bool) -> Any:
        raw = self.text(column, required=f"Enter {what}" if required else None)
        if not raw:
            return None
        key = raw.strip().lower().replace(" ", "_")
        if key not in allowed:
            self.problem(column, f"“{raw}” is not one of the allowed values for {what}")
            return None
        return allowed[key]

    def codes(self, column: str, kind: ReferenceKind, what: str) -> frozenset[str] | None:
        if not self.has(column):
            return None
        raw = self.text(column, max_length=2_000)
        found = set()
        for code in filter(None, (part.strip() for part in _CODE_SEPARATOR.split(raw))):
            if self.labels.is_active(kind, code):
                found.add(code)
            else:
                self.problem(column, f"“{code}” is not a code from the list of {what}")
        return frozenset(found)

    def names(self, column: str) -> tuple[str, ...] | None:
        if not self.has(column):
            return None
        raw = self.text(column, max_length=_MAX_NAMES * 201)
        names = tuple(dict.fromkeys(p.strip() for p in _LIST_SEPARATOR.split(raw) if p.strip()))
        if len(names) > _MAX_NAMES:
            self.problem(column, f"List {_MAX_NAMES} businesses or fewer")
        if any(len(name) > 200 for name in names):
            self.problem(column, "Each business name must be 200 characters or fewer")
        return names

    def yes_no(self, column: str) -> bool | None:
        raw = self.text(column).lower()
        if not raw:
            return None
        if raw in _YES:
            return True
        if raw in _NO:
            return False
        self.problem(column, "Enter yes or no, or leave it blank")
        return None

    def date(self, column: str) -> dt.date | None:
        value = self.cells.get(column)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        raw = self.text(column, required="Enter the date the business started trading")
        if not raw:
            return None
        if match := _YEAR_MONTH_DAY.match(raw):
            year, month, day = (int(part) for part in match.groups())
        elif match := _DAY_MONTH_YEAR.match(raw):
            day, month, year = (int(part) for part in match.groups())
        else:
            self.problem(column, "Enter the date as YYYY-MM-DD or DD/MM/YYYY")
            return None
        try:
            return dt.date(year, month, day)
        except ValueError:
            self.problem(column, "Enter a real date as YYYY-MM-DD or DD/MM/YYYY")
            return None

    def number(self, column: str) -> Decimal | None:
        value = self.cells.get(column)
        raw = (
            str(value)
            if isinstance(value, int | float) and not isinstance(value, bool)
            else self.text(column, required="Enter the number of employees")
        )
        if not raw:
            return None
        try:
            number = Decimal(raw.replace(",", ""))
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite() or number < 0 or number >= 1_000_000:
            self.problem(column, "Enter the number of employees as a number, like 7 or 7.5")
            return None
        if number != number.quantize(Decimal("0.1")):
            self.problem(column, "Enter the number of employees to one decimal place at most")
            return None
        return number.quantize(Decimal("0.1"))

    def availability(self, column: str) -> frozenset[tuple[int, PartOfDay]] | None:
        if not self.has(column):
            return None
        raw = self.text(column, max_length=2_000)
        slots = set()
        for part in filter(None, (p.strip() for p in _CODE_SEPARATOR.split(raw))):
            words = part.lower().split()
            day = _WEEKDAY_NAMES.get(words[0]) if len(words) == 2 else None
            time = words[1] if len(words) == 2 else ""
            if day is None or time not in {p.value for p in PartOfDay}:
                self.problem(
                    column, f"“{part}” is not a weekday and part of the day, like monday morning"
                )
                continue
            slots.add((day, PartOfDay(time)))
        return frozenset(slots)


def _as_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return without_control_characters(str(value)).strip()


def _enum_choices(values: type[enum.Enum]) -> dict[str, Any]:
    return {str(member.value): member for member in values}


def read_row(
    row: int, cells: dict[str, Cell], labels: ReferenceLabels, today: dt.date
) -> tuple[dict[str, str], Answers | None, list[Problem]]:
    """The row's person (source_reference, email, name) and answers, or its problems."""
    reader = _RowReader(row, cells, labels)
    person = {
        "source_reference": reader.text(
            "source_reference", max_length=100, required="Enter your own reference for this person"
        ),
        "email": reader.text("email", max_length=320, required="Enter the person’s email address"),
        "name": reader.text("name", required="Enter the person’s full name"),
    }
    if person["email"]:
        try:
            validate_email(person["email"], check_deliverability=False)
        except EmailNotValidError:
            reader.problem(
                "email", "Enter an email address in the correct format, like name@example.com"
            )
        person["email"] = normalise_email(person["email"])

    values: dict[str, Any] = {}
    values["role_in_business"] = reader.choice(
        "role", {k: v.value for k, v in _enum_choices(BusinessRole).items()}, "the role", True
    )
    values["business_name"] = reader.text("business_name", required="Enter the business name")
    postcode_text = reader.text("postcode", max_length=20, required="Enter the business postcode")
    if postcode_text:
        values["postcode"] = normalise_postcode(postcode_text)
        if values["postcode"] is None:
            reader.problem("postcode", "Enter a full UK postcode, like PR1 2HE")
    district = reader.text("district", max_length=60, required="Enter the district code")
    if (
        district
        and district != OUTSIDE_AREA
        and not labels.is_active(ReferenceKind.DISTRICT, district)
    ):
        reader.problem(
            "district", f"“{district}” is not a district code from the list (or {OUTSIDE_AREA})"
        )
    values["district_code"] = district
    values["employees"] = reader.number("employees")
    values["turnover_band"] = reader.choice(
        "turnover_band", _enum_choices(TurnoverBand), "the turnover band", True
    )
    started = reader.date("started_trading_on")
    if started is not None and started > today:
        reader.problem(
            "started_trading_on", "The date the business started trading must be in the past"
        )
    values["started_trading_on"] = started

    if reader.has("phone"):
        phone = reader.text("phone", max_length=30)
        if phone and not _PHONE.match(phone):
            reader.problem("phone", "Enter a phone number, like 01632 960 001")
        values["phone"] = phone or None
    if reader.has("company_number"):
        raw_number = reader.text("company_number", max_length=20)
        values["company_number"] = normalise_company_number(raw_number) if raw_number else None
        if raw_number and values["company_number"] is None:
            reader.problem(
                "company_number",
                "Enter a Companies House number in the correct format, like 01234567",
            )
    if reader.has("sector"):
        sector = reader.text("sector", max_length=2).upper()
        if sector and not labels.is_active(ReferenceKind.SECTOR, sector):
            reader.problem("sector", f"“{sector}” is not a sector code from the list")
        values["sector_code"] = sector or None
    if reader.has("sic_code"):
        sic = reader.text("sic_code", max_length=5)
        if sic and not _SIC.match(sic):
            reader.problem("sic_code", "Enter a SIC code of 5 digits, like 56101")
        values["sic_code"] = sic or None
    if reader.has("legal_form"):
        values["legal_form"] = reader.choice(
            "legal_form", _enum_choices(LegalForm), "the type of business", False
        )
    if reader.has("delivery"):
        values["delivery"] = reader.choice(
            "delivery", _enum_choices(DeliveryPreference), "how they would meet", False
        )
    for column in ("organisations_other", "issues_other"):
        if reader.has(column):
            values[column] = reader.text(column, max_length=_MAX_TEXT)
    for column in ("share_with_cohort", "contact_about_future"):
        if reader.has(column):
            values[column] = reader.yes_no(column)

    answers = Answers(
        values=values,
        organisations=reader.codes(
            "organisations", ReferenceKind.BUSINESS_ORGANISATION, "business organisations"
        ),
        issues=reader.codes("issues", ReferenceKind.ISSUE, "issues"),
        availability=reader.availability("availability"),
    )
    for column in cells:
        if column.startswith(OWNERSHIP_PREFIX):
            code = column.removeprefix(OWNERSHIP_PREFIX)
            answers.ownership[code] = reader.choice(
                column, _enum_choices(FactAnswer), "an ownership answer", False
            )
    for column, kind in _CONFLICT_COLUMNS.items():
        names = reader.names(column)
        if names is not None:
            answers.conflicts[kind] = names
    if reader.problems:
        return person, None, reader.problems
    return person, answers, []
