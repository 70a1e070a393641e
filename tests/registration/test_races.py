"""A registration sent or withdrawn twice at the same moment (two tabs, a double click), on
PostgreSQL: it changes once, with one history row, one audit event and one email, and
both tabs tell the person what is stored (portal.state_changes)."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import Role
from portal.registration.models import Application, ApplicationStatus, StatusChange
from tests.fixtures.races import postgres_only, race
from tests.fixtures.users import sign_in
from tests.registration.journey_answers import answer_every_question

pytestmark = postgres_only


def tabs(app, person, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    """Two signed-in tabs of one person, each ready to post ``data`` to ``path``."""
    posts = []
    for _ in range(2):
        tab = app.test_client()
        sign_in(tab, person)
        token = tab.csrf_token_from(path)

        def post(tab=tab, token=token) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
            response = tab.post(path, data={"csrf_token": token, **data})
            following = tab.get(response.headers.get("Location", path))
            return response.status_code, response.headers.get("Location", ""), following.text

        posts.append(post)
    return posts


def counts(session, application_id: int, status: ApplicationStatus) -> tuple[int, int]:
    """(history rows, audit events) of ``status`` for the application."""
    session.rollback()
    history = session.scalar(
        select(func.count())
        .select_from(StatusChange)
        .where(StatusChange.application_id == application_id, StatusChange.status == status)
    )
    events = session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == f"application.{status.value}",
            AuditEvent.entity_id == str(application_id),
        )
    )
    session.commit()
    return int(history or 0), int(events or 0)


def test_sending_a_registration_from_two_tabs_at_once_sends_it_once(
    app, client, session, open_round, make_user, outbox
):
    person = make_user(Role.PARTICIPANT, email="siobhan@example.com")
    sign_in(client, person)
    client.submit_form("/register/start", {}, from_page="/register/")
    answer_every_question(client)

    results = race(app, tabs(app, person, "/register/check-your-answers", {}))

    assert [(code, where) for code, where, _ in results] == [(302, "/register/sent")] * 2
    application = session.scalars(select(Application)).one()
    session.commit()
    assert application.status == ApplicationStatus.ELIGIBLE
    assert counts(session, application.id, ApplicationStatus.SUBMITTED) == (1, 1)
    assert counts(session, application.id, ApplicationStatus.ELIGIBLE) == (1, 1)
    received = [
        m for m in outbox.messages(person.email) if "We have your registration" in m.subject
    ]
    assert len(received) == 1


def test_withdrawing_from_two_tabs_at_once_withdraws_once(
    app, session, open_round, make_user, make_application
):
    person = make_user(Role.PARTICIPANT)
    application = make_application(open_round, person=person)

    results = race(app, tabs(app, person, "/register/withdraw", {"reason": "Too busy this year"}))

    for code, where, page in results:  # both told it is withdrawn, as it is
        assert (code, where) == (302, "/account/")
        assert "You have withdrawn your registration" in page
    stored = session.get(Application, application.id, populate_existing=True)
    session.commit()
    assert (stored.status, stored.withdrawn_reason) == (
        ApplicationStatus.WITHDRAWN,
        "Too busy this year",
    )
    assert counts(session, application.id, ApplicationStatus.WITHDRAWN) == (1, 1)
