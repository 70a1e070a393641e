"""Case studies: a participant's story of what the programme did for their business, the
consent that governs where it may appear, and every status it reached.

A participant writes it, or a facilitator drafts it for them and the participant checks
it and gives consent. Officers review it (submitted -> in review -> changes requested ->
resubmitted -> approved -> published, or rejected with a reason). Withdrawing consent or
reaching the end of the consent period unpublishes it at once.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db_base import Base, enum_column, utcnow


class CaseStudyStatus(enum.StrEnum):
    DRAFT = "draft"
    AWAITING_CONFIRMATION = "awaiting_confirmation"  # drafted by a facilitator
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    RESUBMITTED = "resubmitted"
    APPROVED = "approved"
    PUBLISHED = "published"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # consent withdrawn
    EXPIRED = "expired"  # the consent period ended

    @property
    def label(self) -> str:
        return {
            "draft": "Draft",
            "awaiting_confirmation": "Waiting for the participant",
            "submitted": "Submitted",
            "in_review": "In review",
            "changes_requested": "Changes requested",
            "resubmitted": "Resubmitted",
            "approved": "Approved",
            "published": "Published",
            "rejected": "Rejected",
            "withdrawn": "Consent withdrawn",
            "expired": "Consent ended",
        }[self.value]

    @property
    def tag_colour(self) -> str:
        return {
            "draft": "grey",
            "awaiting_confirmation": "yellow",
            "submitted": "blue",
            "in_review": "light-blue",
            "changes_requested": "orange",
            "resubmitted": "blue",
            "approved": "turquoise",
            "published": "green",
            "rejected": "red",
            "withdrawn": "grey",
            "expired": "grey",
        }[self.value]


# Statuses in which the author may change the story.
EDITABLE = frozenset(
    {
        CaseStudyStatus.DRAFT,
        CaseStudyStatus.AWAITING_CONFIRMATION,
        CaseStudyStatus.CHANGES_REQUESTED,
    }
)
# Statuses that end a story: the person may start another.
FINISHED = frozenset({CaseStudyStatus.REJECTED, CaseStudyStatus.WITHDRAWN, CaseStudyStatus.EXPIRED})
# Statuses in which consent has been given and can be withdrawn.
CONSENTED = frozenset(
    {
        CaseStudyStatus.SUBMITTED,
        CaseStudyStatus.IN_REVIEW,
        CaseStudyStatus.CHANGES_REQUESTED,
        CaseStudyStatus.RESUBMITTED,
        CaseStudyStatus.APPROVED,
        CaseStudyStatus.PUBLISHED,
    }
)
# Statuses an officer reviews from.
AWAITING_REVIEW = frozenset({CaseStudyStatus.SUBMITTED, CaseStudyStatus.RESUBMITTED})


class ConsentUse(enum.StrEnum):
    """Where a story may be used."""

    WEBSITE = "website"
    SOCIAL_MEDIA = "social_media"
    REPORTS = "reports"
    PRESS = "press"

    @property
    def label(self) -> str:
        return {
            "website": "On the ‘Stories’ page of this website",
            "social_media": "On the Growth Hub’s social media",
            "reports": "In reports to the programme’s funders and board",
            "press": "In press releases and printed material",
        }[self.value]


CONSENT_YEARS = (1, 2, 3, 5)
DEFAULT_CONSENT_YEARS = 5


class CaseStudy(Base):
    __tablename__ = "case_study"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The participant whose story it is (the author, who gives consent).
    person_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("cohort_place.id"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("programme_round.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"))
    # A facilitator who drafted it on the participant's behalf, if any.
    drafted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[CaseStudyStatus] = mapped_column(enum_column(CaseStudyStatus), index=True)
    status_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Question pages answered (so none is asked twice, and check answers knows when done).
    answered_steps: Mapped[list[str]] = mapped_column(JSON, default=list)

    # The story
    title: Mapped[str] = mapped_column(String(120), default="")
    challenge: Mapped[str] = mapped_column(Text, default="")
    group_help: Mapped[str] = mapped_column(Text, default="")
    one_to_one_help: Mapped[str] = mapped_column(Text, default="")
    actions: Mapped[str] = mapped_column(Text, default="")
    outcomes: Mapped[str] = mapped_column(Text, default="")
    quote: Mapped[str] = mapped_column(Text, default="")
    # Outcomes in figures, all optional. Money is whole pounds.
    jobs_created: Mapped[int | None]
    jobs_safeguarded: Mapped[int | None]
    turnover_change_pounds: Mapped[int | None] = mapped_column(BigInteger)
    cost_savings_pounds: Mapped[int | None] = mapped_column(BigInteger)
    new_markets: Mapped[str] = mapped_column(String(200), default="")
    # For the Stories page's filters: the business's sector (from the application) and
    # the issues (reference codes) the story is about.
    sector_code: Mapped[str | None] = mapped_column(String(2), index=True)
    issue_codes: Mapped[list[str]] = mapped_column(JSON, default=list)

    # Consent: None until the participant answers.
    named: Mapped[bool | None]
    uses: Mapped[list[str]] = mapped_column(JSON, default=list)
    consent_years: Mapped[int | None]
    consent_given_at: Mapped[dt.datetime | None]
    consent_expires_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    consent_withdrawn_at: Mapped[dt.datetime | None]

    # Review and publication
    submitted_at: Mapped[dt.datetime | None]
    anonymity_confirmed_at: Mapped[dt.datetime | None]
    anonymity_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[dt.datetime | None]
    unpublished_at: Mapped[dt.datetime | None]

    history: Mapped[list[CaseStudyStatusChange]] = relationship(
        cascade="all, delete-orphan", order_by="CaseStudyStatusChange.id", lazy="selectin"
    )


class CaseStudyStatusChange(Base):
    """Every status a case study reached: when, who (None: the system) and the comment the
    author is shown (changes asked for, a reason for rejecting)."""

    __tablename__ = "case_study_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_study_id: Mapped[int] = mapped_column(ForeignKey("case_study.id"), index=True)
    status: Mapped[CaseStudyStatus] = mapped_column(enum_column(CaseStudyStatus))
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    comment: Mapped[str] = mapped_column(Text, default="")
