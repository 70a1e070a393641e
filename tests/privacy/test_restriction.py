"""Restricting processing: an administrator records why; the records stay, but the person is
not emailed, matched or surveyed until the restriction is lifted."""

from __future__ import annotations

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import Role, User
from portal.cohorts.matching_inputs import matchable_applications
from portal.db_base import utcnow
from portal.notifications.services import queue_email
from portal.privacy import restriction
from portal.surveys.invitations import create_due_invitations
from portal.surveys.models import SurveyInvitation, SurveyTiming
from tests.fixtures.app import reload
from tests.fixtures.pages import check_page, error_messages


def test_an_administrator_restricts_with_a_reason_and_lifts_it(
    client, session, signed_in_as, make_user
):
    person = make_user(Role.PARTICIPANT, name="Rita Restricted")
    signed_in_as(Role.ADMIN)
    path = f"/admin/users/{person.id}/restrict"
    check_page(client.get(path))
    refused = client.submit_form(path, {"reason": "   "})
    assert error_messages(check_page(refused, status=400)) == [
        "Enter why you are restricting this person's data"
    ]
    done = client.submit_form(path, {"reason": "Erasure asked for; funder audit until 2027"})
    assert done.status_code == 302
    page = " ".join(check_page(client.get(f"/admin/users/{person.id}")).get_text().split())
    assert "Restricted since" in page
    assert "Erasure asked for; funder audit until 2027" in page
    assert "Lift the restriction" in page
    assert reload(session, User, person.id).is_restricted
    again = client.get(path)
    assert again.headers["Location"] == f"/admin/users/{person.id}"
    told = " ".join(check_page(client.get(again.headers["Location"])).get_text().split())
    assert "Processing of Rita Restricted's data is already restricted." in told

    lifted = client.submit_form(
        f"/admin/users/{person.id}/lift-restriction", {"reason": "Audit finished"}
    )
    assert lifted.status_code == 302
    assert not reload(session, User, person.id).is_restricted
    assert client.get(f"/admin/users/{person.id}/lift-restriction").status_code == 302
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_id == str(person.id))
    ).all()
    assert "privacy.processing_restricted" in actions
    assert "privacy.restriction_lifted" in actions


def test_a_restricted_person_is_not_emailed_matched_or_surveyed(
    app, session, make_group, make_user
):
    group = make_group(members=2)
    kept, restricted = group.people
    admin = make_user(Role.ADMIN)
    with app.app_context():
        restriction.restrict(
            session, restricted, actor=admin, reason="Contests the data", now=utcnow()
        )
        session.commit()
        for to in (restricted, restricted.email):
            assert (
                queue_email(
                    session,
                    to=to,
                    subject="Hello",
                    template="password_changed",
                    context={"name": "Rita"},
                )
                is None
            )
        assert queue_email(
            session, to=kept, subject="Hello", template="password_changed", context={"name": "K"}
        )
        create_due_invitations(session, utcnow())
        session.commit()
    invited = set(
        session.scalars(
            select(SurveyInvitation.person_id).where(
                SurveyInvitation.timing == SurveyTiming.BASELINE
            )
        )
    )
    assert invited == {kept.id}

    with app.app_context():
        restriction.lift(session, restricted, actor=admin, reason="Resolved")
        create_due_invitations(session, utcnow())
        session.commit()
    invited = set(session.scalars(select(SurveyInvitation.person_id)))
    assert invited == {kept.id, restricted.id}


def test_restricted_applicants_are_left_out_of_matching(
    app, session, make_round, make_application, make_user
):
    programme_round = make_round()
    first = make_application(programme_round)
    second = make_application(programme_round)
    assert {a.id for a in matchable_applications(session, programme_round)} == {
        first.id,
        second.id,
    }
    person = session.get(User, second.person_id)
    with app.app_context():
        restriction.restrict(
            session, person, actor=make_user(Role.ADMIN), reason="Audit hold", now=utcnow()
        )
    session.commit()
    assert [a.id for a in matchable_applications(session, programme_round)] == [first.id]
