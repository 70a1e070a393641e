"""Reading one row's cells as the values they stand for.

``Row`` holds one row's cells by column name and reads each as a typed value (text, a key,
a date, a time, a number, money, a choice, yes or no, an email address, codes from a list),
reporting one problem per thing wrong, so a whole file can be fixed at once. Text is kept
as typed (surrounding spaces and control characters removed): text a spreadsheet could run
as a formula is made harmless when it is exported (``portal.exports``), never changed on
the way in. A real formula in an XLSX cell is not a typed value, so ``Row`` refuses it.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from portal.email_addresses import email_address_problem
from portal.forms import without_control_characters
from portal.spreadsheets.files import Cell, Formula

E = TypeVar("E", bound=enum.Enum)

KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/\-]{0,59}$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_YEAR_MONTH_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")
_LIST = re.compile(r"[;,\n]")
_ITEMS = re.compile(r"[;\n]")
_YES = frozenset({"yes", "y", "true", "1"})
_NO = frozenset({"no", "n", "false", "0"})


def as_text(value: Cell) -> str:
    """A cell as text: numbers without a spurious '.0', dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return without_control_characters(str(value)).strip()


def choice_key(text: str) -> str:
    """'Very satisfied' and 'very-satisfied' are both 'very_satisfied' (column names too)."""
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def split_list(text: str) -> list[str]:
    """The parts of a list separated by semicolons, commas or new lines."""
    return [part.strip() for part in _LIST.split(text) if part.strip()]


class Row:
    """One row's cells by column name, read into values. Each problem found is passed to
    ``report`` (column, message) as it is found; ``ok`` says whether the row can be used:
    it had none, and was not set aside."""

    def __init__(
        self, line: int, cells: Mapping[str, Cell], report: Callable[[str, str], None]
    ) -> None:
        self.line = line
        self.cells = cells
        self.report = report
        self.found = 0  # problems found in this row
        self.aside = False

    @property
    def ok(self) -> bool:
        """No problem was found in this row (so far), and it was not set aside."""
        return self.found == 0 and not self.aside

    def set_aside(self) -> None:
        """Not to be used, with no problem of its own: something it depends on was refused,
        which is reported once, there."""
        self.aside = True

    def problem(self, column: str, message: str) -> None:
        self.report(column, message)
        self.found += 1

    def has(self, column: str) -> bool:
        return column in self.cells

    def text(self, column: str, *, required: str | None = None, max_length: int = 200) -> str:
        value = self.cells.get(column)
        if isinstance(value, Formula):
            self.problem(
                column, f"Cell {value.cell} holds a formula. Replace it with the value it shows"
            )
            return ""
        text = as_text(value)
        if not text and required:
            self.problem(column, required)
        elif len(text) > max_length:
            self.problem(column, f"Must be {max_length:,} characters or fewer")
        return text

    def email(self, column: str, *, required: str) -> str:
        """An email address as typed, if it is one email can be sent to: the reason it is
        not, otherwise (an address at a reserved name like .test can never receive email)."""
        address = self.text(column, required=required, max_length=320)
        problem = email_address_problem(address) if address else None
        if problem:
            self.problem(column, problem)
        return address

    def key(self, column: str, what: str) -> str:
        """A stable key: letters, digits, spaces and . _ / - (at most 60 characters)."""
        text = self.text(column, required=f"Enter the {what}", max_length=60)
        if text and not KEY.match(text):
            self.problem(
                column,
                f"“{text}” cannot be a {what}: use letters, digits, spaces and . _ / - only",
            )
            return ""
        return text

    def date(
        self,
        column: str,
        *,
        required: str | None = None,
        not_a_date: str = "“{raw}” is not a date: enter it as YYYY-MM-DD or DD/MM/YYYY",
        not_real: str = "“{raw}” is not a real date",
    ) -> dt.date | None:
        """A date cell, or text as YYYY-MM-DD or DD/MM/YYYY. The messages may name the
        text as ``{raw}``."""
        value = self.cells.get(column)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        raw = self.text(column, required=required)
        if not raw:
            return None
        if match := _YEAR_MONTH_DAY.match(raw):
            year, month, day = (int(part) for part in match.groups())
        elif match := _DAY_MONTH_YEAR.match(raw):
            day, month, year = (int(part) for part in match.groups())
        else:
            self.problem(column, not_a_date.format(raw=raw))
            return None
        try:
            return dt.date(year, month, day)
        except ValueError:
            self.problem(column, not_real.format(raw=raw))
            return None

    def time(self, column: str, *, required: str) -> dt.time | None:
        value = self.cells.get(column)
        if isinstance(value, dt.time):
            return value.replace(second=0, microsecond=0)
        if isinstance(value, dt.datetime):
            return value.time().replace(second=0, microsecond=0)
        raw = self.text(column, required=required)
        if not raw:
            return None
        match = _TIME.match(raw)
        hour, minute = (int(part) for part in match.groups()) if match else (99, 99)
        if hour > 23 or minute > 59:
            self.problem(column, f"“{raw}” is not a time: enter it as HH:MM, like 09:30 or 18:00")
            return None
        return dt.time(hour, minute)

    def decimal(
        self,
        column: str,
        *,
        what: str,
        required: str | None = None,
        places: int = 2,
        minimum: Decimal = Decimal(0),
        maximum: Decimal = Decimal(10**12),
        wrong: str | None = None,
        too_precise: str | None = None,
    ) -> Decimal | None:
        """A number (commas and a £ sign allowed) from ``minimum`` to ``maximum`` with at
        most ``places`` decimal places; ``wrong`` and ``too_precise`` replace the messages."""
        value = self.cells.get(column)
        if isinstance(value, int | float) and not isinstance(value, bool):
            raw = str(value)
        else:
            raw = self.text(column, required=required).replace(",", "").removeprefix("£")
        if not raw:
            return None
        try:
            number = Decimal(raw)
        except InvalidOperation:
            number = Decimal("NaN")
        step = Decimal(1).scaleb(-places)
        if not number.is_finite() or not minimum <= number <= maximum:
            self.problem(column, wrong or f"Enter {what} as a number from {minimum} to {maximum:,}")
            return None
        if number != number.quantize(step):
            self.problem(column, too_precise or f"Enter {what} to {places} decimal places at most")
            return None
        return number.quantize(step)

    def whole(
        self,
        column: str,
        *,
        what: str,
        required: str | None = None,
        minimum: int = 0,
        maximum: int = 10**9,
    ) -> int | None:
        number = self.decimal(
            column,
            what=what,
            required=required,
            places=0,
            minimum=Decimal(minimum),
            maximum=Decimal(maximum),
        )
        return None if number is None else int(number)

    def pence(self, column: str, *, what: str, required: str | None = None) -> int | None:
        """Money in pounds (commas, a £ sign and pence allowed) as whole pence."""
        pounds = self.decimal(column, what=what, required=required)
        return None if pounds is None else int((pounds * 100).quantize(Decimal(1)))

    def choice(
        self,
        column: str,
        values: type[E],
        what: str,
        *,
        required: bool = True,
        labels: Callable[[E], str] | None = None,
        wrong: str = "“{raw}” is not {what}: use one of {allowed}",
    ) -> E | None:
        """One of an enum's values (or its label), any case, spaces or hyphens for _. The
        message may name the text, ``what`` and the allowed values."""
        raw = self.text(column, required=f"Enter {what}" if required else None)
        if not raw:
            return None
        key = choice_key(raw)
        for member in values:
            label = labels(member) if labels else str(member.value)
            if key in (str(member.value), choice_key(label)):
                return member
        allowed = ", ".join(str(member.value) for member in values)
        self.problem(column, wrong.format(raw=raw, what=what, allowed=allowed))
        return None

    def yes_no(
        self, column: str, *, required: str | None = None, wrong: str = "Enter yes or no"
    ) -> bool | None:
        raw = self.text(column, required=required).lower()
        if not raw:
            return None
        if raw in _YES:
            return True
        if raw in _NO:
            return False
        self.problem(column, wrong)
        return None

    def codes(self, column: str, what: str, code_of: Callable[[str], str | None]) -> list[str]:
        """Items of a list, separated by semicolons, commas or new lines, as their codes in
        the order given and without repeats; ``code_of`` gives the code of an item of the
        list of ``what`` (named by its code or its name), or None."""
        found: list[str] = []
        for part in _ITEMS.split(self.text(column, max_length=2_000)):
            # A name may hold a comma ("Agriculture, forestry and fishing").
            items = [part] if code_of(part.strip()) else part.split(",")
            for item in filter(None, (item.strip() for item in items)):
                code = code_of(item)
                if code is None:
                    self.problem(column, f"“{item}” is not a code from the list of {what}")
                elif code not in found:
                    found.append(code)
        return found
