"""A case study from first draft to the Stories page: written by the participant, or
drafted by their facilitator and confirmed by them; reviewed, changed, approved and
published by an officer; every move audited and emailed to the author; consent withdrawn
or ended takes it down at once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import Role
from portal.casestudies import services
from portal.casestudies.models import CaseStudy, CaseStudyStatus
from portal.db_base import utcnow
from tests.casestudies.conftest import CONSENT, STORY, answer_pages
from tests.fixtures.app import reload
from tests.fixtures.factories import published_story
from tests.fixtures.pages import check_page, error_messages
from tests.fixtures.users import sign_in


def the_case_study(session) -> CaseStudy:
    session.rollback()
    session.expire_all()
    found = session.scalars(select(CaseStudy)).one()
    session.commit()
    return found


def officer_client(app, make_user):
    officer = make_user(Role.OFFICER)
    client = app.test_client()
    sign_in(client, officer)
    return client, officer


def test_a_participant_writes_and_an_officer_reviews_changes_approves_and_publishes(
    app, client, session, make_member, make_user, outbox
):
    member = make_member()
    sign_in(client, member.person)
    page = check_page(client.get("/case-study/"))
    assert "Start your story" in page.text
    started = client.submit_form("/case-study/start", {}, from_page="/case-study/")
    assert started.headers["Location"].endswith("/case-study/question/title")
    assert answer_pages(client, "/case-study", {**STORY, **CONSENT}).endswith(
        "/case-study/check-your-answers"
    )
    check = check_page(client.get("/case-study/check-your-answers"))
    assert "With my name and my business’s name" in check.text
    assert "£25,000" in check.text
    client.submit_form("/case-study/check-your-answers", {})
    story = the_case_study(session)
    assert story.status == CaseStudyStatus.SUBMITTED
    assert story.consent_expires_at.year == story.consent_given_at.year + 5

    officer, officer_user = officer_client(app, make_user)
    listed = check_page(officer.get("/case-studies/"))
    assert "How a Preston bakery found its bakers" in listed.text
    detail = f"/case-studies/{story.id}"
    officer.submit_form(f"{detail}/start-review", {}, from_page=detail)
    no_comment = officer.submit_form(f"{detail}/decision", {"decision": "changes"})
    assert error_messages(check_page(no_comment, status=400)) == [
        "Enter the changes you are asking for"
    ]
    officer.submit_form(
        f"{detail}/decision", {"decision": "changes", "comment": "Please add <b>figures</b>."}
    )
    assert the_case_study(session).status == CaseStudyStatus.CHANGES_REQUESTED
    changes_email = outbox.last(member.person.email)
    assert changes_email.subject == "Please make some changes to your story"
    assert "Please add <b>figures</b>." in changes_email.body_text
    assert "&lt;b&gt;figures&lt;/b&gt;" in changes_email.body_html

    mine = check_page(client.get("/case-study/"))
    assert "Please add <b>figures</b>." in mine.text  # shown as typed, never as markup
    client.submit_form(
        "/case-study/question/figures?change=1", {**STORY["figures"], "cost_savings_pounds": "4000"}
    )
    client.submit_form("/case-study/check-your-answers", {})
    assert the_case_study(session).status == CaseStudyStatus.RESUBMITTED

    officer.submit_form(f"{detail}/start-review", {}, from_page=detail)
    officer.submit_form(f"{detail}/decision", {"decision": "approve"})
    assert check_page(officer.get(f"{detail}/publish")).find(id="checked") is None  # named
    officer.submit_form(f"{detail}/publish", {})
    story = the_case_study(session)
    assert story.status == CaseStudyStatus.PUBLISHED

    stories = check_page(app.test_client().get("/stories/"))
    assert "How a Preston bakery found its bakers" in stories.text
    public = check_page(app.test_client().get(f"/stories/{story.id}"))
    assert member.person.name in public.text  # named, as consented
    assert "£4,000" in public.text

    moves = [
        c.status
        for c in session.scalars(select(CaseStudy)).one().history  # type: ignore[union-attr]
    ]
    assert moves == [
        CaseStudyStatus.DRAFT,
        CaseStudyStatus.SUBMITTED,
        CaseStudyStatus.IN_REVIEW,
        CaseStudyStatus.CHANGES_REQUESTED,
        CaseStudyStatus.RESUBMITTED,
        CaseStudyStatus.IN_REVIEW,
        CaseStudyStatus.APPROVED,
        CaseStudyStatus.PUBLISHED,
    ]
    actions = list(
        session.scalars(
            select(AuditEvent.action)
            .where(
                AuditEvent.entity_type == "case_study",
                AuditEvent.action.not_in(["case_study.changed"]),
            )
            .order_by(AuditEvent.id)
        )
    )
    assert actions == [
        "case_study.started",
        "case_study.submitted",
        "case_study.in_review",
        "case_study.changes_requested",
        "case_study.resubmitted",
        "case_study.in_review",
        "case_study.approved",
        "case_study.published",
    ]
    subjects = [m.subject for m in outbox.messages(member.person.email)][-7:]
    assert subjects == [
        "We have your story",
        "We are reviewing your story",
        "Please make some changes to your story",
        "We have your changes",
        "We are reviewing your story",
        "Your story is approved",
        "Your story is published",
    ]
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case_study.changes_requested")
    ).one()
    assert event.actor_id == officer_user.id
    assert "figures" not in (event.reason or "")  # field names, never the comment


def test_a_member_whose_own_story_is_published_is_not_offered_for_drafting(
    app, session, make_member, make_user
):
    published = make_member()
    other = make_member(name="Nadia Newstory")
    published_story(app, session, published, make_user)
    facilitator = app.test_client()
    sign_in(facilitator, published.facilitator)

    listing = check_page(facilitator.get("/facilitation/case-studies/"))

    offers = [b.get_text(" ", strip=True) for b in listing.select("main form button")]
    assert f"Draft a story with {other.person.name}" in offers
    assert f"Draft a story with {published.person.name}" not in offers
    row = next(r for r in listing.select("main tbody tr") if published.person.name in r.text)
    assert "Published" in row.get_text()

    # From a page opened before the story was published: refused, saying why, nothing made.
    before = session.scalar(select(func.count()).select_from(CaseStudy))
    response = facilitator.submit_form(
        f"/facilitation/case-studies/places/{published.place.id}/start",
        {},
        from_page="/facilitation/case-studies/",
    )
    assert response.headers["Location"] == "/facilitation/case-studies/"
    page = check_page(facilitator.get("/facilitation/case-studies/"))
    banner = page.select_one(".govuk-notification-banner").get_text(" ", strip=True)
    assert f"{published.person.name} already has a story (published)" in banner
    session.rollback()
    assert session.scalar(select(func.count()).select_from(CaseStudy)) == before


def test_a_facilitator_drafts_and_the_participant_confirms_with_consent(
    app, client, session, make_member, outbox
):
    member = make_member()
    facilitator = app.test_client()
    sign_in(facilitator, member.facilitator)
    listing = check_page(facilitator.get("/facilitation/case-studies/"))
    assert member.person.name in listing.text
    start = facilitator.submit_form(
        f"/facilitation/case-studies/places/{member.place.id}/start",
        {},
        from_page="/facilitation/case-studies/",
    )
    base = start.headers["Location"].rsplit("/question/", 1)[0]
    # The consent pages are the participant's alone.
    assert facilitator.get(f"{base}/question/named").status_code == 404
    assert answer_pages(facilitator, base, STORY).endswith(f"{base}/check")
    facilitator.submit_form(f"{base}/check", {})
    story = the_case_study(session)
    assert story.status == CaseStudyStatus.AWAITING_CONFIRMATION
    assert story.drafted_by_id == member.facilitator.id
    assert outbox.last(member.person.email).subject == "Please check the story drafted for you"

    sign_in(client, member.person)
    mine = check_page(client.get("/case-study/"))
    assert "Fran Facilitator has drafted your story with you" in mine.text
    # Sending takes the participant through the consent pages first.
    assert (
        client.get("/case-study/check-your-answers")
        .headers["Location"]
        .endswith("/case-study/question/named")
    )
    refused = client.submit_form("/case-study/question/confirm", {"confirm": ["agree"]})
    assert error_messages(check_page(refused, status=400)) == [
        "Confirm you are able to agree to this for the business"
    ]
    answer_pages(client, "/case-study", CONSENT)
    client.submit_form("/case-study/check-your-answers", {})
    assert the_case_study(session).status == CaseStudyStatus.SUBMITTED
    started = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case_study.started")
    ).one()
    assert (started.actor_id, started.on_behalf_of_id) == (member.facilitator.id, member.person.id)


def test_an_anonymised_story_is_published_only_after_the_anonymity_check(
    app, client, session, make_member, make_user
):
    member = make_member(sector_code="C")
    sign_in(client, member.person)
    client.submit_form("/case-study/start", {}, from_page="/case-study/")
    answer_pages(client, "/case-study", {**STORY, **CONSENT, "named": {"named": "anonymous"}})
    client.submit_form("/case-study/check-your-answers", {})
    story = the_case_study(session)
    officer, _officer = officer_client(app, make_user)
    detail = f"/case-studies/{story.id}"
    officer.submit_form(f"{detail}/start-review", {}, from_page=detail)
    officer.submit_form(f"{detail}/decision", {"decision": "approve"})
    unchecked = officer.submit_form(f"{detail}/publish", {})
    assert error_messages(check_page(unchecked, status=400)) == [
        "Confirm you have checked the story cannot identify the business or the person"
    ]
    assert the_case_study(session).status == CaseStudyStatus.APPROVED
    officer.submit_form(f"{detail}/publish", {"checked": ["cannot_identify"]})
    story = the_case_study(session)
    assert story.status == CaseStudyStatus.PUBLISHED
    assert story.anonymity_confirmed_at is not None

    public = check_page(app.test_client().get(f"/stories/{story.id}"))
    assert "A business in manufacturing" in public.text
    assert member.person.name not in public.text
    assert "Business" not in public.find(class_="govuk-caption-l").text


def test_withdrawing_consent_takes_a_story_down_at_once(
    app, client, session, make_member, make_user, outbox
):
    member = make_member()
    story = published_story(app, session, member, make_user)
    assert app.test_client().get(f"/stories/{story.id}").status_code == 200
    sign_in(client, member.person)
    client.submit_form("/case-study/withdraw-consent", {})
    story = the_case_study(session)
    assert story.status == CaseStudyStatus.WITHDRAWN
    assert story.unpublished_at is not None
    assert app.test_client().get(f"/stories/{story.id}").status_code == 404
    assert "How a Preston bakery" not in app.test_client().get("/stories/").get_data(as_text=True)
    assert outbox.last(member.person.email).subject == "You have withdrawn your consent"
    # They may write another.
    assert "Start your story" in check_page(client.get("/case-study/")).text


def test_the_end_of_the_consent_period_takes_a_story_down(
    app, session, make_member, make_user, outbox
):
    member = make_member()
    story = published_story(app, session, member, make_user)
    ends = story.consent_expires_at
    # Not shown from the moment consent ends, even before the job runs.
    with app.app_context():
        assert services.published_stories(session, ends) == []
        assert services.expire_consents(session, ends - dt.timedelta(seconds=1)).startswith("0 ")
        assert services.expire_consents(session, ends).startswith("1 ")
    session.commit()
    story = reload(session, CaseStudy, story.id)
    assert story.status == CaseStudyStatus.EXPIRED
    assert story.unpublished_at == ends
    assert outbox.last(member.person.email).subject == "Your consent for your story has ended"


def test_moves_the_workflow_does_not_allow_are_refused(app, session, make_member, make_user):
    member = make_member()
    officer = make_user(Role.OFFICER)
    now = utcnow()
    with app.app_context():
        story = services.start(session, member.place, actor=member.person, now=now)
        with pytest.raises(services.CaseStudyError):
            services.submit(session, story, actor=member.person, now=now)  # unanswered
        with pytest.raises(services.CaseStudyError):
            services.start_review(session, story, actor=officer, now=now)
        with pytest.raises(services.CaseStudyError):
            services.withdraw_consent(session, story, actor=member.person, now=now)
        with pytest.raises(services.CaseStudyError):
            services.publish(session, story, actor=officer, now=now, anonymity_checked=True)


def test_sending_twice_at_the_same_moment_sends_once(app, session, make_member, outbox):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    member = make_member()
    tabs = [app.test_client(), app.test_client()]
    for tab in tabs:
        sign_in(tab, member.person)
    tabs[0].submit_form("/case-study/start", {}, from_page="/case-study/")
    answer_pages(tabs[0], "/case-study", {**STORY, **CONSENT})
    tokens = [tab.csrf_token_from("/case-study/check-your-answers") for tab in tabs]
    together = Barrier(2)

    def send(number: int) -> int:
        together.wait()
        return (
            tabs[number]
            .post("/case-study/check-your-answers", data={"csrf_token": tokens[number]})
            .status_code
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        assert list(pool.map(send, [0, 1])) == [302, 302]
    story = the_case_study(session)
    assert [c.status for c in story.history].count(CaseStudyStatus.SUBMITTED) == 1
    sent = [m for m in outbox.messages(member.person.email) if m.subject == "We have your story"]
    assert len(sent) == 1


def test_the_consent_expiry_job_is_registered_with_the_runner(app):
    from portal import jobs

    assert "case-study-consent-expiry" in {job.name for job in jobs.registered_jobs(app)}
