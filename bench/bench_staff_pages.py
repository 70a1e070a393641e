"""Staff record pages at national size: `.venv/bin/python bench/bench_staff_pages.py`.

The officers' person page (`/people/<id>`), business page (`/businesses/<id>`), cohort
delivery page (`/cohorts/<id>/record`) and search (`/people/?q=...`) on the data set of
``bench/outcomes_data.py`` (40,000 participants in 4,000 cohorts at 100%), signed in as an
officer through the Flask test client. Each page is requested for ``--requests`` different
records (people, businesses and cohorts drawn at random with a fixed seed; searches for
people's and businesses' names, and a search that every application matches), interleaved
with a reference in the same run: the officer's own account page (`/account/`), which
renders the same layout and reads only the signed-in user.

For each page it prints the median, 95th and 99th percentile and the slowest time in
milliseconds, the ratio of its median to the reference's, and the fewest and most SQL
statements a request sent. Run at two sizes, the statement counts show whether they grow
with the data (they should not).

SQLite databases are files in a temporary folder; PostgreSQL gets a schema of its own,
dropped afterwards, at ``BENCH_DATABASE_URL`` (default ``PORTAL_TEST_DATABASE_URL``, else
postgresql+psycopg://postgres@127.0.0.1:5432/test).

Options: --scales 0.01,1.0  --databases postgresql,sqlite  --requests 200
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import outcomes_data  # noqa: E402
from bench_outcomes import QueryCounter, machine, make_app, officer_client  # noqa: E402
from sqlalchemy import text  # noqa: E402

SCHEMA = "bench_staff_pages"
TARGET_MS = 300
REFERENCE = "account (reference)"


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value at or above ``share`` of them."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def sample_paths(app: Any, count: int, seed: int = 15) -> dict[str, list[str]]:
    """``count`` addresses for each page, drawn at random with a fixed seed."""
    from portal import db

    rng = random.Random(seed)
    with db.database(app).session() as session:
        people = session.scalars(text("SELECT DISTINCT person_id FROM application")).all()
        businesses = session.scalars(text("SELECT id FROM business")).all()
        cohorts = session.scalars(text("SELECT id FROM cohort")).all()
        names = session.scalars(text("SELECT name FROM user_account")).all()
        business_names = session.scalars(text("SELECT name FROM business")).all()

    def pick(values: list[Any]) -> list[Any]:
        return [rng.choice(values) for _ in range(count)]

    # What officers type: a person's or a business's name (the data set's names are
    # "Participant 501" and "Business 1234", so a name also finds the few that extend it).
    searches = pick(list(names))[: count // 2] + pick(list(business_names))[: count - count // 2]
    return {
        "person": [f"/people/{i}" for i in pick(list(people))],
        "business": [f"/businesses/{i}" for i in pick(list(businesses))],
        "cohort record": [f"/cohorts/{i}/record" for i in pick(list(cohorts))],
        "search": [f"/people/?q={quote(name)}" for name in searches],
        # The worst case: a word every business's name shares, so every application matches.
        "search matching everyone": ["/people/?q=business"] * count,
        REFERENCE: ["/account/"] * count,
    }


def bench_one(built: outcomes_data.Built, instance: Path, count: int) -> dict[str, Any]:
    from portal import db

    app = make_app(built.url, instance)
    counter = QueryCounter(db.engine_for(app))
    client = officer_client(app, built)
    paths = sample_paths(app, count)
    for addresses in paths.values():  # warm up: templates compiled, caches filled
        for path in addresses[:3]:
            client.get(path)
    times: dict[str, list[float]] = {name: [] for name in paths}
    statements: dict[str, list[int]] = {name: [] for name in paths}
    # Interleaved: request i of every page, then request i + 1, so the pages and the
    # reference share whatever else the machine is doing.
    for index in range(count):
        for name, addresses in paths.items():
            counter.count = 0
            started = time.perf_counter()
            response = client.get(addresses[index])
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"GET {addresses[index]} answered {response.status_code}")
            times[name].append(elapsed)
            statements[name].append(counter.count)
    db.engine_for(app).dispose()
    reference = statistics.median(times[REFERENCE])
    return {
        name: {
            "median": statistics.median(values),
            "p95": percentile(values, 0.95),
            "p99": percentile(values, 0.99),
            "max": max(values),
            "ratio": statistics.median(values) / reference,
            "statements": (min(statements[name]), max(statements[name])),
        }
        for name, values in times.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="0.01,1.0")
    parser.add_argument("--databases", default="postgresql,sqlite")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    postgres_url = os.environ.get(
        "BENCH_DATABASE_URL",
        os.environ.get(
            "PORTAL_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    print(f"Machine: {machine()}")
    print(
        "| database | size | places | page | median ms | p95 ms | p99 ms | max ms "
        "| median / reference | statements |"
    )
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for kind in args.databases.split(","):
        for scale in (float(s) for s in args.scales.split(",")):
            with tempfile.TemporaryDirectory() as folder:
                name = f"{SCHEMA}_{int(scale * 100)}"
                url = outcomes_data.fresh_database(kind, Path(folder), postgres_url, name)
                try:
                    built = outcomes_data.build(url, scale)
                    result = bench_one(built, Path(folder), args.requests)
                finally:
                    if kind == "postgresql":
                        outcomes_data.drop_postgres_schema(postgres_url, name)
                places = built.rows.get("cohort_place", 0)
                for page, figures in result.items():
                    low, high = figures["statements"]
                    flag = " (over 300 ms)" if figures["p99"] > TARGET_MS else ""
                    print(
                        f"| {kind} | {scale:.0%} | {places:,} | {page} | {figures['median']:,.1f} "
                        f"| {figures['p95']:,.1f} | {figures['p99']:,.1f}{flag} "
                        f"| {figures['max']:,.1f} | {figures['ratio']:.2f} "
                        f"| {low}{'' if low == high else f'-{high}'} |",
                        flush=True,
                    )
    print(f"Load average at the end: {', '.join(f'{v:.1f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
