"""Form fields that answer in GOV.UK words: whole numbers, money, dates, checkboxes, day lists.

Each field keeps what was typed when it is wrong, and says what is wrong in the GOV.UK
pattern ("Enter the ...", "... must be a whole number", "... must be between 1 and 10").
They are general; they live here until a second feature needs them.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from govuk_frontend_wtf.gov_form_base import GovFormBase
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovDateInput, GovTextInput
from wtforms import Field, IntegerField, SelectMultipleField, StringField
from wtforms.validators import StopValidation


def _sentence(noun: str) -> str:
    return noun[:1].upper() + noun[1:]


def _number_text(text: str) -> str:
    # People write "£100,000" and "100 000"; the pound sign, commas and spaces carry nothing.
    return re.sub(r"[,\s]", "", text).removeprefix("£")


class WholeNumberField(IntegerField):
    """A whole number between ``minimum`` and ``maximum``, typed in a text input.

    GOV.UK asks for text inputs with ``inputmode="numeric"`` rather than number inputs.
    """

    # As WTForms' own fields: the answer, untyped (None until given; validation refuses None
    # where an answer is required, so views read it as given).
    data: Any

    widget = GovTextInput()

    def __init__(self, label: str, *, noun: str, minimum: int, maximum: int, **kwargs: Any) -> None:
        render_kw = {"inputmode": "numeric", "spellcheck": "false", **kwargs.pop("render_kw", {})}
        super().__init__(label, render_kw=render_kw, **kwargs)
        self.noun = noun
        self.minimum = minimum
        self.maximum = maximum

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        text = _number_text(valuelist[0]) if valuelist else ""
        if not text:
            return
        if not re.fullmatch(r"-?\d+", text):
            raise ValueError(f"{_sentence(self.noun)} must be a whole number")
        self.data = int(text)

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            raise StopValidation()
        if self.data is None:
            raise StopValidation(f"Enter the {self.noun}")
        if not self.minimum <= self.data <= self.maximum:
            raise StopValidation(
                f"{_sentence(self.noun)} must be between {self.minimum:,} and {self.maximum:,}"
            )


class PenceField(Field):
    """An amount in pounds (with or without pence), held as whole pence: money is never a float."""

    # As WTForms' own fields: the answer, untyped (None until given; validation refuses None
    # where an answer is required, so views read it as given).
    data: Any

    widget = GovTextInput()

    def __init__(self, label: str, *, noun: str, maximum_pounds: int, **kwargs: Any) -> None:
        render_kw = {"inputmode": "decimal", "spellcheck": "false", **kwargs.pop("render_kw", {})}
        super().__init__(label, render_kw=render_kw, **kwargs)
        self.noun = noun
        self.maximum_pounds = maximum_pounds

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        pounds, pence = divmod(int(self.data), 100)
        return f"{pounds}.{pence:02d}" if pence else str(pounds)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        text = _number_text(valuelist[0]) if valuelist else ""
        if not text:
            return
        if text.startswith("-") and re.fullmatch(r"-£?\d+(\.\d{1,2})?", text):
            raise ValueError(f"{_sentence(self.noun)} must be £0 or more")
        if not re.fullmatch(r"\d+(\.\d{1,2})?", text):
            raise ValueError(
                f"{_sentence(self.noun)} must be an amount of money, like 390,000 or 390,000.50"
            )
        try:
            self.data = int(Decimal(text) * 100)
        except InvalidOperation as error:  # pragma: no cover (the pattern above rules it out)
            raise ValueError(f"{_sentence(self.noun)} must be an amount of money") from error

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            raise StopValidation()
        if self.data is None:
            raise StopValidation(f"Enter the {self.noun}")
        if self.data > self.maximum_pounds * 100:
            raise StopValidation(f"{_sentence(self.noun)} must be £{self.maximum_pounds:,} or less")


class DateInput(GovDateInput):
    """GOV.UK's day, month and year inputs, robust to a request that sends fewer than three.

    The field's id is its day input, so the error summary link moves focus to a place
    where the person can type; the group around the inputs takes the field's name.
    """

    def __call__(self, field: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("id", field.name)
        return super().__call__(field, **kwargs)

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        params = GovFormBase.map_gov_params(self, field, **kwargs)
        if field.raw_data:
            parts = ([*field.raw_data, "", "", ""])[:3]
        elif field.data:
            parts = [str(field.data.day), str(field.data.month), str(field.data.year)]
        else:
            parts = ["", "", ""]
        error_class = "govuk-input--error" if field.errors else ""
        params.setdefault("fieldset", {"legend": {"text": field.label.text}})
        params.setdefault(
            "items",
            [
                {
                    "label": label,
                    "id": f"{field.name}-{label.lower()}",
                    "name": field.name,
                    "classes": f"govuk-input--width-{width} {error_class}".strip(),
                    "value": value,
                }
                for label, width, value in zip(
                    ("Day", "Month", "Year"), (2, 2, 4), parts, strict=True
                )
            ],
        )
        return params


class DateField(Field):
    """A date typed as day, month and year, with GOV.UK's date messages."""

    # As WTForms' own fields: the answer, untyped (None until given; validation refuses None
    # where an answer is required, so views read it as given).
    data: Any

    widget = DateInput()

    def __init__(self, label: str, *, noun: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.noun = noun
        self.id = f"{self.name}-day"

    def _value(self) -> str:
        return " ".join(self.raw_data) if self.raw_data else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        day, month, year = (str(part).strip() for part in ([*valuelist, "", "", ""])[:3])
        if not (day or month or year):
            return
        missing = [
            name for name, part in (("day", day), ("month", month), ("year", year)) if not part
        ]
        if missing:
            raise ValueError(f"{_sentence(self.noun)} must include a {' and '.join(missing)}")
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise ValueError(f"{_sentence(self.noun)} must be a real date")
        if len(year) != 4:
            raise ValueError("Year must include 4 numbers")
        try:
            self.data = dt.date(int(year), int(month), int(day))
        except ValueError as error:
            raise ValueError(f"{_sentence(self.noun)} must be a real date") from error

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            raise StopValidation()
        if self.data is None:
            raise StopValidation(f"Enter the {self.noun}")


class CheckboxesField(SelectMultipleField):
    """GOV.UK checkboxes; a value that is not offered gets a plain message, not WTForms'."""

    widget = GovCheckboxesInput()

    def __init__(self, label: str, *, required_message: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("invalid_choice_message", "Select options from the list")
        super().__init__(label, **kwargs)
        self.required_message = required_message

    def pre_validate(self, form: Any) -> None:
        if self.required_message and not self.data:
            raise StopValidation(self.required_message)
        super().pre_validate(form)


class DayListField(StringField):
    """A short list of day counts typed as "7, 14": ascending, no repeats; blank means none."""

    widget = GovTextInput()

    def __init__(
        self, label: str, *, noun: str, maximum: int, most: int = 5, **kwargs: Any
    ) -> None:
        super().__init__(label, **kwargs)
        self.noun = noun
        self.maximum = maximum
        self.most = most

    def process_data(self, value: Any) -> None:
        self.data = list(value) if value is not None else []

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return ", ".join(str(day) for day in self.data or [])

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = []
        text = str(valuelist[0]).strip() if valuelist else ""
        if not text:
            return
        parts = [part.strip() for part in re.split(r"[,\s]+|\band\b", text) if part.strip()]
        if not all(part.isdigit() for part in parts):
            raise ValueError(
                f"{_sentence(self.noun)} must be whole numbers separated by commas, like 7, 14"
            )
        self.data = [int(part) for part in parts]

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            raise StopValidation()
        days = self.data or []
        if len(days) > self.most:
            raise StopValidation(f"Enter no more than {self.most} {self.noun}")
        if any(not 1 <= day <= self.maximum for day in days):
            raise StopValidation(
                f"{_sentence(self.noun)} must each be between 1 and {self.maximum}"
            )
        if days != sorted(set(days)):
            raise StopValidation(
                f"{_sentence(self.noun)} must go from the earliest to the latest, with no repeats"
            )
