"""Answering a survey: starting a response, saving a page, checking, submitting once.

A response is tied to the version that was current when it started, and keeps it even if
officers publish a new one meanwhile. Answers are saved page by page ("save and return
later"); answers to questions a later change hides are dropped. Submitting goes through the
guarded mechanism (portal.state_changes, one conditional UPDATE), so a double click, a
second tab or a replayed request cannot submit twice, and a submitted response refuses
every change (ReadOnly).

Functions flush and never commit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.audit.services import record
from portal.auth.models import User
from portal.state_changes import Audit, StatusConflict, change_status, claim
from portal.surveys.definitions import current_version
from portal.surveys.models import (
    ResponseMode,
    ResponseStatus,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
    SurveyVersion,
)
from portal.surveys.questions import (
    AnswerValue,
    Page,
    QuestionKind,
    missing_required,
    pages_of,
    visible_pages,
    without_hidden,
)


class ReadOnly(Exception):
    """The response was submitted: it can be read, never changed."""


class NotAvailable(Exception):
    """The survey has no published version to answer."""


class Incomplete(Exception):
    """Something must be answered before the response can be sent: ``page`` says where."""

    def __init__(self, page: Page) -> None:
        super().__init__(page.key)
        self.page = page


def pages_for(version: SurveyVersion) -> list[Page]:
    return pages_of(version.questions, version.page_titles or {})


def answers_of(response: SurveyResponse) -> dict[str, AnswerValue]:
    """The response's answers by measure code."""
    found: dict[str, AnswerValue] = {}
    for answer in response.answers:
        value = _value_of(answer)
        if value is not None:
            found[answer.measure_code] = value
    return found


def _value_of(answer: SurveyAnswer) -> AnswerValue | None:
    if answer.choices is not None:
        return list(answer.choices)
    if answer.number is not None:
        return Decimal(answer.number)
    if answer.choice is not None:
        return answer.choice
    return answer.text


def current_pages(response: SurveyResponse) -> list[Page]:
    """The pages that apply given the answers so far."""
    return visible_pages(pages_for(response.version), answers_of(response))


def page_by_key(response: SurveyResponse, key: str) -> Page | None:
    """The page, if it exists in the response's version and applies now."""
    for page in current_pages(response):
        if page.key == key:
            return page
    return None


def next_page(response: SurveyResponse) -> Page | None:
    """The first page that applies and has not been answered, or None when all have."""
    for page in current_pages(response):
        if page.key not in response.answered_pages:
            return page
    return None


def previous_page(response: SurveyResponse, page: Page) -> Page | None:
    pages = current_pages(response)
    keys = [p.key for p in pages]
    index = keys.index(page.key) if page.key in keys else 0
    return pages[index - 1] if index > 0 else None


def start_response(
    session: Session,
    invitation: SurveyInvitation,
    *,
    now: dt.datetime,
    mode: ResponseMode = ResponseMode.ONLINE,
    keyed_in_by: User | None = None,
) -> SurveyResponse:
    """The invitation's response, started now on the current version if there is none.

    An officer keying in a response takes over one in progress (recorded as theirs).
    Raises NotAvailable without a published version, ReadOnly when keying in a response
    already sent. Side effects: flushes the response and an audit event when new.
    """
    response = invitation.response
    if response is None:
        version = current_version(session, invitation.timing)
        if version is None:
            raise NotAvailable()
        response = SurveyResponse(
            invitation_id=invitation.id,
            version_id=version.id,
            status=ResponseStatus.IN_PROGRESS,
            mode=mode,
            keyed_in_by_id=keyed_in_by.id if keyed_in_by else None,
            started_at=now,
            updated_at=now,
            answered_pages=[],
        )
        try:
            with session.begin_nested():
                session.add(response)
                session.flush()
        except IntegrityError:  # started in another tab at the same moment
            session.expire(invitation)
            existing = session.scalar(
                select(SurveyResponse).where(SurveyResponse.invitation_id == invitation.id)
            )
            assert existing is not None
            response = existing
        else:
            session.refresh(invitation)
            _audit(session, response, "survey_response.started", keyed_in_by)
            return response
    if keyed_in_by is not None:
        if response.is_submitted:
            raise ReadOnly()
        _claim_for_change(session, response, now)
        response.mode = mode
        response.keyed_in_by_id = keyed_in_by.id
        session.flush()
    return response


def _claim_for_change(session: Session, response: SurveyResponse, now: dt.datetime) -> None:
    """Lock the response for this change, or raise ReadOnly if it was submitted.

    The guarded mechanism (portal.state_changes), not a read: on PostgreSQL it waits for a
    submission racing in another request and then sees it; on SQLite writers are already
    one at a time. The response is then read again, with answers another page saved
    meanwhile.
    """
    try:
        claim(
            session,
            response,
            ResponseStatus.IN_PROGRESS,
            allowed_from={ResponseStatus.IN_PROGRESS},
            values={"updated_at": now},
        )
    except StatusConflict as conflict:
        raise ReadOnly() from conflict
    session.refresh(response)


def save_page(
    session: Session,
    response: SurveyResponse,
    page: Page,
    values: dict[str, AnswerValue | None],
    *,
    now: dt.datetime,
) -> list[str]:
    """Store the page's answers (None: not answered) and mark the page answered.

    Answers to questions that no longer apply are dropped. Returns the measure codes
    that changed. Raises ReadOnly once the response is submitted.
    """
    _claim_for_change(session, response, now)
    questions: list[SurveyQuestion] = list(response.version.questions)
    on_page = {q.measure_code for q in page.questions}
    wanted = {k: v for k, v in answers_of(response).items() if k not in on_page}
    wanted.update({code: value for code, value in values.items() if value not in (None, "", [])})
    wanted = without_hidden(questions, wanted)
    rows = {answer.measure_code: answer for answer in response.answers}
    by_code = {q.measure_code: q for q in questions}
    changed = []
    for code, stale in list(rows.items()):
        if code not in wanted:
            response.answers.remove(stale)
            changed.append(code)
    for code, value in wanted.items():
        row = rows.get(code)
        if row is not None and _value_of(row) == value:
            continue
        question = by_code[code]
        if row is None:
            row = SurveyAnswer(
                question_id=question.id,
                measure_code=code,
                timing=response.invitation.timing,
            )
            response.answers.append(row)
        _set_value(row, question, value)
        row.answered_at = now
        changed.append(code)
    if page.key not in response.answered_pages:
        response.answered_pages = [*response.answered_pages, page.key]
    response.updated_at = now
    session.flush()
    return sorted(changed)


def _set_value(row: SurveyAnswer, question: SurveyQuestion, value: AnswerValue) -> None:
    row.choice = row.text = None
    row.choices = None
    row.number = None
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        row.choices = list(value) if isinstance(value, list) else [str(value)]
    elif question.kind in (QuestionKind.NUMBER, QuestionKind.RECOMMEND):
        row.number = Decimal(str(value))
    elif question.kind.is_text:
        row.text = str(value)
    else:
        row.choice = str(value)


def check_complete(response: SurveyResponse) -> None:
    """Raise Incomplete with the first page that still needs an answer.

    Answers keyed in from paper or the phone may leave any question unanswered (what the
    person left blank is recorded as skipped, never made up); every page is still visited.
    """
    following = next_page(response)
    if following is not None:
        raise Incomplete(following)
    if response.mode != ResponseMode.ONLINE:
        return
    missing = missing_required(response.version.questions, answers_of(response))
    if missing:
        for page in current_pages(response):
            if missing[0] in page.questions:
                raise Incomplete(page)


def submit(
    session: Session,
    response: SurveyResponse,
    *,
    now: dt.datetime,
    actor: User | None = None,
) -> bool:
    """Send the response. True if this call sent it; False if it had been sent already
    (a double click, a second tab, a replay): the caller shows it as sent either way.

    Raises Incomplete when a page still needs answering. Side effects: the response's
    status and an audit event (the measure codes answered, never the answers).
    """
    if response.is_submitted:
        return False
    check_complete(response)
    try:
        change_status(
            session,
            response,
            ResponseStatus.SUBMITTED,
            allowed_from={ResponseStatus.IN_PROGRESS},
            values={"submitted_at": now, "updated_at": now},
            now=now,
            audit=_audit_of(session, response, "survey_response.submitted", actor),
        )
    except StatusConflict:
        return False
    return True


def _audit(
    session: Session,
    response: SurveyResponse,
    action: str,
    actor: User | None,
) -> None:
    entry = _audit_of(session, response, action, actor)
    record(
        session,
        actor=entry.actor,
        action=entry.action,
        entity_type=entry.entity_type,
        entity_id=response.id,
        fields=entry.fields,
        reason=entry.reason,
        on_behalf_of=entry.on_behalf_of,
    )


def _audit_of(
    session: Session,
    response: SurveyResponse,
    action: str,
    actor: User | None,
) -> Audit:
    """The audit event for a response: the measure codes answered, never the answers."""
    person = session.get(User, response.invitation.person_id)
    keyed_in = actor is not None and person is not None and actor.id != person.id
    return Audit(
        actor if keyed_in else person,
        action,
        "survey_response",
        fields=sorted(a.measure_code for a in response.answers)
        if action.endswith("submitted")
        else [],
        reason=response.mode.label if keyed_in else None,
        on_behalf_of=person if keyed_in else None,
    )
