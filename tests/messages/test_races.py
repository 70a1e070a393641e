"""Two sends at the same moment on PostgreSQL: one draft sent from two tabs, and two drafts
with the same words to the same people from two officers. Each time exactly one goes (one
set of emails, one audit event) and the other is told why nothing was sent."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import Role, User
from portal.db_base import utcnow
from portal.messages.audiences import audience_for
from portal.messages.models import GroupMessage
from portal.messages.services import MessageRefused, save_draft, send
from portal.notifications.models import OutboxMessage
from tests.fixtures.races import in_own_session, postgres_only, race

pytestmark = postgres_only

SUBJECT = "Room change for Monday"


def count(session, *where) -> int:  # type: ignore[no-untyped-def]
    session.rollback()
    found = session.scalar(select(func.count()).where(*where))
    session.commit()
    return int(found or 0)


def sending(app, message_id: int, author_id: int):  # type: ignore[no-untyped-def]
    def work(session) -> str:  # type: ignore[no-untyped-def]
        author = session.get(User, author_id)
        message = session.get(GroupMessage, message_id)
        audience = audience_for(session, author, message.audience)
        try:
            with app.test_request_context():
                return f"sent to {send(session, message, audience, author=author, now=utcnow())}"
        except MessageRefused as refused:
            session.rollback()
            return refused.message

    return in_own_session(app, work)


def drafts(app, session, officers, group, number: int) -> list[int]:  # type: ignore[no-untyped-def]
    made = []
    for index in range(number):
        author = officers[index % len(officers)]
        audience = audience_for(session, author, {"audience": "cohort", "cohort": group.cohort.id})
        made.append(
            save_draft(
                session,
                audience,
                subject=SUBJECT,
                body="Dear {first_name},\n\nMonday's session is in room 4.",
                category=None,
                author=author,
                now=utcnow(),
            ).id
        )
    session.commit()
    return made


def test_one_draft_sent_from_two_tabs_at_once_goes_once(app, session, make_group, make_user):
    group = make_group(members=3)
    officer = make_user(Role.OFFICER)
    (message_id,) = drafts(app, session, [officer], group, 1)
    outcomes = race(app, [sending(app, message_id, officer.id)] * 2)
    assert sorted(outcomes) == ["This message has already been sent", "sent to 3"]
    assert count(session, OutboxMessage.subject == SUBJECT) == 3
    assert count(session, AuditEvent.action == "group_message.sent") == 1


def test_two_officers_sending_the_same_words_to_one_cohort_at_once_send_once(
    app, session, make_group, make_user
):
    group = make_group(members=3)
    first, second = make_user(Role.OFFICER), make_user(Role.OFFICER)
    one, other = drafts(app, session, [first, second], group, 2)
    outcomes = race(app, [sending(app, one, first.id), sending(app, other, second.id)])
    assert "sent to 3" in outcomes
    refused = next(outcome for outcome in outcomes if outcome != "sent to 3")
    assert refused.startswith("The same message was sent to the same people")
    assert count(session, OutboxMessage.subject == SUBJECT) == 3
    assert count(session, GroupMessage.sent_at.is_not(None)) == 1
