"""Seeded data for the outcome figures' benchmark, far beyond one hub.

At scale 1.0: 4 rounds, 4,000 cohorts of 10 (40,000 participants, 50,000 applicants), 6
sessions per cohort (24,000 sessions, about 240,000 register rows), 120,000 survey
invitations with a response each (baseline, exit and follow-up for every place; about 85%
submitted), answers under stable measure codes (``overall_satisfaction`` and
``would_recommend`` at exit) and 60,000 one-to-one bookings (delivered, no-show and
cancelled). Scales 0.1 and 0.01 shrink every count in proportion.

Rows go in with SQLAlchemy Core ``insert()`` executemany, ids chosen here, into a fresh
database: a SQLite file, or a PostgreSQL schema of its own (``options=-csearch_path=...``,
as the test fixtures do). The schema comes from ``Base.metadata.create_all``: benchmarks
only; the portal's own databases are built by the migrations.

Run on its own to build one: ``.venv/bin/python bench/outcomes_data.py --scale 0.1``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, Table, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from portal.db import make_engine  # noqa: E402
from portal.models import Base  # noqa: E402

UTC = dt.UTC
FULL_COHORTS = 4_000
PER_COHORT = 10
SESSIONS_PER_COHORT = 6
FULL_BOOKINGS = 60_000
ROUND_SHARES = (0.20, 0.25, 0.25, 0.30)  # the last round is the largest
CONTRACTORS = 12
COACHES_PER_CONTRACTOR = 5
SECTORS = "ACCCCFFGGGIIMMNNQQSS"
DISTRICTS = [
    "burnley",
    "chorley",
    "fylde",
    "hyndburn",
    "lancaster",
    "pendle",
    "preston",
    "ribble-valley",
    "rossendale",
    "south-ribble",
    "west-lancashire",
    "wyre",
    "blackburn-with-darwen",
    "blackpool",
]
FACTS = ("women_led", "ethnic_minority_led", "family_owned", "social_enterprise")
ISSUES = ("supply-chain", "staffing", "exporting", "production")
SATISFACTION = (
    ("very_dissatisfied", 2),
    ("fairly_dissatisfied", 3),
    ("neither", 5),
    ("fairly_satisfied", 30),
    ("very_satisfied", 60),
)
OFFICER_EMAIL = "officer@bench.example.org"
TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105 (a public test secret; the data is never real)


@dataclass(frozen=True)
class Built:
    url: str
    scale: float
    # The round with the most cohorts (what the dashboard shows), and its as-at date.
    largest_round_id: int
    round_ids: list[int]
    as_at: dt.date
    officer_id: int
    officer_session_version: int
    rows: dict[str, int]
    seconds: float


def fresh_database(kind: str, folder: Path, postgres_url: str, name: str) -> str:
    """A new, empty database of ``kind`` with the portal's tables: a SQLite file in
    ``folder`` or the PostgreSQL schema ``name`` (dropped first if it exists)."""
    if kind == "sqlite":
        path = folder / f"{name}.sqlite3"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        url = empty_postgres_schema(postgres_url, name)
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    return url


def empty_postgres_schema(postgres_url: str, name: str, *, with_public: bool = False) -> str:
    """The PostgreSQL schema ``name``, dropped first if it exists, and a URL that uses it
    (``with_public``: public too, where `portal init`'s migrations find btree_gist)."""
    admin = make_engine(postgres_url)
    with admin.begin() as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public"))
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    admin.dispose()
    search_path = f"{name},public" if with_public else name
    return (
        make_url(postgres_url)
        .update_query_dict({"options": f"-csearch_path={search_path}"})
        .render_as_string(hide_password=False)
    )


def drop_postgres_schema(postgres_url: str, name: str) -> None:
    admin = make_engine(postgres_url)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    admin.dispose()


class _Loader:
    """Rows per table, inserted in chunks with executemany, ids counted here."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.next_id: dict[str, int] = {}
        self.counts: dict[str, int] = {}

    def new_id(self, table: str) -> int:
        value = self.next_id.get(table, 1)
        self.next_id[table] = value + 1
        return value

    def load(self, table_name: str, rows: Iterable[dict[str, Any]]) -> None:
        table: Table = Base.metadata.tables[table_name]
        batch: list[dict[str, Any]] = []
        with self.engine.begin() as connection:
            for row in rows:
                batch.append(row)
                if len(batch) >= 5_000:
                    connection.execute(insert(table), batch)
                    self.counts[table_name] = self.counts.get(table_name, 0) + len(batch)
                    batch = []
            if batch:
                connection.execute(insert(table), batch)
                self.counts[table_name] = self.counts.get(table_name, 0) + len(batch)

    def finish(self) -> None:
        """Move PostgreSQL's id sequences past the ids chosen here, and refresh statistics."""
        with self.engine.begin() as connection:
            if self.engine.dialect.name == "postgresql":
                for table_name, last in self.next_id.items():
                    connection.execute(
                        text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"),
                        {"t": table_name, "v": last},
                    )
            connection.execute(text("ANALYZE"))


def build(url: str, scale: float, *, seed: int = 8) -> Built:
    """Fill the empty database at ``url`` at ``scale`` (1.0 is the full size)."""
    started = time.perf_counter()
    rng = random.Random(seed)
    engine = make_engine(url)
    loader = _Loader(engine)
    now = dt.datetime(2025, 6, 1, tzinfo=UTC)

    from sqlalchemy.orm import sessionmaker

    from portal.db import Database
    from portal.reference import services as reference

    with Database(engine, sessionmaker(bind=engine)).session() as session:
        reference.load_all(session)
        session.commit()

    # Staff: one officer, contractors with facilitators and coaches.
    officer_id = loader.new_id("user_account")
    users = [_user(officer_id, OFFICER_EMAIL, "Olive Officer", now, totp=True)]
    roles = [{"id": loader.new_id("user_role"), "user_id": officer_id, "role": "officer"}]
    contractors = []
    coaches: dict[int, list[int]] = {}
    facilitators: dict[int, int] = {}
    memberships = []
    for number in range(1, CONTRACTORS + 1):
        contractor_id = loader.new_id("contractor")
        contractors.append(
            {"id": contractor_id, "name": f"Contractor {number:02d} Ltd", "created_at": now}
        )
        staff = []
        for kind in ["facilitator"] + ["coach"] * COACHES_PER_CONTRACTOR:
            user_id = loader.new_id("user_account")
            users.append(
                _user(user_id, f"{kind}{user_id}@bench.example.org", f"{kind} {user_id}", now)
            )
            roles.append({"id": loader.new_id("user_role"), "user_id": user_id, "role": kind})
            memberships.append(
                {
                    "id": loader.new_id("contractor_membership"),
                    "user_id": user_id,
                    "contractor_id": contractor_id,
                }
            )
            staff.append((kind, user_id))
        facilitators[contractor_id] = staff[0][1]
        coaches[contractor_id] = [user_id for kind, user_id in staff if kind == "coach"]
    loader.load("contractor", contractors)

    # Surveys: one published version of each, with stable measure codes.
    surveys, versions, questions = [], [], []
    question_ids: dict[tuple[str, str], int] = {}
    for timing, codes in (
        ("baseline", [("confidence", "number")]),
        ("exit", [("overall_satisfaction", "satisfaction"), ("would_recommend", "recommend")]),
        ("follow_up", [("confidence", "number")]),
    ):
        survey_id = loader.new_id("survey")
        version_id = loader.new_id("survey_version")
        surveys.append({"id": survey_id, "timing": timing, "name": f"{timing} survey"})
        versions.append(
            {
                "id": version_id,
                "survey_id": survey_id,
                "number": 1,
                "title": f"{timing} survey",
                "created_at": now,
                "published_at": now,
            }
        )
        for position, (code, kind) in enumerate(codes, start=1):
            question_id = loader.new_id("survey_question")
            question_ids[(timing, code)] = question_id
            questions.append(
                {
                    "id": question_id,
                    "version_id": version_id,
                    "position": position,
                    "page_key": code,
                    "measure_code": code,
                    "kind": kind,
                    "text": f"Question {code}",
                    "required": code != "would_recommend",
                }
            )
    version_of = {row["title"].split()[0]: row["id"] for row in versions}

    rounds = []
    tables: dict[str, list[dict[str, Any]]] = {
        name: []
        for name in [
            "business",
            "application",
            "application_status_change",
            "application_ownership",
            "application_issue",
            "cohort",
            "cohort_status_change",
            "cohort_place",
            "cohort_session",
            "attendance",
            "session_theme",
            "survey_invitation",
            "survey_response",
            "survey_answer",
            "coaching_booking",
            "coaching_outside_support",
            "contractor_contract",
        ]
    }
    total_cohorts = max(len(ROUND_SHARES), round(FULL_COHORTS * scale))
    bookings_per_place = FULL_BOOKINGS / (FULL_COHORTS * PER_COHORT)
    largest = (0, 0)
    last_as_at = dt.date(2020, 1, 1)
    for index, share in enumerate(ROUND_SHARES):
        year = 2020 + index
        round_id = loader.new_id("programme_round")
        starts_on, ends_on = dt.date(year, 6, 1), dt.date(year + 1, 5, 31)
        last_as_at = max(last_as_at, ends_on)
        cohort_count = max(1, round(total_cohorts * share))
        largest = max(largest, (cohort_count, round_id))
        rounds.append(
            {
                "id": round_id,
                "name": f"Round {index + 1}",
                "year_label": f"{year}-{(year + 1) % 100:02d}",
                "starts_on": starts_on,
                "ends_on": ends_on,
                "funder": "Department for Business and Trade",
                "grant_pence": 15_000_00 * cohort_count,
                "status": "closed" if index < len(ROUND_SHARES) - 1 else "open",
                "status_changed_at": now,
                "created_at": now,
            }
        )
        _fill_round(
            loader,
            tables,
            users,
            rng,
            round_id=round_id,
            starts_on=starts_on,
            cohort_count=cohort_count,
            contractors=[row["id"] for row in contractors],
            facilitators=facilitators,
            coaches=coaches,
            question_ids=question_ids,
            version_of=version_of,
            bookings_per_place=bookings_per_place,
            last_round=index == len(ROUND_SHARES) - 1,
        )

    loader.load("programme_round", rounds)
    loader.load("user_account", users)
    loader.load("user_role", roles)
    loader.load("contractor_membership", memberships)
    loader.load("survey", surveys)
    loader.load("survey_version", versions)
    loader.load("survey_question", questions)
    for name, rows in tables.items():
        loader.load(name, rows)
    loader.finish()
    engine.dispose()
    return Built(
        url=url,
        scale=scale,
        largest_round_id=largest[1],
        round_ids=[row["id"] for row in rounds],
        as_at=last_as_at,
        officer_id=officer_id,
        officer_session_version=1,
        rows=dict(loader.counts),
        seconds=time.perf_counter() - started,
    )


def _user(user_id: int, email: str, name: str, now: dt.datetime, totp: bool = False) -> dict:
    return {
        "id": user_id,
        "email": email,
        "name": name,
        "password_hash": None,
        "status": "active",
        "email_verified_at": now,
        "created_at": now,
        "status_changed_at": now,
        "session_version": 1,
        "totp_secret": TOTP_SECRET if totp else None,
        "totp_confirmed_at": now if totp else None,
    }


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=UTC)


def _fill_round(
    loader: _Loader,
    tables: dict[str, list[dict[str, Any]]],
    users: list[dict[str, Any]],
    rng: random.Random,
    *,
    round_id: int,
    starts_on: dt.date,
    cohort_count: int,
    contractors: list[int],
    facilitators: dict[int, int],
    coaches: dict[int, list[int]],
    question_ids: dict[tuple[str, str], int],
    version_of: dict[str, int],
    bookings_per_place: float,
    last_round: bool,
) -> None:
    now = dt.datetime(2025, 6, 1, tzinfo=UTC)
    applied = _at(starts_on + dt.timedelta(days=20))
    coach_slots: dict[int, int] = {}
    spend = {contractor: 0 for contractor in contractors}

    def application(placed: bool) -> tuple[int, int, int, str]:
        person_id = loader.new_id("user_account")
        users.append(
            _user(person_id, f"p{person_id}@bench.example.org", f"Participant {person_id}", now)
        )
        business_id = loader.new_id("business")
        tables["business"].append(
            {"id": business_id, "name": f"Business {business_id}", "created_at": now}
        )
        tables["business"][-1]["updated_at"] = now
        application_id = loader.new_id("application")
        eligible = placed or rng.random() < 0.7
        sector = rng.choice(SECTORS)
        tables["application"].append(
            {
                "id": application_id,
                "reference": f"BPN-{application_id:07d}",
                "round_id": round_id,
                "person_id": person_id,
                "business_id": business_id,
                "status": "placed" if placed else ("eligible" if eligible else "ineligible"),
                "status_changed_at": applied,
                "created_at": applied,
                "updated_at": applied,
                "submitted_at": applied,
                "district_code": rng.choice(DISTRICTS),
                "sector_code": sector,
            }
        )
        for status in ("submitted", "eligible" if eligible else "ineligible"):
            tables["application_status_change"].append(
                {
                    "id": loader.new_id("application_status_change"),
                    "application_id": application_id,
                    "status": status,
                    "changed_at": applied,
                }
            )
        for fact in FACTS:
            tables["application_ownership"].append(
                {
                    "id": loader.new_id("application_ownership"),
                    "application_id": application_id,
                    "fact_code": fact,
                    "answer": "yes" if rng.random() < 0.2 else "no",
                }
            )
        for issue in rng.sample(ISSUES, 2):
            tables["application_issue"].append(
                {
                    "id": loader.new_id("application_issue"),
                    "application_id": application_id,
                    "issue_code": issue,
                }
            )
        return person_id, business_id, application_id, sector

    for number in range(cohort_count):
        contractor = contractors[number % len(contractors)]
        # The last round's final cohorts are confirmed but not started: "planned".
        planned = last_round and number >= cohort_count - max(1, cohort_count // 50)
        start = starts_on + dt.timedelta(days=40 + (number * 3) % 150)
        cohort_id = loader.new_id("cohort")
        tables["cohort"].append(
            {
                "id": cohort_id,
                "round_id": round_id,
                "name": f"Cohort {cohort_id}",
                "basis": rng.choice(("sector", "ownership", "organisation", "mixed", "mixed")),
                "basis_value": "",
                "delivery": rng.choice(("online", "in_person")),
                "meeting_weekday": number % 5,
                "meeting_part_of_day": "morning",
                "status": "confirmed" if planned else "completed",
                "status_changed_at": _at(start),
                "contractor_id": contractor,
                "facilitator_id": facilitators[contractor],
                "planned_hours": 18,
                "session_length_minutes": 150,
                "session_frequency_days": 14,
                "start_on": start,
                "created_at": _at(start - dt.timedelta(days=30)),
            }
        )
        tables["cohort_status_change"].append(
            {
                "id": loader.new_id("cohort_status_change"),
                "cohort_id": cohort_id,
                "status": "confirmed",
                "changed_at": _at(start - dt.timedelta(days=21)),
            }
        )
        sessions = []
        for index in range(SESSIONS_PER_COHORT):
            session_id = loader.new_id("cohort_session")
            starts_at = _at(start + dt.timedelta(days=14 * index))
            status = "planned" if planned else ("cancelled" if rng.random() < 0.02 else "held")
            tables["cohort_session"].append(
                {
                    "id": session_id,
                    "cohort_id": cohort_id,
                    "starts_at": starts_at,
                    "ends_at": starts_at + dt.timedelta(minutes=150),
                    "status": status,
                }
            )
            if status == "held":
                sessions.append(session_id)
                for issue in rng.sample(ISSUES, 2):
                    tables["session_theme"].append(
                        {
                            "id": loader.new_id("session_theme"),
                            "session_id": session_id,
                            "issue_code": issue,
                        }
                    )
        last_session_end = _at(start + dt.timedelta(days=14 * (SESSIONS_PER_COHORT - 1)), 12)
        for _member in range(PER_COHORT):
            person_id, _business, application_id, _sector = application(placed=True)
            place_id = loader.new_id("cohort_place")
            fate = rng.random()
            left_before = fate < 0.03
            left_after = 0.03 <= fate < 0.08
            ended = None
            if left_before:
                ended = _at(start - dt.timedelta(days=2))
            elif left_after:
                ended = _at(start + dt.timedelta(days=20))
            tables["cohort_place"].append(
                {
                    "id": place_id,
                    "cohort_id": cohort_id,
                    "application_id": application_id,
                    "person_id": person_id,
                    "status": "left" if ended else "accepted",
                    "status_changed_at": ended or _at(start - dt.timedelta(days=10)),
                    "offered_at": _at(start - dt.timedelta(days=14)),
                    "accepted_at": _at(start - dt.timedelta(days=10)),
                    "ended_at": ended,
                }
            )
            attended = sessions[:0] if left_before else (sessions[:2] if left_after else sessions)
            for session_id in attended:
                roll = rng.random()
                status, hours = (
                    ("present", "2.50")
                    if roll < 0.82
                    else ("partial", "1.50")
                    if roll < 0.9
                    else ("absent", "0")
                )
                tables["attendance"].append(
                    {
                        "id": loader.new_id("attendance"),
                        "session_id": session_id,
                        "place_id": place_id,
                        "status": status,
                        "hours": Decimal(hours),
                        "recorded_at": now,
                    }
                )
            if planned:
                continue
            _surveys(
                loader, tables, rng, place_id, person_id, cohort_id, round_id, applied,
                last_session_end, question_ids, version_of,
            )  # fmt: skip
            wanted = int(bookings_per_place) + (rng.random() < bookings_per_place % 1)
            coach = coaches[contractor][person_id % len(coaches[contractor])]
            for _booking in range(wanted):
                # Each coach's bookings follow one another, so none overlap; a person's
                # bookings are all with one coach.
                slot = coach_slots.get(coach, 0)
                coach_slots[coach] = slot + 1
                starts_at = _at(starts_on + dt.timedelta(days=60)) + dt.timedelta(hours=3 * slot)
                roll = rng.random()
                status = "delivered" if roll < 0.7 else "no_show" if roll < 0.85 else "cancelled"
                spend[contractor] += 12_000
                tables["coaching_booking"].append(
                    {
                        "id": loader.new_id("coaching_booking"),
                        "round_id": round_id,
                        "place_id": place_id,
                        "participant_id": person_id,
                        "coach_id": coach,
                        "contractor_id": contractor,
                        "support_type": "coaching",
                        "topic": "Planning the next year",
                        "location_type": "video",
                        "starts_at": starts_at,
                        "ends_at": starts_at + dt.timedelta(minutes=60),
                        "buffer_minutes": 15,
                        "blocked_from": starts_at,
                        "blocked_until": starts_at + dt.timedelta(minutes=75),
                        "status": status,
                        "booked_at": starts_at - dt.timedelta(days=7),
                        "delivered_minutes": rng.choice((45, 60, 60, 75))
                        if status == "delivered"
                        else None,
                        "cancelled_at": starts_at - dt.timedelta(days=2)
                        if status == "cancelled"
                        else None,
                    }
                )
            if rng.random() < 0.1:
                tables["coaching_outside_support"].append(
                    {
                        "id": loader.new_id("coaching_outside_support"),
                        "round_id": round_id,
                        "place_id": place_id,
                        "participant_id": person_id,
                        "coach_id": coach,
                        "contractor_id": contractor,
                        "support_type": "coaching",
                        "channel": "phone",
                        "happened_on": start + dt.timedelta(days=30),
                        "minutes": 30,
                        "recorded_at": now,
                    }
                )
    # Applicants who were never placed (a quarter as many again).
    for _other in range(cohort_count * PER_COHORT // 4):
        application(placed=False)
    for contractor, pence in spend.items():
        tables["contractor_contract"].append(
            {
                "id": loader.new_id("contractor_contract"),
                "round_id": round_id,
                "contractor_id": contractor,
                "contract_value_pence": 2 * pence + 100_000_00,
                "spend_to_date_pence": pence * 3 if round_id % 2 else None,
                "spend_recorded_on": starts_on + dt.timedelta(days=200) if round_id % 2 else None,
                "updated_at": now,
            }
        )


def _surveys(
    loader: _Loader,
    tables: dict[str, list[dict[str, Any]]],
    rng: random.Random,
    place_id: int,
    person_id: int,
    cohort_id: int,
    round_id: int,
    applied: dt.datetime,
    last_session_end: dt.datetime,
    question_ids: dict[tuple[str, str], int],
    version_of: dict[str, int],
) -> None:
    """A place's baseline, exit and follow-up invitations, each with a response (about
    85% submitted, the rest left in progress) and its answers."""
    triggers = {
        "baseline": applied + dt.timedelta(days=30),
        "exit": last_session_end,
        "follow_up": last_session_end + dt.timedelta(days=182),
    }
    for timing, triggered in triggers.items():
        invitation_id = loader.new_id("survey_invitation")
        tables["survey_invitation"].append(
            {
                "id": invitation_id,
                "timing": timing,
                "place_id": place_id,
                "person_id": person_id,
                "cohort_id": cohort_id,
                "round_id": round_id,
                "triggered_at": triggered,
                "created_at": triggered,
                "sent_at": triggered,
            }
        )
        response_id = loader.new_id("survey_response")
        submitted = rng.random() < 0.85
        answered_at = triggered + dt.timedelta(days=rng.randint(1, 20))
        tables["survey_response"].append(
            {
                "id": response_id,
                "invitation_id": invitation_id,
                "version_id": version_of[timing],
                "status": "submitted" if submitted else "in_progress",
                "mode": "online",
                "started_at": answered_at,
                "updated_at": answered_at,
                "submitted_at": answered_at if submitted else None,
            }
        )
        if not submitted:
            continue
        answers: list[tuple[str, str | None, Decimal | None]] = []
        if timing == "exit":
            choice = rng.choices(
                [value for value, _ in SATISFACTION], [weight for _, weight in SATISFACTION]
            )[0]
            answers.append(("overall_satisfaction", choice, None))
            if rng.random() < 0.95:  # optional: some skip it
                answers.append(("would_recommend", None, Decimal(rng.choice(range(4, 11)))))
        else:
            answers.append(("confidence", None, Decimal(rng.randint(1, 10))))
        for code, choice, number in answers:
            tables["survey_answer"].append(
                {
                    "id": loader.new_id("survey_answer"),
                    "response_id": response_id,
                    "question_id": question_ids[(timing, code)],
                    "measure_code": code,
                    "timing": timing,
                    "choice": choice,
                    "choices": None,
                    "number": number,
                    "text": None,
                    "answered_at": answered_at,
                }
            )


def main() -> None:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    arguments = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-outcomes-"))
    url = fresh_database(arguments.database, folder, arguments.postgres_url, "bench_outcomes")
    built = build(url, arguments.scale)
    print(f"{built.url}: {built.seconds:.1f} s")
    for name, count in sorted(built.rows.items()):
        print(f"  {name:28} {count:>9,}")


if __name__ == "__main__":
    main()
