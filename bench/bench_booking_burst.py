"""Burst benchmark of one-to-one booking: `.venv/bin/python bench/bench_booking_burst.py`.

The app runs under gunicorn (2 sync workers) on PostgreSQL. 200 distinct participants, each
already signed in with the booking form open, press "Confirm booking" at the same moment;
between them they want 20 slots (ten people per slot). It prints the bookings made (must be
20), overlapping bookings found in the database afterwards (must be 0), errors (5xx answers,
timeouts and refused connections; must be 0; the "That time has just been taken" page is
not an error) and the latency percentiles of the 200 answers. The exit status is 1 if any
of the three checks fails.

It builds its own schema (``bench_booking_burst``, recreated each run) in the database at
``BENCH_DATABASE_URL`` (default ``PORTAL_TEST_DATABASE_URL``, else
postgresql+psycopg://postgres@127.0.0.1:5432/test), with ``btree_gist`` in ``public``.
Signing in is not part of the burst: each participant's session cookie is made with the
app's secret key, and each fetches the booking form (and its CSRF token) before the burst.

Options: --participants N (200), --slots N (20), --workers N (2), --port N (8765).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import platform
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

SCHEMA = "bench_booking_burst"
COOKIE = "portal_session"
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
_SET_COOKIE = re.compile(COOKIE + r"=([^;]*)")


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, "
        f"load average {load} before the run"
    )


def database_urls() -> tuple[str, str]:
    """(the server's URL, the URL with search_path set to the benchmark's schema)."""
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get(
        "PORTAL_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    if not base.startswith("postgresql"):
        sys.exit("The burst benchmark needs PostgreSQL (set BENCH_DATABASE_URL)")
    in_schema = make_url(base).update_query_dict({"options": f"-csearch_path={SCHEMA}"})
    return base, in_schema.render_as_string(hide_password=False)


def build_schema(base_url: str, url: str) -> str:
    from portal.db import make_engine
    from portal.models import Base

    admin = make_engine(base_url)
    with admin.begin() as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public"))
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
        version = connection.execute(text("SHOW server_version")).scalar_one()
    admin.dispose()
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    return str(version).split()[0]


def seed(app, participants: int, slots: int) -> tuple[int, list[dict]]:  # type: ignore[no-untyped-def]
    """A coach free for exactly ``slots`` half-hour slots on one day three days ahead, and
    ``participants`` people with accepted places in a cohort of the coach's contractor.
    Returns the coach's id and, per slot, its start."""
    from portal import db
    from portal.auth.models import Contractor, ContractorMembership, Role, User, UserRole
    from portal.coaching.models import CoachProfile, LocationType, WeeklyWindow
    from portal.cohorts.models import (
        Cohort,
        CohortBasis,
        CohortDelivery,
        CohortStatus,
        Place,
        PlaceStatus,
    )
    from portal.cohorts.schedule import to_utc
    from portal.reference import services as reference
    from portal.registration.models import Application, ApplicationStatus, PartOfDay
    from portal.rounds.models import RoundStatus
    from portal.rounds.services import create_round
    from portal.timefmt import today_in_london

    with app.app_context():
        session = db.database(app).session(writing=True)
        reference.load_all(session)
        contractor = Contractor(name="Red Rose Business Growth Ltd")
        session.add(contractor)
        session.flush()
        coach = User(email="coach@bench.example.org", name="Colin Coach")
        coach.role_grants = [UserRole(role=Role.COACH)]
        coach.memberships = [ContractorMembership(contractor_id=contractor.id)]
        session.add(coach)
        day = today_in_london() + dt.timedelta(days=3)
        first = dt.time(9, 0)
        last = (dt.datetime.combine(day, first) + dt.timedelta(minutes=30 * slots)).time()
        session.flush()
        session.add(
            CoachProfile(
                coach_id=coach.id,
                session_lengths=[30],
                buffer_minutes=0,
                support_types=["coaching"],
                location_type=LocationType.VIDEO,
                location_detail="https://meet.example.org/colin",
            )
        )
        session.add(
            WeeklyWindow(
                coach_id=coach.id,
                weekday=day.weekday(),
                start_time=first.strftime("%H:%M"),
                end_time=last.strftime("%H:%M"),
            )
        )
        programme_round = create_round(
            session,
            actor=None,
            name="Bench round",
            year_label="2026-27",
            starts_on=day - dt.timedelta(days=100),
            ends_on=day + dt.timedelta(days=200),
            funder="Department for Business and Trade",
            grant_pence=40_000_000,
            status=RoundStatus.OPEN,
        )
        cohort = Cohort(
            round_id=programme_round.id,
            name="Bench cohort",
            basis=CohortBasis.MIXED,
            delivery=CohortDelivery.ONLINE,
            meeting_weekday=1,
            meeting_part_of_day=PartOfDay.MORNING,
            status=CohortStatus.RUNNING,
            planned_hours=18,
            session_length_minutes=150,
            session_frequency_days=14,
            contractor_id=contractor.id,
        )
        session.add(cohort)
        session.flush()
        people = []
        for number in range(participants):
            person = User(email=f"person{number}@bench.example.org", name=f"Person {number}")
            person.role_grants = [UserRole(role=Role.PARTICIPANT)]
            session.add(person)
            people.append(person)
        session.flush()
        for number, person in enumerate(people):
            application = Application(
                reference=f"PN-BENCH-{number:04d}",
                round_id=programme_round.id,
                person_id=person.id,
                status=ApplicationStatus.PLACED,
            )
            session.add(application)
            session.flush()
            session.add(
                Place(
                    cohort_id=cohort.id,
                    application_id=application.id,
                    person_id=person.id,
                    status=PlaceStatus.ACCEPTED,
                    accepted_at=dt.datetime.now(dt.UTC),
                )
            )
        session.commit()
        starts = [to_utc(day, first) + dt.timedelta(minutes=30 * number) for number in range(slots)]
        found = [
            {"id": p.id, "version": p.session_version, "starts_at": starts[n % slots]}
            for n, p in enumerate(people)
        ]
        coach_id = coach.id
        session.close()
    return coach_id, found


def session_cookie(app, user_id: int, version: int) -> str:  # type: ignore[no-untyped-def]
    """A signed-in session cookie, as the sign-in page would have left it."""
    client = app.test_client()
    with client.session_transaction() as browser_session:
        browser_session["_user_id"] = f"{user_id}:{version}"
        browser_session["_fresh"] = True
        browser_session["signed_in_at"] = time.time()
        browser_session["seen_at"] = time.time()
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def request(port: int, method: str, path: str, cookie: str, body: str | None = None):  # type: ignore[no-untyped-def]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": f"{COOKIE}={cookie}"}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        page = response.read().decode("utf-8", "replace")
        set_cookie = response.getheader("Set-Cookie") or ""
        return response.status, page, set_cookie
    finally:
        connection.close()


def start_server(url: str, secret: str, port: int, workers: int, instance: str) -> subprocess.Popen:  # type: ignore[type-arg]
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PORTAL_SECRET_KEY": secret,
        "PORTAL_ENVIRONMENT": "development",
        "PORTAL_INSTANCE_PATH": instance,
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
    }
    server = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _, _ = request(port, "GET", "/healthz", "")
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(server)
    sys.exit("gunicorn did not start within a minute")


def stop_server(server: subprocess.Popen) -> None:  # type: ignore[type-arg]
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def count_results(url: str) -> tuple[int, int]:
    """(bookings holding time, overlapping pairs among them by coach or by participant)."""
    from portal.db import make_engine

    engine = make_engine(url)
    with engine.connect() as connection:
        made = connection.execute(
            text("SELECT count(*) FROM coaching_booking WHERE status <> 'cancelled'")
        ).scalar_one()
        overlaps = connection.execute(
            text(
                "SELECT count(*) FROM coaching_booking a JOIN coaching_booking b"
                " ON a.id < b.id AND (a.coach_id = b.coach_id OR"
                " a.participant_id = b.participant_id)"
                " AND a.blocked_from < b.blocked_until AND b.blocked_from < a.blocked_until"
                " WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'"
            )
        ).scalar_one()
    engine.dispose()
    return int(made), int(overlaps)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--slots", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    options = parser.parse_args()

    base_url, url = database_urls()
    version = build_schema(base_url, url)
    secret = secrets.token_urlsafe(48)
    instance = tempfile.mkdtemp(prefix="bench-booking-")
    os.environ["PORTAL_INSTANCE_PATH"] = instance
    from portal import create_app

    app = create_app(
        {
            "SECRET_KEY": secret,
            "DATABASE_URL": url,
            "ENVIRONMENT": "development",
            "BASE_URL": f"http://127.0.0.1:{options.port}",
        }
    )
    coach_id, people = seed(app, options.participants, options.slots)
    print(f"Booking burst: {options.participants} participants, {options.slots} slots")
    print(f"  gunicorn {options.workers} sync workers, PostgreSQL {version}")
    print(f"  machine: {machine()}")

    server = start_server(url, secret, options.port, options.workers, instance)
    try:
        # Before the burst: each person opens the booking form (and gets its CSRF token).
        def open_form(person: dict) -> dict:  # type: ignore[type-arg]
            cookie = session_cookie(app, person["id"], person["version"])
            query = urlencode(
                {"starts_at": person["starts_at"].isoformat(), "minutes": 30, "support": "coaching"}
            )
            path = f"/one-to-one/coaches/{coach_id}/book?{query}"
            status, page, set_cookie = request(options.port, "GET", path, cookie)
            token = _CSRF.search(page)
            if status != 200 or token is None:
                raise SystemExit(f"Could not open the booking form: {status}")
            updated = _SET_COOKIE.search(set_cookie)
            return {
                "path": path,
                "cookie": updated.group(1) if updated else cookie,
                "body": urlencode(
                    {
                        "csrf_token": token.group(1),
                        "support_type": "coaching",
                        "topic": "Hiring our first sales manager",
                    }
                ),
            }

        with ThreadPoolExecutor(max_workers=8) as pool:
            ready = list(pool.map(open_form, people))

        barrier = threading.Barrier(len(ready))
        answers: list[tuple[str, float]] = []
        lock = threading.Lock()

        def press(form: dict) -> None:  # type: ignore[type-arg]
            barrier.wait()
            started = time.perf_counter()
            try:
                status, page, _ = request(
                    options.port, "POST", form["path"], form["cookie"], form["body"]
                )
                if status == 302:
                    outcome = "booked"
                elif status == 409 and "That time has just been taken" in page:
                    outcome = "taken"
                elif status >= 500:
                    outcome = "error"
                else:
                    outcome = f"other {status}"
            except (OSError, http.client.HTTPException):
                outcome = "error"
            with lock:
                answers.append((outcome, time.perf_counter() - started))

        threads = [threading.Thread(target=press, args=(form,)) for form in ready]
        burst_started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        burst_seconds = time.perf_counter() - burst_started
    finally:
        stop_server(server)

    made, overlaps = count_results(url)
    outcomes = [outcome for outcome, _ in answers]
    errors = outcomes.count("error")
    others = len([o for o in outcomes if o.startswith("other")])
    latencies = [seconds * 1000 for _, seconds in answers]
    print(f"bookings made: {made} (must be {options.slots})")
    print(f"overlapping bookings: {overlaps} (must be 0)")
    print(f"errors (5xx or timeouts): {errors} (must be 0)")
    print(f"'that time has just been taken' answers: {outcomes.count('taken')}")
    if others:
        print(f"other answers: {others}")
    print(
        "latency ms: "
        f"p50 {percentile(latencies, 0.50):.0f}, p90 {percentile(latencies, 0.90):.0f}, "
        f"p95 {percentile(latencies, 0.95):.0f}, p99 {percentile(latencies, 0.99):.0f}, "
        f"max {max(latencies):.0f}, mean {statistics.fmean(latencies):.0f}"
    )
    print(f"burst took {burst_seconds:.2f} s")
    ok = made == options.slots and overlaps == 0 and errors == 0 and not others
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
