"""In a real browser: an officer and a contractor lead read a cohort's delivery (schedule,
hours, register, case studies), at desktop width and at 320 pixels, where the register
scrolls in its own region with the names first. axe checks every page; each is saved as a
screenshot to look at."""

import datetime as dt

import pytest

from portal.auth.models import Role
from portal.db_base import utcnow
from portal.surveys.models import SurveyTiming
from tests.browser.test_people import go, reflows, sign_in
from tests.fixtures.browser import assert_accessible, screenshot
from tests.fixtures.factories import (
    delivered_booking,
    hold_session,
    submitted_case_study,
    survey_invitation,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def group(session, make_group, make_user):
    made = make_group(members=3)
    for _ in range(4):
        hold_session(session, made)
    coach = make_user(Role.COACH, contractors=[made.contractor], name="Colin Coach")
    delivered_booking(session, made.places[0], coach, utcnow() - dt.timedelta(days=1))
    survey_invitation(session, made.places[0], SurveyTiming.BASELINE)
    submitted_case_study(session, made.places[0], "How a mill found its apprentices")
    return made


def test_an_officer_reads_a_cohorts_delivery_from_the_cohort_page(page, make_user, group):
    sign_in(page, make_user(Role.OFFICER, name="Olivia Officer"))
    go(page, f"/cohorts/{group.cohort.id}")
    with page.expect_navigation():
        page.get_by_role("link", name="Delivery: schedule, register").click()
    assert_accessible(page)
    assert page.get_by_role("heading", level=1).inner_text() == f"Delivery of {group.cohort.name}"
    register = page.get_by_role("region", name=f"Register of {group.cohort.name}")
    assert register.get_by_role("rowheader", name=group.people[0].name).count() == 1
    screenshot(page, "cohort-delivery")
    page.set_viewport_size({"width": 320, "height": 800})
    assert reflows(page)
    name_cell = register.get_by_role("rowheader", name=group.people[0].name)
    box = name_cell.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 320
    screenshot(page, "cohort-delivery-320")


def test_a_contractor_lead_reads_their_cohorts_delivery(page, make_user, group):
    lead = make_user(Role.CONTRACTOR_LEAD, contractors=[group.contractor], name="Lee Lead")
    sign_in(page, lead)
    go(page, f"/cohorts/{group.cohort.id}/record")
    assert page.get_by_text("How a mill found its apprentices").count() == 1
    screenshot(page, "cohort-delivery-lead")
    page.set_viewport_size({"width": 320, "height": 800})
    assert reflows(page)
    screenshot(page, "cohort-delivery-lead-320")
