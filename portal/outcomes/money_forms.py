"""Forms for the money pages, the projection and the board report's choices."""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SelectChoice, SubmitField
from wtforms.validators import StopValidation

from portal.forms import PortalForm, Required
from portal.outcomes.board_report import (
    DEFAULT_PROJECTED_COHORTS,
    MAX_PROJECTED_COHORTS,
    CostBasis,
)
from portal.rounds.fields import CheckboxesField, DateField, PenceField, WholeNumberField

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


class ProjectionForm(PortalForm):
    """The what-if panel: a GET form."""

    class Meta:
        csrf = False

    round = rounds_field()
    cohorts = cohorts_field()
    basis = basis_field()


class BoardReportForm(PortalForm):
    """Which rounds, as at which date, on which cost basis: a GET form."""

    class Meta:
        csrf = False

    round = rounds_field()
    as_at = DateField("Figures as at", noun="date the figures are as at")
    cohorts = cohorts_field()
    basis = basis_field()


class IssueForm(PortalForm):
    """Issuing the report on the confirmation page: the choices travel as hidden fields."""

    submit = SubmitField("Issue this report", widget=GovSubmitInput())


def round_choices(rounds: list[Any]) -> list[SelectChoice]:
    return [SelectChoice(str(r.id), f"{r.name} ({r.year_label})") for r in rounds]
