"""The earlier-rounds sheets: their columns, and the typed rows they are read into.

The format is documented in ``docs/earlier-rounds-import-format.md``. Dates without a time
(a place accepted, a survey answered) are taken as midday in London: "as at" a date counts
the whole day, so any time of that day gives the same figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from portal.casestudies.models import CaseStudyStatus
from portal.cohorts.models import CohortBasis, CohortDelivery, SessionStatus
from portal.registration.officer_answers import ReferenceLabels
from portal.rounds.models import BusinessRole
from portal.surveys.models import ResponseMode, SurveyTiming
from portal.surveys.questions import QuestionLike
from portal.timefmt import LONDON

# (required columns, optional columns) of each sheet.
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "rounds": (("round", "year_label", "starts_on", "ends_on", "funder", "grant_pounds"), ()),
    "contractors": (("contractor",), ("contact_email",)),
    "contracts": (
        ("round", "contractor", "contract_value_pounds"),
        ("spend_to_date_pounds", "spend_recorded_on"),
    ),
    "cohorts": (
        ("cohort", "round", "name", "contractor", "basis", "delivery", "confirmed_on"),
        ("basis_value", "districts", "venue", "planned_hours", "cancelled_on"),
    ),
    "sessions": (
        ("cohort", "session", "date", "start_time", "length_minutes"),
        ("status", "themes"),
    ),
    "participants": (
        (
            "participant",
            "round",
            "cohort",
            "name",
            "email",
            "business_name",
            "postcode",
            "district",
            "accepted_on",
        ),
        (
            "role",
            "company_number",
            "sector",
            "issues",
            "applied_on",
            "left_on",
            "left_reason",
            "one_to_one_hours",
        ),
    ),
    "attendance": (("participant", "session"), ("hours",)),
    "survey_invitations": (("participant", "timing", "invited_on"), ("responded_on", "mode")),
    "survey_answers": (("participant", "timing", "measure", "answer"), ()),
    "case_studies": (
        ("participant", "status", "title", "named", "uses", "consent_given_on", "consent_years"),
        (
            "challenge",
            "group_help",
            "one_to_one_help",
            "actions",
            "outcomes",
            "quote",
            "jobs_created",
            "jobs_safeguarded",
            "turnover_change_pounds",
            "cost_savings_pounds",
            "new_markets",
            "issues",
            "published_on",
            "withdrawn_on",
        ),
    ),
}
# The statuses a case study may be imported with ("expired" follows from its consent).
CASE_STUDY_STATUSES = (
    CaseStudyStatus.APPROVED,
    CaseStudyStatus.PUBLISHED,
    CaseStudyStatus.WITHDRAWN,
)
STORY_LIMIT = 2_000
QUOTE_LIMIT = 500
_NOON = dt.time(12, 0)


def at_noon(day: dt.date | None) -> dt.datetime | None:
    """Midday in London on ``day``, in UTC."""
    if day is None:
        return None
    return dt.datetime.combine(day, _NOON, tzinfo=LONDON).astimezone(dt.UTC)


def london_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(LONDON).date()


@dataclass
class RoundRow:
    line: int
    name: str
    year_label: str
    starts_on: dt.date
    ends_on: dt.date
    funder: str
    grant_pence: int


@dataclass
class ContractorRow:
    line: int
    name: str
    contact_email: str


@dataclass
class ContractRow:
    line: int
    round: str
    contractor: str
    value_pence: int
    spend_pence: int | None
    spend_on: dt.date | None


@dataclass
class SessionRow:
    line: int
    cohort: str
    number: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: SessionStatus  # planned: had not happened when the records were made
    themes: list[str]

    @property
    def held(self) -> bool:
        return self.status == SessionStatus.HELD

    @property
    def planned(self) -> bool:
        return self.status == SessionStatus.PLANNED

    @property
    def length_hours(self) -> Decimal:
        return Decimal(int((self.ends_at - self.starts_at).total_seconds())) / Decimal(3600)


@dataclass
class CohortRow:
    line: int
    key: str
    round: str
    name: str
    contractor: str
    basis: CohortBasis
    basis_value: str
    delivery: CohortDelivery
    districts: list[str]
    venue: str
    planned_hours: int | None
    confirmed_at: dt.datetime
    cancelled_at: dt.datetime | None
    sessions: list[SessionRow] = field(default_factory=list)


@dataclass
class ParticipantRow:
    line: int
    key: str
    round: str
    cohort: str
    name: str
    email: str
    role: BusinessRole | None
    business_name: str
    company_number: str | None
    postcode: str
    district: str
    sector: str | None
    issues: list[str]
    applied_at: dt.datetime
    accepted_at: dt.datetime
    left_at: dt.datetime | None
    left_reason: str
    one_to_one_minutes: int | None
    # Filled in from the attendance sheet: when the last session they attended ended.
    last_attended_at: dt.datetime | None = None


@dataclass
class AttendanceRow:
    line: int
    participant: str
    session: int
    hours: Decimal
    whole_session: bool


@dataclass
class InvitationRow:
    line: int
    participant: str
    timing: SurveyTiming
    invited_at: dt.datetime
    responded_at: dt.datetime | None
    mode: ResponseMode


# A survey answer as stored: (choice, choices, number, text), exactly one of them set.
AnswerValue = tuple[str | None, list[str] | None, Decimal | None, str | None]


@dataclass
class AnswerRow:
    line: int
    participant: str
    timing: SurveyTiming
    measure: str
    value: AnswerValue | None  # None: skipped (nothing is stored)


@dataclass
class CaseStudyRow:
    line: int
    participant: str
    status: CaseStudyStatus
    title: str
    texts: dict[str, str]
    numbers: dict[str, int | None]
    new_markets: str
    issues: list[str]
    named: bool
    uses: list[str]
    consent_years: int
    consent_given_at: dt.datetime
    published_at: dt.datetime | None
    withdrawn_at: dt.datetime | None


@dataclass
class Rows:
    """Every good row of every sheet, by sheet, in file order."""

    rounds: list[RoundRow] = field(default_factory=list)
    contractors: list[ContractorRow] = field(default_factory=list)
    contracts: list[ContractRow] = field(default_factory=list)
    cohorts: list[CohortRow] = field(default_factory=list)
    sessions: list[SessionRow] = field(default_factory=list)
    participants: list[ParticipantRow] = field(default_factory=list)
    attendance: list[AttendanceRow] = field(default_factory=list)
    survey_invitations: list[InvitationRow] = field(default_factory=list)
    survey_answers: list[AnswerRow] = field(default_factory=list)
    case_studies: list[CaseStudyRow] = field(default_factory=list)

    def count(self) -> int:
        return sum(len(getattr(self, sheet)) for sheet in COLUMNS)


@dataclass(frozen=True)
class Context:
    """What checking the rows needs from outside the files."""

    labels: ReferenceLabels
    # Timing -> measure code -> the question of the survey version answers are stored on.
    questions: Mapping[SurveyTiming, Mapping[str, QuestionLike]]
    # The last date anything in a round may have happened (see imports.cutoff).
    cutoff: Callable[[str], dt.date]
