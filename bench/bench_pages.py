"""What each page of the load mix costs: `.venv/bin/python bench/bench_pages.py` (about 1 minute).

The load test (`bench_load.py`) says whether the portal keeps up; this says where the time
goes. Each page of the load mix is requested through the Flask test client (no server, no
network), signed in as the load test's people, on PostgreSQL with the demo data (a schema of
its own, `bench_pages`, dropped afterwards). For each page: the median CPU milliseconds and
wall milliseconds of the process over `--runs` requests after a warm-up, and the number of
SQL statements sent per request (counted with a `before_cursor_execute` listener; the pool's
liveness ping is not counted).

Options: --runs 200. PostgreSQL at BENCH_DATABASE_URL or PORTAL_TEST_DATABASE_URL.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import pyotp  # noqa: E402
from bench_load import (  # noqa: E402
    add_applicants,
    flask,
    machine,
    portal_environment,
)
from flask.testing import FlaskClient  # noqa: E402
from outcomes_data import drop_postgres_schema, empty_postgres_schema  # noqa: E402
from sqlalchemy import Engine, delete, event  # noqa: E402

from portal.auth.demo import DEMO_PASSWORD, demo_totp_secret  # noqa: E402

SCHEMA = "bench_pages"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def token(client: FlaskClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    found = _CSRF.search(page.get_data(as_text=True))
    assert found, path
    return found.group(1)


def sign_in(client: FlaskClient, email: str, code_secret: str | None = None) -> None:
    answer = client.post(
        "/sign-in",
        data={"csrf_token": token(client, "/sign-in"), "email": email, "password": DEMO_PASSWORD},
    )
    assert answer.status_code == 302, answer.status_code
    if code_secret:
        answer = client.post(
            "/sign-in/security-code",
            data={
                "csrf_token": token(client, "/sign-in/security-code"),
                "code": pyotp.TOTP(code_secret).now(),
            },
        )
        assert answer.status_code == 302, answer.status_code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    arguments = parser.parse_args()
    base_url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get(
        "PORTAL_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    print(f"Machine: {machine()} at the start", flush=True)
    folder = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    url = empty_postgres_schema(base_url, SCHEMA, with_public=True)
    environment = portal_environment(url, folder / "instance")
    try:
        flask(environment, "init")
        flask(environment, "demo-data")
        applicant_email = add_applicants(environment)[0]
        os.environ.update(environment)
        from portal import create_app, db
        from portal.outcomes.models import StoredFigures

        app = create_app()
        statements = [0]

        @event.listens_for(Engine, "before_cursor_execute")
        def count(*_arguments: object) -> None:
            statements[0] += 1

        visitor, participant, officer, applicant = (app.test_client() for _ in range(4))
        sign_in(participant, "owner@bakery.example.org")
        sign_in(officer, "officer@demo.example.org", demo_totp_secret("officer@demo.example.org"))
        sign_in(applicant, applicant_email)
        applicant.post("/register/start", data={"csrf_token": token(applicant, "/register/")})
        answer_token = token(applicant, "/register/question/business")
        numbers = iter(range(10**9))

        def answer() -> int:
            return applicant.post(
                "/register/question/business",
                data={
                    "csrf_token": answer_token,
                    "business_name": f"Page Cost Business {next(numbers)} Ltd",
                },
            ).status_code

        pages = [
            ("public /", lambda: visitor.get("/").status_code),
            ("public /register/", lambda: visitor.get("/register/").status_code),
            ("public /stories/", lambda: visitor.get("/stories/").status_code),
            ("applicant answers a question (POST)", answer),
            ("participant /my-cohort/", lambda: participant.get("/my-cohort/").status_code),
            ("participant /one-to-one/", lambda: participant.get("/one-to-one/").status_code),
            ("participant /account/", lambda: participant.get("/account/").status_code),
            ("officer /outcomes/ (stored)", lambda: officer.get("/outcomes/").status_code),
            # The first view after a record the figures read changed (a register taken, a
            # survey answered): the stored figures are emptied before the clock starts.
            ("officer /outcomes/ (worked out)", lambda: officer.get("/outcomes/").status_code),
        ]
        print(f"Median of {arguments.runs} requests after 10 to warm up, Flask test client:")
        print("| page | status | CPU ms | wall ms | SQL statements |")
        print("|---|---:|---:|---:|---:|")

        def forget_stored_figures() -> None:
            with app.app_context():
                db.session.execute(delete(StoredFigures))
                db.session.commit()

        untimed_first = {"officer /outcomes/ (worked out)": forget_stored_figures}
        for name, call in pages:
            before = untimed_first.get(name, lambda: 0)
            for _ in range(10):
                before()
                call()
            cpu, wall, counts, statuses = [], [], [], set()
            for _ in range(arguments.runs):
                before()
                statements[0] = 0
                started_cpu, started_wall = time.process_time(), time.perf_counter()
                statuses.add(call())
                cpu.append((time.process_time() - started_cpu) * 1000)
                wall.append((time.perf_counter() - started_wall) * 1000)
                counts.append(statements[0])
            print(
                f"| {name} | {'/'.join(str(s) for s in sorted(statuses))} | "
                f"{statistics.median(cpu):.1f} | {statistics.median(wall):.1f} | "
                f"{statistics.median(counts):.0f} |",
                flush=True,
            )
        print(f"Machine: {machine()} at the end")
    finally:
        drop_postgres_schema(base_url, SCHEMA)
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
