"""After erasure no staff page, list, search or download identifies the person, and nothing
new can be made about them: no story drafted, no account reactivated, no restriction lifted."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.auth.models import Role, User
from portal.db_base import utcnow
from portal.notifications.services import queue_email
from portal.privacy.erasure import erase_person
from portal.privacy.restriction import RestrictionRefused, lift
from portal.registration.models import Application, Business, FactAnswer, OwnershipAnswer
from portal.registration.services import RegistrationError, override_eligibility
from tests.fixtures.pages import check_page
from tests.fixtures.users import sign_in

IDENTIFYING = (
    "Bea Barton",
    "Barton Bakes Ltd",
    "01234567",
    "PR1 2HE",
    "Women-led",
    "business Owner",
)


@pytest.fixture
def erased(app, session, make_member, make_user):
    """Bea, a member of Fran's running group, with a company number and a "yes" to
    women-led, erased by an administrator; Carl, in the same group and the same business,
    is not."""
    bea = make_member(name="Bea Barton")
    carl = make_member(name="Carl Cole")
    application = session.scalar(select(Application).where(Application.person_id == bea.person.id))
    application.business_name = "Barton Bakes Ltd"
    application.company_number = "01234567"
    # Carl registered the same business: its record is his answer too, and stays named.
    shared = session.get(Business, application.business_id)
    shared.name = "Barton Bakes Ltd"
    theirs = session.scalar(select(Application).where(Application.person_id == carl.person.id))
    theirs.business_id = shared.id
    session.add(
        OwnershipAnswer(application_id=application.id, fact_code="women_led", answer=FactAnswer.YES)
    )
    session.commit()
    admin = make_user(Role.ADMIN)
    with app.app_context():
        erase_person(session, bea.person, actor=admin, reason="Asked by phone", now=utcnow())
    session.commit()
    return bea, carl, application, admin


def visible(page) -> str:  # type: ignore[no-untyped-def]
    return " ".join(page.get_text(" ").split())


def test_no_staff_page_or_search_identifies_her(client, session, erased, signed_in_as):
    bea, _carl, application, _ = erased
    signed_in_as(Role.OFFICER)
    page = visible(check_page(client.get(f"/applicants/{application.id}")))
    for text in IDENTIFYING:
        assert text not in page, page[max(0, page.find(text) - 150) : page.find(text) + 60]
    # What the figures need stays: her district and sector.
    assert "Preston" in page
    assert "Not shown: this person’s personal data has been erased." in page

    round_id = application.round_id
    listing = visible(check_page(client.get(f"/applicants/?round={round_id}&search=Barton")))
    assert "Erased person" not in listing
    by_fact = visible(check_page(client.get(f"/applicants/?round={round_id}&ownership=women_led")))
    assert "Erased person" not in by_fact
    everyone = visible(check_page(client.get(f"/applicants/?round={round_id}")))
    assert "Carl Cole" in everyone

    # Her page under /people names nothing of hers and leads to no business record.
    record = check_page(client.get(f"/people/{bea.person.id}"))
    for text in IDENTIFYING:
        assert text not in visible(record), text
    assert not record.select("a[href*='/businesses/']")

    # Searching people by the business finds Carl, never her.
    found = visible(check_page(client.get("/people/?q=Barton")))
    assert "Carl Cole" in found
    assert "Erased person" not in found

    cohort = visible(check_page(client.get(f"/cohorts/{bea.cohort.id}")))
    for text in IDENTIFYING:
        assert text not in cohort, text
    assert "Carl Cole" in cohort


def test_nothing_new_can_be_made_about_her(app, client, session, erased, make_user):
    bea, _carl, _, admin = erased
    sign_in(client, bea.facilitator)
    drafting = check_page(client.get("/facilitation/case-studies/"))
    buttons = [button.get_text(" ", strip=True) for button in drafting.select("button")]
    assert "Draft a story with Carl Cole" in buttons
    assert not [text for text in buttons if "Erased person" in text]
    token = drafting.select_one("input[name=csrf_token]")["value"]
    refused = client.post(
        f"/facilitation/case-studies/places/{bea.place.id}/start", data={"csrf_token": token}
    )
    assert refused.status_code == 404

    sign_in(client, admin)
    person = session.get(User, bea.person.id)
    detail = visible(check_page(client.get(f"/admin/users/{person.id}")))
    assert "Reactivate account" not in detail
    assert "cannot be used again" in detail
    assert client.get(f"/admin/users/{person.id}/reactivate").status_code == 404
    assert client.post(f"/admin/users/{person.id}/reactivate", data={}).status_code == 404
    assert person.is_restricted
    with pytest.raises(RestrictionRefused, match="for good"):
        lift(session, person, actor=admin, reason="Asked to")
    # No email is queued to her, whatever sends it (offers, bookings, surveys, messages).
    with app.app_context():
        assert (
            queue_email(
                session,
                to=person,
                subject="Your place",
                template="password_changed",
                context={"name": person.name},
            )
            is None
        )
    # Her registration cannot be reopened by an officer's decision either.
    application = session.scalar(select(Application).where(Application.person_id == person.id))
    officer = make_user(Role.OFFICER)
    with pytest.raises(RegistrationError, match="erased"):
        override_eligibility(
            session, application, actor=officer, eligible=True, reason="Rang us", now=utcnow()
        )
