"""Forms for the money pages, the projection and the board report's choices."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from werkzeug.datastructures import MultiDict
from wtforms import RadioField, SelectChoice, SubmitField
from wtforms.validators import StopValidation

from portal.forms import PortalForm, Required
from portal.outcomes.board_report import (
    DEFAULT_PROJECTED_COHORTS,
    MAX_PROJECTED_COHORTS,
    CostBasis,
)
from portal.rounds.fields import CheckboxesField, DateField, PenceField, WholeNumberField
from portal.rounds.models import Round
from portal.timefmt import today_in_london

MAXIMUM_CONTRACT_POUNDS = 100_000_000


class OptionalPenceField(PenceField):
    """An amount that may be left empty (None)."""

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            raise StopValidation()
        if self.data is None:
            return
        super().pre_validate(form)


class ContractForm(PortalForm):
    contract_value = PenceField(
        "Contract value",
        noun="contract value",
        maximum_pounds=MAXIMUM_CONTRACT_POUNDS,
        description="In pounds, for example 12,500 or 12500.00",
    )
    spend_to_date = OptionalPenceField(
        "Spend to date (optional)",
        noun="spend to date",
        maximum_pounds=MAXIMUM_CONTRACT_POUNDS,
        description="In pounds. Leave empty if no spend has been recorded yet.",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


def basis_field() -> RadioField:
    return RadioField(
        "Cost basis",
        choices=[SelectChoice(b.value, b.label) for b in CostBasis],
        default=CostBasis.RECORDED.value,
        widget=GovRadioInput(),
        validators=[Required("Select the cost basis")],
        invalid_choice_message="Select the cost basis",
    )


def cohorts_field() -> WholeNumberField:
    return WholeNumberField(
        "Number of cohorts",
        noun="number of cohorts",
        minimum=1,
        maximum=MAX_PROJECTED_COHORTS,
        default=DEFAULT_PROJECTED_COHORTS,
        render_kw={"class": "govuk-input--width-4"},
    )


def rounds_field() -> CheckboxesField:
    return CheckboxesField(
        "Rounds",
        required_message="Select at least one round",
        coerce=str,
    )


class AsAtDateField(DateField):
    """The day figures are counted as at: a real date, today or earlier (figures cannot count
    what has not happened yet)."""

    def __init__(self, label: str = "Figures as at", **kwargs: Any) -> None:
        super().__init__(label, noun="date the figures are as at", **kwargs)

    def pre_validate(self, form: Any) -> None:
        super().pre_validate(form)
        if self.data > today_in_london():
            raise StopValidation("Date the figures are as at must be today or in the past")


class BoardReportForm(PortalForm):
    """Which rounds, as at which date, on which cost basis: a GET form."""

    class Meta:
        csrf = False

    round = rounds_field()
    as_at = AsAtDateField()
    cohorts = cohorts_field()
    basis = basis_field()


class ProjectionForm(BoardReportForm):
    """The what-if panel: the board report's choices (a GET form)."""


class IssueForm(PortalForm):
    """Issuing the report on the confirmation page: the choices travel as hidden fields."""

    submit = SubmitField("Issue this report", widget=GovSubmitInput())


def round_choices(rounds: list[Any]) -> list[SelectChoice]:
    return [SelectChoice(str(r.id), f"{r.name} ({r.year_label})") for r in rounds]


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Choices:
    """Valid choices of rounds, as-at date, cohorts to project and cost basis."""

    rounds: list[Round]
    as_at: dt.date
    cohorts: int
    basis: CostBasis

    def args(self) -> dict[str, Any]:
        """The query string that asks for this report again."""
        return {
            "round": [r.id for r in self.rounds],
            "as_at": self.as_at.isoformat(),
            "cohorts": self.cohorts,
            "basis": self.basis.value,
        }


def form_data(source: MultiDict[str, str], *, today: dt.date) -> MultiDict[str, str]:
    """The request's answers, with an ISO ``as_at`` (2022-02-10) split into day, month and year
    and the defaults filled in for anything not asked."""
    data: MultiDict[str, str] = MultiDict(source)
    dates = data.getlist("as_at")
    if len(dates) == 1 and _ISO_DATE.fullmatch(dates[0].strip()):
        year, month, day = dates[0].strip().split("-")
        data.setlist("as_at", [day.lstrip("0"), month.lstrip("0"), year])
    elif not dates:
        data.setlist("as_at", [str(today.day), str(today.month), str(today.year)])
    data.setdefault("cohorts", str(DEFAULT_PROJECTED_COHORTS))
    data.setdefault("basis", CostBasis.RECORDED.value)
    return data


def read_choices(
    form_class: type[BoardReportForm], source: MultiDict[str, str], rounds: Sequence[Round]
) -> tuple[BoardReportForm, Choices | None]:
    """The choices form filled from ``source`` (the board report's or the projection's), and
    the valid choices (None if not valid or nothing was asked)."""
    today = today_in_london()
    asked = bool(source)
    form = form_class(form_data(source, today=today) if asked else None)
    form.round.choices = round_choices(list(rounds))
    if not asked:
        form.as_at.data = today
        return form, None
    if not form.validate():
        return form, None
    by_id = {str(r.id): r for r in rounds}
    return form, Choices(
        rounds=[by_id[value] for value in form.round.data],
        as_at=form.as_at.data,
        cohorts=form.cohorts.data,
        basis=CostBasis(form.basis.data),
    )
