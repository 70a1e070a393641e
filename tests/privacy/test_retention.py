"""Retention: personal data past its time is removed by the daily job, on the day the privacy
notice says and not a day before, and every figure stays the same.

The tiny earlier round (Round 9) ended on 31 March 2020; Ann, Ben and Cat had places in it.
Dan only registered for it. Eve made an account and never registered.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from portal import jobs
from portal.auth.models import Role, User
from portal.db_base import utcnow
from portal.notifications.models import OutboxMessage, OutboxStatus
from portal.notifications.services import new_message_id
from portal.privacy import retention
from portal.privacy.erasure import ERASED_NAME, erased_email
from portal.rounds.models import Round
from tests.fixtures.app import reload
from tests.privacy.test_erasure import everything
from tests.privacy.test_erasure import imported as imported  # the fixture, shared

ROUND_ENDED = dt.date(2020, 3, 31)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(3, 0), tzinfo=dt.UTC)


@pytest.fixture
def people(app, session, imported, make_user, make_application):
    dan = make_user(Role.PARTICIPANT, name="Dan Dixon", email="dan@dixon.example")
    make_application(imported, person=dan)
    eve = make_user(Role.PARTICIPANT, name="Eve Evans", email="eve@evans.example")
    eve.created_at = at(dt.date(2022, 1, 1))
    eve.last_signed_in_at = at(dt.date(2023, 6, 1))
    coach = make_user(Role.COACH, name="Cora Coach", email="cora@coach.example")
    coach.created_at = at(dt.date(2015, 1, 1))
    session.commit()
    by_email = {
        user.email.split("@")[0]: user.id
        for user in session.scalars(select(User)).all()
        if user.email.split("@")[0] in {"ann", "ben", "cat", "dan", "eve", "cora"}
    }
    assert set(by_email) == {"ann", "ben", "cat", "dan", "eve", "cora"}
    return by_email


def erased(session, user_id: int) -> bool:
    person = reload(session, User, user_id)
    return person.email == erased_email(user_id) and person.name == ERASED_NAME


def run(session, day: dt.date, **configured: int) -> retention.RetentionReport:
    report = retention.apply_retention(session, at(day), configured)
    session.commit()
    return report


def test_people_are_kept_until_their_time_is_up_then_removed_with_figures_unchanged(
    session,
    imported,
    people,
):
    before = everything(session, imported)
    session.rollback()

    # Applicants: 2 years after the end of the round they applied in.
    kept = run(session, dt.date(2022, 3, 31))
    assert (kept.participants, kept.applicants, kept.unused_accounts) == (0, 0, 0)
    assert not erased(session, people["dan"])
    gone = run(session, dt.date(2022, 4, 1))
    assert (gone.participants, gone.applicants) == (0, 1)
    assert erased(session, people["dan"])
    assert not erased(session, people["ann"])

    # Unused accounts: 730 days after the last sign-in (1 June 2023).
    assert run(session, dt.date(2025, 5, 31)).unused_accounts == 0
    assert run(session, dt.date(2025, 6, 1)).unused_accounts == 1
    assert erased(session, people["eve"])

    # Participants: 6 years after the end of their last round.
    assert run(session, dt.date(2026, 3, 31)).participants == 0
    last = run(session, dt.date(2026, 4, 1))
    assert last.participants == 3
    assert all(erased(session, people[name]) for name in ("ann", "ben", "cat"))
    # Staff are never removed by the job, and nothing is removed twice.
    assert not erased(session, people["cora"])
    again = run(session, dt.date(2030, 1, 1))
    assert (again.participants, again.applicants, again.unused_accounts) == (0, 0, 0)

    assert everything(session, reload(session, Round, imported.id)) == before


def test_the_settings_change_the_periods_and_bad_ones_are_refused(session, people):
    assert run(session, dt.date(2021, 4, 1), applicants_years=1).applicants == 1
    assert erased(session, people["dan"])
    with pytest.raises(ValueError, match="Unknown retention setting"):
        retention.settings({"participant_years": 6})
    with pytest.raises(ValueError, match="whole number"):
        retention.settings({"emails_days": 0})
    with pytest.raises(ValueError, match="whole number"):
        retention.settings({"emails_days": True})


def test_old_emails_lose_their_content_but_waiting_ones_are_kept(app, session):
    def email(subject: str, status: OutboxStatus, queued: dt.date) -> int:
        with app.app_context():
            message_id = new_message_id()
        message = OutboxMessage(
            to_address="fred@example.com",
            subject=subject,
            body_text=f"Dear Fred, {subject}",
            body_html=f"<p>Dear Fred, {subject}</p>",
            message_id=message_id,
            status=status,
            created_at=at(queued),
        )
        session.add(message)
        session.flush()
        return message.id

    old_sent = email("Old and sent", OutboxStatus.SENT, dt.date(2024, 1, 1))
    old_waiting = email("Old and waiting", OutboxStatus.QUEUED, dt.date(2024, 1, 1))
    recent = email("Recent", OutboxStatus.SENT, dt.date(2024, 12, 1))
    session.commit()
    report = run(session, dt.date(2025, 1, 1))
    assert report.emails == 1
    assert report.outbox_ids == (old_sent,)
    removed = reload(session, OutboxMessage, old_sent)
    assert (removed.to_address, removed.subject, removed.body_text) == (
        retention.ERASED_ADDRESS,
        "(erased)",
        "(erased)",
    )
    assert removed.status is OutboxStatus.SENT
    assert reload(session, OutboxMessage, old_waiting).subject == "Old and waiting"
    assert reload(session, OutboxMessage, recent).subject == "Recent"


def test_the_job_runs_daily_at_2am_from_the_job_runner(app, session, people):
    at_two = jobs.next_time_of_day(dt.time(2, 0), utcnow())
    with app.app_context():
        early = jobs.run_due_jobs(session, at_two - dt.timedelta(minutes=1))
        assert "retention" not in {outcome.name for outcome in early}
        outcomes = {outcome.name: outcome for outcome in jobs.run_due_jobs(session, at_two)}
    assert outcomes["retention"].succeeded, outcomes["retention"].message
    # Today is long past every period in this data.
    assert outcomes["retention"].message.startswith("3 participants, 1 applicant,")
    assert erased(session, people["ann"])


def test_the_summary_counts_in_words():
    from portal.privacy.retention import RetentionReport

    report = RetentionReport(
        participants=1, applicants=2, unused_accounts=1, emails=0, outbox_ids=()
    )
    assert report.summary() == (
        "1 participant, 2 applicants, 1 unused account and 0 emails past retention"
    )
