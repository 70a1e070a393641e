"""Matching runs as background tasks: one per round at a time, cancel, a pool changed while
it solved, no write lock held while solving, everyone placed or waiting after two runs."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from portal import db
from portal.auth.models import Role
from portal.cohorts import forming
from portal.cohorts.models import Cohort, CohortStatus, Place, PlaceStatus
from portal.registration.models import Application, ApplicationStatus
from portal.tasks import runner
from portal.tasks.models import BackgroundTask, TaskStatus
from tests.cohorts.test_forming import matching_answers
from tests.cohorts.test_forming import run_matching as run_and_follow
from tests.fixtures.app import reload
from tests.fixtures.pages import check_page
from tests.fixtures.tasks import wait_for_task


@pytest.fixture
def pool(open_round, make_application):
    return [make_application(open_round, business_name=f"Firm {n} Ltd") for n in range(19)]


@pytest.fixture
def officer(signed_in_as):
    return signed_in_as(Role.OFFICER)


def start_run(client, programme_round):
    return client.submit_form(f"/cohorts/rounds/{programme_round.id}/match", matching_answers())


def task_id(response) -> int:
    location = response.headers["Location"]
    assert location.startswith("/tasks/"), location
    return int(location.rsplit("/", 1)[1])


def test_a_second_start_shows_the_run_already_going(client, open_round, pool, officer, session):
    first = task_id(start_run(client, open_round))  # no consumer: it stays queued

    again = start_run(client, open_round)

    assert task_id(again) == first
    page = check_page(client.get(again.headers["Location"]))
    assert "already going" in page.get_text()
    form_page = check_page(client.get(f"/cohorts/rounds/{open_round.id}/match"))
    link = form_page.find("a", string="See its progress")
    assert link["href"] == f"/tasks/{first}"
    assert len(session.scalars(select(BackgroundTask)).all()) == 1


def test_a_cancelled_run_stores_nothing_and_frees_the_round(
    app, client, open_round, pool, officer, session
):
    first = task_id(start_run(client, open_round))
    cancelled = client.submit_form(f"/tasks/{first}/cancel", {}, from_page=f"/tasks/{first}")
    assert cancelled.status_code == 302

    runner.execute(app, first)  # the queue still hands it over

    session.rollback()
    assert reload(session, BackgroundTask, first).status == TaskStatus.CANCELLED
    assert session.scalars(select(Cohort)).all() == []
    assert task_id(start_run(client, open_round)) != first  # a new run may start


def test_a_run_whose_pool_changed_while_it_solved_stores_nothing(
    app, client, open_round, pool, officer, session, monkeypatch
):
    real_solve = forming.solve

    def solve_while_someone_withdraws(prepared):
        result = real_solve(prepared)
        with app.app_context():
            other = db.database(app).session(writing=True)
            other.execute(
                update(Application)
                .where(Application.id == pool[0].id)
                .values(status=ApplicationStatus.WITHDRAWN.value)
            )
            other.commit()
            other.close()
        return result

    monkeypatch.setattr(forming, "solve", solve_while_someone_withdraws)
    started = task_id(start_run(client, open_round))

    runner.execute(app, started)

    failed = reload(session, BackgroundTask, started)
    assert failed.status == TaskStatus.FAILED
    assert failed.error == (
        "The cohorts or applicants changed while the matching ran. Run the matching again."
    )
    assert session.scalars(select(Cohort)).all() == []
    shown = check_page(client.get(f"/tasks/{started}")).get_text(" ", strip=True)
    assert "Run the matching again" in shown


def test_other_writers_are_not_held_up_while_the_engine_solves(
    app, client, open_round, pool, officer, session, monkeypatch, database_url
):
    from portal.db import make_engine

    real_solve = forming.solve
    wrote = []

    def solve_while_another_officer_writes(prepared):
        impatient = make_engine(database_url, sqlite_busy_timeout_ms=200)
        with impatient.begin() as connection:  # fails if the run held the write lock
            connection.execute(
                update(Application)
                .where(Application.id == pool[0].id)
                .values(business_name="Renamed while matching")
            )
        impatient.dispose()
        wrote.append(True)
        return real_solve(prepared)

    monkeypatch.setattr(forming, "solve", solve_while_another_officer_writes)
    started = task_id(start_run(client, open_round))

    runner.execute(app, started)

    assert wrote == [True]
    done = reload(session, BackgroundTask, started)
    assert done.status == TaskStatus.SUCCEEDED
    assert done.stage == "Saving the proposed cohorts"
    assert done.result["placed"] == 19


def test_after_two_runs_everyone_is_in_one_cohort_or_waiting(
    client, open_round, pool, officer, session, task_consumer
):
    run_and_follow(client, open_round)
    run_and_follow(client, open_round)  # replaces the first run's proposals

    session.rollback()
    places = session.scalars(select(Place).where(Place.status == PlaceStatus.PROPOSED)).all()
    placed = [p.application_id for p in places]
    waiting = session.scalars(
        select(Application.id).where(Application.status == ApplicationStatus.WAITLISTED)
    ).all()
    session.commit()
    assert len(placed) == len(set(placed))
    assert sorted(placed + list(waiting)) == sorted(a.id for a in pool)
    cohorts = session.scalars(select(Cohort).where(Cohort.status == CohortStatus.PROPOSED))
    assert len(cohorts.all()) == 2


def test_the_run_reports_its_stages_as_it_goes(
    app, client, open_round, pool, officer, session, task_consumer
):
    finished = check_page(run_and_follow(client, open_round))
    shown = finished.get_text(" ", strip=True)

    assert "Status Finished" in shown
    assert "Stage Saving the proposed cohorts" in shown
    assert "Time taken" in shown
    task = wait_for_task(session, session.scalars(select(BackgroundTask.id)).one())
    assert task.result["cohort_ids"]
