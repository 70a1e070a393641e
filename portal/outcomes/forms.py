"""The dashboard's choices, in the query string: a round (or rounds) and an as-at date."""

from __future__ import annotations

import datetime as dt

from govuk_frontend_wtf.wtforms_widgets import GovSelect
from werkzeug.datastructures import MultiDict
from wtforms import SelectField
from wtforms.validators import Optional

from portal.forms import GovukDateField, PortalForm
from portal.rounds.fields import CheckboxesField

NOT_A_DATE = "The as-at date must be a real date, for example 10 2 2022"
# Figures count what has happened, so a later day would only repeat today's (and a day near
# the end of the calendar cannot be counted to its end at all).
IN_THE_FUTURE = "The as-at date must be today or in the past"


class DashboardForm(PortalForm):
    """A GET form, so it carries no CSRF token."""

    class Meta:
        csrf = False

    round = SelectField(
        "Round",
        widget=GovSelect(),
        validators=[Optional()],
        invalid_choice_message="Select a round from the list",
    )
    as_at = GovukDateField(
        "As at",
        name_in_errors="The as-at date",
        description="Counts only what had happened by the end of this day. For example, 10 2 2022",
    )


class CompareForm(PortalForm):
    class Meta:
        csrf = False

    round = CheckboxesField(
        "Rounds",
        description="Select all that apply.",
        invalid_choice_message="Select rounds from the list",
    )
    as_at = GovukDateField(
        "As at",
        name_in_errors="The as-at date",
        description="Counts only what had happened by the end of this day. For example, 10 2 2022",
    )


def date_args(args: MultiDict[str, str]) -> tuple[MultiDict[str, str], bool]:
    """The query string with a one-part ``as_at=YYYY-MM-DD`` (the form links use) turned
    into the date input's three parts. Also says whether a one-part date was not a date."""
    values = args.getlist("as_at")
    if len(values) != 1 or not values[0].strip():
        return args, False
    copied = MultiDict(args)
    try:
        day = dt.date.fromisoformat(values[0].strip())
    except ValueError:
        copied.setlist("as_at", [values[0][:20], "", ""])
        return copied, True
    copied.setlist("as_at", [str(day.day), str(day.month), str(day.year)])
    return copied, False
