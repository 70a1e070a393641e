"""Two officers changing one confirmed cohort at the same moment, on PostgreSQL: a member
withdrawn twice, moved and withdrawn, or a cohort cancelled twice, changes once, with one
audit event and one set of emails, and the officer who lost is told (portal.state_changes)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import Role
from portal.cohorts import offers
from portal.cohorts.models import Cohort, CohortStatus, CohortStatusChange, Place, PlaceStatus
from portal.db_base import utcnow
from portal.registration.models import Application, ApplicationStatus
from tests.fixtures.app import reload
from tests.fixtures.factories import confirmed_group_factory
from tests.fixtures.races import postgres_only, race
from tests.fixtures.users import sign_in

pytestmark = postgres_only


@pytest.fixture
def make_group(session, make_round, make_application, make_user, make_contractor):
    factory = confirmed_group_factory(
        session, make_round, make_application, make_user, make_contractor
    )

    def tuesday(**fields):
        group = factory(**fields)
        group.cohort.meeting_weekday = 1
        session.commit()
        return group

    return tuesday


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


def test_two_officers_withdrawing_one_member_at_once_withdraw_them_once(
    app, session, make_group, make_user, outbox
):
    group = make_group(members=2)
    place, person = group.places[0], group.people[0]
    path = f"/cohorts/{group.cohort.id}/members/{place.id}/withdraw"
    form = {"reason": "Sold the business", "confirmed": "yes"}

    results = race(
        app,
        [
            posting(app, make_user(Role.OFFICER), path, form),
            posting(app, make_user(Role.OFFICER), path, form),
        ],
    )

    assert sorted(code for code, _ in results) == [302, 400]
    (lost,) = [page for code, page in results if code == 400]
    assert f"{person.name} no longer holds a place in" in lost
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
    ended = [m for m in outbox.messages(person.email) if m.subject.endswith("has ended")]
    assert len(ended) == 1


def test_a_move_and_a_withdrawal_at_once_leave_the_member_in_one_state(
    app, session, make_group, make_user
):
    here = make_group(members=2)
    there = make_group(members=2)
    place = here.places[0]
    base = f"/cohorts/{here.cohort.id}/members/{place.id}"

    results = race(
        app,
        [
            posting(
                app,
                make_user(Role.OFFICER),
                f"{base}/move",
                {"target": str(there.cohort.id), "reason": "Asked", "confirmed": "yes"},
            ),
            posting(
                app,
                make_user(Role.OFFICER),
                f"{base}/withdraw",
                {"reason": "Sold the business", "confirmed": "yes"},
            ),
        ],
    )

    assert sorted(code for code, _ in results) == [302, 400]
    status = reload(session, Place, place.id).status
    assert status in (PlaceStatus.MOVED, PlaceStatus.LEFT)
    moved_in = count(
        session,
        Place,
        Place.cohort_id == there.cohort.id,
        Place.application_id == place.application_id,
    )
    assert moved_in == (1 if status == PlaceStatus.MOVED else 0)


def test_two_officers_cancelling_one_cohort_at_once_cancel_it_once(
    app, session, make_group, make_user, outbox
):
    group = make_group(members=2, name="Makers of Preston")
    path = f"/cohorts/{group.cohort.id}/cancel"
    form = {f"to_{p.id}": "waiting-list" for p in group.places} | {
        "reason": "The facilitator is ill",
        "confirmed": "yes",
    }

    results = race(
        app,
        [
            posting(app, make_user(Role.OFFICER), path, form),
            posting(app, make_user(Role.OFFICER), path, form),
        ],
    )

    codes = sorted(code for code, _ in results)
    assert codes[0] == 302
    assert codes[1] in (400, 404)  # told it is already cancelled, or it is no longer changeable
    assert reload(session, Cohort, group.cohort.id).status == CohortStatus.CANCELLED
    assert (
        count(
            session,
            CohortStatusChange,
            CohortStatusChange.cohort_id == group.cohort.id,
            CohortStatusChange.status == CohortStatus.CANCELLED,
        )
        == 1
    )
    cancelled = [
        m for m in outbox.messages(group.people[0].email) if m.subject.endswith("is cancelled")
    ]
    assert len(cancelled) == 1


def test_two_officers_saving_one_cohorts_details_at_once_the_second_is_shown_the_first(
    app, session, make_group, make_user, outbox
):
    group = make_group(members=2, name="Makers of Preston")
    path = f"/cohorts/{group.cohort.id}/change"
    reader = app.test_client()
    sign_in(reader, make_user(Role.OFFICER))
    version = reader.get(path).text.split('name="version" value="')[1].split('"')[0]
    answers = {
        "version": version,
        "slot": "1-morning",
        "start_time": "9:30am",
        "delivery": group.cohort.delivery.value,
        "venue": group.cohort.venue,
        "online_link": "",
        "facilitator": str(group.facilitator.id),
        "confirmed": "yes",
    }

    results = race(
        app,
        [
            posting(
                app,
                make_user(Role.OFFICER),
                path,
                {**answers, "name": "Makers of Lancashire", "reason": "A wider area"},
            ),
            posting(
                app,
                make_user(Role.OFFICER),
                path,
                {**answers, "name": "Preston Makers", "reason": "A shorter name"},
            ),
        ],
    )

    assert sorted(code for code, _ in results) == [302, 400]
    (lost,) = [page for code, page in results if code == 400]
    assert "Someone else changed this cohort&#39;s details" in lost
    name = reload(session, Cohort, group.cohort.id).name
    assert name in ("Makers of Lancashire", "Preston Makers")
    assert name in lost  # the details as the winner saved them
    changed = count(
        session,
        AuditEvent,
        AuditEvent.action == "cohort.details_changed",
        AuditEvent.entity_id == str(group.cohort.id),
    )
    assert changed == 1
    told = [
        m for m in outbox.messages(group.people[0].email) if m.subject.startswith("Changes to your")
    ]
    assert len(told) == 1


def test_an_offer_withdrawn_as_the_person_accepts_it_ends_one_way(
    app, session, make_group, make_user, outbox
):
    group = make_group(members=2)
    place = group.places[0]
    token = "an-offer-being-withdrawn"
    place.status = PlaceStatus.OFFERED
    place.accepted_at = None
    place.offered_at = utcnow()
    place.reply_by = (utcnow() + dt.timedelta(days=7)).date()
    place.offer_token_hash = offers.token_hash(token)
    application = session.get(Application, place.application_id)
    application.status = ApplicationStatus.OFFERED
    session.commit()
    person = group.people[0]
    accepting = app.test_client()
    csrf = accepting.csrf_token_from(f"/offers/{token}")

    def accept() -> tuple[int, str]:
        response = accepting.post(f"/offers/{token}", data={"csrf_token": csrf, "answer": "accept"})
        return response.status_code, response.get_data(as_text=True)

    path = f"/cohorts/{group.cohort.id}/members/{place.id}/withdraw"
    results = race(
        app,
        [
            posting(app, make_user(Role.OFFICER), path, {"reason": "No reply", "confirmed": "yes"}),
            accept,
        ],
    )

    status = reload(session, Place, place.id).status
    assert status in (PlaceStatus.WITHDRAWN, PlaceStatus.ACCEPTED)
    (officer_code, officer_page), (_, person_page) = results
    if status == PlaceStatus.WITHDRAWN:
        assert officer_code == 302
        assert "This offer has been withdrawn" in person_page
        assert reload(session, Application, application.id).status == ApplicationStatus.WITHDRAWN
    else:
        assert officer_code == 400
        assert f"{person.name} no longer has an open offer" in officer_page
        assert "You have accepted your place" in person_page
    ended = [m for m in outbox.messages(person.email) if m.subject.endswith("is withdrawn")]
    assert len(ended) == (1 if status == PlaceStatus.WITHDRAWN else 0)
