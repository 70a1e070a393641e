"""Assisted digital: an officer registers someone who phoned in, recorded as done for them."""

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import Role, User, UserStatus
from portal.registration.models import Application, ApplicationSource, ApplicationStatus
from tests.fixtures.pages import check_page, error_messages
from tests.registration.journey_answers import answer_every_question


def test_an_officer_registers_a_caller_who_then_takes_over_their_account(
    client, open_round, signed_in_as, session, outbox
):
    officer = signed_in_as(Role.OFFICER)
    check_page(client.get("/register/on-behalf"))
    response = client.submit_form(
        "/register/on-behalf", {"name": "Amrit Kaur", "email": "Amrit@Example.com"}
    )
    session.rollback()
    application = session.scalars(select(Application)).one()
    base = f"/register/on-behalf/{application.id}"
    assert response.headers["Location"] == f"{base}/question/role"
    page = check_page(client.get(f"{base}/question/role"))
    assert "Registering Amrit Kaur" in page.get_text()

    answer_every_question(client, base=base)
    check = check_page(client.get(f"{base}/check-answers"))
    assert check.h1.get_text(strip=True) == "Check Amrit Kaur's answers"
    sent = client.submit_form(f"{base}/check-answers", {})
    assert sent.headers["Location"] == f"{base}/registered"
    check_page(client.get(sent.headers["Location"]))

    session.rollback()
    session.expire_all()
    application = session.get(Application, application.id)
    person = session.get(User, application.person_id)
    assert application.source == ApplicationSource.ASSISTED
    assert application.created_by_id == officer.id
    assert application.status == ApplicationStatus.ELIGIBLE
    assert person.status == UserStatus.INVITED
    assert person.roles == {Role.PARTICIPANT}
    on_behalf = session.scalars(
        select(AuditEvent).where(AuditEvent.on_behalf_of_id == person.id)
    ).all()
    assert {event.actor_id for event in on_behalf} == {officer.id}
    assert "application.answers_changed" in {e.action for e in on_behalf}
    assert "application.submitted" in {e.action for e in on_behalf}

    subjects = [message.subject for message in outbox.messages("amrit@example.com")]
    assert "Take over your Peer Networks account" in subjects
    assert any(application.reference in subject for subject in subjects)
    take_over = outbox.last("amrit@example.com")
    assert any("/invitation/" in link for link in outbox.links(take_over))


def test_an_officer_cannot_register_a_staff_address_or_someone_already_registered(
    client, open_round, signed_in_as, make_user
):
    signed_in_as(Role.OFFICER)
    make_user(Role.COACH, email="coach@example.com")
    page = check_page(
        client.submit_form("/register/on-behalf", {"name": "C", "email": "coach@example.com"}),
        status=400,
    )
    assert error_messages(page) == [
        "This email address belongs to a member of staff. Use the person's own address."
    ]


def test_participants_cannot_use_the_officer_pages(client, open_round, signed_in_as):
    signed_in_as(Role.PARTICIPANT)
    assert client.get("/register/on-behalf").status_code == 403
