"""Messages to groups, at the service level on both databases: who is in each audience and
who is left out (and why), one outbox email per person with their own merge values, the
record kept, and the limits (once per draft, no repeat within a day, a largest audience)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from portal.audit.models import AuditEvent
from portal.auth.models import EmailCategory, EmailPreference, Role
from portal.cohorts.models import CohortSession, SessionStatus
from portal.db_base import utcnow
from portal.messages.audiences import audience_for, recipients
from portal.messages.models import GroupMessage, GroupMessageRecipient, MessageStatus
from portal.messages.services import MessageRefused, messages_to, save_draft, send
from portal.registration.models import ApplicationStatus
from portal.surveys.models import SurveyTiming
from portal.timefmt import govuk_datetime
from tests.fixtures.factories import survey_invitation

BODY = "Dear {first_name},\n\n{cohort} meets next on {next_session}.\n\nSee you there."


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER, name="Olivia Officer")


def group_emails(outbox):
    """The outbox's messages to groups (registering queued emails of its own)."""
    return [m for m in outbox.messages() if m.subject in SUBJECTS]


SUBJECTS = {"Your next session"}


def draft(session, audience, author, *, body=BODY, subject="Your next session", category=None):
    return save_draft(
        session,
        audience,
        subject=subject,
        body=body,
        category=category,
        author=author,
        now=utcnow(),
    )


def test_a_cohort_message_goes_to_each_member_alone_with_their_own_words(
    app, session, make_group, officer, outbox
):
    group = make_group(members=3, name="Makers of Preston")
    starts = utcnow().replace(microsecond=0) + dt.timedelta(days=3)
    session.add(
        CohortSession(
            cohort_id=group.cohort.id,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            status=SessionStatus.PLANNED,
        )
    )
    session.commit()
    with app.test_request_context():
        audience = audience_for(session, officer, {"audience": "cohort", "cohort": group.cohort.id})
        message = draft(session, audience, officer)
        assert send(session, message, audience, author=officer, now=utcnow()) == 3
    session.commit()

    queued = group_emails(outbox)
    assert sorted(m.to_address for m in queued) == sorted(p.email for p in group.people)
    first = group.people[0]
    mine = outbox.last(first.email)
    assert mine.user_id == first.id
    assert mine.subject == "Your next session"
    assert f"Dear {first.name.split()[0]}," in mine.body_text
    assert f"Makers of Preston meets next on {govuk_datetime(starts)}." in mine.body_text
    # Nobody's copy names anyone else.
    for other in group.people[1:]:
        assert other.email not in mine.body_text
        assert other.name not in mine.body_text

    stored = session.get(GroupMessage, message.id)
    assert stored.status is MessageStatus.SENT
    assert (stored.recipient_count, stored.left_out_count) == (3, 0)
    assert stored.audience_label == "Members of Makers of Preston"
    rows = session.scalars(select(GroupMessageRecipient)).all()
    assert {row.person_id for row in rows} == {p.id for p in group.people}
    assert all(row.outbox_message_id for row in rows)
    assert [row.subject for row in messages_to(session, first)] == ["Your next session"]
    assert (
        session.scalar(select(func.count()).where(AuditEvent.action == "group_message.sent")) == 1
    )


def test_restricted_opted_out_and_erased_people_are_left_out_with_the_reason(
    app, session, make_group, officer, outbox
):
    group = make_group(members=4)
    restricted, opted_out, erased, kept = group.people
    restricted.restricted_at = utcnow()
    erased.email = f"erased-{erased.id}@erased.invalid"
    session.add(
        EmailPreference(user_id=opted_out.id, category=EmailCategory.REMINDERS, wanted=False)
    )
    session.commit()
    assert erased.is_erased
    with app.test_request_context():
        audience = audience_for(session, officer, {"audience": "cohort", "cohort": group.cohort.id})
        reminder = recipients(session, audience, category=EmailCategory.REMINDERS, now=utcnow())
        essential = recipients(session, audience, category=None, now=utcnow())
        message = draft(session, audience, officer, category=EmailCategory.REMINDERS)
        send(session, message, audience, author=officer, now=utcnow())
    session.commit()

    reasons = {item.person.id: item.reason for item in reminder.left_out}
    assert reasons == {
        restricted.id: "Processing of their data is restricted",
        opted_out.id: (
            "Turned off emails of this kind (reminders about sessions and one-to-one support)"
        ),
        erased.id: "No email address (their data was erased)",
    }
    # About their place or group: only the preference no longer leaves anyone out.
    assert {item.person.id for item in essential.included} == {opted_out.id, kept.id}
    assert [m.to_address for m in group_emails(outbox)] == [kept.email]
    assert session.get(GroupMessage, message.id).left_out_count == 3


def test_the_waiting_list_applicants_and_survey_non_responders(
    app, session, make_group, make_application, officer, surveys_loaded
):
    group = make_group(members=3)
    waiting = make_application(group.round, name="Wendy Waiting")
    waiting.status = ApplicationStatus.WAITLISTED
    other = make_application(group.round, name="Ivan Ineligible", sector_code="A")
    other.status = ApplicationStatus.INELIGIBLE
    session.commit()
    answered, unanswered, _not_invited = group.places
    first = survey_invitation(session, answered, SurveyTiming.BASELINE)
    survey_invitation(session, unanswered, SurveyTiming.BASELINE)
    from portal.surveys.definitions import current_version
    from portal.surveys.models import ResponseStatus, SurveyResponse

    version = current_version(session, SurveyTiming.BASELINE)
    session.add(
        SurveyResponse(
            invitation_id=first.id,
            version_id=version.id,
            status=ResponseStatus.SUBMITTED,
            submitted_at=utcnow(),
        )
    )
    session.commit()

    def names(params):
        audience = audience_for(session, officer, params)
        return audience, [
            r.person.name
            for r in recipients(session, audience, category=None, now=utcnow()).included
        ]

    with app.test_request_context():
        audience, found = names({"audience": "waiting_list", "round": group.round.id})
        assert found == ["Wendy Waiting"]
        assert audience.label == "The waiting list of Round 3"
        audience, found = names(
            {"audience": "applicants", "round": group.round.id, "status": "ineligible"}
        )
        assert found == ["Ivan Ineligible"]
        assert audience.label == "Applicants in Round 3 (filtered by status)"
        _, found = names({"audience": "applicants", "round": group.round.id, "sector": "C"})
        assert len(found) == 4  # the members and Wendy: the list's own filter
        audience, found = names(
            {"audience": "survey", "round": group.round.id, "timing": "baseline"}
        )
        assert found == [group.people[1].name]
        assert audience.fields == ["first_name", "cohort"]
        for params in (
            {"audience": "survey", "round": group.round.id, "timing": "sometime"},
            {"audience": "applicants", "round": group.round.id, "status": "draft"},
            {"audience": "waiting_list", "round": 999_999},
            {"audience": "everyone"},
        ):
            with pytest.raises(NotFound):
                audience_for(session, officer, params)


def test_facilitators_write_only_to_their_own_cohorts(app, session, make_group):
    mine, theirs = make_group(members=1), make_group(members=1)
    facilitator = mine.facilitator
    assert audience_for(session, facilitator, {"audience": "cohort", "cohort": mine.cohort.id})
    for params in (
        {"audience": "cohort", "cohort": theirs.cohort.id},
        {"audience": "waiting_list", "round": mine.round.id},
        {"audience": "survey", "round": mine.round.id, "timing": "exit"},
    ):
        with pytest.raises(NotFound):
            audience_for(session, facilitator, params)


def test_unknown_and_unavailable_merge_fields_are_refused(app, session, make_group, officer):
    group = make_group(members=1)
    cohort = audience_for(session, officer, {"audience": "cohort", "cohort": group.cohort.id})
    waiting = audience_for(session, officer, {"audience": "waiting_list", "round": group.round.id})
    with pytest.raises(MessageRefused) as refused:
        draft(session, cohort, officer, body="Dear {firstname}")
    assert refused.value.field == "body"
    assert "{firstname}" in refused.value.message
    with pytest.raises(MessageRefused) as refused:
        draft(session, waiting, officer, subject="News for {cohort}", body="Hello")
    assert refused.value.field == "subject"
    assert refused.value.message.endswith("you can use {first_name}")


def test_a_draft_is_sent_once_and_the_same_words_not_again_within_a_day(
    app, session, make_group, officer, outbox
):
    group = make_group(members=2)
    with app.test_request_context():
        audience = audience_for(session, officer, {"audience": "cohort", "cohort": group.cohort.id})
        message = draft(session, audience, officer)
        send(session, message, audience, author=officer, now=utcnow())
        session.commit()
        with pytest.raises(MessageRefused, match="already been sent"):
            send(session, message, audience, author=officer, now=utcnow())
        again = draft(session, audience, officer)
        with pytest.raises(MessageRefused, match="cannot go to the same people twice"):
            send(session, again, audience, author=officer, now=utcnow())
        session.rollback()
        # Other words, or the same words a day later, may go.
        changed = draft(session, audience, officer, body="Dear {first_name}, one more thing.")
        assert send(session, changed, audience, author=officer, now=utcnow()) == 2
        later = draft(session, audience, officer)
        tomorrow = utcnow() + dt.timedelta(hours=24, minutes=1)
        assert send(session, later, audience, author=officer, now=tomorrow) == 2
    session.commit()
    assert len(group_emails(outbox)) == 6


def test_a_message_to_more_people_than_allowed_is_refused(
    app, session, make_group, officer, outbox
):
    app.config["MESSAGE_MAX_RECIPIENTS"] = 2
    group = make_group(members=3)
    with app.test_request_context():
        audience = audience_for(session, officer, {"audience": "cohort", "cohort": group.cohort.id})
        message = draft(session, audience, officer)
        session.commit()
        with pytest.raises(MessageRefused, match=r"would go to 3 people\. A message can go to 2"):
            send(session, message, audience, author=officer, now=utcnow())
    session.rollback()
    assert group_emails(outbox) == []
    assert session.get(GroupMessage, message.id).status is MessageStatus.DRAFT


def test_nothing_is_sent_when_nobody_would_get_it(app, session, make_group, officer, outbox):
    group = make_group(members=1)
    group.people[0].restricted_at = utcnow()
    session.commit()
    with app.test_request_context():
        audience = audience_for(session, officer, {"audience": "cohort", "cohort": group.cohort.id})
        message = draft(session, audience, officer)
        with pytest.raises(MessageRefused, match="Nobody would get this message"):
            send(session, message, audience, author=officer, now=utcnow())
    assert group_emails(outbox) == []
