"""The job runner: each due job runs once, however many runners start at the same time."""

import datetime as dt
import threading
import time

import pytest

from portal import jobs
from portal.db import database
from portal.jobs import Job, JobRun

NOW = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def calls(app):
    seen = []

    def count_call(session, now):
        seen.append(now)
        return f"call {len(seen)}"

    def fail(session, now):
        raise ValueError("the job broke")

    jobs.register(app, Job("count", dt.timedelta(hours=1), count_call))
    jobs.register(app, Job("broken", dt.timedelta(minutes=5), fail))
    return seen


def run(app, session, now):
    with app.app_context():
        return {outcome.name: outcome for outcome in jobs.run_due_jobs(session, now)}


def test_a_due_job_runs_once_and_then_waits_for_its_interval(app, session, calls):
    first = run(app, session, NOW)
    assert first["count"].succeeded
    assert first["count"].message == "call 1"
    assert run(app, session, NOW + dt.timedelta(minutes=30)).get("count") is None
    assert run(app, session, NOW + dt.timedelta(hours=1))["count"].message == "call 2"
    assert calls == [NOW, NOW + dt.timedelta(hours=1)]
    record = session.get(JobRun, "count")
    assert record.run_count == 2
    assert record.lease_until is None
    assert record.next_due_at == NOW + dt.timedelta(hours=2)


def test_a_failing_job_is_recorded_and_does_not_stop_the_others(app, session, calls):
    outcomes = run(app, session, NOW)
    assert outcomes["broken"].succeeded is False
    assert "the job broke" in outcomes["broken"].message
    assert outcomes["count"].succeeded
    assert session.get(JobRun, "broken").last_outcome == "failed"


def test_a_job_held_by_another_runner_is_skipped_until_its_lease_expires(app, session, calls):
    run(app, session, NOW)  # creates the rows
    due = NOW + dt.timedelta(hours=1)
    held = session.get(JobRun, "count")
    held.lease_until = due + dt.timedelta(minutes=15)
    session.commit()
    assert "count" not in run(app, session, due)
    assert "count" in run(app, session, due + dt.timedelta(minutes=16))


def test_runners_started_together_run_each_job_once(app, database_url, calls):
    sessions = [database(app).session(writing=True) for _ in range(4)]
    barrier = threading.Barrier(len(sessions))

    def runner(own_session):
        with app.app_context():
            barrier.wait()
            jobs.run_due_jobs(own_session, NOW)

    threads = [threading.Thread(target=runner, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for own_session in sessions:
        own_session.close()
    assert calls == [NOW]


def test_job_names_are_unique(app, calls):
    with pytest.raises(ValueError, match="already registered"):
        jobs.register(app, Job("count", dt.timedelta(hours=1), lambda s, n: None))


def test_run_jobs_command_reports_what_ran(app, calls):
    result = app.test_cli_runner().invoke(args=["portal", "run-jobs"])
    assert "count: ok: call 1" in result.output
    assert "broken: FAILED" in result.output
    assert result.exit_code == 1
    with app.app_context():
        from portal import db

        names = [job.name for job in jobs.job_status(db.session)]
        assert {"broken", "count"} <= set(names)


def test_a_job_running_past_its_lease_is_not_started_again_beside_itself(app, session):
    started = threading.Event()
    release = threading.Event()
    runs = []

    def slow(_session, now):
        runs.append(now)
        started.set()
        release.wait(10)
        return "slow done"

    lease = dt.timedelta(seconds=0.6)
    jobs.register(app, Job("slow", dt.timedelta(seconds=0), slow, lease=lease))

    def first_runner():
        with app.app_context():
            own = database(app).session(writing=True)
            jobs.run_due_jobs(own)
            own.close()

    first = threading.Thread(target=first_runner)
    first.start()
    assert started.wait(10)
    time.sleep(lease.total_seconds() * 2)  # well past the lease it was claimed with
    with app.app_context():
        second = jobs.run_due_jobs(database(app).session(writing=True))
    release.set()
    first.join(10)

    assert [outcome.name for outcome in second] == []
    assert len(runs) == 1
    session.rollback()
    record = session.get(JobRun, "slow")
    assert (record.run_count, record.last_outcome, record.lease_until) == (1, "succeeded", None)


def test_a_daily_job_runs_at_its_time_of_day_in_london(app, session):
    seen = []
    jobs.register(
        app,
        Job("nightly", dt.timedelta(days=1), lambda _s, now: seen.append(now), at=dt.time(2, 0)),
    )
    # 26 November: London is on GMT, so 02:00 in London is 02:00 UTC.
    before = dt.datetime(2026, 11, 26, 1, 59, tzinfo=dt.UTC)
    at_two = dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC)

    assert run(app, session, before).get("nightly") is None
    assert run(app, session, at_two)["nightly"].succeeded
    assert run(app, session, at_two + dt.timedelta(hours=23)).get("nightly") is None

    assert seen == [at_two]
    assert session.get(JobRun, "nightly").next_due_at == at_two + dt.timedelta(days=1)


def test_a_daily_time_of_day_follows_the_clock_changes():
    from portal.jobs import next_time_of_day

    two = dt.time(2, 0)
    # In summer (BST) 02:00 in London is 01:00 UTC.
    summer = next_time_of_day(two, dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC))
    assert summer == dt.datetime(2026, 7, 2, 1, 0, tzinfo=dt.UTC)
    # The clocks go back at 02:00 BST on 25 October 2026: the night before, 02:00 is still
    # 01:00 UTC; that night it is 02:00 UTC, 25 hours later.
    before = next_time_of_day(two, dt.datetime(2026, 10, 23, 12, 0, tzinfo=dt.UTC))
    assert before == dt.datetime(2026, 10, 24, 1, 0, tzinfo=dt.UTC)
    autumn = next_time_of_day(two, before)
    assert autumn == dt.datetime(2026, 10, 25, 2, 0, tzinfo=dt.UTC)
