"""Two officers acting on one story at the same moment, on PostgreSQL: the story moves once,
with one history row, one audit event and one email to the author, and the officer who
lost is shown the story as it now is (portal.state_changes)."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import Role
from portal.casestudies import journey, services
from portal.casestudies.models import CaseStudy, CaseStudyStatus, CaseStudyStatusChange
from portal.db_base import utcnow
from tests.fixtures.app import reload
from tests.fixtures.races import postgres_only, race
from tests.fixtures.users import sign_in

pytestmark = postgres_only

PUBLISHED = "The story is published. We have emailed the author."
ALREADY_PUBLISHED = "This story has already been published"


def story_in_review(app, session, member, officer, *, approve: bool = False) -> CaseStudy:  # type: ignore[no-untyped-def]
    """Written, sent and in review (and approved) through the services."""
    now = utcnow()
    with app.app_context():
        story = services.start(session, member.place, actor=member.person, now=now)
        story.title = "How a Preston bakery found its bakers"
        story.challenge = story.group_help = story.actions = story.outcomes = "Words."
        story.named, story.uses, story.consent_years = True, ["website"], 5
        story.answered_steps = [step.slug for step in journey.STEPS]
        services.submit(session, story, actor=member.person, now=now)
        services.start_review(session, story, actor=officer, now=now)
        if approve:
            services.decide(session, story, "approve", comment="", actor=officer, now=now)
    session.commit()
    return story


def officers_posting(app, make_user, path: str, forms: list[dict[str, str]]):  # type: ignore[no-untyped-def]
    """An officer per form, each with the page open, ready to post their form to ``path``;
    each then reads the page they are sent to."""
    posts = []
    for form in forms:
        officer = app.test_client()
        sign_in(officer, make_user(Role.OFFICER))
        token = officer.csrf_token_from(path)

        def post(officer=officer, token=token, form=form) -> tuple[int, str]:  # type: ignore[no-untyped-def]
            response = officer.post(path, data={"csrf_token": token, **form})
            if response.status_code != 302:
                return response.status_code, response.get_data(as_text=True)
            return response.status_code, officer.get(response.headers["Location"]).text

        posts.append(post)
    return posts


def history_and_events(session, story: CaseStudy, status: CaseStudyStatus) -> tuple[int, int]:
    session.rollback()
    history = session.scalar(
        select(func.count())
        .select_from(CaseStudyStatusChange)
        .where(
            CaseStudyStatusChange.case_study_id == story.id,
            CaseStudyStatusChange.status == status,
        )
    )
    events = session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == f"case_study.{status.value}",
            AuditEvent.entity_id == str(story.id),
        )
    )
    session.commit()
    return int(history or 0), int(events or 0)


def test_two_officers_publishing_one_story_at_once_publish_it_once(
    app, session, make_member, make_user, outbox
):
    member = make_member()
    story = story_in_review(app, session, member, make_user(Role.OFFICER), approve=True)

    results = race(
        app, officers_posting(app, make_user, f"/case-studies/{story.id}/publish", [{}, {}])
    )

    assert [code for code, _ in results] == [302, 302]
    told = sorted(
        PUBLISHED if PUBLISHED in page else ALREADY_PUBLISHED if ALREADY_PUBLISHED in page else ""
        for _, page in results
    )
    assert told == [PUBLISHED, ALREADY_PUBLISHED]
    assert reload(session, CaseStudy, story.id).status == CaseStudyStatus.PUBLISHED
    assert history_and_events(session, story, CaseStudyStatus.PUBLISHED) == (1, 1)
    emails = [
        m for m in outbox.messages(member.person.email) if m.subject == "Your story is published"
    ]
    assert len(emails) == 1


def test_two_officers_deciding_at_once_one_decision_stands(
    app, session, make_member, make_user, outbox
):
    member = make_member()
    story = story_in_review(app, session, member, make_user(Role.OFFICER))
    forms = [{"decision": "approve"}, {"decision": "reject", "comment": "It names a customer."}]

    (_, approve_page), (_, reject_page) = race(
        app, officers_posting(app, make_user, f"/case-studies/{story.id}/decision", forms)
    )

    status = reload(session, CaseStudy, story.id).status
    assert status in (CaseStudyStatus.APPROVED, CaseStudyStatus.REJECTED)
    winner, loser = (
        (approve_page, reject_page)
        if status == CaseStudyStatus.APPROVED
        else (reject_page, approve_page)
    )
    assert f"The story is {status.value}. We have emailed the author." in winner
    assert f"This story has already been {status.value}" in loser
    decisions = [
        history_and_events(session, story, decided)
        for decided in (CaseStudyStatus.APPROVED, CaseStudyStatus.REJECTED)
    ]
    assert sorted(decisions) == [(0, 0), (1, 1)]
    subjects = [m.subject for m in outbox.messages(member.person.email)]
    assert (
        subjects.count("Your story is approved") + subjects.count("We cannot use your story") == 1
    )
