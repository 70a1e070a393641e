"""In a real browser: an officer matches a round, moves someone, confirms a cohort; one member
accepts from the emailed link and another declines, and the place goes to someone waiting.
axe checks every page; each is saved as a screenshot to look at."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.auth.models import User
from portal.cohorts.models import Place, PlaceStatus
from portal.registration.models import Application, ApplicationStatus
from tests.browser.test_officer_applicants import go, sign_in_as_officer, submit
from tests.fixtures.browser import CheckedPage, assert_accessible, screenshot

pytestmark = pytest.mark.browser


def answer_offer(browser, live_server, link, answer, reason=None):
    """Open the emailed link in a browser of the member's own and answer it."""
    context = browser.new_context(base_url=live_server.url)
    member = context.new_page()
    member.portal_record = CheckedPage()
    try:
        member.goto(link.split("peernetworks.example.org.uk", 1)[1])
        assert_accessible(member)
        assert "18 hours of group sessions in all" in member.locator("main").inner_text()
        member.get_by_label(answer).check()
        if reason:
            member.get_by_label(reason).check()
        with member.expect_navigation():
            member.get_by_role("button", name="Send my answer").click()
        assert_accessible(member)
        return member.locator("main").inner_text()
    finally:
        context.close()


def test_an_officer_matches_adjusts_and_confirms_and_a_decline_is_backfilled(
    page, browser, live_server, session, open_round, make_application, make_user, outbox
):
    for n in range(19):
        make_application(open_round, business_name=f"Firm {n} Ltd", name=f"Member {n:02d}")
    sign_in_as_officer(page, make_user)

    go(page, f"/cohorts/rounds/{open_round.id}/match")
    assert "19 eligible people without a place" in page.locator("main").inner_text()
    screenshot(page, "forming-match")
    submit(page, "Run the matching")
    assert page.locator("h1").inner_text() == "Matching run"  # its progress, then the result
    result = page.get_by_role("link", name="Review the proposed cohorts")
    result.wait_for(timeout=30_000)
    assert_accessible(page)
    screenshot(page, "forming-matching-run")
    with page.expect_navigation():
        result.click()
    assert_accessible(page)
    assert page.locator("h1").inner_text().startswith("Proposed cohorts")
    screenshot(page, "forming-proposals")

    # Move one person from the larger cohort to the waiting list.
    page.get_by_role("link", name="Move").first.click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("The waiting list").check()
    submit(page, "Move")
    waiting = session.scalars(
        select(Application).where(Application.status == ApplicationStatus.WAITLISTED)
    ).all()
    session.commit()
    assert len(waiting) == 1

    with page.expect_navigation():
        page.get_by_role("link", name="Confirm").first.click()
    assert_accessible(page)
    page.get_by_label("Name of the cohort").fill("Makers of Preston")
    screenshot(page, "forming-confirm")
    submit(page, "Confirm and send offers")
    assert "Makers of Preston" in page.locator("main").inner_text()

    offered = session.scalars(select(Place).where(Place.status == PlaceStatus.OFFERED)).all()
    session.commit()
    assert len(offered) >= 8
    first, second = offered[0], offered[1]
    emails = {
        place.id: outbox.last(session.get(User, place.person_id).email) for place in (first, second)
    }
    links = {
        place_id: next(link for link in outbox.links(message) if "/offers/" in link)
        for place_id, message in emails.items()
    }
    accepted = answer_offer(browser, live_server, links[first.id], "Yes, I accept the place")
    assert "You have accepted your place" in accepted
    declined = answer_offer(
        browser,
        live_server,
        links[second.id],
        "No, I decline the place",
        reason="I cannot give the time it needs",
    )
    assert "declined" in declined.lower()

    session.rollback()  # end the read begun before the answers, so they are seen
    session.expire_all()
    assert session.get(Place, first.id).status == PlaceStatus.ACCEPTED
    backfilled = session.scalars(
        select(Place).where(
            Place.application_id == waiting[0].id, Place.status == PlaceStatus.OFFERED
        )
    ).all()
    session.commit()
    assert len(backfilled) == 1, "the declined place is offered to the person waiting"

    # The officer sees the chain of offers: the decline and the place offered on.
    go(page, page.url)
    offers = page.get_by_role("table", name="Offers made in Makers of Preston, the earliest first")
    assert "Declined: I cannot give the time it needs" in offers.inner_text()
    assert "In place of" in offers.inner_text()
    screenshot(page, "forming-offer-chain")
