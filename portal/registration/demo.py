"""Demo applicants: about 60 people applying to the open demo round (Round 3, 2026-27).

A spread of districts, sectors, ownership profiles, issues, delivery preferences and
times; mostly eligible, some not and some for an officer to review, two people from one
business and one person who withdrew. Made the way a real application is (start, answer,
submit), from a fixed random seed so every demo looks the same. Idempotent: a person (by
email address) who already has an application in the round is skipped.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import demo_dates
from portal.auth.demo import DEMO_PASSWORD, add_demo_participant
from portal.auth.models import User
from portal.auth.passwords import hash_password
from portal.db_base import utcnow
from portal.reference.shipped import shipped_codes
from portal.registration import services
from portal.registration.eligibility import TurnoverBand, months_after
from portal.registration.import_rows import Answers
from portal.registration.imports import apply_answers
from portal.registration.models import (
    Application,
    ConflictKind,
    DeliveryPreference,
    FactAnswer,
    LegalForm,
    PartOfDay,
)
from portal.rounds.models import Round

DEMO_ROUND = "Round 3"
DOMAIN = "demo-applicant.example.org"
COUNT = 60

FIRST_NAMES = [
    "Amara", "Ben", "Chloe", "Dev", "Eilidh", "Farah", "George", "Hannah", "Imran", "Jess",
    "Kwame", "Leah", "Mohammed", "Niamh", "Owen", "Priti", "Qasim", "Rosie", "Sanjay", "Tara",
    "Usman", "Vicky", "Wes", "Yasmin", "Zoe", "Aidan", "Bushra", "Callum", "Deepa", "Ellis",
]  # fmt: skip
SURNAMES = [
    "Ahmed", "Barker", "Crossley", "Dewhurst", "Entwistle", "Fletcher", "Greenwood", "Haworth",
    "Iqbal", "Jackson", "Kenyon", "Lord", "Mistry", "Nuttall", "Ormerod", "Patel", "Quayle",
    "Riley", "Singh", "Taylor", "Ullah", "Varley", "Whittaker", "Yates",
]  # fmt: skip
# (sector, words a business in it is named with)
SECTORS = [
    ("C", ["Engineering", "Precision Components", "Textiles", "Foods", "Fabrication"]),
    ("F", ["Building Services", "Roofing", "Joinery", "Construction"]),
    ("G", ["Home Store", "Garden Centre", "Wholesale", "Cycles"]),
    ("H", ["Logistics", "Haulage", "Couriers"]),
    ("I", ["Bakery", "Tea Rooms", "Catering", "Guest House"]),
    ("J", ["Digital", "Software", "Creative Media"]),
    ("M", ["Accountants", "Design Studio", "Consulting", "Architects"]),
    ("N", ["Cleaning Services", "Recruitment", "Facilities"]),
    ("Q", ["Care Services", "Physiotherapy", "Dental Practice"]),
    ("R", ["Events", "Leisure", "Theatre Company"]),
    ("S", ["Hair Studio", "Repairs", "Pet Care"]),
]
DISTRICTS = [
    ("burnley", "BB11 1AA"), ("chorley", "PR7 1AA"), ("fylde", "FY8 1AA"),
    ("hyndburn", "BB5 1AA"), ("lancaster", "LA1 1AA"), ("pendle", "BB9 7AA"),
    ("preston", "PR1 2HE"), ("ribble-valley", "BB7 2AA"), ("rossendale", "BB4 5AA"),
    ("south-ribble", "PR25 1AA"), ("west-lancashire", "L39 2AA"), ("wyre", "FY7 6AA"),
    ("blackburn-with-darwen", "BB1 7AA"), ("blackpool", "FY1 1AA"),
]  # fmt: skip
OWNERSHIP_FACTS = list(shipped_codes("ownership-facts.csv"))
# Every issue but the one only earlier rounds used.
ISSUES = [code for code in shipped_codes("issues.csv") if code != "covid-response"]
ORGANISATIONS = [
    "nw-lancs-chamber",
    "east-lancs-chamber",
    "fsb-lancashire",
    "lancs-women-leaders",
    "lancs-manufacturing",
    "lancs-digital",
]
ELIGIBLE_BANDS = [TurnoverBand.FROM_250K_TO_1M, TurnoverBand.FROM_1M_TO_5M]
# Index -> what makes the application stand out (every other one is eligible).
INELIGIBLE = {
    7: "turnover",
    15: "too_few_employees",
    23: "outside",
    31: "too_new",
    39: "role",
}
NEEDS_REVIEW = {12: "part_time", 27: "exactly_a_year", 44: "part_time"}
SAME_BUSINESS_AS = {58: 10}  # the second person from one business
WITHDRAWN = 59


@dataclass(frozen=True)
class DemoApplicant:
    email: str
    name: str
    answers: Answers
    submitted_at: dt.datetime


def _applicants(now: dt.datetime) -> list[DemoApplicant]:
    today = now.date()
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    made: list[DemoApplicant] = []
    for index in range(COUNT):
        first = FIRST_NAMES[index % len(FIRST_NAMES)]
        last = SURNAMES[(index * 7) % len(SURNAMES)]
        sector, words = SECTORS[index % len(SECTORS)]
        district, postcode = DISTRICTS[(index * 5) % len(DISTRICTS)]
        business = f"{SURNAMES[(index * 11 + 3) % len(SURNAMES)]} {rng.choice(words)}"
        employees = Decimal(rng.choice([6, 7, 8, 9, 12, 15, 18, 24, 30, 45, 60, 85, 120]))
        band = rng.choice(ELIGIBLE_BANDS)
        started = today.replace(year=today.year - rng.randint(2, 25), day=1)
        role = rng.choice(["owner", "owner", "director", "manager"])
        if index in SAME_BUSINESS_AS:
            twin = made[SAME_BUSINESS_AS[index]]
            business = str(twin.answers.values["business_name"])
            postcode = str(twin.answers.values["postcode"])
            district = str(twin.answers.values["district_code"])
            sector = str(twin.answers.values["sector_code"])
            role = "manager"
        # Spread over the month before the cohorts were formed (portal.demo_dates).
        submitted_at = demo_dates.applied_at(now, index, COUNT)
        problem = INELIGIBLE.get(index) or NEEDS_REVIEW.get(index)
        if problem == "turnover":
            band = TurnoverBand.FROM_50K_TO_100K
        elif problem == "too_few_employees":
            employees = Decimal(3)
        elif problem == "outside":
            district, postcode = services.OUTSIDE_AREA, "M1 1AE"
        elif problem == "too_new":
            started = today - dt.timedelta(days=150)
        elif problem == "role":
            role = "employee"
        elif problem == "part_time":
            employees = Decimal("5.5")
        elif problem == "exactly_a_year":
            started = _a_year_before(submitted_at.date())
        facts = {
            code: rng.choices(
                [FactAnswer.YES, FactAnswer.NO, FactAnswer.PREFER_NOT_TO_SAY], [3, 6, 1]
            )[0]
            for code in OWNERSHIP_FACTS
        }
        slots = {(rng.randrange(5), rng.choice(list(PartOfDay))) for _ in range(rng.randint(2, 6))}
        answers = Answers(
            values={
                "role_in_business": role,
                "phone": f"01632 960 {index:03d}",
                "business_name": business,
                "company_number": f"{10_000_000 + index * 7919:08d}"[:8],
                "postcode": postcode,
                "district_code": district,
                "sector_code": sector,
                "sic_code": None,
                "employees": employees,
                "turnover_band": band,
                "started_trading_on": started,
                "legal_form": rng.choice([LegalForm.LIMITED_COMPANY] * 4 + list(LegalForm)[:3]),
                "organisations_other": "",
                "issues_other": "Energy costs" if index % 9 == 0 else "",
                "delivery": rng.choice(list(DeliveryPreference)),
                "share_with_cohort": rng.random() < 0.8,
                "contact_about_future": rng.random() < 0.6,
            },
            organisations=frozenset(rng.sample(ORGANISATIONS, rng.randint(0, 2))),
            issues=frozenset(rng.sample(ISSUES, rng.randint(1, 3))),
            availability=frozenset(slots),
            ownership=dict(facts),
            conflicts=(
                {ConflictKind.COMPETITOR: (f"{SURNAMES[(index + 5) % len(SURNAMES)]} {words[0]}",)}
                if index % 4 == 0
                else {}
            ),
        )
        if index in SAME_BUSINESS_AS:
            answers.values["company_number"] = made[SAME_BUSINESS_AS[index]].answers.values[
                "company_number"
            ]
        email, name = f"{first}.{last}{index}@{DOMAIN}".lower(), f"{first} {last}"
        if index == 0:
            # The demo participant who signs in (portal.auth.demo) applied too: she owns
            # the Preston bakery whose published story is in the demo (a bakery baking for
            # orders is manufacturing, sector C, like the others in her group).
            email, name = "owner@bakery.example.org", "Priya Participant"
            answers.values.update(
                business_name="Ribbleton Bakehouse",
                district_code="preston",
                postcode="PR1 2HE",
            )
        made.append(
            DemoApplicant(
                email=email,
                name=name,
                answers=answers,
                submitted_at=submitted_at,
            )
        )
    return made


def _a_year_before(today: dt.date) -> dt.date:
    """The day that makes today exactly 12 months of trading (borderline: needs review)."""
    day = today.replace(year=today.year - 1)
    while months_after(day, 12) != today:  # 29 February and month ends
        day -= dt.timedelta(days=1)
    return day


def load_demo_applicants(session: Session) -> int:
    """Add the demo applicants that are missing. Returns how many were added.

    Side effects: users, applications, status changes, audit events and confirmation
    emails (to addresses at demo-applicant.example.org), flushed.
    """
    programme_round = session.scalar(select(Round).where(Round.name == DEMO_ROUND))
    if programme_round is None:
        return 0
    now = utcnow()
    password_hash: str | None = None
    added = 0
    for index, applicant in enumerate(_applicants(now)):
        person = session.scalar(select(User).where(User.email == applicant.email))
        if person is not None and session.scalar(
            select(Application.id).where(
                Application.person_id == person.id, Application.round_id == programme_round.id
            )
        ):
            continue
        if person is None:
            password_hash = password_hash or hash_password(DEMO_PASSWORD)
            person = add_demo_participant(
                session,
                email=applicant.email,
                name=applicant.name,
                at=applicant.submitted_at,
                password_hash=password_hash,
            )
        when = applicant.submitted_at
        application = services.start_application(
            session, person=person, programme_round=programme_round, now=when
        )
        apply_answers(application, applicant.answers)
        session.flush()
        services.submit(
            session, application, actor=person, programme_round=programme_round, now=when
        )
        if index == WITHDRAWN:  # before the cohorts were formed
            services.withdraw(
                session,
                application,
                actor=person,
                reason="Too busy this year",
                now=when + dt.timedelta(hours=2),
            )
        added += 1
    return added
