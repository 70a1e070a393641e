"""The service navigation: a participant's sections appear only once they apply."""

from portal.auth.models import Role, User
from portal.cohorts.models import PlaceStatus
from portal.db_base import utcnow
from tests.fixtures.pages import check_page
from tests.fixtures.users import sign_in

PARTICIPANT_SECTIONS = ["Your offers", "Your cohort", "One-to-one support", "Your story"]


def menu(client) -> list[str]:
    page = check_page(client.get("/account/"))
    links = page.select(".govuk-service-navigation__list .govuk-service-navigation__link")
    return [link.get_text(strip=True) for link in links]


def participant_sections(client) -> list[str]:
    return [text for text in menu(client) if text in PARTICIPANT_SECTIONS]


def test_a_new_participant_sees_only_their_registration_and_account(client, signed_in_as):
    signed_in_as(Role.PARTICIPANT)
    shown = menu(client)
    assert "Your registration" in shown
    assert "Your account" in shown
    assert participant_sections(client) == []


def test_offers_appear_with_an_offer_and_the_rest_once_a_place_is_taken(
    app, client, session, make_offers
):
    offered = make_offers(members=1)
    [place] = offered.places
    person = session.get(User, place.person_id)
    sign_in(client, person)
    assert participant_sections(client) == ["Your offers"]

    place.status = PlaceStatus.ACCEPTED
    place.accepted_at = utcnow()
    session.commit()
    assert participant_sections(client) == PARTICIPANT_SECTIONS


def test_staff_menus_do_not_depend_on_places(client, signed_in_as):
    signed_in_as(Role.FACILITATOR)
    assert "Your cohorts" in menu(client)
