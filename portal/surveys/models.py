"""Surveys as data: versioned definitions, invitations with personal links, responses.

A survey (baseline, exit or follow-up) has numbered versions; each published version is a
list of questions in page order. Every question carries a stable ``measure_code`` that
figures read, so a reworded question in a later version still counts the same. A response
is tied to the version it answered, and its answers are stored one row per question, with
the measure code and the timing copied onto the row, so figures never depend on a summary.

An invitation is one person's invitation to one survey for one place in a cohort; it is
unique per place and timing, which makes the job that creates them idempotent. The emailed
links are rows of their own (only a SHA-256 hash of each is kept), so a reminder can carry
a new link without breaking the one in the first email.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db_base import Base, enum_column, utcnow


class SurveyTiming(enum.StrEnum):
    """When in a person's journey the survey is asked (evaluations' three points)."""

    BASELINE = "baseline"
    EXIT = "exit"
    FOLLOW_UP = "follow_up"

    @property
    def label(self) -> str:
        return {"baseline": "Baseline", "exit": "Exit", "follow_up": "Follow-up"}[self.value]


class QuestionKind(enum.StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    SATISFACTION = "satisfaction"  # the five-point scale, fixed options
    RECOMMEND = "recommend"  # 0 to 10
    NUMBER = "number"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"

    @property
    def label(self) -> str:
        return {
            "single_choice": "One answer from a list",
            "multiple_choice": "Any number of answers from a list",
            "satisfaction": "Satisfaction, from very dissatisfied to very satisfied",
            "recommend": "Likelihood to recommend, 0 to 10",
            "number": "A number",
            "short_text": "A short answer in words",
            "long_text": "A longer answer in words",
        }[self.value]

    @property
    def has_own_options(self) -> bool:
        return self in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)

    @property
    def is_text(self) -> bool:
        return self in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)


class Satisfaction(enum.StrEnum):
    """The five-point scale, in the order it is asked (figures.md)."""

    VERY_DISSATISFIED = "very_dissatisfied"
    FAIRLY_DISSATISFIED = "fairly_dissatisfied"
    NEITHER = "neither"
    FAIRLY_SATISFIED = "fairly_satisfied"
    VERY_SATISFIED = "very_satisfied"

    @property
    def label(self) -> str:
        return {
            "very_dissatisfied": "Very dissatisfied",
            "fairly_dissatisfied": "Fairly dissatisfied",
            "neither": "Neither satisfied nor dissatisfied",
            "fairly_satisfied": "Fairly satisfied",
            "very_satisfied": "Very satisfied",
        }[self.value]


class ResponseStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


class ResponseMode(enum.StrEnum):
    """How the answers reached us: online by the person, or keyed in by an officer."""

    ONLINE = "online"
    PAPER = "paper"
    PHONE = "phone"

    @property
    def label(self) -> str:
        return {
            "online": "Online",
            "paper": "On paper, keyed in by an officer",
            "phone": "By phone, keyed in by an officer",
        }[self.value]


class Survey(Base):
    """One of the three surveys. Its questions live in its versions."""

    __tablename__ = "survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    timing: Mapped[SurveyTiming] = mapped_column(enum_column(SurveyTiming), unique=True)
    name: Mapped[str] = mapped_column(String(120))

    versions: Mapped[list[SurveyVersion]] = relationship(
        back_populates="survey", order_by="SurveyVersion.number", lazy="selectin"
    )


class SurveyVersion(Base):
    """A numbered version of a survey. A draft (not yet published) can still change;
    a published one never does, because responses point at it."""

    __tablename__ = "survey_version"
    __table_args__ = (UniqueConstraint("survey_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    # What the person is told before they start: why we ask and how answers are used.
    introduction: Mapped[str] = mapped_column(Text, default="")
    # Headings of pages that group more than one question, by page key.
    page_titles: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # The definition file's own version number, for versions loaded from a file.
    file_version: Mapped[int | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[dt.datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    change_note: Mapped[str] = mapped_column(Text, default="")

    survey: Mapped[Survey] = relationship(back_populates="versions")
    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="version",
        order_by="SurveyQuestion.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class SurveyQuestion(Base):
    """A question of one version. ``page_key`` groups questions shown on one page."""

    __tablename__ = "survey_question"
    __table_args__ = (UniqueConstraint("version_id", "measure_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id"), index=True)
    position: Mapped[int]
    page_key: Mapped[str] = mapped_column(String(60))
    measure_code: Mapped[str] = mapped_column(String(60), index=True)
    kind: Mapped[QuestionKind] = mapped_column(enum_column(QuestionKind))
    text: Mapped[str] = mapped_column(String(300))
    hint: Mapped[str] = mapped_column(Text, default="")
    # Shown when a required question is not answered ("Select how satisfied you were").
    error_message: Mapped[str] = mapped_column(String(200), default="")
    required: Mapped[bool] = mapped_column(default=True)
    # For single and multiple choice: [{"value": "...", "label": "..."}], in order.
    options: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    # For numbers: the smallest and largest answers accepted (whole numbers).
    min_value: Mapped[int | None]
    max_value: Mapped[int | None]
    # For text: the longest answer accepted, in characters.
    max_length: Mapped[int | None]
    # Show only when an earlier question's answer is one of some values:
    # {"measure_code": "...", "any_of": ["...", ...]}. Empty: always shown.
    show_if: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)

    version: Mapped[SurveyVersion] = relationship(back_populates="questions")


class SurveyInvitation(Base):
    """One person invited to one survey, for one place in a cohort."""

    __tablename__ = "survey_invitation"
    __table_args__ = (UniqueConstraint("place_id", "timing"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    timing: Mapped[SurveyTiming] = mapped_column(enum_column(SurveyTiming), index=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("cohort_place.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("programme_round.id"), index=True)
    # When the trigger happened (place taken, last session ended, person left, months
    # after the exit): the follow-up is counted from the exit invitation's.
    triggered_at: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    # When the first email went: reminders are counted from here.
    sent_at: Mapped[dt.datetime | None]
    reminders_sent: Mapped[int] = mapped_column(default=0)
    last_reminded_at: Mapped[dt.datetime | None]
    resent_count: Mapped[int] = mapped_column(default=0)

    links: Mapped[list[SurveyLink]] = relationship(
        back_populates="invitation", order_by="SurveyLink.id", lazy="selectin"
    )
    response: Mapped[SurveyResponse | None] = relationship(
        back_populates="invitation", lazy="selectin"
    )

    @property
    def answered(self) -> bool:
        return self.response is not None and self.response.status == ResponseStatus.SUBMITTED


class SurveyLink(Base):
    """A personal link to an invitation's survey, as emailed. Only its hash is stored."""

    __tablename__ = "survey_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("survey_invitation.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]

    invitation: Mapped[SurveyInvitation] = relationship(back_populates="links")


class SurveyResponse(Base):
    """A person's answers to one invitation, on the version current when they started."""

    __tablename__ = "survey_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("survey_invitation.id"), unique=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id"), index=True)
    status: Mapped[ResponseStatus] = mapped_column(
        enum_column(ResponseStatus), default=ResponseStatus.IN_PROGRESS, index=True
    )
    mode: Mapped[ResponseMode] = mapped_column(
        enum_column(ResponseMode), default=ResponseMode.ONLINE
    )
    # The officer who keyed the answers in (paper or phone), if any.
    keyed_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    # Page keys answered so far, so "save and return" resumes at the first one left.
    answered_pages: Mapped[list[str]] = mapped_column(JSON, default=list)

    invitation: Mapped[SurveyInvitation] = relationship(back_populates="response")
    version: Mapped[SurveyVersion] = relationship(lazy="selectin")
    answers: Mapped[list[SurveyAnswer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_submitted(self) -> bool:
        return self.status == ResponseStatus.SUBMITTED


class SurveyAnswer(Base):
    """One answer to one question. Exactly one of the value columns is used, by kind:
    ``choice`` (single choice, satisfaction), ``choices`` (multiple choice), ``number``
    (number, recommend) or ``text`` (short and long text). A skipped optional question
    has no row."""

    __tablename__ = "survey_answer"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_response.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_question.id"), index=True)
    measure_code: Mapped[str] = mapped_column(String(60), index=True)
    timing: Mapped[SurveyTiming] = mapped_column(enum_column(SurveyTiming), index=True)
    choice: Mapped[str | None] = mapped_column(String(60))
    choices: Mapped[list[str] | None] = mapped_column(JSON)
    number: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    text: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
