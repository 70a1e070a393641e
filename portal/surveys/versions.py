"""Officers changing a survey without code: a draft version, edited, then published.

A draft starts as a copy of the current version. Officers reword questions, retire them or
add new ones, then publish the draft as the next version; responses already started keep
the version they began on. Measure codes never change meaning: a reworded question keeps
its code, a new one needs a code of its own (or the code of an earlier question of the
same kind, to continue that measure), and the measures the reported figures read cannot
be retired.

Functions flush and never commit; each change is audited (field names, not wording).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound

from portal.audit.services import record
from portal.auth.models import User
from portal.surveys.definitions import REPORTED_MEASURES, current_version, next_version_number
from portal.surveys.models import QuestionKind, Survey, SurveyQuestion, SurveyTiming, SurveyVersion
from portal.surveys.questions import (
    MEASURE_CODE,
    RESERVED_CODES,
    DefinitionProblem,
    check_questions,
)

MAX_OPTIONS = 30


class VersionError(Exception):
    """A change the rules do not allow; ``field`` names the form field to show it on."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def survey_by_timing(session: Session, value: str) -> Survey:
    if value not in {timing.value for timing in SurveyTiming}:
        raise NotFound()
    survey = session.scalar(select(Survey).where(Survey.timing == SurveyTiming(value)))
    if survey is None:
        raise NotFound()
    return survey


def draft_of(survey: Survey) -> SurveyVersion | None:
    return next((v for v in survey.versions if not v.is_published), None)


def question_in(draft: SurveyVersion, question_id: int) -> SurveyQuestion:
    """A question of the draft; anything else (another version's, made up) is 404."""
    for question in draft.questions:
        if question.id == question_id:
            return question
    raise NotFound()


def _copy(question: SurveyQuestion, position: int) -> SurveyQuestion:
    return SurveyQuestion(
        position=position,
        page_key=question.page_key,
        measure_code=question.measure_code,
        kind=question.kind,
        text=question.text,
        hint=question.hint,
        error_message=question.error_message,
        required=question.required,
        options=[dict(option) for option in question.options],
        min_value=question.min_value,
        max_value=question.max_value,
        max_length=question.max_length,
        show_if=dict(question.show_if or {}),
    )


def start_draft(
    session: Session, survey: Survey, *, actor: User, now: dt.datetime
) -> SurveyVersion:
    """The survey's draft: the existing one, or a new copy of the current version.

    Side effects: flushes the draft and its questions, and an audit event when new.
    """
    existing = draft_of(survey)
    if existing is not None:
        return existing
    current = current_version(session, survey.timing)
    if current is None:
        raise VersionError("This survey has no published version to start from")
    draft = SurveyVersion(
        survey_id=survey.id,
        number=next_version_number(session, survey),
        title=current.title,
        introduction=current.introduction,
        page_titles=dict(current.page_titles or {}),
        created_at=now,
        created_by_id=actor.id,
        questions=[_copy(q, n) for n, q in enumerate(current.questions, start=1)],
    )
    session.add(draft)
    session.flush()
    session.refresh(survey)
    _audit(session, actor, "survey_version.draft_started", draft, ["questions"])
    return draft


def reword(
    session: Session,
    draft: SurveyVersion,
    question: SurveyQuestion,
    *,
    text: str,
    hint: str,
    error_message: str,
    actor: User,
) -> list[str]:
    """Change a question's wording; its measure code, kind and options stay."""
    changes = {"text": text.strip(), "hint": hint.strip(), "error_message": error_message.strip()}
    changed = [name for name, value in changes.items() if getattr(question, name) != value]
    if not changes["text"]:
        raise VersionError("Enter the question", "text")
    for name in changed:
        setattr(question, name, changes[name])
    session.flush()
    if changed:
        _audit(session, actor, "survey_version.question_reworded", draft, changed)
    return changed


def retire(
    session: Session, draft: SurveyVersion, question: SurveyQuestion, *, actor: User
) -> None:
    """Take a question out of the draft. Refused for a measure the reported figures read,
    for a question others depend on, and for the last question."""
    survey = session.get(Survey, draft.survey_id)
    assert survey is not None
    if question.measure_code in REPORTED_MEASURES[survey.timing]:
        raise VersionError(
            "This question feeds the figures reported to the board, so it cannot be retired. "
            "You can change its wording instead."
        )
    dependants = [
        q.text
        for q in draft.questions
        if (q.show_if or {}).get("measure_code") == question.measure_code
    ]
    if dependants:
        raise VersionError(
            f"‘{dependants[0]}’ is only asked depending on the answer to this question. "
            "Retire that question first."
        )
    if len(draft.questions) == 1:
        raise VersionError("A survey needs at least one question")
    draft.questions.remove(question)
    for position, remaining in enumerate(draft.questions, start=1):
        remaining.position = position
    session.flush()
    _audit(session, actor, "survey_version.question_retired", draft, [question.measure_code])


@dataclass(frozen=True)
class NewQuestion:
    kind: QuestionKind
    measure_code: str
    text: str
    hint: str = ""
    error_message: str = ""
    required: bool = True
    options_text: str = ""
    min_value: int | None = None
    max_value: int | None = None
    after_question_id: int | None = None  # None: at the start


def option_values(options_text: str) -> list[dict[str, str]]:
    """Options from one label per line, each with a simple value made from its label."""
    options: list[dict[str, str]] = []
    used: set[str] = set()
    for line in options_text.splitlines():
        label = " ".join(line.split())
        if not label:
            continue
        base = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:50] or "option"
        if not base[0].isalnum():
            base = f"option_{base}"
        value, number = base, 2
        while value in used:
            value, number = f"{base}_{number}", number + 1
        used.add(value)
        options.append({"value": value, "label": label})
    return options


def add_question(
    session: Session, draft: SurveyVersion, new: NewQuestion, *, actor: User
) -> SurveyQuestion:
    """Add a question to the draft on a page of its own, after the one chosen."""
    code = new.measure_code.strip().lower()
    if not MEASURE_CODE.match(code) or code in RESERVED_CODES:
        raise VersionError(
            "Measure code must start with a letter and use only lower-case letters, digits "
            "and underscores, like new_customers",
            "measure_code",
        )
    if any(q.measure_code == code for q in draft.questions):
        raise VersionError(
            "This survey already has a question with this measure code", "measure_code"
        )
    earlier = session.scalar(
        select(SurveyQuestion.kind)
        .join(SurveyVersion, SurveyVersion.id == SurveyQuestion.version_id)
        .where(SurveyVersion.survey_id == draft.survey_id, SurveyQuestion.measure_code == code)
        .limit(1)
    )
    if earlier is not None and earlier != new.kind:
        raise VersionError(
            f"This measure code was used before for {earlier.label.lower()}: choose another "
            "code, so figures never mix different questions",
            "measure_code",
        )
    options = option_values(new.options_text) if new.kind.has_own_options else []
    if new.kind.has_own_options and len(options) < 2:
        raise VersionError("Enter at least 2 answers to choose from, one on each line", "options")
    if len(options) > MAX_OPTIONS:
        raise VersionError(f"Enter {MAX_OPTIONS} answers or fewer", "options")
    position = 0
    if new.after_question_id is not None:
        position = question_in(draft, new.after_question_id).position
    page_key = code.replace("_", "-")[:60]
    existing_pages = {q.page_key for q in draft.questions}
    while page_key in existing_pages:
        page_key = f"{page_key[:55]}-new"
    question = SurveyQuestion(
        position=position + 1,
        page_key=page_key,
        measure_code=code,
        kind=new.kind,
        text=new.text.strip(),
        hint=new.hint.strip(),
        error_message=new.error_message.strip(),
        required=new.required,
        options=options,
        min_value=new.min_value if new.kind == QuestionKind.NUMBER else None,
        max_value=new.max_value if new.kind == QuestionKind.NUMBER else None,
        show_if={},
    )
    ordered = sorted(draft.questions, key=lambda q: q.position)
    ordered.insert(position, question)
    _split_check(ordered, question)
    draft.questions = ordered
    for number, item in enumerate(draft.questions, start=1):
        item.position = number
    session.flush()
    _audit(session, actor, "survey_version.question_added", draft, [code])
    return question


def _split_check(ordered: list[SurveyQuestion], question: SurveyQuestion) -> None:
    """A new question placed inside a group page would split it: refuse with a message."""
    index = ordered.index(question)
    before = ordered[index - 1] if index > 0 else None
    after = ordered[index + 1] if index + 1 < len(ordered) else None
    if before is not None and after is not None and before.page_key == after.page_key:
        raise VersionError(
            "That would split a page of questions asked together: choose the last question "
            "of that page",
            "after",
        )
    try:
        check_questions(ordered)
    except DefinitionProblem as problem:
        raise VersionError(str(problem)) from None


def publish(
    session: Session, draft: SurveyVersion, *, actor: User, note: str, now: dt.datetime
) -> None:
    """Publish the draft: from now on new responses use it. Raises VersionError if the
    questions break a rule."""
    try:
        check_questions(draft.questions)
    except DefinitionProblem as problem:
        raise VersionError(str(problem)) from None
    draft.published_at = now
    draft.published_by_id = actor.id
    draft.change_note = note.strip()
    session.flush()
    _audit(session, actor, "survey_version.published", draft, ["published_at"])


def discard(session: Session, draft: SurveyVersion, *, actor: User) -> None:
    """Throw the draft away (it was never answered: only published versions are)."""
    _audit(session, actor, "survey_version.draft_discarded", draft, [])
    survey = session.get(Survey, draft.survey_id)
    session.delete(draft)
    session.flush()
    if survey is not None:
        session.refresh(survey)


def _audit(
    session: Session, actor: User, action: str, version: SurveyVersion, fields: list[str]
) -> None:
    record(
        session,
        actor=actor,
        action=action,
        entity_type="survey_version",
        entity_id=version.id,
        fields=fields,
    )
