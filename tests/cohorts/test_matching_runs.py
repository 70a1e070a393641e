"""Matching runs that agree with each other: re-runs and filtered runs orphan nobody, a less
strict basis never places fewer, cohorts are labelled by the basis they were formed on, and
the form says what the round does."""

import pytest
from sqlalchemy import select

from portal.auth.models import Role
from portal.cohorts.models import Cohort, CohortBasis, CohortStatus, Place, PlaceStatus
from portal.registration.models import (
    Application,
    ApplicationStatus,
    DeliveryPreference,
    StatusChange,
)
from tests.fixtures.pages import check_page
from tests.fixtures.tasks import follow_task

# Runs go through the task queue, as in the portal: a consumer runs them in this process.
pytestmark = pytest.mark.usefixtures("task_consumer")


@pytest.fixture
def officer(signed_in_as):
    return signed_in_as(Role.OFFICER)


def run(client, programme_round, **overrides):
    from tests.cohorts.test_forming import matching_answers

    answers = matching_answers(**overrides)
    response = client.submit_form(f"/cohorts/rounds/{programme_round.id}/match", answers)
    assert response.status_code == 302
    return check_page(follow_task(client, response.headers["Location"]))  # run as a task


def accounted_for(session, programme_round) -> dict[int, str]:
    """Where each eligible applicant is: "cohort <id>" or "waiting"; fails when anyone is in
    neither, in two cohorts, or waiting without a reason."""
    session.rollback()
    session.expire_all()
    where: dict[int, str] = {}
    applications = session.scalars(
        select(Application).where(
            Application.round_id == programme_round.id,
            Application.status.in_([ApplicationStatus.ELIGIBLE, ApplicationStatus.WAITLISTED]),
        )
    ).all()
    for application in applications:
        places = session.scalars(
            select(Place)
            .join(Cohort)
            .where(
                Place.application_id == application.id,
                Place.status.in_([PlaceStatus.PROPOSED, PlaceStatus.OFFERED]),
                Cohort.status != CohortStatus.CANCELLED,
            )
        ).all()
        assert len(places) <= 1, f"Application {application.id} is in {len(places)} cohorts"
        if places:
            where[application.id] = f"cohort {places[0].cohort_id}"
            continue
        assert application.status == ApplicationStatus.WAITLISTED, (
            f"Application {application.id} is in no cohort and not on the waiting list"
        )
        reason = session.scalar(
            select(StatusChange.reason)
            .where(StatusChange.application_id == application.id)
            .order_by(StatusChange.id.desc())
            .limit(1)
        )
        assert reason, f"Application {application.id} waits without a reason"
        where[application.id] = "waiting"
    session.commit()
    return where


def placed(where: dict[int, str]) -> int:
    return sum(1 for place in where.values() if place != "waiting")


def test_a_second_run_keeps_the_people_of_the_cohorts_it_replaces(
    client, open_round, make_application, officer, session
):
    for n in range(19):
        make_application(open_round, business_name=f"Firm {n} Ltd", slots=[(1, "morning")])

    run(client, open_round)
    first = accounted_for(session, open_round)
    run(client, open_round)
    second = accounted_for(session, open_round)

    assert placed(first) == placed(second) == 19
    assert len(second) == 19


def test_a_filtered_run_keeps_the_cohorts_it_does_not_cover(
    client, open_round, make_application, officer, session
):
    for n in range(9):
        make_application(
            open_round,
            business_name=f"Online {n} Ltd",
            slots=[(1, "morning")],
            delivery=DeliveryPreference.ONLINE,
        )
    for n in range(9):
        make_application(
            open_round,
            business_name=f"In person {n} Ltd",
            slots=[(1, "morning")],
            delivery=DeliveryPreference.IN_PERSON,
        )
    run(client, open_round)
    before = accounted_for(session, open_round)

    run(client, open_round, delivery="online")
    after = accounted_for(session, open_round)

    assert placed(before) == placed(after) == 18
    in_person = [i for i, place in before.items() if place != "waiting"]
    kept = {before[i] for i in in_person} & {after[i] for i in in_person}
    assert kept, "the in-person cohort was replaced by an online-only run"


def test_a_less_strict_basis_never_places_fewer(
    client, open_round, make_application, officer, session
):
    sectors = ["C", "C", "C", "F", "F", "G", "G", "I", "M", "Q", "S"]
    for n, sector in enumerate(sectors * 2):
        make_application(
            open_round,
            business_name=f"Firm {n} Ltd",
            sector_code=sector,
            slots=[(4, "afternoon")] if n % 3 else [(4, "afternoon"), (1, "evening")],
        )

    counts = []
    for basis in ("mixed", "sector", "ownership", "mixed"):
        run(client, open_round, basis=basis)
        counts.append(placed(accounted_for(session, open_round)))

    assert counts == [20, 20, 20, 20]


def test_a_cohort_is_labelled_by_the_basis_it_was_formed_on(
    client, open_round, make_application, officer, session
):
    for n in range(9):
        sector = "C" if n < 3 else "FGIMQS"[n % 6]
        make_application(open_round, business_name=f"Firm {n} Ltd", sector_code=sector)

    run(client, open_round, basis="sector")

    session.rollback()
    cohorts = session.scalars(select(Cohort).where(Cohort.status == CohortStatus.PROPOSED)).all()
    assert [(c.basis, c.basis_value) for c in cohorts] == [(CohortBasis.SECTOR, "C")]
    session.commit()


def test_the_form_keeps_the_basis_and_says_how_often_cohorts_meet(
    client, open_round, make_application, officer, session
):
    for n in range(9):
        make_application(open_round, business_name=f"Firm {n} Ltd")
    form = check_page(client.get(f"/cohorts/rounds/{open_round.id}/match"))
    assert form.select_one("input[name=basis][checked]")["value"] == "mixed"
    assert "sessions are fortnightly" in form.get_text()
    assert "weekly time" not in form.get_text()

    page = run(client, open_round, basis="sector")

    summary = " ".join(page.get_text().split())
    assert "proposed 1 cohort placing 9 people; 0 are on the waiting list" in summary
    form = check_page(client.get(f"/cohorts/rounds/{open_round.id}/match"))
    assert form.select_one("input[name=basis][checked]")["value"] == "sector"
