"""A survey sent from two tabs at once, and an invitation sent again (or sent now) by two
officers at once, on PostgreSQL: each happens once, with one audit event, and each tab or officer is
told what is stored (portal.state_changes)."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import Role
from portal.db_base import utcnow
from portal.surveys.invitations import invite_to_exit
from portal.surveys.models import (
    ResponseStatus,
    SurveyInvitation,
    SurveyResponse,
    SurveyTiming,
)
from tests.fixtures.races import postgres_only, race
from tests.fixtures.users import sign_in
from tests.surveys.conftest import survey_emails, survey_path
from tests.surveys.test_runner import EXIT_ANSWERS, answer, start

pytestmark = postgres_only


def events(session, action: str) -> int:
    session.rollback()
    count = session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    )
    session.commit()
    return int(count or 0)


def test_sending_a_survey_from_two_tabs_at_once_sends_it_once(app, session, make_group, outbox):
    group = make_group(members=1, held=1)
    with app.app_context():
        invite_to_exit(session, group.places[0], now=utcnow())
    session.commit()
    path = survey_path(outbox, group.people[0])
    first = app.test_client()
    start(first, path)
    for key, data in EXIT_ANSWERS.items():
        answer(first, path, key, data)
    posts = []
    for _ in range(2):
        tab = app.test_client()
        token = tab.csrf_token_from(f"{path}/check-your-answers")

        def post(tab=tab, token=token) -> tuple[int, str]:  # type: ignore[no-untyped-def]
            response = tab.post(f"{path}/check-your-answers", data={"csrf_token": token})
            return response.status_code, tab.get(response.headers["Location"]).text

        posts.append(post)

    results = race(app, posts)

    for code, page in results:  # both told it is sent, as it is
        assert code == 302
        assert "Your answers were sent on" in page
    session.rollback()
    response = session.scalars(select(SurveyResponse)).one()
    session.commit()
    assert response.status == ResponseStatus.SUBMITTED
    assert events(session, "survey_response.submitted") == 1


def test_two_officers_sending_an_invitation_again_at_once_send_it_once(
    app, session, make_group, make_user, outbox
):
    group = make_group(members=1, held=1)
    with app.app_context():
        invitation = invite_to_exit(session, group.places[0], now=utcnow())
    session.commit()
    page = f"/surveys/cohorts/{group.cohort.id}"
    path = f"/surveys/invitations/{invitation.id}/resend"
    posts = []
    for _ in range(2):
        officer = app.test_client()
        sign_in(officer, make_user(Role.OFFICER))
        token = officer.csrf_token_from(page)

        def post(officer=officer, token=token) -> str:  # type: ignore[no-untyped-def]
            response = officer.post(path, data={"csrf_token": token})
            return officer.get(response.headers["Location"]).text

        posts.append(post)

    pages = race(app, posts)

    person = group.people[0]
    told = sorted(
        "again by someone else" if "again by someone else" in text else "sent"
        for text in pages
        if f"{person.email} again" in text
    )
    assert told == ["again by someone else", "sent"]
    assert len(survey_emails(outbox, person)) == 2  # the invitation, and one resend
    assert events(session, "survey_invitation.resent") == 1
    session.rollback()
    assert session.get(SurveyInvitation, invitation.id, populate_existing=True).resent_count == 1
    session.commit()


def test_two_officers_sending_now_at_once_send_once(app, session, make_group, make_user, outbox):
    group = make_group(members=1)
    page = f"/surveys/cohorts/{group.cohort.id}"
    posts = []
    for _ in range(2):
        officer = app.test_client()
        sign_in(officer, make_user(Role.OFFICER))
        token = officer.csrf_token_from(page)

        def post(officer=officer, token=token) -> str:  # type: ignore[no-untyped-def]
            response = officer.post(
                f"/surveys/cohorts/{group.cohort.id}/send-now/{group.places[0].id}/baseline",
                data={"csrf_token": token},
            )
            return officer.get(response.headers["Location"]).text

        posts.append(post)

    pages = race(app, posts)

    person = group.people[0]
    told = sorted(
        "already" if "has already been sent" in text else "sent"
        for text in pages
        if person.name in text or person.email in text
    )
    assert told == ["already", "sent"]
    assert len(survey_emails(outbox, person)) == 1
    session.rollback()
    (invitation,) = session.scalars(select(SurveyInvitation)).all()
    assert invitation.timing == SurveyTiming.BASELINE
    session.commit()
