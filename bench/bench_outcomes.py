"""Benchmark of the outcome figures: `.venv/bin/python bench/bench_outcomes.py`.

For each size (1%, 10% and 100% of 40,000 participants in 4,000 cohorts, 120,000 survey
responses and 60,000 bookings, from ``bench/outcomes_data.py``) on SQLite and PostgreSQL it
prints the median time and the number of SQL queries of:

- **figures**: what the dashboard computes for the largest round: ``round_summary`` and the
  five ``breakdown``s, called directly on a session (no HTTP, no templates);
- **dashboard**: ``GET /outcomes/?round=<largest>&as_at=<date>`` through the Flask test
  client, signed in as an officer;
- **board report**: ``GET /board-report/?round=<id>&...&as_at=<date>`` for every round.

Each page is measured twice: **worked out** (the stored figures are deleted before each
request, as on the first view after a record changed) and **stored** (``stored_figures``
holds them, as on every later view; ``portal.outcomes.stored``).

A page whose route is not in the app yet is skipped with a note. Each is run once to warm
up, then ``--runs`` times (7); the median is printed. Queries are counted with a
``before_cursor_execute`` listener on the app's engine, per call or page.

SQLite databases are files in a temporary folder; PostgreSQL gets a schema of its own
(``bench_outcomes``, dropped afterwards) at ``BENCH_DATABASE_URL`` (default
``PORTAL_TEST_DATABASE_URL``, else postgresql+psycopg://postgres@127.0.0.1:5432/test).

Options: --scales 0.01,0.1,1.0  --databases sqlite,postgresql  --runs 7
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import outcomes_data  # noqa: E402
from sqlalchemy import delete, event  # noqa: E402

SCHEMA = "bench_outcomes"
TARGET_MS = 300


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
        f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, load average {load}"
    )


class QueryCounter:
    """Counts the SQL statements sent on an engine while ``counting`` is on."""

    def __init__(self, engine: Any) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1


def measure(
    action: Callable[[], None],
    counter: QueryCounter,
    runs: int,
    prepare: Callable[[], None] = lambda: None,
) -> tuple[float, int]:
    """(median milliseconds, queries of the last run) of ``action`` after one warm-up;
    ``prepare`` runs before each, untimed and uncounted."""
    prepare()
    action()
    times = []
    queries = 0
    for _ in range(runs):
        prepare()
        counter.count = 0
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
        queries = counter.count
    return statistics.median(times), queries


def make_app(url: str, instance: Path) -> Any:
    os.environ["PORTAL_INSTANCE_PATH"] = str(instance)
    from portal import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench-secret-key-for-the-outcomes-benchmark-only-0123456789",
            "DATABASE_URL": url,
            "ENVIRONMENT": "development",
            "BASE_URL": "https://peernetworks.example.org.uk",
            "MAIL_SERVER": None,
            "RATELIMIT_ENABLED": False,
        }
    )


def officer_client(app: Any, built: outcomes_data.Built) -> Any:
    """A test client signed in as the data set's officer (a session cookie, as after signing
    in with two-factor)."""
    client = app.test_client()
    with client.session_transaction() as browser_session:
        browser_session["_user_id"] = f"{built.officer_id}:{built.officer_session_version}"
        browser_session["_fresh"] = True
        browser_session["signed_in_at"] = time.time()
        browser_session["seen_at"] = time.time()
    return client


def has_route(app: Any, path: str) -> bool:
    return any(rule.rule == path for rule in app.url_map.iter_rules())


def bench_one(built: outcomes_data.Built, instance: Path, runs: int) -> dict[str, Any]:
    from portal import db
    from portal.outcomes import figures
    from portal.outcomes.models import StoredFigures
    from portal.outcomes.round_figures import Dimension, breakdown, round_summary
    from portal.rounds.models import Round

    app = make_app(built.url, instance)
    counter = QueryCounter(db.engine_for(app))
    as_at = figures.as_at_moment(built.as_at)
    result: dict[str, Any] = {}

    with db.database(app).session() as session:
        programme_round = session.get(Round, built.largest_round_id)
        assert programme_round is not None

        def dashboard_figures() -> None:
            summary = round_summary(session, programme_round, as_at)
            result["participants"] = summary.participants
            for dimension in Dimension:
                breakdown(session, programme_round, as_at, dimension)
            session.rollback()  # end the read, as a request would

        result["figures"] = measure(dashboard_figures, counter, runs)

    client = officer_client(app, built)
    day = built.as_at.isoformat()
    pages = {
        "dashboard": ("/outcomes/", f"/outcomes/?round={built.largest_round_id}&as_at={day}"),
        "board report": (
            "/board-report/",
            "/board-report/?"
            + "&".join(f"round={round_id}" for round_id in built.round_ids)
            + f"&as_at={day}",
        ),
    }

    def forget_stored() -> None:
        with db.database(app).session() as session:
            session.execute(delete(StoredFigures))
            session.commit()

    for name, (rule, path) in pages.items():
        if not has_route(app, rule):
            result[name] = result[f"{name} stored"] = None
            result[f"{name} note"] = f"{rule} is not a route yet: skipped"
            continue

        def get(path: str = path) -> None:
            response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"GET {path} answered {response.status_code}")

        try:
            # Worked out: the stored figures are deleted before each request (the first view
            # after a record changed). Stored: the store holds them (every later view).
            result[name] = measure(get, counter, runs, prepare=forget_stored)
            result[f"{name} stored"] = measure(get, counter, runs)
        except RuntimeError as error:
            result[name] = result[f"{name} stored"] = None
            result[f"{name} note"] = str(error)
    db.engine_for(app).dispose()
    return result


def cell(value: tuple[float, int] | None) -> tuple[str, str]:
    if value is None:
        return "–", "–"
    return f"{value[0]:,.0f}", str(value[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="0.01,0.1,1.0")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=7)
    arguments = parser.parse_args()
    postgres_url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get(
        "PORTAL_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    print(f"Machine: {machine()} at the start")
    folder = Path(tempfile.mkdtemp(prefix="bench-outcomes-"))
    rows = []
    notes: set[str] = set()
    for database in arguments.databases.split(","):
        for scale in (float(value) for value in arguments.scales.split(",")):
            url = outcomes_data.fresh_database(
                database, folder, postgres_url, f"{SCHEMA}_{int(scale * 100)}"
            )
            built = outcomes_data.build(url, scale)
            print(
                f"  {database} {scale:.0%}: built in {built.seconds:.0f} s "
                f"({built.rows['cohort_place']:,} places, "
                f"{built.rows['survey_response']:,} survey responses, "
                f"{built.rows['coaching_booking']:,} bookings)",
                flush=True,
            )
            try:
                result = bench_one(built, folder / "instance", arguments.runs)
            finally:
                if database == "postgresql":
                    outcomes_data.drop_postgres_schema(postgres_url, f"{SCHEMA}_{int(scale * 100)}")
            notes.update(value for key, value in result.items() if key.endswith("note"))
            rows.append((database, scale, built, result))
            shown = {
                name: "skipped" if result[name] is None else f"{result[name][0]:,.0f} ms"
                for name in ("figures", "dashboard", "dashboard stored", "board report stored")
            }
            print(f"    {shown}", flush=True)

    print()
    print(f"Machine: {machine()} at the end; median of {arguments.runs} runs, milliseconds")
    print()
    print(
        "| database | size | places | participants (largest round) | figures ms | queries "
        "| dashboard worked out ms | queries | dashboard stored ms | queries "
        "| board report worked out ms | queries | board report stored ms | queries |"
    )
    print("|---|---:|---:|---:|" + "---:|" * 10)
    worst = 0.0
    for database, scale, built, result in rows:
        figures_ms, figures_q = cell(result["figures"])
        dashboard_ms, dashboard_q = cell(result["dashboard"])
        stored_ms, stored_q = cell(result["dashboard stored"])
        board_ms, board_q = cell(result["board report"])
        board_stored_ms, board_stored_q = cell(result["board report stored"])
        print(
            f"| {database} | {scale:.0%} | {built.rows['cohort_place']:,} | "
            f"{result['participants']:,} | {figures_ms} | {figures_q} | {dashboard_ms} | "
            f"{dashboard_q} | {stored_ms} | {stored_q} | {board_ms} | {board_q} | "
            f"{board_stored_ms} | {board_stored_q} |"
        )
        if scale == 1.0:
            shown = result["dashboard stored"] or result["figures"]
            worst = max(worst, shown[0])
    for note in sorted(notes):
        print(f"Note: {note}")
    if worst:
        verdict = "meets" if worst < TARGET_MS else "misses"
        print(
            f"Full size: slowest dashboard median (figures stored) {worst:,.0f} ms, "
            f"{verdict} {TARGET_MS} ms."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
