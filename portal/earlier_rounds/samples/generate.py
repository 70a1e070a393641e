"""Make the sample earlier-rounds files: Rounds 1 and 2 as the February 2022 board report
describes them.

    .venv/bin/python -m portal.earlier_rounds.samples.generate [--xlsx PATH]

writes the CSV files next to this script (and, with ``--xlsx``, the same sheets as one
workbook). The output is the same on every run: one fixed seed drives every choice.

As at 10 February 2022 the files give (figures.md's definitions):

- Round 1 (2020-21): 31 cohorts, 327 participants, a 97% satisfaction rating (206 of 212
  respondents fairly or very satisfied), grant £432,000;
- Round 2 (2021-22): 23 cohorts, 208 participants, 98% "very satisfied", 15 contractors
  delivering, grant £390,000;
- no spend recorded, so each round's cost is its grant, and 15 cohorts over both rounds
  are projected at 15 x £822,000 / 54 = £228,333.

They are not tidy: people who never answered the survey, answered it but skipped the
satisfaction question, withdrew after a session or two, or left (or never came) before
their first session; two people from one business in each round; a person who withdrew
from Round 1 and came back for Round 2; partial attendance; Christmas breaks; a cohort
whose first session was on the report's own date; two people whose first session came
after it; three Round 2 cohorts that started after it (run by a sixteenth contractor among
others) and one that was cancelled before it started. The script checks its own numbers
before writing anything, with the same definitions the portal uses.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

from portal.earlier_rounds.samples.sample_data import (
    AREAS,
    AS_AT,
    BEIS,
    CONTRACTORS,
    DISTRICTS,
    FIRST_NAMES,
    ISSUES,
    ORGANISATIONS,
    OWNERSHIP,
    ROUND_1_CONTRACTORS,
    ROUND_1_STARTS,
    ROUND_2_CANCELLED_ONLY,
    ROUND_2_DELIVERING,
    ROUND_2_LATE_ONLY,
    ROUND_2_LATE_STARTS,
    ROUND_2_STARTS,
    ROUND_ENDS,
    SECTORS,
    SEED,
    SURNAMES,
    Business,
    CohortPlan,
    PersonPlan,
    Session,
    half_up,
)
from portal.earlier_rounds.samples.sample_surveys import SurveyMaker
from portal.timefmt import LONDON

HERE = Path(__file__).resolve().parent


class Generator(SurveyMaker):
    def __init__(self) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 (sample data, not security)
        self.used_names: set[tuple[str, str]] = set()
        self.used_businesses: set[str] = set()
        self.cohorts: list[CohortPlan] = []
        self.people: list[PersonPlan] = []
        self.sheets: dict[str, list[dict[str, object]]] = {}
        # People already given a part to play (a shared business, a return).
        self.special: set[str] = set()

    # Names, businesses, places

    def person_name(self) -> tuple[str, str]:
        while True:
            pair = (self.rng.choice(FIRST_NAMES), self.rng.choice(SURNAMES))
            if pair not in self.used_names:
                self.used_names.add(pair)
                return pair

    def business(self, district: str, sector: str, surname: str) -> Business:
        places, postcodes = DISTRICTS[district]
        trade = self.rng.choice(SECTORS[sector][0])
        while True:
            pattern = self.rng.randrange(5)
            place = self.rng.choice(places)
            name = [
                f"{surname} {trade} Ltd",
                f"{place} {trade} Ltd",
                f"{surname} & Sons {trade}",
                f"{place} {trade} Co-operative" if sector == "G" else f"{surname}’s {trade}",
                f"{self.rng.choice(['Pennine', 'Ribble', 'Red Rose', 'Bowland', 'Lune'])} "
                f"{trade} Ltd",
            ][pattern]
            if name not in self.used_businesses:
                self.used_businesses.add(name)
                break
        # Sole traders and partnerships have no Companies House number.
        number = "" if "’s " in name or "& Sons" in name else f"{self.rng.randrange(10**7):08d}"
        if number and self.rng.random() < 0.05:
            number = number.lstrip("0") or number  # spreadsheets drop leading zeros
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        postcode = (
            f"{self.rng.choice(postcodes)} {self.rng.randrange(1, 10)}"
            f"{self.rng.choice(letters)}{self.rng.choice(letters)}"
        )
        return Business(name, number, postcode, district, sector)

    def sector(self) -> str:
        codes = list(SECTORS)
        return self.rng.choices(codes, weights=[SECTORS[c][1] for c in codes])[0]

    # Cohorts and their sessions

    def schedule(self, start: str, minutes: int, count: int, time: str) -> list[Session]:
        weekly = start.endswith("w")
        day = dt.date.fromisoformat(start.rstrip("w"))
        hour, minute = (int(part) for part in time.split(":"))
        sessions = []
        for number in range(1, count + 1):
            while (day.month, day.day) >= (12, 20) or (day.month, day.day) <= (1, 3):
                day += dt.timedelta(days=14)  # no sessions over Christmas
            starts = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)
            themes = self.rng.sample(ISSUES, self.rng.choice([1, 2, 2, 3]))
            sessions.append(Session(number, starts, minutes, themes))
            day += dt.timedelta(days=7 if weekly else 14)
        return sessions

    def make_cohorts(
        self,
        round_name: str,
        starts: list[str],
        contractors: list[int],
        prefix: str,
        first_number: int = 1,
    ) -> list[CohortPlan]:
        made = []
        # Round 1 ran through the lockdowns of 2020-21: every cohort met online.
        online_share = 1.0 if round_name == "Round 1" else 0.4
        for index, start in enumerate(starts):
            number = first_number + index
            basis = self.rng.choices(
                ["sector", "ownership", "organisation", "mixed"], weights=[40, 20, 20, 20]
            )[0]
            area = self.rng.choice(AREAS)
            delivery = "online" if self.rng.random() < online_share else "in_person"
            basis_value, theme = self.cohort_theme(basis, area)
            time = self.rng.choice(
                ["09:30", "10:00", "13:30"]
                if delivery == "in_person"
                else ["09:30", "10:00", "13:30", "14:00", "18:00"]
            )
            seven = number % 9 == 2 and not start.endswith("w")
            sessions = self.schedule(start, 150 if seven else 180, 7 if seven else 6, time)
            first_day = sessions[0].day
            place = DISTRICTS[area[0]][0][0]
            made.append(
                CohortPlan(
                    key=f"{prefix}-C{number:02d}",
                    round=round_name,
                    name=f"Cohort {number}: {theme}",
                    contractor=contractors[index % len(contractors)],
                    basis=basis,
                    basis_value=basis_value,
                    delivery=delivery,
                    districts=area,
                    venue=(
                        f"{place} Business Centre, meeting room {self.rng.randrange(1, 5)}"
                        if delivery == "in_person"
                        else ""
                    ),
                    confirmed_on=first_day - dt.timedelta(days=self.rng.randrange(18, 36)),
                    sessions=sessions,
                )
            )
        return made

    def cohort_theme(self, basis: str, area: list[str]) -> tuple[str, str]:
        where = (
            DISTRICTS[area[0]][0][0]
            if len(area) < 3
            else {
                "preston": "Central Lancashire",
                "blackburn-with-darwen": "East Lancashire",
                "burnley": "Pennine Lancashire",
                "blackpool": "the Fylde coast",
                "west-lancashire": "West Lancashire",
            }.get(area[0], "Lancashire")
        )
        if basis == "sector":
            sector = self.rng.choice(["C", "F", "I", "J", "M", "G"])
            trade = {
                "C": "Manufacturers",
                "F": "Construction firms",
                "I": "Hospitality businesses",
                "J": "Digital businesses",
                "M": "Professional services",
                "G": "Independent retailers",
            }[sector]
            return sector, f"{trade} of {where}"
        if basis == "ownership":
            code = self.rng.choice(OWNERSHIP)
            words = {
                "women_led": "Women-led businesses",
                "family_owned": "Family businesses",
                "ethnic_minority_led": "Ethnic-minority-led businesses",
                "social_enterprise": "Social enterprises",
            }[code]
            return code, f"{words}, {where}"
        if basis == "organisation":
            code = self.rng.choice(ORGANISATIONS)
            words = {
                "nw-lancs-chamber": "North and Western Lancashire Chamber members",
                "east-lancs-chamber": "East Lancashire Chamber members",
                "fsb-lancashire": "FSB Lancashire members",
                "lancs-women-leaders": "Lancashire Women Leaders Network",
                "lancs-manufacturing": "Lancashire Manufacturing Forum",
                "lancs-digital": "Lancashire Digital Network",
                "lancs-visitor-economy": "Visitor economy forum",
                "social-enterprise-lancs": "Social Enterprise Lancashire",
            }[code]
            return code, words
        return "", f"Mixed businesses, {where}"

    # People

    def make_person(
        self,
        cohort: CohortPlan,
        key: str,
        business: Business | None = None,
        name: tuple[str, str] | None = None,
    ) -> PersonPlan:
        first, last = name or self.person_name()
        if business is None:
            district = self.rng.choice(cohort.districts)
            if cohort.delivery == "online" and self.rng.random() < 0.3:
                district = self.rng.choice(list(DISTRICTS))
            sector = cohort.basis_value if cohort.basis == "sector" else self.sector()
            business = self.business(district, sector, last)
        start = cohort.sessions[0].day
        accepted = start - dt.timedelta(days=self.rng.randrange(3, 16))
        accepted = max(accepted, cohort.confirmed_on + dt.timedelta(days=1))
        domain = "".join(ch for ch in business.name.lower() if ch.isalnum())[:24]
        return PersonPlan(
            key=key,
            round=cohort.round,
            cohort=cohort,
            name=f"{first} {last}",
            email=f"{first.lower()}.{last.lower()}@{domain}.example",
            role=self.rng.choices(["owner", "director", "manager"], weights=[50, 35, 15])[0],
            business=business,
            issues=self.rng.sample(ISSUES, self.rng.choice([1, 2, 2, 3])),
            applied_on=accepted - dt.timedelta(days=self.rng.randrange(7, 45)),
            accepted_on=accepted,
        )

    def attend(
        self,
        person: PersonPlan,
        *,
        from_session: int = 1,
        until: int | None = None,
        before: dt.date | None = None,
    ) -> None:
        """Attendance: most sessions, sometimes part of one; at least one session, and
        one on or before ``before`` when given."""
        sessions = [s for s in person.cohort.sessions if from_session <= s.number <= (until or 99)]
        for session in sessions:
            if self.rng.random() < 0.87:
                partial = self.rng.random() < 0.06
                person.attended[session.number] = (
                    Decimal(session.minutes - 60) / 60 if partial else None
                )
        needed = [s for s in sessions if before is None or s.day <= before]
        if not any(s.number in person.attended for s in needed):
            person.attended[needed[0].number] = None
        person.attended = dict(sorted(person.attended.items()))

    def fill_cohort(
        self, cohort: CohortPlan, size: int, prefix: str, counter: Counter[str], *, as_at_rule: bool
    ) -> list[PersonPlan]:
        made = []
        for _ in range(size):
            counter[prefix] += 1
            person = self.make_person(cohort, f"{prefix}-P{counter[prefix]:04d}")
            before = AS_AT if as_at_rule and cohort.sessions[0].day <= AS_AT else None
            self.attend(person, before=before)
            hours = self.rng.choice(["0", "0", "1", "1.5", "2", "2", "3", "3"])
            person.one_to_one_hours = Decimal(hours) if hours != "0" else None
            made.append(person)
        return made

    # Building the two rounds

    def build(self) -> None:
        counter: Counter[str] = Counter()
        round_1 = self.make_cohorts(
            "Round 1", ROUND_1_STARTS, self.spread(ROUND_1_CONTRACTORS, 31), "R1"
        )
        round_2 = self.make_cohorts(
            "Round 2", ROUND_2_STARTS, self.spread(ROUND_2_DELIVERING, 23), "R2"
        )
        late = self.make_cohorts(
            "Round 2", ROUND_2_LATE_STARTS, [3, ROUND_2_LATE_ONLY, 9], "R2", first_number=24
        )
        for cohort in late:
            cohort.confirmed_on = dt.date(2022, 1, 24) + dt.timedelta(days=self.rng.randrange(10))
        cancelled = self.make_cohorts(
            "Round 2", ["2021-11-30"], [ROUND_2_CANCELLED_ONLY], "R2", 27
        )[0]
        cancelled.name = "Cohort 27: Hospitality businesses of Blackpool (cancelled)"
        cancelled.confirmed_on, cancelled.cancelled_on = dt.date(2021, 11, 2), dt.date(2021, 11, 16)
        cancelled.sessions = []
        self.cohorts = round_1 + round_2 + late + [cancelled]

        # Round 1: 327 participants in cohorts of 8 to 11.
        sizes_1 = [11] * 20 + [10] * 9 + [9, 8]
        self.rng.shuffle(sizes_1)
        for cohort, size in zip(round_1, sizes_1, strict=True):
            self.people += self.fill_cohort(cohort, size, "R1", counter, as_at_rule=False)
        # Round 2 as at the report: 208 participants in the 23 cohorts that had started.
        sizes_2 = [9] * 20 + [10] * 2 + [8]
        self.rng.shuffle(sizes_2)
        # The last two cohorts to start before the report each gain a person whose first
        # session came after it, so they must have room.
        sizes_2[-1], sizes_2[-2] = 9, 9
        for cohort, size in zip(round_2, sizes_2, strict=True):
            self.people += self.fill_cohort(cohort, size, "R2", counter, as_at_rule=True)
        for cohort, size in zip(late, [8, 10, 9], strict=True):
            self.people += self.fill_cohort(cohort, size, "R2", counter, as_at_rule=False)
        self.late_first_sessions(round_2, counter)
        self.people_who_never_came(round_1, round_2, counter)
        self.withdrawals()
        self.same_business_pairs()
        self.returning_person()

    def spread(self, contractors: list[int], cohorts: int) -> list[int]:
        """Each contractor at least once, the rest shared out, in a shuffled order."""
        order = list(contractors) + [
            contractors[index % len(contractors)] for index in range(cohorts - len(contractors))
        ]
        self.rng.shuffle(order)
        return order

    def late_first_sessions(self, round_2: list[CohortPlan], counter: Counter[str]) -> None:
        """In the two cohorts that started last before the report, one person each first
        came after it: participants later, not as at 10 February 2022."""
        for cohort in round_2[-2:]:
            counter["R2"] += 1
            person = self.make_person(cohort, f"R2-P{counter['R2']:04d}")
            first_after = next(s.number for s in cohort.sessions if s.day > AS_AT)
            self.attend(person, from_session=first_after)
            self.people.append(person)

    def people_who_never_came(
        self, round_1: list[CohortPlan], round_2: list[CohortPlan], counter: Counter[str]
    ) -> None:
        """Placed but never participants: some left before their first session, a few
        simply never came."""
        plans = [(round_1, "R1", 4, 2), (round_2[:16], "R2", 3, 1)]
        for cohorts, prefix, left, no_shows in plans:
            roomy = [c for c in cohorts if sum(p.cohort is c for p in self.people) <= 10]
            for index, cohort in enumerate(self.rng.sample(roomy, left + no_shows)):
                counter[prefix] += 1
                person = self.make_person(cohort, f"{prefix}-P{counter[prefix]:04d}")
                if index < left:
                    person.left_on = cohort.sessions[0].day - dt.timedelta(
                        days=self.rng.randrange(1, 4)
                    )
                    person.left_reason = self.rng.choice(
                        [
                            "Could not spare the time after all",
                            "Business sold",
                            "Illness in the family",
                            "Took a job elsewhere",
                        ]
                    )
                self.people.append(person)

    def withdrawals(self) -> None:
        """People who left after a session or two: participants, but not completers."""
        for prefix, count in (("R1", 14), ("R2", 10)):
            candidates = [
                p
                for p in self.people
                if p.key.startswith(prefix)
                and p.attended
                and p.left_on is None
                and len(p.cohort.sessions) >= 6
                and min(p.attended) == 1
            ]
            for person in self.rng.sample(candidates, count):
                last = self.rng.choice([1, 2, 2, 3])
                person.attended = {n: h for n, h in person.attended.items() if n <= last}
                if not person.attended:
                    person.attended = {1: None}
                last = max(person.attended)
                after = next(s for s in person.cohort.sessions if s.number == last).day
                person.left_on = after + dt.timedelta(days=self.rng.randrange(1, 10))
                person.left_reason = self.rng.choice(
                    [
                        "Too busy with the business",
                        "Sessions clashed with school pick-up",
                        "Did not feel the group suited their business",
                        "Ill health",
                        "Lockdown childcare",
                    ]
                )
                person.one_to_one_hours = None

    def same_business_pairs(self) -> None:
        """Two people from one business in each round, in different cohorts."""
        for prefix in ("R1", "R2"):
            people = [
                p
                for p in self.people
                if p.key.startswith(prefix)
                and p.attended
                and p.left_on is None
                and p.cohort.sessions[0].day <= AS_AT
            ]
            first = people[5]
            second = next(
                p
                for p in people[40:]
                if p.cohort is not first.cohort and p.cohort.basis != "sector"
            )
            given = second.name.split()[0]
            second.name = f"{given} {first.name.split()[-1]}"
            second.business = first.business
            second.email = f"{given.lower()}@{first.email.split('@')[1]}"
            second.role = "director"
            self.special |= {first.key, second.key}

    def returning_person(self) -> None:
        """Someone who withdrew from Round 1 came back for Round 2 (completers may not)."""
        withdrew = next(
            p
            for p in self.people
            if p.key.startswith("R1") and p.left_on and p.attended and p.key not in self.special
        )
        again = next(
            p
            for p in self.people
            if p.key.startswith("R2")
            and p.attended
            and p.left_on is None
            and dt.date(2021, 10, 1) < p.cohort.sessions[0].day <= AS_AT
            and p.key not in self.special
        )
        again.name, again.email, again.business = withdrew.name, withdrew.email, withdrew.business
        self.special |= {withdrew.key, again.key}

    # Rows of each sheet

    def write_rows(self) -> None:
        sheets = self.sheets
        sheets["rounds"] = [
            {
                "round": "Round 1",
                "year_label": "2020-21",
                "starts_on": "2020-09-01",
                "ends_on": "2021-03-31",
                "funder": BEIS,
                "grant_pounds": "432,000",
            },
            {
                "round": "Round 2",
                "year_label": "2021-22",
                "starts_on": "2021-06-01",
                "ends_on": "2022-03-31",
                "funder": BEIS,
                "grant_pounds": "390,000",
            },
        ]
        sheets["contractors"] = [
            {
                "contractor": name,
                "contact_email": "peernetworks@"
                + "".join(c for c in name.lower() if c.isalnum())[:20]
                + ".example",
            }
            for name in CONTRACTORS
        ]
        sheets["contracts"] = []
        for round_name, rate in (("Round 1", 12_500), ("Round 2", 13_500)):
            per = Counter(c.contractor for c in self.cohorts if c.round == round_name)
            for index, count in sorted(per.items()):
                sheets["contracts"].append(
                    {
                        "round": round_name,
                        "contractor": CONTRACTORS[index],
                        "contract_value_pounds": count * rate,
                        "spend_to_date_pounds": "",
                        "spend_recorded_on": "",
                    }
                )
        sheets["cohorts"] = [
            {
                "cohort": c.key,
                "round": c.round,
                "name": c.name,
                "contractor": CONTRACTORS[c.contractor],
                "basis": c.basis,
                "basis_value": c.basis_value,
                "delivery": c.delivery,
                "districts": ";".join(c.districts),
                "venue": c.venue,
                "planned_hours": 18,
                "confirmed_on": c.confirmed_on,
                "cancelled_on": c.cancelled_on or "",
            }
            for c in self.cohorts
        ]
        sheets["sessions"] = [
            {
                "cohort": c.key,
                "session": s.number,
                "date": s.day,
                "start_time": f"{s.starts:%H:%M}",
                "length_minutes": s.minutes,
                "status": "held",
                "themes": ";".join(s.themes),
            }
            for c in self.cohorts
            for s in c.sessions
        ]
        sheets["participants"] = [
            {
                "participant": p.key,
                "round": p.round,
                "cohort": p.cohort.key,
                "name": p.name,
                "email": p.email,
                "role": p.role,
                "business_name": p.business.name,
                "company_number": p.business.company_number,
                "postcode": p.business.postcode,
                "district": p.business.district,
                "sector": p.business.sector,
                "issues": ";".join(p.issues),
                "applied_on": p.applied_on,
                "accepted_on": p.accepted_on,
                "left_on": p.left_on or "",
                "left_reason": p.left_reason,
                "one_to_one_hours": p.one_to_one_hours or "",
            }
            for p in self.people
        ]
        sheets["attendance"] = [
            {"participant": p.key, "session": number, "hours": hours if hours is not None else ""}
            for p in self.people
            for number, hours in p.attended.items()
        ]
        invitations, answers = self.surveys()
        sheets["survey_invitations"] = invitations
        sheets["survey_answers"] = answers
        respondents = {
            str(a["participant"])
            for a in answers
            if a["measure"] == "overall_satisfaction" and a["answer"] in ("very_satisfied",)
        }
        sheets["case_studies"] = self.case_studies(respondents)

    # Checking the numbers, as figures.md defines them

    def check(self) -> dict[str, dict[str, Any]]:
        end = dt.datetime.combine(AS_AT + dt.timedelta(days=1), dt.time(), tzinfo=LONDON)
        found: dict[str, dict[str, Any]] = {}
        for round_name in ("Round 1", "Round 2"):
            cohorts = [c for c in self.cohorts if c.round == round_name]
            held = [c for c in cohorts if c.sessions and c.sessions[0].starts < end]
            people = {
                p.email
                for p in self.people
                if p.round == round_name
                and any(n for n in p.attended if p.cohort.sessions[n - 1].starts < end)
                and dt.datetime.combine(p.accepted_on, dt.time(12), tzinfo=LONDON) < end
            }
            prefix = "R1" if round_name == "Round 1" else "R2"
            answered = {
                a["participant"]: a["answer"]
                for a in self.sheets["survey_answers"]
                if a["measure"] == "overall_satisfaction"
                and a["answer"]
                and str(a["participant"]).startswith(prefix)
            }
            on_time = {
                i["participant"]
                for i in self.sheets["survey_invitations"]
                if i["timing"] == "exit"
                and isinstance(i["responded_on"], dt.date)
                and i["responded_on"] <= AS_AT
            }
            levels = Counter(v for k, v in answered.items() if k in on_time)
            respondents = sum(levels.values())
            found[round_name] = {
                "cohorts": len(held),
                "participants": len(people),
                "contractors": len({c.contractor for c in held}),
                "respondents": respondents,
                "satisfied": half_up(
                    Decimal(levels["very_satisfied"] + levels["fairly_satisfied"])
                    * 100
                    / respondents
                ),
                "very": half_up(Decimal(levels["very_satisfied"]) * 100 / respondents),
            }
        one, two = found["Round 1"], found["Round 2"]
        assert (one["cohorts"], one["participants"], one["satisfied"]) == (31, 327, 97), one
        assert (two["cohorts"], two["participants"], two["very"]) == (23, 208, 98), two
        assert two["contractors"] == 15, two
        for cohort in self.cohorts:
            for session in cohort.sessions:
                assert session.day <= ROUND_ENDS[cohort.round], (cohort.key, session.day)
            assert len({p.key for p in self.people if p.cohort is cohort}) <= 11
        return found


def _cell(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def csv_text(rows: list[dict[str, object]], header: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in header])
    return buffer.getvalue()


def generate() -> dict[str, str]:
    """Every sheet as CSV text, by sheet name (after checking the figures)."""
    from portal.earlier_rounds.rows import COLUMNS

    generator = Generator()
    generator.build()
    generator.write_rows()
    generator.check()
    return {
        sheet: csv_text(generator.sheets[sheet], [*required, *optional])
        for sheet, (required, optional) in COLUMNS.items()
    }


def workbook_bytes(sheets: dict[str, str]) -> bytes:
    """The same sheets as one XLSX workbook, every cell text as typed in the CSV (text that
    begins with "=" stays text: openpyxl would otherwise write it as a formula)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    for name, text in sheets.items():
        sheet = workbook.create_sheet(name)
        for record in csv.reader(io.StringIO(text)):
            cells = []
            for value in record:
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                cells.append(cell)
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--xlsx", type=Path, help="Also write the sheets as one workbook here")
    arguments = parser.parse_args()
    sheets = generate()
    for sheet, text in sheets.items():
        (HERE / f"{sheet}.csv").write_text(text, encoding="utf-8")
    if arguments.xlsx:
        arguments.xlsx.write_bytes(workbook_bytes(sheets))
    print(f"Wrote {len(sheets)} files to {HERE}")


if __name__ == "__main__":
    main()
