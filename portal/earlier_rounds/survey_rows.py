"""Reading the survey and case-study sheets (see ``rows``)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from portal.casestudies.models import CONSENT_YEARS, CaseStudyStatus, ConsentUse
from portal.earlier_rounds.format import (
    CASE_STUDY_STATUSES,
    QUOTE_LIMIT,
    STORY_LIMIT,
    AnswerRow,
    AnswerValue,
    CaseStudyRow,
    InvitationRow,
    ParticipantRow,
    at_noon,
)
from portal.reference.models import ReferenceKind
from portal.spreadsheets.cells import Row, choice_key, split_list
from portal.surveys.models import QuestionKind, ResponseMode, Satisfaction, SurveyTiming
from portal.surveys.questions import QuestionLike, number_limits, options_of, text_limit

if TYPE_CHECKING:
    from portal.earlier_rounds.rows import SheetReader, SheetRow


def read_survey_invitations(reader: SheetReader, rows: list[SheetRow]) -> None:
    seen: dict[object, int] = {}
    participants = reader.participant_keys
    attended = {row.participant for row in reader.rows.attendance if row.hours > 0}
    for row in rows:
        key = row.text("participant", required="Enter the participant key", max_length=60)
        participant = reader.refers(row, "participant", key, participants, "participants")
        timing = row.choice("timing", SurveyTiming, "the survey’s timing")
        invited = row.date("invited_on", required="Enter the date they were invited")
        responded = row.date("responded_on")
        mode = row.choice("mode", ResponseMode, "how they answered", required=False)
        if invited and responded and responded < invited:
            row.problem("responded_on", "They cannot have answered before being invited")
        if (
            timing in (SurveyTiming.EXIT, SurveyTiming.FOLLOW_UP)
            and isinstance(participant, ParticipantRow)
            and key not in attended
            and "attendance" not in reader.broken
        ):
            if key in reader.refused_attendance:  # perhaps they did: that row says why not
                reader.depends(row, reader.refused_attendance[key].cause)
            else:
                row.problem(
                    "timing",
                    f"{key} attended no session, so was never a participant to ask at "
                    f"{timing.label.lower()}",
                )
        if timing and not reader.unique(row, "timing", (key, timing), seen):
            continue
        if row.ok and isinstance(participant, ParticipantRow):
            assert timing is not None
            assert invited is not None
            reader.rows.survey_invitations.append(
                InvitationRow(
                    row.line,
                    key,
                    timing,
                    at_noon(invited),  # type: ignore[arg-type]
                    at_noon(responded),
                    mode or ResponseMode.PAPER,
                )
            )
    for row in rows:
        if not row.ok:
            found = (row.cell_text("participant"), choice_key(row.cell_text("timing")))
            reader.refused_invitations.setdefault(found, row)


def read_survey_answers(reader: SheetReader, rows: list[SheetRow]) -> None:
    seen: dict[object, int] = {}
    responded = {
        (item.participant, item.timing)
        for item in reader.rows.survey_invitations
        if item.responded_at is not None
    }
    for row in rows:
        key = row.text("participant", required="Enter the participant key", max_length=60)
        reader.refers(row, "participant", key, reader.participant_keys, "participants")
        timing = row.choice("timing", SurveyTiming, "the survey’s timing")
        measure = row.text("measure", required="Enter the measure code", max_length=60)
        question = None
        if timing and measure:
            question = reader.context.questions.get(timing, {}).get(measure)
            if question is None:
                row.problem(
                    "measure",
                    f"“{measure}” is not a question of the {timing.label.lower()} survey",
                )
        refused = reader.refused_invitations.get((key, timing.value if timing else ""))
        if (
            timing
            and key in reader.participant_keys
            and (key, timing) not in responded
            and ("survey_invitations" not in reader.broken)
        ):
            if refused is not None:  # the invitation's own row says what is wrong
                reader.depends(row, refused.cause)
            else:
                row.problem(
                    "participant",
                    f"The survey_invitations sheet has no {timing.label.lower()} response "
                    f"(a responded_on date) for {key}",
                )
        value = _answer(row, question) if question is not None else None
        if measure and not reader.unique(row, "measure", (key, timing, measure), seen):
            continue
        if row.ok:
            assert timing
            reader.rows.survey_answers.append(AnswerRow(row.line, key, timing, measure, value))


def read_case_studies(reader: SheetReader, rows: list[SheetRow]) -> None:
    seen: dict[object, int] = {}
    participants = reader.participant_keys
    for row in rows:
        key = row.text("participant", required="Enter the participant key", max_length=60)
        participant = reader.refers(row, "participant", key, participants, "participants")
        status = row.choice("status", CaseStudyStatus, "the story’s status")
        if status is not None and status not in CASE_STUDY_STATUSES:
            row.problem("status", "Enter approved, published or withdrawn")
        title = row.text("title", required="Enter the story’s title", max_length=120)
        texts = {
            column: row.text(column, max_length=STORY_LIMIT)
            for column in ("challenge", "group_help", "one_to_one_help", "actions", "outcomes")
        }
        texts["quote"] = row.text("quote", max_length=QUOTE_LIMIT)
        numbers = {
            column: row.whole(column, what=column.replace("_", " "), maximum=10**9)
            for column in ("jobs_created", "jobs_safeguarded")
        }
        for column in ("turnover_change_pounds", "cost_savings_pounds"):
            numbers[column] = row.whole(
                column, what=column.replace("_", " "), minimum=-(10**12), maximum=10**12
            )
        named = row.yes_no("named", required="Enter yes if the story may name them")
        uses = []
        for use in split_list(row.text("uses", required="Enter where the story may be used")):
            if choice_key(use) in {item.value for item in ConsentUse}:
                uses.append(choice_key(use))
            else:
                allowed = ", ".join(item.value for item in ConsentUse)
                row.problem("uses", f"“{use}” is not one of {allowed}")
        years = row.whole(
            "consent_years",
            what="the years of consent",
            required="Enter the years",
            minimum=1,
            maximum=10,
        )
        if years is not None and years not in CONSENT_YEARS:
            row.problem(
                "consent_years",
                f"Consent is given for {', '.join(map(str, CONSENT_YEARS))} years",
            )
        given = row.date("consent_given_on", required="Enter the date consent was given")
        published = row.date("published_on")
        withdrawn = row.date("withdrawn_on")
        if status == CaseStudyStatus.PUBLISHED and published is None:
            row.problem("published_on", "Enter the date the story was published")
        if status == CaseStudyStatus.WITHDRAWN and withdrawn is None:
            row.problem("withdrawn_on", "Enter the date consent was withdrawn")
        if status == CaseStudyStatus.APPROVED and published is not None:
            row.problem("published_on", "An approved story has not been published yet")
        if status != CaseStudyStatus.WITHDRAWN and withdrawn is not None:
            row.problem("withdrawn_on", "Only a withdrawn story has a date consent was withdrawn")
        if given and published and published < given:
            row.problem("published_on", "A story cannot be published before consent is given")
        if key and not reader.unique(row, "participant", key, seen):
            continue
        if row.ok and isinstance(participant, ParticipantRow):
            assert status is not None
            assert named is not None
            assert years is not None
            assert given is not None
            reader.rows.case_studies.append(
                CaseStudyRow(
                    row.line,
                    key,
                    status,
                    title,
                    texts,
                    numbers,
                    row.text("new_markets", max_length=200),
                    reader.codes(row, "issues", ReferenceKind.ISSUE, "issues"),
                    named,
                    uses,
                    years,
                    at_noon(given),  # type: ignore[arg-type]
                    at_noon(published),
                    at_noon(withdrawn),
                )
            )


def _answer(row: Row, question: QuestionLike) -> AnswerValue | None:
    """The answer as stored for the question's kind; None for a blank (skipped) answer."""
    limit = text_limit(question) if question.kind.is_text else 2_000
    raw = row.text("answer", max_length=limit)
    if not raw:
        return None
    kind = question.kind
    if kind.is_text:
        return (None, None, None, raw)
    if kind in (QuestionKind.NUMBER, QuestionKind.RECOMMEND):
        low, high = (0, 10) if kind == QuestionKind.RECOMMEND else number_limits(question)
        number = row.whole("answer", what="the answer", minimum=low, maximum=high)
        return None if number is None else (None, None, Decimal(number), None)
    options = options_of(question)
    by_key = _answer_keys(question)
    parts = split_list(raw) if kind == QuestionKind.MULTIPLE_CHOICE else [raw]
    values = []
    for part in parts:
        value = by_key.get(choice_key(part))
        if value is None:
            allowed = ", ".join(value for value, _ in options)
            row.problem(
                "answer", f"“{part}” is not an answer to {question.measure_code}: {allowed}"
            )
        elif value not in values:
            values.append(value)
    if not row.ok or not values:
        return None
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return (None, values, None, None)
    return (values[0], None, None, None)


# Keyed by what the keys are made of, never by id(question): ids of freed objects are reused,
# so an id-keyed cache once answered for a different question (a flaky import on PostgreSQL).
_ANSWER_KEYS: dict[tuple[object, ...], dict[str, str]] = {}


def _answer_keys(question: QuestionLike) -> dict[str, str]:
    """Each way of writing an answer to a choice question -> its stored value."""
    options = tuple((value, label) for value, label in options_of(question))
    cache_key = (question.kind, options)
    found = _ANSWER_KEYS.get(cache_key)
    if found is None:
        found = {choice_key(value): value for value, _ in options} | {
            choice_key(label): value for value, label in options
        }
        if question.kind == QuestionKind.SATISFACTION:
            found |= {choice_key(level.label): level.value for level in Satisfaction}
        _ANSWER_KEYS[cache_key] = found
    return found
