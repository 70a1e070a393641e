"""Two administrators restricting one person's processing at the same moment, on PostgreSQL:
it is restricted once, with one audit event, and the one who lost is told it already is
(portal.state_changes)."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import Role, User
from tests.fixtures.app import reload
from tests.fixtures.races import postgres_only, race
from tests.fixtures.users import sign_in

pytestmark = postgres_only


def test_two_administrators_restricting_at_once_restrict_once(app, session, make_user):
    person = make_user(Role.PARTICIPANT, name="Rita Restricted")
    path = f"/admin/users/{person.id}/restrict"
    posts = []
    for reason in ("Erasure asked for; funder audit", "Contests how her data is used"):
        admin = app.test_client()
        sign_in(admin, make_user(Role.ADMIN))
        token = admin.csrf_token_from(path)

        def post(admin=admin, token=token, reason=reason) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
            response = admin.post(path, data={"csrf_token": token, "reason": reason})
            return response.status_code, reason, response.get_data(as_text=True)

        posts.append(post)

    results = race(app, posts)

    assert sorted(code for code, _, _ in results) == [302, 400]
    (won,) = [reason for code, reason, _ in results if code == 302]
    (refused,) = [page for code, _, page in results if code == 400]
    assert "Processing of this person&#39;s data is already restricted" in refused
    stored = reload(session, User, person.id)
    assert stored.is_restricted
    assert stored.restriction_reason == won
    session.rollback()
    events = session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == "privacy.processing_restricted",
            AuditEvent.entity_id == str(person.id),
        )
    )
    session.commit()
    assert events == 1
