"""In a real browser: a participant consents to and sends the story they drafted, an officer
asks for changes, and once it is approved publishes it, and it appears on the public Stories
page; a facilitator drafts one for a member of their group, page by page; a participant
withdraws consent.

Steps another journey already walks in the browser are set up through the test client or
the services instead (the participant's own story pages are the facilitator's pages;
approving is the decision page the officer uses above, and the keyboard journey approves).

axe checks every page; each page is saved as a screenshot to look at.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.auth.models import Role
from portal.casestudies import services
from portal.casestudies.models import CaseStudy, CaseStudyStatus
from portal.db_base import utcnow
from tests.browser.test_surveys import another_browser, follow, go, heading, press, sign_in
from tests.casestudies.conftest import STORY, answer_pages
from tests.fixtures.browser import screenshot
from tests.fixtures.factories import published_story
from tests.fixtures.users import sign_in as sign_in_client

pytestmark = pytest.mark.browser


def write_story(page, *, shots: bool = True) -> None:
    """Every page of the story, from the title to the quote (screenshots with ``shots``)."""
    shot = screenshot if shots else (lambda page, name: None)
    page.get_by_label("Give your story a title").fill("How a Preston bakery found its bakers")
    shot(page, "case-study-title")
    press(page, "Save and continue")
    page.get_by_label("What challenge did your business face?").fill(
        "We could not recruit bakers.\n\nOrders went unmet every week."
    )
    press(page, "Save and continue")
    page.get_by_label("How did your peer group help?").fill("Others shared what worked for them.")
    shot(page, "case-study-help")
    press(page, "Save and continue")
    page.get_by_label("What did you do?").fill("We started an apprenticeship with the college.")
    press(page, "Save and continue")
    page.get_by_label("What changed for the business?").fill("Two apprentices joined.")
    press(page, "Save and continue")
    page.get_by_label("Jobs created (optional)").fill("2")
    page.get_by_label("Change in yearly turnover, in pounds (optional)").fill("25,000")
    shot(page, "case-study-figures")
    press(page, "Save and continue")
    page.get_by_label("Staffing and recruitment").check()
    press(page, "Save and continue")
    page.get_by_label("A quote for your story (optional)").fill("The group changed how I hire.")
    press(page, "Save and continue")


def give_consent(page, *, named: bool, shots: bool = True) -> None:
    shot = screenshot if shots else (lambda page, name: None)
    assert heading(page) == "How may we tell your story?"
    shot(page, "case-study-consent-names")
    page.get_by_label("With my name" if named else "Anonymously").check()
    press(page, "Save and continue")
    page.get_by_label("On the ‘Stories’ page of this website").check()
    page.get_by_label("In reports to the programme’s funders and board").check()
    shot(page, "case-study-consent-uses")
    press(page, "Save and continue")
    assert page.get_by_label("5 years").is_checked()  # the default
    shot(page, "case-study-consent-period")
    press(page, "Save and continue")
    press(page, "Save and continue")
    assert page.title().startswith("Error: ")
    shot(page, "case-study-consent-confirm-error")
    page.get_by_label("I agree to my story being used").check()
    page.get_by_label("I am able to agree to this for the business").check()
    press(page, "Save and continue")


def test_a_story_goes_from_draft_to_the_stories_page(
    page, app, client, session, make_member, make_user
):
    member = make_member(sector_code="C")
    officer_user = make_user(Role.OFFICER, email="officer@example.com")
    sign_in(page, member.person.email)
    go(page, "/case-study/")
    screenshot(page, "case-study-start")
    press(page, "Start your story")
    assert heading(page) == "Give your story a title"
    # The story's own pages are walked in the browser, with axe, by the facilitator's
    # journey below (the same pages), and by the test client in tests/casestudies. Here the
    # participant writes them through the test client, and the browser takes over at the
    # consent pages.
    sign_in_client(client, member.person)
    answer_pages(client, "/case-study", STORY)
    go(page, "/case-study/")
    assert "Your story is saved as a draft." in page.inner_text("main")
    screenshot(page, "case-study-draft")
    press(page, "Continue your story")
    give_consent(page, named=True)
    assert heading(page) == "Check your story"
    screenshot(page, "case-study-check")
    press(page, "Send your story")
    assert "Your story is sent" in page.inner_text("main")
    screenshot(page, "case-study-sent")

    with another_browser(page) as officer:
        sign_in(officer, "officer@example.com", code=True)
        go(officer, "/case-studies/")
        screenshot(officer, "case-study-review-list")
        follow(officer, "How a Preston bakery found its bakers")
        screenshot(officer, "case-study-review-detail")
        press(officer, "Start review")
        press(officer, "Decide on this story")
        officer.get_by_label("Ask the author for changes").check()
        press(officer, "Save decision")
        assert officer.title().startswith("Error: ")
        screenshot(officer, "case-study-decision-error")
        officer.get_by_label("Comments for the author").fill(
            "Please say how many orders you can now meet."
        )
        press(officer, "Save decision")
        assert "changes requested" in officer.inner_text("main")

        go(page, "/case-study/")
        assert "Please say how many orders you can now meet." in page.inner_text("main")
        screenshot(page, "case-study-changes-requested")
        press(page, "Change your story")
        follow(page, "Change what changed")
        page.get_by_label("What changed for the business?").fill(
            "Two apprentices joined. We now meet every order, about 40 a week."
        )
        press(page, "Save and continue")
        assert heading(page) == "Check your story"
        press(page, "Send your changes")

        # Starting the review and approving are the same pages as above (and the keyboard
        # journey approves in the browser): here the officer approves through the services
        # and the browser goes on from the approved story.
        session.rollback()
        story = session.scalars(select(CaseStudy)).one()
        assert story.status == CaseStudyStatus.RESUBMITTED
        with app.app_context():
            services.start_review(session, story, actor=officer_user, now=utcnow())
            services.decide(session, story, "approve", comment="", actor=officer_user, now=utcnow())
        session.commit()
        session.expunge(story)  # the check at the end reads the story afresh
        go(officer, f"/case-studies/{story.id}")
        assert heading(officer) == "How a Preston bakery found its bakers"
        press(officer, "Publish this story")
        screenshot(officer, "case-study-publish")
        press(officer, "Publish story")
        assert "The story is published" in officer.inner_text("main")
        screenshot(officer, "case-study-published-detail")

    with another_browser(page) as visitor:
        go(visitor, "/stories/")
        screenshot(visitor, "stories")
        visitor.get_by_label("Sector").select_option(label="Manufacturing")
        visitor.get_by_label("Issue").select_option(label="Staffing and recruitment")
        press(visitor, "Show stories")
        assert "1 story" in visitor.inner_text("main")
        screenshot(visitor, "stories-filtered")
        follow(visitor, "How a Preston bakery found its bakers")
        assert heading(visitor) == "How a Preston bakery found its bakers"
        assert member.person.name in visitor.inner_text("main")
        assert "about 40 a week" in visitor.inner_text("main")
        screenshot(visitor, "story")

    session.rollback()
    story = session.scalars(select(CaseStudy)).one()
    assert story.status == CaseStudyStatus.PUBLISHED


def test_a_facilitator_drafts_a_story_for_a_member_who_then_consents(page, session, make_member):
    member = make_member()
    sign_in(page, member.facilitator.email)
    go(page, "/facilitation/case-studies/")
    screenshot(page, "case-study-facilitator-list")
    press(page, f"Draft a story with {member.person.name}")
    assert "Drafting" in page.inner_text("main")
    write_story(page)
    assert heading(page) == f"Check {member.person.name}’s story"
    screenshot(page, "case-study-facilitator-check")
    press(page, f"Send to {member.person.name}")

    with another_browser(page) as participant:
        sign_in(participant, member.person.email)
        go(participant, "/case-study/")
        assert "has drafted your story with you" in participant.inner_text("main")
        screenshot(participant, "case-study-awaiting-confirmation")
        press(participant, "Check your story")
        give_consent(participant, named=False, shots=False)
        press(participant, "Send your story")
        assert "Your story is sent" in participant.inner_text("main")


def test_a_participant_withdraws_consent(page, app, session, make_member, make_user):
    member = make_member()
    story = published_story(app, session, member, make_user)
    sign_in(page, member.person.email)
    go(page, "/case-study/")
    follow(page, "Withdraw your consent")
    screenshot(page, "case-study-withdraw")
    press(page, "Withdraw my consent")
    assert "You have withdrawn your consent" in page.inner_text("main")
    go(page, f"/stories/{story.id}")
    assert heading(page) == "Page not found"
