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
from decimal import Decimal
from typing import Any, TypeVar

from portal.auth.services import normalise_email
from portal.reference.models import ReferenceKind
from portal.registration.duplicates import normalise_company_number
from portal.registration.eligibility import TurnoverBand
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
from portal.spreadsheets.cells import Row, split_list
from portal.spreadsheets.files import Cell

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
_PHONE = re.compile(r"^[0-9 +()\-]{7,30}$")
_SIC = re.compile(r"^[0-9]{5}$")
_WEEKDAY_NAMES = {name.lower(): index for index, name in enumerate(WEEKDAYS)} | {
    name[:3].lower(): index for index, name in enumerate(WEEKDAYS)
}
_MAX_TEXT = 500
_MAX_NAMES = 20
E = TypeVar("E", bound=enum.Enum)


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


def _codes(
    row: Row, column: str, kind: ReferenceKind, what: str, labels: ReferenceLabels
) -> frozenset[str] | None:
    if not row.has(column):
        return None
    return frozenset(row.codes(column, what, lambda text: labels.active_code(kind, text)))


def _names(row: Row, column: str) -> tuple[str, ...] | None:
    if not row.has(column):
        return None
    raw = row.text(column, max_length=_MAX_NAMES * 201)
    names = tuple(dict.fromkeys(p.strip() for p in _LIST_SEPARATOR.split(raw) if p.strip()))
    if len(names) > _MAX_NAMES:
        row.problem(column, f"List {_MAX_NAMES} businesses or fewer")
    if any(len(name) > 200 for name in names):
        row.problem(column, "Each business name must be 200 characters or fewer")
    return names


def _availability(row: Row, column: str) -> frozenset[tuple[int, PartOfDay]] | None:
    if not row.has(column):
        return None
    slots = set()
    for part in split_list(row.text(column, max_length=2_000)):
        words = part.lower().split()
        day = _WEEKDAY_NAMES.get(words[0]) if len(words) == 2 else None
        time = words[1] if len(words) == 2 else ""
        if day is None or time not in {p.value for p in PartOfDay}:
            row.problem(
                column, f"“{part}” is not a weekday and part of the day, like monday morning"
            )
            continue
        slots.add((day, PartOfDay(time)))
    return frozenset(slots)


def _choice(row: Row, column: str, values: type[E], what: str, required: bool) -> E | None:
    return row.choice(
        column,
        values,
        what,
        required=required,
        wrong="“{raw}” is not one of the allowed values for {what}",
    )


def read_row(
    row: int, cells: dict[str, Cell], labels: ReferenceLabels, today: dt.date
) -> tuple[dict[str, str], Answers | None, list[Problem]]:
    """The row's person (source_reference, email, name) and answers, or its problems."""
    problems: list[Problem] = []
    reader = Row(row, cells, lambda column, message: problems.append(Problem(row, column, message)))
    person = {
        "source_reference": reader.text(
            "source_reference", max_length=100, required="Enter your own reference for this person"
        ),
        "email": reader.email("email", required="Enter the person’s email address"),
        "name": reader.text("name", required="Enter the person’s full name"),
    }
    if person["email"]:
        person["email"] = normalise_email(person["email"])

    values: dict[str, Any] = {}
    role = _choice(reader, "role", BusinessRole, "the role", True)
    values["role_in_business"] = role.value if role else None
    values["business_name"] = reader.text("business_name", required="Enter the business name")
    postcode_text = reader.text("postcode", max_length=20, required="Enter the business postcode")
    if postcode_text:
        values["postcode"] = normalise_postcode(postcode_text)
        if values["postcode"] is None:
            reader.problem("postcode", "Enter a full UK postcode, like PR1 2HE")
    district = reader.text("district", required="Enter the district code")
    district_code = (
        OUTSIDE_AREA
        if district.lower() == OUTSIDE_AREA
        else labels.active_code(ReferenceKind.DISTRICT, district)
    )
    if district and district_code is None:
        reader.problem(
            "district", f"“{district}” is not a district code from the list (or {OUTSIDE_AREA})"
        )
    values["district_code"] = district_code or district
    values["employees"] = reader.decimal(
        "employees",
        what="the number of employees",
        required="Enter the number of employees",
        places=1,
        maximum=Decimal("999999.9"),
        wrong="Enter the number of employees as a number, like 7 or 7.5",
        too_precise="Enter the number of employees to one decimal place at most",
    )
    values["turnover_band"] = _choice(
        reader, "turnover_band", TurnoverBand, "the turnover band", True
    )
    started = reader.date(
        "started_trading_on",
        required="Enter the date the business started trading",
        not_a_date="Enter the date as YYYY-MM-DD or DD/MM/YYYY",
        not_real="Enter a real date as YYYY-MM-DD or DD/MM/YYYY",
    )
    if started is not None and started > today:
        reader.problem(
            "started_trading_on", "The date the business started trading must be in the past"
        )
    values["started_trading_on"] = started

    if reader.has("phone"):
        phone = reader.text("phone", max_length=30)
        if phone and not _PHONE.match(phone):
            reader.problem(
                "phone", "Enter a phone number in the correct format, like 01632 960 001"
            )
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
        sector = reader.text("sector")
        sector_code = labels.active_code(ReferenceKind.SECTOR, sector) if sector else None
        if sector and sector_code is None:
            reader.problem("sector", f"“{sector}” is not a sector code from the list")
        values["sector_code"] = sector_code
    if reader.has("sic_code"):
        sic = reader.text("sic_code", max_length=5)
        if sic and not _SIC.match(sic):
            reader.problem("sic_code", "Enter a SIC code of 5 digits, like 56101")
        values["sic_code"] = sic or None
    if reader.has("legal_form"):
        values["legal_form"] = _choice(
            reader, "legal_form", LegalForm, "the type of business", False
        )
    if reader.has("delivery"):
        values["delivery"] = _choice(
            reader, "delivery", DeliveryPreference, "how they would meet", False
        )
    for column in ("organisations_other", "issues_other"):
        if reader.has(column):
            values[column] = reader.text(column, max_length=_MAX_TEXT)
    for column in ("share_with_cohort", "contact_about_future"):
        if reader.has(column):
            values[column] = reader.yes_no(column, wrong="Enter yes or no, or leave it blank")

    answers = Answers(
        values=values,
        organisations=_codes(
            reader,
            "organisations",
            ReferenceKind.BUSINESS_ORGANISATION,
            "business organisations",
            labels,
        ),
        issues=_codes(reader, "issues", ReferenceKind.ISSUE, "issues", labels),
        availability=_availability(reader, "availability"),
    )
    for column in cells:
        if column.startswith(OWNERSHIP_PREFIX):
            code = column.removeprefix(OWNERSHIP_PREFIX)
            answers.ownership[code] = _choice(
                reader, column, FactAnswer, "an ownership answer", False
            )
    for column, kind in _CONFLICT_COLUMNS.items():
        names = _names(reader, column)
        if names is not None:
            answers.conflicts[kind] = names
    if problems:
        return person, None, problems
    return person, answers, []
