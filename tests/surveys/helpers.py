"""Answering surveys through the services, for tests that need many responses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.surveys import runner
from portal.surveys.models import ResponseMode, SurveyInvitation

# Every page of the exit survey answered, apart from overall satisfaction.
EXIT_REST = {
    "facilitator_satisfaction": "very_satisfied",
    "sessions_satisfaction": "fairly_satisfied",
    "one_to_one_used": "no",
    "issues_addressed": ["staffing"],
    "actions_taken": ["new_plan"],
    "would_recommend": Decimal(9),
}


def answer_exit(
    session: Session,
    invitation: SurveyInvitation,
    *,
    now: dt.datetime,
    overall: str | None,
    recommend: int | None = 9,
    submit: bool = True,
    keyed_in_by: User | None = None,
) -> None:
    """Answer every page of the exit survey; ``overall=None`` skips overall satisfaction
    (only possible when keyed in from a paper form left blank)."""
    response = runner.start_response(
        session,
        invitation,
        now=now,
        mode=ResponseMode.PAPER if keyed_in_by else ResponseMode.ONLINE,
        keyed_in_by=keyed_in_by,
    )
    values = {**EXIT_REST, "overall_satisfaction": overall}
    values["would_recommend"] = None if recommend is None else Decimal(recommend)
    for page in runner.current_pages(response):
        runner.save_page(
            session,
            response,
            page,
            {q.measure_code: values.get(q.measure_code) for q in page.questions},
            now=now,
        )
    if submit:
        assert runner.submit(session, response, now=now, actor=keyed_in_by)
