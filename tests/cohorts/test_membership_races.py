"""A cohort confirmed by two officers, and a group left from two tabs, at the same moment,
on PostgreSQL: each happens once, with one history row or audit event and one set of
emails, and the one who lost is told what is stored (portal.state_changes)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import Role
from portal.cohorts.models import (
    Cohort,
    CohortBasis,
    CohortDelivery,
    CohortStatus,
    CohortStatusChange,
    Place,
    PlaceStatus,
)
from portal.registration.models import Application, ApplicationStatus, PartOfDay, StatusChange
from portal.rounds.models import RoundStatus
from tests.fixtures.app import reload
from tests.fixtures.factories import confirmed_group_factory
from tests.fixtures.races import postgres_only, race
from tests.fixtures.users import sign_in

pytestmark = postgres_only


@pytest.fixture
def make_group(session, make_round, make_application, make_user, make_contractor):
    return confirmed_group_factory(
        session, make_round, make_application, make_user, make_contractor
    )


def count(session, model, *where) -> int:  # type: ignore[no-untyped-def]
    session.rollback()
    found = session.scalar(select(func.count()).select_from(model).where(*where))
    session.commit()
    return int(found or 0)


def posting(app, person, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    client = app.test_client()
    sign_in(client, person)
    token = client.csrf_token_from(path)

    def post() -> tuple[int, str]:
        response = client.post(path, data={"csrf_token": token, **data})
        if response.status_code != 302:
            return response.status_code, response.get_data(as_text=True)
        return response.status_code, client.get(response.headers["Location"]).text

    return post


def test_two_officers_confirming_one_cohort_at_once_confirm_it_once(
    app, session, make_round, make_application, make_user, outbox
):
    programme_round = make_round(name="Round 3", status=RoundStatus.OPEN)
    members = [make_application(programme_round) for _ in range(3)]
    cohort = Cohort(
        round_id=programme_round.id,
        name="Proposed cohort 1",
        basis=CohortBasis.MANUAL,
        delivery=CohortDelivery.ONLINE,
        meeting_weekday=1,
        meeting_part_of_day=PartOfDay.MORNING,
        status=CohortStatus.PROPOSED,
        planned_hours=18,
        session_length_minutes=150,
        session_frequency_days=14,
    )
    session.add(cohort)
    session.flush()
    for application in members:
        session.add(
            Place(
                cohort_id=cohort.id,
                application_id=application.id,
                person_id=application.person_id,
                status=PlaceStatus.PROPOSED,
            )
        )
    session.commit()
    path = f"/cohorts/{cohort.id}/confirm"
    form = {"name": "Makers of Preston", "reply_days": "7"}

    results = race(
        app,
        [
            posting(app, make_user(Role.OFFICER), path, form),
            posting(app, make_user(Role.OFFICER), path, form),
        ],
    )

    assert sorted(code for code, _ in results) == [302, 400]
    (won,) = [page for code, page in results if code == 302]
    (lost,) = [page for code, page in results if code == 400]
    assert "Makers of Preston is confirmed and offers have been sent." in won
    assert "This cohort is already confirmed" in lost
    assert reload(session, Cohort, cohort.id).status == CohortStatus.CONFIRMED
    assert (
        count(session, CohortStatusChange, CohortStatusChange.status == CohortStatus.CONFIRMED) == 1
    )
    for application in members:
        assert reload(session, Application, application.id).status == ApplicationStatus.OFFERED
        assert (
            count(
                session,
                StatusChange,
                StatusChange.application_id == application.id,
                StatusChange.status == ApplicationStatus.OFFERED,
            )
            == 1
        )
    offers = [m for m in outbox.messages() if m.subject.startswith("You have been offered")]
    assert len(offers) == len(members)


def test_leaving_a_group_from_two_tabs_at_once_leaves_once(app, session, make_group):
    group = make_group(members=1)
    person, place = group.people[0], group.places[0]
    leave = {"reason": "I have sold the business"}

    results = race(
        app,
        [
            posting(app, person, "/my-cohort/leave", leave),
            posting(app, person, "/my-cohort/leave", leave),
        ],
    )

    thanked = [page for _, page in results if "Thank you for telling us why" in page]
    already = [page for _, page in results if "You have already left this group." in page]
    assert (len(thanked), len(already)) == (1, 1)
    assert reload(session, Place, place.id).status == PlaceStatus.LEFT
    assert (
        count(
            session,
            AuditEvent,
            AuditEvent.action == "cohort_place.left",
            AuditEvent.entity_id == str(place.id),
        )
        == 1
    )
    assert (
        count(
            session,
            StatusChange,
            StatusChange.application_id == place.application_id,
            StatusChange.status == ApplicationStatus.WITHDRAWN,
        )
        == 1
    )
