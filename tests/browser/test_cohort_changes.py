"""In a real browser: an officer changes confirmed cohorts (moves a member, withdraws one,
offers a place from the waiting list, changes the meeting day, cancels a cohort), each
through its check page; sees details another officer saved meanwhile; withdraws and moves
open offers and finds them in the cohort's history; and a participant moves themselves to
another group. axe checks
every page; each is saved as a screenshot to look at."""

import datetime as dt

import pytest

from portal.auth.models import Role
from portal.cohorts.models import Cohort, CohortStatus, Place, PlaceStatus
from portal.registration.models import Application, ApplicationStatus
from tests.browser.test_people import sign_in as sign_in_with_code
from tests.fixtures.app import reload
from tests.fixtures.browser import assert_accessible, screenshot
from tests.fixtures.factories import add_sessions, confirmed_group_factory
from tests.fixtures.users import PASSWORD

pytestmark = pytest.mark.browser

FUTURE = dt.datetime(2030, 1, 8, 9, 30, tzinfo=dt.UTC)  # a Tuesday


def go(page, path):
    page.goto(path)
    assert_accessible(page)


def submit(page, button):
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    assert_accessible(page)


def follow(page, link):
    with page.expect_navigation():
        page.get_by_role("link", name=link, exact=True).click()
    assert_accessible(page)


@pytest.fixture
def make_group(session, make_round, make_application, make_user, make_contractor):
    factory = confirmed_group_factory(
        session, make_round, make_application, make_user, make_contractor
    )

    def tuesday(**fields):
        group = factory(**fields)
        group.cohort.meeting_weekday = 1
        group.cohort.start_on = dt.date(2030, 1, 8)
        session.commit()
        add_sessions(session, group.cohort, FUTURE, FUTURE + dt.timedelta(days=14))
        return group

    return tuesday


def test_an_officer_changes_confirmed_cohorts_through_check_pages(
    page, session, make_group, make_user, make_application
):
    here = make_group(members=3, name="Makers of Preston")
    there = make_group(members=2, name="Growers of Preston")
    waiting = make_application(here.round, name="Wendy Waiting", business_name="Wendy's Ltd")
    waiting.status = ApplicationStatus.WAITLISTED
    session.commit()
    moving, leaving = here.people[0], here.people[1]
    sign_in_with_code(page, make_user(Role.OFFICER, name="Olivia Officer"))
    go(page, f"/cohorts/{here.cohort.id}")
    screenshot(page, "cohort-changes-detail")

    follow(page, "Offer a place to someone on the waiting list")
    screenshot(page, "cohort-changes-add-member")
    page.get_by_label("Wendy Waiting, Wendy's Ltd").check()
    submit(page, "Continue")
    submit(page, "Send the offer")
    assert "Wendy Waiting has been offered a place." in page.inner_text("main")

    follow(page, f"Move {moving.name}")
    page.get_by_label("Growers of Preston").check()
    page.get_by_label("Why are they moving?").fill("Closer to their work")
    submit(page, "Continue")
    screenshot(page, "cohort-changes-check-move")
    submit(page, f"Confirm and move {moving.name}")
    assert f"{moving.name} moved to Growers of Preston." in page.inner_text("main")

    follow(page, f"Withdraw {leaving.name}")
    submit(page, "Continue")
    assert page.title().startswith("Error: ")
    page.get_by_label("Why are they being withdrawn?").fill("Sold the business")
    submit(page, "Continue")
    submit(page, f"Confirm and withdraw {leaving.name}")
    assert f"{leaving.name} has been withdrawn." in page.inner_text("main")

    follow(page, "Change its name, meeting day and time, format, venue or link, or facilitator")
    page.get_by_label("When does it meet?").select_option(label="Thursday afternoons")
    page.get_by_label("Start time").fill("2pm")
    page.get_by_label("Why is it changing?").fill("The room is booked on Tuesdays")
    submit(page, "Continue")
    screenshot(page, "cohort-changes-check-details")
    submit(page, "Confirm the changes")
    assert "has changed and its members have been emailed" in page.inner_text("main")

    go(page, f"/cohorts/{there.cohort.id}")
    follow(page, "Cancel the cohort")
    for person in [*there.people, moving]:
        page.get_by_role("group", name=f"Where should {person.name} go?").get_by_label(
            "Put them on the waiting list"
        ).check()
    page.get_by_label("Why is the cohort cancelled?").fill("The facilitator is ill")
    submit(page, "Continue")
    screenshot(page, "cohort-changes-check-cancel")
    submit(page, "Confirm and cancel Growers of Preston")
    assert "Growers of Preston is cancelled" in page.inner_text("main")
    assert reload(session, type(there.cohort), there.cohort.id).status == CohortStatus.CANCELLED


def test_a_participant_moves_to_another_group_before_the_cut_off(page, session, make_group):
    here = make_group(members=2, name="Makers of Preston")
    make_group(members=2, name="Growers of Preston")
    here.round.members_can_move_until = dt.date(2099, 12, 31)
    session.commit()
    person = here.people[0]
    go(page, "/sign-in")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    submit(page, "Sign in")

    go(page, "/my-cohort/")
    follow(page, "move to another group")
    screenshot(page, "cohort-changes-self-move")
    page.get_by_label("Growers of Preston").check()
    submit(page, "Continue")
    screenshot(page, "cohort-changes-self-move-check")
    submit(page, "Confirm and move")

    assert page.get_by_role("heading", level=1).inner_text() == "Growers of Preston"
    assert "You have moved to Growers of Preston." in page.inner_text("main")
    assert reload(session, type(here.places[0]), here.places[0].id).status == PlaceStatus.MOVED


def test_an_officer_sees_details_changed_meanwhile_and_changes_open_offers(
    page, session, make_group, make_user, make_application
):
    here = make_group(members=3, name="Makers of Preston")
    make_group(members=2, name="Growers of Preston")
    moving_offer, withdrawn_offer = here.places[0], here.places[1]
    for place in (moving_offer, withdrawn_offer):
        place.status = PlaceStatus.OFFERED
        place.accepted_at = None
        place.offered_at = dt.datetime(2029, 12, 20, 10, tzinfo=dt.UTC)
        place.reply_by = dt.date(2030, 1, 4)
        session.get(Application, place.application_id).status = ApplicationStatus.OFFERED
    session.commit()
    sign_in_with_code(page, make_user(Role.OFFICER, name="Olivia Officer"))

    # Another officer saves a new venue while this one is changing the name.
    go(page, f"/cohorts/{here.cohort.id}/change")
    page.get_by_label("Name of the cohort").fill("Makers of Lancashire")
    page.get_by_label("Why is it changing?").fill("A wider area")
    here.cohort.venue = "Harris Museum, Preston"
    session.commit()
    submit(page, "Continue")
    assert page.title().startswith("Error: ")
    assert "Harris Museum, Preston" in page.inner_text("#version")
    assert page.get_by_label("Name of the cohort").input_value() == "Makers of Lancashire"
    assert "Harris Museum, Preston Differs from your answer" in page.inner_text("#version")
    screenshot(page, "cohort-changes-details-changed-meanwhile")
    page.get_by_label("Venue (optional)").fill("Harris Museum, Preston")
    submit(page, "Continue")
    submit(page, "Confirm the changes")
    assert "Makers of Lancashire has changed" in page.inner_text("main")

    follow(page, f"Withdraw the offer to {here.people[1].name}")
    screenshot(page, "cohort-changes-withdraw-offer")
    page.get_by_label("Why is the offer being withdrawn?").fill("They have stopped trading")
    submit(page, "Continue")
    submit(page, "Confirm and withdraw the offer")
    assert f"The offer to {here.people[1].name} is withdrawn." in page.inner_text("main")

    follow(page, f"Move the offer to {here.people[0].name}")
    page.get_by_label("Growers of Preston").check()
    page.get_by_label("Why are they moving?").fill("Nearer their work")
    submit(page, "Continue")
    screenshot(page, "cohort-changes-check-move-offer")
    submit(page, "Confirm and move the offer")
    assert "offer is now of a place in Growers of Preston" in page.inner_text("main")

    assert reload(session, Cohort, here.cohort.id).venue == "Harris Museum, Preston"
    history = page.get_by_role("table", name="History of Makers of Lancashire").inner_text()
    assert "They have stopped trading" in history
    assert f"{here.people[0].name}'s offer moved to Growers of Preston" in history
    screenshot(page, "cohort-changes-history")
    assert reload(session, Place, moving_offer.id).status == PlaceStatus.MOVED
    assert reload(session, Place, withdrawn_offer.id).status == PlaceStatus.WITHDRAWN
