"""The sample's survey answers and case studies (see ``generate``)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from portal.earlier_rounds.samples.sample_data import (
    AS_AT,
    SURVEY_ISSUE,
    TEXT_ACTIONS,
    TEXT_IMPROVEMENTS,
    PersonPlan,
    half_up,
)


class SurveyMaker:
    """Survey invitations, answers and case studies for the people the generator made."""

    rng: random.Random
    people: list[PersonPlan]

    # Surveys

    def surveys(self) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
        invitations: list[dict[str, object]] = []
        answers: list[dict[str, object]] = []
        for prefix in ("R1", "R2"):
            people = [p for p in self.people if p.key.startswith(prefix) and p.attended]
            exits = self.exit_survey(prefix, people, invitations, answers)
            if prefix == "R1":
                self.follow_up_survey(exits, invitations, answers)
            else:
                self.baseline_survey(
                    [p for p in self.people if p.key.startswith("R2")], invitations, answers
                )
        return invitations, answers

    def exit_survey(
        self, prefix: str, people: list[PersonPlan], invitations: list, answers: list
    ) -> list[tuple[PersonPlan, dt.date]]:
        """Everyone who attended is invited when their group ends (or when they leave).
        Round 1: 215 answer, 3 of them skipping the satisfaction question, so 212
        respondents. Round 2: about 70% answer, 2 skipping it."""
        count = 215 if prefix == "R1" else round(len(people) * 0.7)
        answering = {p.key for p in self.rng.sample(people, count)}
        responses: list[tuple[PersonPlan, dt.date, dt.date]] = []
        for person in people:
            last = person.cohort.sessions[-1]
            invited = person.left_on or (last.day + dt.timedelta(days=1))
            responded = None
            if person.key in answering:
                responded = invited + dt.timedelta(days=self.rng.choice([0, 1, 2, 3, 5, 8, 13, 20]))
                responses.append((person, invited, responded))
            invitations.append(
                {
                    "participant": person.key,
                    "timing": "exit",
                    "invited_on": invited,
                    "responded_on": responded or "",
                    "mode": self.rng.choice(["online", "online", "online", "paper", "phone"])
                    if responded
                    else "",
                }
            )
        skipped = set(self.rng.sample(range(len(responses)), 3 if prefix == "R1" else 2))
        if prefix == "R2":
            self.answer_some_later(responses, skipped, invitations)
        answered = [r for index, r in enumerate(responses) if index not in skipped]
        levels = self.satisfaction_levels(prefix, answered)
        for index, (person, _invited, _responded) in enumerate(responses):
            self.exit_answers(person, levels.get(person.key), index in skipped, answers)
        return [(person, invited) for person, invited, _responded in responses]

    def answer_some_later(self, responses: list, skipped: set[int], invitations: list) -> None:
        """Not every number of respondents can give 98% (no whole number of 72 people
        is 97.5% to 98.5% of them): until it can, the last person to answer by the report
        date answers a few days after it instead."""

        def early() -> list[int]:
            return [
                index
                for index, (_person, _invited, responded) in enumerate(responses)
                if index not in skipped and responded <= AS_AT
            ]

        while very_satisfied_for_98(len(early())) is None:
            index = max(early(), key=lambda i: (responses[i][2], i))
            person, invited, _responded = responses[index]
            responded = AS_AT + dt.timedelta(days=self.rng.randrange(1, 6))
            responses[index] = (person, invited, responded)
            for invitation in invitations:
                if invitation["participant"] == person.key and invitation["timing"] == "exit":
                    invitation["responded_on"] = responded

    def satisfaction_levels(self, prefix: str, answered: list) -> dict[str, str]:
        """Round 1: 206 of 212 satisfied (97%). Round 2: 98% very satisfied among those
        who had answered by 10 February 2022, fewer among those who answered later."""
        if prefix == "R1":
            levels = (
                ["very_satisfied"] * 150
                + ["fairly_satisfied"] * 56
                + ["neither"] * 4
                + ["fairly_dissatisfied", "very_dissatisfied"]
            )
            self.rng.shuffle(levels)
            return dict(zip([person.key for person, _i, _r in answered], levels, strict=True))
        early = [person.key for person, _i, responded in answered if responded <= AS_AT]
        late = [person.key for person, _i, responded in answered if responded > AS_AT]
        very = very_satisfied_for_98(len(early))
        assert very is not None
        early_levels = ["very_satisfied"] * very + ["fairly_satisfied"] * (len(early) - very)
        late_levels = [
            self.rng.choices(["very_satisfied", "fairly_satisfied", "neither"], [80, 17, 3])[0]
            for _ in late
        ]
        self.rng.shuffle(early_levels)
        return dict(zip(early, early_levels, strict=True)) | dict(
            zip(late, late_levels, strict=True)
        )

    def exit_answers(
        self, person: PersonPlan, level: str | None, skipped: bool, answers: list
    ) -> None:
        def add(measure: str, value: object) -> None:
            answers.append(
                {"participant": person.key, "timing": "exit", "measure": measure, "answer": value}
            )

        add("overall_satisfaction", "" if skipped else level)  # blank: skipped on paper
        good = level in (None, "very_satisfied", "fairly_satisfied")
        add(
            "facilitator_satisfaction",
            "very_satisfied" if good and self.rng.random() < 0.8 else "fairly_satisfied",
        )
        add(
            "sessions_satisfaction",
            self.rng.choice(["very_satisfied", "fairly_satisfied"]) if good else "neither",
        )
        used = person.one_to_one_hours is not None
        add("one_to_one_used", "yes" if used else "no")
        if used:
            add(
                "one_to_one_satisfaction",
                self.rng.choice(["very_satisfied", "very_satisfied", "fairly_satisfied"]),
            )
        addressed = [SURVEY_ISSUE.get(code, code) for code in person.issues]
        add("issues_addressed", ";".join(addressed))
        add(
            "actions_taken",
            ";".join(
                self.rng.sample(
                    [
                        "new_plan",
                        "changed_process",
                        "recruited",
                        "new_market",
                        "new_product",
                        "technology",
                        "finance",
                    ],
                    self.rng.choice([1, 2, 2, 3]),
                )
            ),
        )
        if self.rng.random() < 0.3:
            add("actions_detail", self.rng.choice(TEXT_ACTIONS))
        score = {
            "very_satisfied": [9, 10, 10, 10, 9, 8],
            "fairly_satisfied": [7, 8, 8, 9],
            "neither": [5, 6, 7],
            "fairly_dissatisfied": [3, 4, 5],
            "very_dissatisfied": [1, 2],
        }.get(level or "fairly_satisfied", [8])
        add("would_recommend", self.rng.choice(score))
        roll = self.rng.random()
        if roll < 0.2:
            add("improvements", self.rng.choice(TEXT_IMPROVEMENTS))
        elif roll < 0.25:
            add("improvements", "")  # left blank on the paper form

    def baseline_survey(self, people: list[PersonPlan], invitations: list, answers: list) -> None:
        for person in people:
            invited = person.accepted_on
            responded = None
            if self.rng.random() < 0.75:
                responded = invited + dt.timedelta(days=self.rng.randrange(0, 9))
            invitations.append(
                {
                    "participant": person.key,
                    "timing": "baseline",
                    "invited_on": invited,
                    "responded_on": responded or "",
                    "mode": "online" if responded else "",
                }
            )
            if not responded:
                continue
            for measure, value in (
                ("confidence", self.rng.choice(["not_very", "fairly", "fairly", "very"])),
                (
                    "management_practices",
                    ";".join(
                        self.rng.sample(
                            [
                                "business_plan",
                                "financial_reports",
                                "staff_reviews",
                                "training_plan",
                                "targets",
                            ],
                            self.rng.choice([1, 2, 3]),
                        )
                    ),
                ),
                ("employees", self.rng.choice([6, 7, 9, 12, 15, 22, 30, 48, 75, 120])),
                (
                    "turnover_band",
                    self.rng.choice(
                        ["100k_to_250k", "250k_to_1m", "250k_to_1m", "1m_to_5m", "prefer_not"]
                    ),
                ),
                ("issues_to_tackle", ";".join(SURVEY_ISSUE.get(c, c) for c in person.issues)),
            ):
                answers.append(
                    {
                        "participant": person.key,
                        "timing": "baseline",
                        "measure": measure,
                        "answer": value,
                    }
                )

    def follow_up_survey(self, exits: list, invitations: list, answers: list) -> None:
        for person, exit_invited in exits:
            invited = exit_invited + dt.timedelta(days=182)
            responded = None
            if self.rng.random() < 0.45:
                responded = invited + dt.timedelta(days=self.rng.randrange(1, 20))
            invitations.append(
                {
                    "participant": person.key,
                    "timing": "follow_up",
                    "invited_on": invited,
                    "responded_on": responded or "",
                    "mode": "online" if responded else "",
                }
            )
            if not responded:
                continue
            new_markets = self.rng.choice(["yes", "planned", "no", "no"])
            for measure, value in (
                ("actions_sustained", self.rng.choice(["all", "some", "some", "nothing_changed"])),
                ("confidence", self.rng.choice(["fairly", "very", "very"])),
                ("employees", self.rng.choice([6, 8, 10, 14, 18, 25, 33, 50, 80])),
                ("turnover_band", self.rng.choice(["100k_to_250k", "250k_to_1m", "1m_to_5m"])),
                ("new_markets", new_markets),
            ):
                answers.append(
                    {
                        "participant": person.key,
                        "timing": "follow_up",
                        "measure": measure,
                        "answer": value,
                    }
                )
            if new_markets == "yes":
                answers.append(
                    {
                        "participant": person.key,
                        "timing": "follow_up",
                        "measure": "new_markets_detail",
                        "answer": self.rng.choice(
                            [
                                "Ireland",
                                "Online sales across the UK",
                                "The Netherlands and Belgium",
                                "Care homes in Cumbria",
                            ]
                        ),
                    }
                )

    # Case studies

    def case_studies(self, respondents: set[str]) -> list[dict[str, object]]:
        stories: list[dict[str, object]] = []
        plans = [
            ("R1", dt.date(2021, 5, 4), 5, "withdrawn", None, dt.date(2022, 6, 1)),
            ("R1", dt.date(2021, 4, 20), 3, "published", dt.date(2021, 6, 2), None),
            ("R1", dt.date(2021, 6, 14), 5, "published", dt.date(2021, 7, 1), None),
            ("R1", dt.date(2021, 5, 25), 2, "approved", None, None),
            ("R2", dt.date(2022, 3, 8), 5, "published", dt.date(2022, 4, 12), None),
            ("R2", dt.date(2022, 4, 26), 5, "published", dt.date(2022, 5, 24), None),
            ("R2", dt.date(2022, 5, 3), 5, "approved", None, None),
            ("R2", dt.date(2022, 3, 29), 3, "published", dt.date(2022, 5, 10), None),
        ]
        for prefix, given, years, status, published, withdrawn in plans:
            person = self.rng.choice(
                [
                    p
                    for p in self.people
                    if p.key.startswith(prefix)
                    and p.key in respondents
                    and not p.left_on
                    and len(p.attended) >= 5
                    and p.cohort.sessions[-1].day < given
                    and p.key not in {story["participant"] for story in stories}
                ]
            )
            trade = person.business.name
            stories.append(
                {
                    "participant": person.key,
                    "status": status,
                    "title": self.rng.choice(
                        [
                            f"How {trade} found its next customers",
                            "From firefighting to planning ahead",
                            "Growing the team without losing the culture",
                            "Taking a family firm into its next generation",
                        ]
                    ),
                    "challenge": "Orders had become unpredictable after the lockdowns and I "
                    "was doing every job in the business myself.",
                    "group_help": "The group asked the questions nobody in the business "
                    "would ask me, and two members shared how they price their work.",
                    "one_to_one_help": "My coach helped me turn the ideas into a 90-day plan.",
                    "actions": self.rng.choice(TEXT_ACTIONS),
                    "outcomes": "Turnover is up and I have time to work on the business.",
                    "quote": self.rng.choice(
                        [
                            "I wish I had done this five years ago.",
                            "-Honestly the best morning of the fortnight.",
                            "It is lonely running a business; it was not, for those months.",
                        ]
                    ),
                    "jobs_created": self.rng.choice([0, 1, 2, 3]),
                    "jobs_safeguarded": self.rng.choice([2, 4, 6, 10]),
                    "turnover_change_pounds": self.rng.choice([15000, 40000, 85000, -5000]),
                    "cost_savings_pounds": "",
                    "new_markets": self.rng.choice(["", "Ireland", "Online retail"]),
                    "issues": ";".join(person.issues),
                    "named": self.rng.choice(["yes", "no"]),
                    "uses": self.rng.choice(
                        ["website;reports", "reports", "website;social_media;reports;press"]
                    ),
                    "consent_given_on": given,
                    "consent_years": years,
                    "published_on": published or "",
                    "withdrawn_on": withdrawn or "",
                }
            )
        return stories


def very_satisfied_for_98(respondents: int) -> int | None:
    """How many "very satisfied" make 98% of ``respondents`` (half up), if any number does."""
    for very in range(respondents, 0, -1):
        if half_up(Decimal(very) * 100 / respondents) == 98:
            return very
    return None
