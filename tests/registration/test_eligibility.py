"""Who may take part: each rule, its boundaries, the wording people see, and what else helps."""

import dataclasses
import datetime as dt
import itertools
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.registration.eligibility import (
    LANCASHIRE_DISTRICTS,
    ApplicantFacts,
    EligibilityRules,
    Outcome,
    PreviousParticipation,
    Reason,
    ReasonCode,
    ReturningRule,
    TurnoverBand,
    assess,
    months_after,
    signposting,
)

TODAY = dt.date(2026, 5, 3)
RULES = EligibilityRules()


def facts(**changes):
    """An applicant who meets every one of Lancashire's rules, changed as the test needs."""
    answers = {
        "district": "preston",
        "role": "owner",
        "employees": 12,
        "turnover": TurnoverBand.FROM_250K_TO_1M,
        "started_trading_on": dt.date(2015, 6, 1),
        "sector": "C",
    }
    return ApplicantFacts(**{**answers, **changes})


def outcome_and_codes(applicant, rules=RULES, today=TODAY):
    result = assess(applicant, rules, today)
    return result.outcome, [str(code) for code in result.codes]


def test_an_applicant_meeting_every_rule_is_eligible_with_no_reasons():
    assert outcome_and_codes(facts()) == (Outcome.ELIGIBLE, [])


def test_the_defaults_are_lancashires_published_rules():
    assert len(LANCASHIRE_DISTRICTS) == 14
    assert {"ribble-valley", "blackburn-with-darwen", "blackpool"} <= RULES.eligible_districts
    assert RULES.min_months_trading == 12
    assert (RULES.min_employees, RULES.exactly_min_employees_qualifies) == (5, False)
    assert RULES.max_employees_exclusive == 250
    assert RULES.min_turnover_pounds == 100_000
    assert RULES.allowed_roles == {"owner", "director", "manager"}
    assert RULES.excluded_sectors == frozenset()
    assert RULES.returning_rule is ReturningRule.COMPLETERS_EXCLUDED
    assert RULES.max_people_per_business == 1


# District.


def test_a_business_outside_the_listed_districts_is_ineligible():
    assert outcome_and_codes(facts(district=None)) == (Outcome.INELIGIBLE, ["district"])


def test_a_district_the_round_leaves_out_is_ineligible():
    rules = EligibilityRules(eligible_districts=frozenset({"burnley", "pendle"}))
    assert outcome_and_codes(facts(district="preston"), rules) == (
        Outcome.INELIGIBLE,
        ["district"],
    )
    assert outcome_and_codes(facts(district="pendle"), rules) == (Outcome.ELIGIBLE, [])


# Trading time: more than 12 months, counted in calendar months and then days.


@pytest.mark.parametrize(
    ("started", "today", "expected"),
    [
        # 11 months 30 days; exactly 12 months; 12 months and a day.
        (dt.date(2025, 1, 1), dt.date(2025, 12, 31), Outcome.INELIGIBLE),
        (dt.date(2025, 1, 1), dt.date(2026, 1, 1), Outcome.NEEDS_REVIEW),
        (dt.date(2025, 1, 1), dt.date(2026, 1, 2), Outcome.ELIGIBLE),
        # Started on a leap day: 12 months on is 28 February.
        (dt.date(2024, 2, 29), dt.date(2025, 2, 27), Outcome.INELIGIBLE),
        (dt.date(2024, 2, 29), dt.date(2025, 2, 28), Outcome.NEEDS_REVIEW),
        (dt.date(2024, 2, 29), dt.date(2025, 3, 1), Outcome.ELIGIBLE),
        # Into a leap year: 28 February 2023 + 12 months is 28 February 2024, not the 29th.
        (dt.date(2023, 2, 28), dt.date(2024, 2, 27), Outcome.INELIGIBLE),
        (dt.date(2023, 2, 28), dt.date(2024, 2, 28), Outcome.NEEDS_REVIEW),
        (dt.date(2023, 2, 28), dt.date(2024, 2, 29), Outcome.ELIGIBLE),
        # Started on the 31st.
        (dt.date(2025, 3, 31), dt.date(2026, 3, 30), Outcome.INELIGIBLE),
        (dt.date(2025, 3, 31), dt.date(2026, 3, 31), Outcome.NEEDS_REVIEW),
        (dt.date(2025, 3, 31), dt.date(2026, 4, 1), Outcome.ELIGIBLE),
        # Not trading yet.
        (dt.date(2026, 6, 1), dt.date(2026, 5, 3), Outcome.INELIGIBLE),
    ],
)
def test_trading_for_more_than_12_months(started, today, expected):
    outcome, codes = outcome_and_codes(facts(started_trading_on=started), today=today)
    assert outcome is expected
    assert codes == ([] if expected is Outcome.ELIGIBLE else ["trading_time"])


@pytest.mark.parametrize(
    ("started", "months", "today", "expected"),
    [
        # 31 January + 1 month is the last day of February, in leap and other years.
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 28), Outcome.INELIGIBLE),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29), Outcome.NEEDS_REVIEW),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 3, 1), Outcome.ELIGIBLE),
        (dt.date(2025, 1, 31), 1, dt.date(2025, 2, 28), Outcome.NEEDS_REVIEW),
        (dt.date(2025, 1, 31), 13, dt.date(2026, 2, 27), Outcome.INELIGIBLE),
        (dt.date(2025, 1, 31), 13, dt.date(2026, 2, 28), Outcome.NEEDS_REVIEW),
        (dt.date(2025, 1, 31), 13, dt.date(2026, 3, 1), Outcome.ELIGIBLE),
        (dt.date(2025, 8, 31), 18, dt.date(2027, 2, 28), Outcome.NEEDS_REVIEW),
        # No minimum: any business already trading before today.
        (dt.date(2026, 5, 2), 0, dt.date(2026, 5, 3), Outcome.ELIGIBLE),
    ],
)
def test_other_minimum_trading_times_use_calendar_months(started, months, today, expected):
    rules = EligibilityRules(min_months_trading=months)
    outcome, _ = outcome_and_codes(facts(started_trading_on=started), rules, today)
    assert outcome is expected


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2025, 1, 31), 1, dt.date(2025, 2, 28)),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
        (dt.date(2024, 2, 29), 48, dt.date(2028, 2, 29)),
        (dt.date(2025, 12, 15), 1, dt.date(2026, 1, 15)),
        (dt.date(2025, 5, 31), 0, dt.date(2025, 5, 31)),
        (dt.date(9999, 12, 1), 1, None),
    ],
)
def test_months_after(day, months, expected):
    assert months_after(day, months) == expected


def test_a_start_date_near_the_end_of_the_calendar_does_not_break_the_check():
    outcome, codes = outcome_and_codes(facts(started_trading_on=dt.date(9999, 12, 31)))
    assert (outcome, codes) == (Outcome.INELIGIBLE, ["trading_time"])


# Employees: more than 5 (exactly 5 is a setting), fewer than 250; part-time counts a half.


@pytest.mark.parametrize(
    ("employees", "expected", "codes"),
    [
        (0, Outcome.INELIGIBLE, ["too_few_employees"]),
        (4.5, Outcome.INELIGIBLE, ["too_few_employees"]),
        (5, Outcome.INELIGIBLE, ["too_few_employees"]),
        (5.5, Outcome.NEEDS_REVIEW, ["too_few_employees"]),
        (6, Outcome.ELIGIBLE, []),
        (6.5, Outcome.ELIGIBLE, []),
        (249, Outcome.ELIGIBLE, []),
        (249.5, Outcome.NEEDS_REVIEW, ["too_many_employees"]),
        (250, Outcome.INELIGIBLE, ["too_many_employees"]),
        (250.5, Outcome.INELIGIBLE, ["too_many_employees"]),
    ],
)
def test_employees_more_than_five_and_fewer_than_250(employees, expected, codes):
    assert outcome_and_codes(facts(employees=employees)) == (expected, codes)


@pytest.mark.parametrize(
    ("employees", "expected"),
    [
        (4, Outcome.INELIGIBLE),
        (4.5, Outcome.NEEDS_REVIEW),
        (5, Outcome.ELIGIBLE),
        (5.5, Outcome.ELIGIBLE),
    ],
)
def test_when_exactly_five_employees_qualifies(employees, expected):
    rules = EligibilityRules(exactly_min_employees_qualifies=True)
    assert outcome_and_codes(facts(employees=employees), rules)[0] is expected


# Turnover: above the minimum; a band that straddles it needs a check.


def test_turnover_bands_cover_every_pound_once():
    bands = list(TurnoverBand)
    assert bands[0].lower_pounds == 0
    assert bands[-1].upper_pounds is None
    for lower, upper in itertools.pairwise(bands):
        assert upper.lower_pounds == lower.upper_pounds + 1
    assert (
        TurnoverBand.FROM_50K_TO_100K.lower_pounds,
        TurnoverBand.FROM_50K_TO_100K.upper_pounds,
    ) == (
        50_000,
        100_000,
    )
    assert TurnoverBand.FROM_100K_TO_250K.label == "£100,001 to £250,000"


@pytest.mark.parametrize(
    ("band", "against_100k", "against_150k"),
    [
        (TurnoverBand.UNDER_50K, Outcome.INELIGIBLE, Outcome.INELIGIBLE),
        (TurnoverBand.FROM_50K_TO_100K, Outcome.INELIGIBLE, Outcome.INELIGIBLE),
        (TurnoverBand.FROM_100K_TO_250K, Outcome.ELIGIBLE, Outcome.NEEDS_REVIEW),
        (TurnoverBand.FROM_250K_TO_1M, Outcome.ELIGIBLE, Outcome.ELIGIBLE),
        (TurnoverBand.FROM_1M_TO_5M, Outcome.ELIGIBLE, Outcome.ELIGIBLE),
        (TurnoverBand.OVER_5M, Outcome.ELIGIBLE, Outcome.ELIGIBLE),
    ],
)
def test_turnover_above_the_minimum(band, against_100k, against_150k):
    applicant = facts(turnover=band)
    assert outcome_and_codes(applicant)[0] is against_100k
    custom = EligibilityRules(min_turnover_pounds=150_000)
    assert outcome_and_codes(applicant, custom)[0] is against_150k


def test_a_band_whose_top_is_the_minimum_is_not_above_it():
    rules = EligibilityRules(min_turnover_pounds=250_000)
    applicant = facts(turnover=TurnoverBand.FROM_100K_TO_250K)
    assert outcome_and_codes(applicant, rules) == (Outcome.INELIGIBLE, ["turnover"])


# Role, sector, earlier rounds and people per business.


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("owner", Outcome.ELIGIBLE),
        ("director", Outcome.ELIGIBLE),
        ("manager", Outcome.ELIGIBLE),
        ("employee", Outcome.INELIGIBLE),
        ("other", Outcome.INELIGIBLE),
    ],
)
def test_the_person_is_an_owner_director_or_manager(role, expected):
    assert outcome_and_codes(facts(role=role))[0] is expected


def test_excluded_sectors():
    rules = EligibilityRules(excluded_sectors=frozenset({"K", "O"}))
    assert outcome_and_codes(facts(sector="K"), rules) == (Outcome.INELIGIBLE, ["sector"])
    assert outcome_and_codes(facts(sector="C"), rules) == (Outcome.ELIGIBLE, [])
    assert outcome_and_codes(facts(sector=None), rules) == (Outcome.NEEDS_REVIEW, ["sector"])
    assert outcome_and_codes(facts(sector=None)) == (Outcome.ELIGIBLE, [])


NONE, TOOK_PART, COMPLETED = (
    PreviousParticipation.NONE,
    PreviousParticipation.TOOK_PART,
    PreviousParticipation.COMPLETED,
)


@pytest.mark.parametrize(
    ("rule", "before", "expected"),
    [
        (ReturningRule.ANYONE_MAY_REAPPLY, NONE, Outcome.ELIGIBLE),
        (ReturningRule.ANYONE_MAY_REAPPLY, TOOK_PART, Outcome.ELIGIBLE),
        (ReturningRule.ANYONE_MAY_REAPPLY, COMPLETED, Outcome.ELIGIBLE),
        (ReturningRule.COMPLETERS_EXCLUDED, NONE, Outcome.ELIGIBLE),
        (ReturningRule.COMPLETERS_EXCLUDED, TOOK_PART, Outcome.ELIGIBLE),
        (ReturningRule.COMPLETERS_EXCLUDED, COMPLETED, Outcome.INELIGIBLE),
        (ReturningRule.PARTICIPANTS_EXCLUDED, NONE, Outcome.ELIGIBLE),
        (ReturningRule.PARTICIPANTS_EXCLUDED, TOOK_PART, Outcome.INELIGIBLE),
        (ReturningRule.PARTICIPANTS_EXCLUDED, COMPLETED, Outcome.INELIGIBLE),
    ],
)
def test_people_from_earlier_rounds(rule, before, expected):
    rules = EligibilityRules(returning_rule=rule)
    outcome, codes = outcome_and_codes(facts(previous_participation=before), rules)
    assert outcome is expected
    assert codes == ([] if expected is Outcome.ELIGIBLE else ["returning"])


@pytest.mark.parametrize(
    ("limit", "others", "expected"),
    [
        (1, 0, Outcome.ELIGIBLE),
        (1, 1, Outcome.INELIGIBLE),
        (2, 1, Outcome.ELIGIBLE),
        (2, 2, Outcome.INELIGIBLE),
        (2, 3, Outcome.INELIGIBLE),
    ],
)
def test_people_per_business(limit, others, expected):
    rules = EligibilityRules(max_people_per_business=limit)
    outcome, _ = outcome_and_codes(facts(other_active_applications=others), rules)
    assert outcome is expected


# Every rule is reported, not just the first.


def test_every_failed_rule_is_listed_in_a_fixed_order():
    applicant = facts(
        district=None,
        started_trading_on=dt.date(2026, 1, 1),
        employees=2,
        turnover=TurnoverBand.UNDER_50K,
        role="other",
        sector="K",
        previous_participation=COMPLETED,
        other_active_applications=1,
    )
    rules = EligibilityRules(excluded_sectors=frozenset({"K"}))
    assert outcome_and_codes(applicant, rules) == (
        Outcome.INELIGIBLE,
        [
            "district",
            "trading_time",
            "too_few_employees",
            "turnover",
            "role",
            "sector",
            "returning",
            "business_limit",
        ],
    )


def test_a_failed_rule_outweighs_a_borderline_one_which_is_still_listed():
    applicant = facts(employees=5.5, role="other")
    result = assess(applicant, RULES, TODAY)
    assert result.outcome is Outcome.INELIGIBLE
    assert [(r.code, r.borderline) for r in result.reasons] == [
        (ReasonCode.TOO_FEW_EMPLOYEES, True),
        (ReasonCode.ROLE, False),
    ]


# What people read.


def messages(applicant, rules=RULES, today=TODAY):
    return [reason.message for reason in assess(applicant, rules, today).reasons]


def test_the_trading_time_message_gives_the_date_they_told_us():
    assert messages(facts(started_trading_on=dt.date(2026, 5, 3))) == [
        "Your business needs to have been trading for more than 12 months. "
        "You told us it started trading on 3 May 2026."
    ]
    assert messages(facts(started_trading_on=dt.date(2025, 5, 3))) == [
        "Your business needs to have been trading for more than 12 months. "
        "You told us it started trading on 3 May 2025, exactly 12 months ago, "
        "so we need to check this with you."
    ]


def test_the_employee_and_turnover_messages():
    assert messages(facts(employees=5)) == [
        "Your business needs to have more than 5 employees. You told us it has 5."
    ]
    assert messages(facts(employees=249.5)) == [
        "Your business needs to have fewer than 250 employees. You told us it has 249.5. "
        "We need to check this with you because the total includes part-time employees."
    ]
    assert messages(facts(turnover=TurnoverBand.UNDER_50K)) == [
        "Your business needs a yearly turnover of more than £100,000. "
        "You told us its turnover is under £50,000."
    ]
    assert messages(
        facts(turnover=TurnoverBand.FROM_100K_TO_250K),
        EligibilityRules(min_turnover_pounds=150_000),
    ) == [
        "Your business needs a yearly turnover of more than £150,000. "
        "You told us its turnover is £100,001 to £250,000, so we need to check this with you."
    ]


def test_the_role_message_names_the_roles_the_round_allows():
    assert messages(facts(role="other")) == [
        "You need to be an owner, director or manager of the business to take part."
    ]
    rules = EligibilityRules(allowed_roles=frozenset({"manager", "director"}))
    assert messages(facts(role="owner"), rules) == [
        "You need to be a director or manager of the business to take part."
    ]


def test_the_business_limit_message():
    assert messages(facts(other_active_applications=1)) == [
        "Only 1 person from each business can take part in this round, "
        "and someone else from your business has already applied."
    ]
    rules = EligibilityRules(max_people_per_business=2)
    assert messages(facts(other_active_applications=2), rules) == [
        "Up to 2 people from each business can take part in this round, "
        "and 2 other people from your business have already applied."
    ]


# What else may help.


def test_signposts_follow_the_rules_failed():
    applicant = facts(district=None, started_trading_on=dt.date(2026, 1, 1), employees=3)
    signposts = signposting(assess(applicant, RULES, TODAY).reasons)
    assert [s.link_key for s in signposts] == [
        "local_growth_hub",
        "start_up_support",
        "growth_hub_support",
    ]
    assert all(s.title and s.text.endswith(".") for s in signposts)


def test_each_signpost_is_given_once():
    applicant = facts(employees=3, turnover=TurnoverBand.UNDER_50K)
    signposts = signposting(assess(applicant, RULES, TODAY).reasons)
    assert [s.link_key for s in signposts] == ["growth_hub_support"]


def test_borderline_reasons_give_no_signposts():
    reasons = assess(facts(employees=5.5), RULES, TODAY).reasons
    assert reasons
    assert signposting(reasons) == ()


def test_every_reason_has_a_signpost():
    for code in ReasonCode:
        assert signposting([Reason(code, "A message.")])


# Building the rules from a round's settings.


def test_rules_are_built_from_a_rounds_settings():
    settings = SimpleNamespace(
        eligible_district_codes=["burnley", "pendle"],
        min_months_trading=24,
        min_employees=5,
        min_employees_inclusive=True,
        max_employees_exclusive=50,
        min_turnover_pounds=150_000,
        allowed_business_roles=["owner"],
        excluded_sector_codes=["K"],
        returning_participant_rule="participants_excluded",
        max_people_per_business=2,
    )
    assert EligibilityRules.from_round(settings) == EligibilityRules(
        eligible_districts=frozenset({"burnley", "pendle"}),
        min_months_trading=24,
        min_employees=5,
        exactly_min_employees_qualifies=True,
        max_employees_exclusive=50,
        min_turnover_pounds=150_000,
        allowed_roles=frozenset({"owner"}),
        excluded_sectors=frozenset({"K"}),
        returning_rule=ReturningRule.PARTICIPANTS_EXCLUDED,
        max_people_per_business=2,
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"min_months_trading": -1},
        {"min_employees": 250},
        {"min_employees": -1},
        {"max_employees_exclusive": float("inf"), "min_employees": 5},
        {"min_turnover_pounds": -1},
        {"max_people_per_business": 0},
    ],
)
def test_rules_that_make_no_sense_are_refused(changes):
    with pytest.raises(ValueError, match=r"must|cannot"):
        EligibilityRules(**changes)


@pytest.mark.parametrize(
    "changes", [{"employees": -1}, {"employees": float("nan")}, {"other_active_applications": -1}]
)
def test_facts_out_of_range_are_refused(changes):
    with pytest.raises(ValueError, match=r"must|cannot"):
        facts(**changes)


# Properties over any facts and rules in range.

district_codes = st.sampled_from(sorted(LANCASHIRE_DISTRICTS))
roles = st.sampled_from(["owner", "director", "manager", "employee", "other"])
sectors = st.sampled_from("ABCDEFGHIJKLMNOPQRSTU")
employee_counts = st.one_of(
    st.integers(0, 300).map(float),
    st.integers(0, 600).map(lambda halves: halves / 2),
    st.floats(0, 1e9, allow_nan=False, allow_infinity=False),
)


@st.composite
def any_rules(draw):
    min_employees = draw(st.integers(0, 50).map(lambda halves: halves / 2))
    return EligibilityRules(
        eligible_districts=draw(st.frozensets(district_codes)),
        min_months_trading=draw(st.integers(0, 60)),
        min_employees=min_employees,
        exactly_min_employees_qualifies=draw(st.booleans()),
        max_employees_exclusive=min_employees + draw(st.integers(1, 500)),
        min_turnover_pounds=draw(st.integers(0, 10_000_000)),
        allowed_roles=draw(st.frozensets(roles)),
        excluded_sectors=draw(st.frozensets(sectors)),
        returning_rule=draw(st.sampled_from(ReturningRule)),
        max_people_per_business=draw(st.integers(1, 5)),
    )


any_facts = st.builds(
    ApplicantFacts,
    district=st.none() | district_codes | st.text(max_size=20),
    role=roles | st.text(max_size=20),
    employees=employee_counts,
    turnover=st.sampled_from(TurnoverBand),
    started_trading_on=st.dates(),
    sector=st.none() | sectors,
    previous_participation=st.sampled_from(PreviousParticipation),
    other_active_applications=st.integers(0, 10),
)


def _is_last_day_of_month(day):
    return (day + dt.timedelta(days=1)).month != day.month


def expected_trading_verdict(started, months, today):
    """Whole calendar months elapsed, counted a different way from the code under test."""
    elapsed = (today.year - started.year) * 12 + today.month - started.month
    if today.day < started.day and not _is_last_day_of_month(today):
        elapsed -= 1
    exact = elapsed == months and (
        today.day == started.day or (_is_last_day_of_month(today) and started.day > today.day)
    )
    if exact:
        return "borderline"
    return "pass" if elapsed >= months else "fail"


@given(applicant=any_facts, rules=any_rules(), today=st.dates())
def test_every_rule_broken_is_reported_and_the_outcome_follows_the_reasons(applicant, rules, today):
    result = assess(applicant, rules, today)
    codes = set(result.codes)
    outright = {r.code for r in result.reasons if not r.borderline}

    assert (result.outcome is Outcome.ELIGIBLE) == (not result.reasons)
    assert (result.outcome is Outcome.INELIGIBLE) == bool(outright)
    assert len(codes) == len(result.reasons)
    assert all(reason.message.endswith(".") for reason in result.reasons)

    assert (ReasonCode.DISTRICT in outright) == (applicant.district not in rules.eligible_districts)
    assert (ReasonCode.ROLE in outright) == (applicant.role not in rules.allowed_roles)
    assert (ReasonCode.SECTOR in outright) == (applicant.sector in rules.excluded_sectors)
    assert (ReasonCode.BUSINESS_LIMIT in outright) == (
        applicant.other_active_applications >= rules.max_people_per_business
    )
    barred = {
        ReturningRule.ANYONE_MAY_REAPPLY: set(),
        ReturningRule.COMPLETERS_EXCLUDED: {COMPLETED},
        ReturningRule.PARTICIPANTS_EXCLUDED: {TOOK_PART, COMPLETED},
    }[rules.returning_rule]
    assert (ReasonCode.RETURNING in outright) == (applicant.previous_participation in barred)

    turnover_failed = ReasonCode.TURNOVER in outright
    upper = applicant.turnover.upper_pounds
    assert turnover_failed == (upper is not None and upper <= rules.min_turnover_pounds)
    assert (ReasonCode.TURNOVER in codes) == (
        applicant.turnover.lower_pounds <= rules.min_turnover_pounds
    )

    trading = expected_trading_verdict(
        applicant.started_trading_on, rules.min_months_trading, today
    )
    trading_reason = next((r for r in result.reasons if r.code == "trading_time"), None)
    if trading == "pass":
        assert trading_reason is None
    else:
        assert trading_reason is not None
        assert trading_reason.borderline == (trading == "borderline")


@given(applicant=any_facts, rules=any_rules())
def test_a_whole_number_of_employees_is_never_borderline(applicant, rules):
    whole = dataclasses.replace(applicant, employees=float(round(applicant.employees)))
    count = whole.employees
    result = assess(whole, rules, TODAY)
    by_code = {r.code: r for r in result.reasons}
    enough = (
        count >= rules.min_employees
        if rules.exactly_min_employees_qualifies
        else count > rules.min_employees
    )
    assert (ReasonCode.TOO_FEW_EMPLOYEES in by_code) == (not enough)
    assert (ReasonCode.TOO_MANY_EMPLOYEES in by_code) == (count >= rules.max_employees_exclusive)
    for code in (ReasonCode.TOO_FEW_EMPLOYEES, ReasonCode.TOO_MANY_EMPLOYEES):
        assert code not in by_code or not by_code[code].borderline


@given(applicant=any_facts, rules=any_rules(), today=st.dates())
def test_signposts_come_only_from_rules_failed_outright(applicant, rules, today):
    result = assess(applicant, rules, today)
    signposts = signposting(result.reasons)
    assert bool(signposts) == (result.outcome is Outcome.INELIGIBLE)
    assert len(set(signposts)) == len(signposts)


@st.composite
def starts_near_the_anniversary(draw):
    """A day, a minimum number of months, and a start date about that many months before."""
    today = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
    months = draw(st.integers(0, 60))
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    last_day = (dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1) - dt.timedelta(1)).day
    day = draw(
        st.sampled_from(sorted({1, today.day - 1, today.day, today.day + 1, 28, 29, 30, 31}))
    )
    started = dt.date(year, month + 1, max(1, min(day, last_day)))
    return started, months, today


@given(case=starts_near_the_anniversary())
def test_trading_time_near_the_anniversary(case):
    started, months, today = case
    rules = EligibilityRules(min_months_trading=months)
    result = assess(facts(started_trading_on=started), rules, today)
    expected = expected_trading_verdict(started, months, today)
    assert (
        result.outcome
        is {
            "pass": Outcome.ELIGIBLE,
            "borderline": Outcome.NEEDS_REVIEW,
            "fail": Outcome.INELIGIBLE,
        }[expected]
    )


def test_a_round_open_to_no_role_says_so():
    rules = EligibilityRules(allowed_roles=frozenset())
    assert messages(facts(role="owner"), rules) == [
        "This round is not open to people in your role."
    ]
