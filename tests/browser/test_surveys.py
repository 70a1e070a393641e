"""In a real browser: a participant gets a survey invitation by email, answers over two
visits from the emailed link (no sign-in), and sends the answers once; an officer follows
the response rates, keys in a paper form and publishes a new version of a survey.

axe checks every page; each page is saved as a screenshot to look at.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pyotp
import pytest
from sqlalchemy import select

from portal.auth.models import Role
from portal.cohorts.models import CohortStatus
from portal.db_base import utcnow
from portal.surveys.invitations import run_survey_job
from portal.surveys.models import ResponseStatus, SurveyResponse
from tests.fixtures.browser import CheckedPage, assert_accessible, screenshot
from tests.fixtures.users import PASSWORD, TOTP_SECRET
from tests.surveys.conftest import survey_path

pytestmark = pytest.mark.browser


def go(page, path: str) -> None:
    page.goto(path)
    assert_accessible(page)


def press(page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    assert_accessible(page)


def follow(page, link: str, **kwargs: Any) -> None:
    with page.expect_navigation():
        page.get_by_role("link", name=link, **kwargs).first.click()
    assert_accessible(page)


def heading(page) -> str:
    return page.get_by_role("heading", level=1).inner_text().strip()


def sign_in(page, email: str, *, code: bool = False) -> None:
    go(page, "/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    press(page, "Sign in")
    if code:
        page.get_by_label("Security code").fill(pyotp.TOTP(TOTP_SECRET).now())
        press(page, "Continue")


@contextmanager
def another_browser(page) -> Iterator[Any]:
    """A second browser (its own cookies); every page it loads is checked by axe too."""
    context = page.context.browser.new_context(
        base_url=page.context._impl_obj._options.get("baseURL"),
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    other = context.new_page()
    record = CheckedPage()
    other.portal_record = record
    other.on("load", lambda loaded: record.loaded.append(loaded.url))
    try:
        yield other
        assert not record.unchecked(), f"pages visited without an axe check: {record.unchecked()}"
    finally:
        context.close()


@pytest.fixture
def invited(app, session, make_group, outbox):
    """A finished group whose members the job has just invited to the exit survey."""
    group = make_group(members=3, held=1, accepted_at=utcnow() - dt.timedelta(days=90))
    group.cohort.status = CohortStatus.COMPLETED
    session.commit()
    with app.app_context():
        assert run_survey_job(session, utcnow()).startswith("3 exit invitations created")
    session.commit()
    return group


def test_a_participant_answers_over_two_visits_from_the_emailed_link(
    page, session, invited, outbox
):
    person = invited.people[0]
    email = outbox.last(person.email)
    assert email.subject == "Please tell us: How Peer Networks went for you"
    link = survey_path(outbox, person)

    # First visit: start, answer three pages, then stop.
    go(page, link)
    screenshot(page, "survey-start")
    assert heading(page) == "How Peer Networks went for you"
    press(page, "Start now")
    assert heading(page) == "Overall, how satisfied are you with Peer Networks?"
    screenshot(page, "survey-question-satisfaction")
    page.get_by_label("Very satisfied").check()
    press(page, "Save and continue")
    assert heading(page) == "Your group"
    press(page, "Save and continue")  # nothing chosen
    assert page.title().startswith("Error: ")
    screenshot(page, "survey-question-group-error")
    page.get_by_role("group", name="How satisfied are you with your facilitator?").get_by_label(
        "Fairly satisfied"
    ).check()
    page.get_by_role("group", name="How satisfied are you with the group sessions?").get_by_label(
        "Very satisfied"
    ).check()
    press(page, "Save and continue")
    page.get_by_label("Yes").check()
    press(page, "Save and continue")
    assert heading(page) == "How satisfied are you with your one-to-one support?"
    page.get_by_label("Fairly satisfied").check()
    press(page, "Save and continue")
    assert heading(page) == "Which issues did the programme help you address?"
    screenshot(page, "survey-question-checkboxes")

    # Second visit, another day, another browser: the same link carries on.
    with another_browser(page) as later:
        go(later, link)
        screenshot(later, "survey-start-again")
        assert "Your answers so far are saved" in later.inner_text("main")
        press(later, "Continue")
        assert heading(later) == "Which issues did the programme help you address?"
        later.get_by_label("Staffing and recruitment").check()
        later.get_by_label("Exporting").check()
        press(later, "Save and continue")
        later.get_by_label("Written or changed a business plan").check()
        later.get_by_label("Tell us more about what you did (optional)").fill(
            "We wrote a plan <b>together</b> with our bank."
        )
        screenshot(later, "survey-question-group-with-text")
        press(later, "Save and continue")
        assert heading(later) == (
            "How likely are you to recommend Peer Networks to another business owner?"
        )
        later.get_by_label("9", exact=True).check()
        screenshot(later, "survey-question-recommend")
        press(later, "Save and continue")
        press(later, "Save and continue")  # "What could we do better?" is optional
        assert heading(later) == "Check your answers"
        screenshot(later, "survey-check-answers")
        main = later.inner_text("main")
        assert "We wrote a plan <b>together</b> with our bank." in main
        follow(later, "Change How likely are you to recommend Peer Networks")
        later.get_by_label("10 – extremely likely").check()
        press(later, "Save and continue")
        assert heading(later) == "Check your answers"
        press(later, "Send answers")
        assert heading(later) == "Thank you for your answers"
        screenshot(later, "survey-sent")

        # Going back to the check page, or opening the link again, shows it as sent.
        go(later, f"{link}/check-your-answers")
        assert heading(later) == "Thank you for your answers"

    session.rollback()
    sent = session.scalars(
        select(SurveyResponse).where(SurveyResponse.status == ResponseStatus.SUBMITTED)
    ).all()
    assert len(sent) == 1
    answers = {a.measure_code: a for a in sent[0].answers}
    assert int(answers["would_recommend"].number) == 10
    assert answers["one_to_one_satisfaction"].choice == "fairly_satisfied"


def test_an_unknown_link_explains_what_to_do(page, surveys_loaded):
    go(page, "/survey/this-is-not-a-link")
    assert heading(page) == "This link does not work"
    screenshot(page, "survey-link-problem")


def test_an_officer_follows_rates_keys_in_a_paper_form_and_publishes_a_version(
    page, session, invited, make_user
):
    officer = make_user(Role.OFFICER, email="officer@example.com")
    assert officer.id
    sign_in(page, "officer@example.com", code=True)
    go(page, f"/surveys/?round={invited.round.id}")
    assert heading(page) == "Survey responses"
    screenshot(page, "survey-officer-rates")
    follow(page, invited.cohort.name)
    screenshot(page, "survey-officer-cohort")
    follow(page, f"Key in answers for {invited.people[1].name}, exit survey")
    screenshot(page, "survey-officer-key-in")
    page.get_by_label("On paper").check()
    press(page, "Continue")
    assert "Keying in" in page.inner_text("main")
    screenshot(page, "survey-officer-key-in-question")
    press(page, "Save and continue")  # left blank on the paper form: allowed
    for _ in range(6):
        press(page, "Save and continue")
    assert heading(page) == "Check the answers before sending them"
    screenshot(page, "survey-officer-key-in-check")
    press(page, "Send answers")
    assert "answers are saved" in page.inner_text("main")
    screenshot(page, "survey-officer-response")

    go(page, "/surveys/questions/")
    screenshot(page, "survey-definitions")
    follow(page, "Exit survey")
    screenshot(page, "survey-definition")
    press(page, "Start a new version")
    assert heading(page) == "Change version 2"
    screenshot(page, "survey-definition-draft")
    follow(page, "Change wording of question 1")
    screenshot(page, "survey-definition-reword")
    page.get_by_label("Question").fill("All in all, how satisfied are you with Peer Networks?")
    press(page, "Save wording")
    follow(page, "Retire question 8")
    screenshot(page, "survey-definition-retire")
    press(page, "Retire question")
    press(page, "Add a question")  # a link that looks like a button
    press(page, "Add question")
    screenshot(page, "survey-definition-add-error")
    page.get_by_label("Question", exact=True).fill("How did you hear about Peer Networks?")
    page.get_by_label("One answer from a list").check()
    page.get_by_label("Answers to choose from").fill("From the Growth Hub\nFrom a business network")
    page.get_by_label("Yes").check()
    page.get_by_label("Measure code").fill("heard_from")
    press(page, "Add question")
    assert heading(page) == "Change version 2"
    page.get_by_label("What has changed in this version?").fill("Reworded; asked how people heard")
    press(page, "Publish this version")
    assert "Version 2 of the exit survey is published" in page.inner_text("main")
    screenshot(page, "survey-definition-published")


def test_an_officer_sends_a_due_baseline_survey_now(page, session, make_group, make_user, outbox):
    group = make_group(members=2)  # places taken a day ago; the job has not run yet
    make_user(Role.OFFICER, email="officer@example.com")
    sign_in(page, "officer@example.com", code=True)
    go(page, f"/surveys/cohorts/{group.cohort.id}")
    assert page.get_by_role("heading", name="Due and not sent").is_visible()
    screenshot(page, "survey-officer-send-now")
    person = sorted(group.people, key=lambda p: p.name)[0]
    press(page, f"Send now to {person.name}, baseline survey")
    assert f"We have sent the baseline survey to {person.email}" in page.inner_text("main")
    screenshot(page, "survey-officer-sent-now")
    assert outbox.last(person.email).subject == "Please tell us: Your business before Peer Networks"
