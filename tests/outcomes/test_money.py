"""Money: contractors' contract values and spend per round (administrators change them,
officers read), the round's cost with its basis, and the what-if projection.

Hand-computed: a round with a £100,000 grant and 4 cohorts that have met. With no spend
entered its cost is the grant: £25,000 a cohort. Spend of £12,500 and £7,500.50 makes the
cost the recorded spend, £20,000.50: £5,000 a cohort (rounded to whole pounds).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import Contractor, Role
from portal.cohorts.models import (
    Cohort,
    CohortBasis,
    CohortDelivery,
    CohortSession,
    CohortStatus,
    SessionStatus,
)
from portal.db_base import utcnow
from portal.outcomes import figures, money
from portal.outcomes.models import ContractorContract
from portal.registration.models import PartOfDay
from tests.fixtures.pages import check_page, error_messages


@pytest.fixture
def money_world(session, make_round, make_contractor):
    programme_round = make_round(name="Round 1", year_label="2020-21", grant_pence=10_000_000)
    first = make_contractor("Red Rose Business Growth Ltd")
    second = make_contractor("Pennine Peer Learning CIC")
    started = utcnow().replace(microsecond=0) - dt.timedelta(days=3)
    for number in range(4):
        cohort = Cohort(
            round_id=programme_round.id,
            contractor_id=(first if number % 2 else second).id,
            name=f"Cohort {number + 1}",
            basis=CohortBasis.MIXED,
            delivery=CohortDelivery.ONLINE,
            meeting_weekday=1,
            meeting_part_of_day=PartOfDay.MORNING,
            status=CohortStatus.CONFIRMED,
            planned_hours=18,
            session_length_minutes=150,
            session_frequency_days=14,
        )
        session.add(cohort)
        session.flush()
        session.add(
            CohortSession(
                cohort_id=cohort.id,
                starts_at=started,
                ends_at=started + dt.timedelta(minutes=150),
                status=SessionStatus.HELD,
            )
        )
    session.commit()
    return programme_round, first, second


def contract_path(programme_round, contractor) -> str:
    return f"/money/rounds/{programme_round.id}/contractors/{contractor.id}"


def test_an_administrator_enters_contracts_and_the_round_cost_becomes_recorded_spend(
    client, session, money_world, signed_in_as
):
    programme_round, first, second = money_world
    admin = signed_in_as(Role.ADMIN)
    page = check_page(client.get(f"/money/rounds/{programme_round.id}"))
    text = " ".join(page.get_text().split())
    assert "Round cost £100,000 (the grant)" in text
    assert "Cost per cohort £25,000" in text

    added = client.submit_form(
        contract_path(programme_round, first),
        {"contract_value": "60,000", "spend_to_date": "12,500"},
    )
    assert added.status_code == 302
    client.submit_form(
        contract_path(programme_round, second),
        {"contract_value": "40000.00", "spend_to_date": "7500.50"},
    )
    session.rollback()
    contracts = {
        c.contractor_id: c
        for c in session.scalars(
            select(ContractorContract).where(ContractorContract.round_id == programme_round.id)
        )
    }
    assert (contracts[first.id].contract_value_pence, contracts[first.id].spend_to_date_pence) == (
        6_000_000,
        1_250_000,
    )
    assert contracts[second.id].spend_to_date_pence == 750_050
    assert contracts[second.id].spend_recorded_on is not None

    page = check_page(client.get(f"/money/rounds/{programme_round.id}"))
    text = " ".join(page.get_text().split())
    assert "Round cost £20,001 (the recorded spend)" in text
    assert "Cost per cohort £5,000" in text
    assert "Total £100,000 £20,001" in text

    # Changing one amount is audited with the field's name, never its value.
    client.submit_form(
        contract_path(programme_round, first),
        {"contract_value": "60,000", "spend_to_date": "15,000"},
    )
    session.rollback()
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "contractor_contract")
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.fields, e.actor_id) for e in events] == [
        ("contract.added", ["contract_value_pence", "spend_to_date_pence"], admin.id),
        ("contract.added", ["contract_value_pence", "spend_to_date_pence"], admin.id),
        ("contract.changed", ["spend_to_date_pence"], admin.id),
    ]
    session.commit()


@pytest.mark.parametrize(
    ("value", "spend", "messages"),
    [
        ("", "", ["Enter the contract value"]),
        ("-5", "", ["Contract value must be £0 or more"]),
        (
            "twelve",
            "-1.50",
            [
                "Contract value must be an amount of money, like 390,000 or 390,000.50",
                "Spend to date must be £0 or more",
            ],
        ),
        ("12.345", "", ["Contract value must be an amount of money, like 390,000 or 390,000.50"]),
    ],
)
def test_bad_amounts_get_gov_uk_messages_and_keep_what_was_typed(
    client, session, money_world, signed_in_as, value, spend, messages
):
    programme_round, first, _ = money_world
    signed_in_as(Role.ADMIN)
    response = client.submit_form(
        contract_path(programme_round, first), {"contract_value": value, "spend_to_date": spend}
    )
    page = check_page(response, status=400)
    assert error_messages(page) == messages
    assert page.select_one("#contract_value")["value"] == value
    session.rollback()
    assert session.scalars(select(ContractorContract)).all() == []
    session.commit()


def test_officers_read_the_money_but_cannot_change_it(client, money_world, signed_in_as):
    programme_round, first, _ = money_world
    signed_in_as(Role.OFFICER)
    page = check_page(client.get(f"/money/rounds/{programme_round.id}"))
    assert not page.find("a", string="Add")
    check_page(client.get("/money/"))
    assert client.get(contract_path(programme_round, first)).status_code == 403


def test_the_projection_shows_its_formula_for_the_chosen_basis(client, money_world, signed_in_as):
    programme_round, first, second = money_world
    signed_in_as(Role.OFFICER)
    page = check_page(client.get("/money/projection"))
    assert page.select_one("#cohorts")["value"] == "15"
    page = check_page(
        client.get(f"/money/projection?round={programme_round.id}&cohorts=15&basis=grant")
    )
    assert "15 × (£100,000 ÷ 4) = 15 × £25,000 = £375,000" in page.get_text()

    signed_in_as(Role.ADMIN)
    client.submit_form(
        contract_path(programme_round, first),
        {"contract_value": "60,000", "spend_to_date": "12,500"},
    )
    client.submit_form(
        contract_path(programme_round, second),
        {"contract_value": "40,000", "spend_to_date": "7,500.50"},
    )
    recorded = check_page(
        client.get(f"/money/projection?round={programme_round.id}&cohorts=15&basis=recorded")
    )
    # 15 x 2,000,050p / 4 = £75,001.875: whole pounds only when shown.
    assert "15 × (£20,001 ÷ 4) = 15 × £5,000 = £75,002" in recorded.get_text()
    grant = check_page(
        client.get(f"/money/projection?round={programme_round.id}&cohorts=10&basis=grant")
    )
    assert "10 × (£100,000 ÷ 4) = 10 × £25,000 = £250,000" in grant.get_text()


def test_bad_projection_choices_are_gov_uk_errors(client, money_world, signed_in_as):
    signed_in_as(Role.OFFICER)
    page = check_page(client.get("/money/projection?round=999&cohorts=0&basis=x"), status=400)
    assert error_messages(page) == [
        "Select options from the list",
        "Number of cohorts must be between 1 and 1,000",
        "Select the cost basis",
    ]


@pytest.fixture
def dated_money(session, make_round, make_contractor):
    """A round of £100,000 that ran from 1 October 2023 to 31 March 2024: cohorts 1 and 2 met
    first on 10 January 2024, cohorts 3 and 4 on 10 February 2024. Red Rose's spend of
    £30,000 was recorded on 31 January 2024, Pennine's £10,000 on 15 February 2024."""
    programme_round = make_round(
        name="Round 7",
        year_label="2023-24",
        starts_on=dt.date(2023, 10, 1),
        ends_on=dt.date(2024, 3, 31),
        grant_pence=10_000_000,
    )
    first = make_contractor("Red Rose Business Growth Ltd")
    second = make_contractor("Pennine Peer Learning CIC")
    for number in range(4):
        cohort = Cohort(
            round_id=programme_round.id,
            contractor_id=(first if number < 2 else second).id,
            name=f"Cohort {number + 1}",
            basis=CohortBasis.MIXED,
            delivery=CohortDelivery.ONLINE,
            meeting_weekday=1,
            meeting_part_of_day=PartOfDay.MORNING,
            status=CohortStatus.RUNNING,
            planned_hours=18,
            session_length_minutes=150,
            session_frequency_days=14,
        )
        session.add(cohort)
        session.flush()
        started = dt.datetime(2024, 1 if number < 2 else 2, 10, 10, tzinfo=dt.UTC)
        session.add(
            CohortSession(
                cohort_id=cohort.id,
                starts_at=started,
                ends_at=started + dt.timedelta(minutes=150),
                status=SessionStatus.HELD,
            )
        )
    for contractor, pence, day in (
        (first, 3_000_000, dt.date(2024, 1, 31)),
        (second, 1_000_000, dt.date(2024, 2, 15)),
    ):
        session.add(
            ContractorContract(
                round_id=programme_round.id,
                contractor_id=contractor.id,
                contract_value_pence=5_000_000,
                spend_to_date_pence=pence,
                spend_recorded_on=day,
            )
        )
    session.commit()
    return programme_round


@pytest.mark.parametrize(
    ("day", "cost", "running"),
    [
        # No spend recorded yet: the grant.
        (dt.date(2024, 1, 30), figures.RoundCost(10_000_000, "grant"), True),
        # Spend recorded on the as-at day counts.
        (dt.date(2024, 1, 31), figures.RoundCost(3_000_000, "recorded spend"), True),
        (dt.date(2024, 2, 14), figures.RoundCost(3_000_000, "recorded spend"), True),
        (dt.date(2024, 2, 15), figures.RoundCost(4_000_000, "recorded spend"), True),
        # The round's last day counts whole: it has ended as at that day.
        (dt.date(2024, 3, 30), figures.RoundCost(4_000_000, "recorded spend"), True),
        (dt.date(2024, 3, 31), figures.RoundCost(4_000_000, "recorded spend"), False),
    ],
)
def test_the_round_cost_counts_only_spend_recorded_by_the_as_at_date(
    session, dated_money, day, cost, running
):
    moment = figures.as_at_moment(day)
    assert figures.round_cost(session, dated_money, moment) == cost
    assert figures.still_running(dated_money, moment) is running


def test_spend_replaced_later_still_counts_as_at_the_days_it_was_recorded(session, dated_money):
    contracts = session.scalars(
        select(ContractorContract).order_by(ContractorContract.spend_recorded_on)
    ).all()
    red_rose, pennine = (session.get(Contractor, c.contractor_id) for c in contracts)
    # Red Rose's £30,000 (31 January) becomes £35,000 on 10 March; Pennine's £10,000
    # (15 February) is removed on 20 March.
    money.save_contract(
        session,
        dated_money,
        red_rose,
        contract_value_pence=5_000_000,
        spend_to_date_pence=3_500_000,
        today=dt.date(2024, 3, 10),
        actor=None,
    )
    money.save_contract(
        session,
        dated_money,
        pennine,
        contract_value_pence=5_000_000,
        spend_to_date_pence=None,
        today=dt.date(2024, 3, 20),
        actor=None,
    )
    session.commit()

    def cost(day: dt.date) -> figures.RoundCost:
        return figures.round_cost(session, dated_money, figures.as_at_moment(day))

    assert cost(dt.date(2024, 1, 30)) == figures.RoundCost(10_000_000, "grant")
    assert cost(dt.date(2024, 2, 12)) == figures.RoundCost(3_000_000, "recorded spend")
    assert cost(dt.date(2024, 3, 9)) == figures.RoundCost(4_000_000, "recorded spend")
    assert cost(dt.date(2024, 3, 10)) == figures.RoundCost(4_500_000, "recorded spend")
    assert cost(dt.date(2024, 3, 20)) == figures.RoundCost(3_500_000, "recorded spend")


def test_the_projection_counts_cohorts_and_cost_as_at_the_chosen_date(
    client, dated_money, signed_in_as
):
    signed_in_as(Role.OFFICER)

    def projected(day: str) -> str:
        page = check_page(
            client.get(
                f"/money/projection?round={dated_money.id}&as_at={day}&cohorts=15&basis=recorded"
            )
        )
        return " ".join(page.get_text().split())

    # 20 January 2024: 2 cohorts had met, no spend yet: 15 x (£100,000 / 2).
    early = projected("2024-01-20")
    assert "15 × (£100,000 ÷ 2) = 15 × £50,000 = £750,000" in early
    assert "Figures as at 20 January 2024." in early
    assert "Round 7 was still running on 20 January 2024: its cost per cohort is not final." in (
        early
    )
    # 12 February 2024: 4 cohorts, Red Rose's £30,000 only: 15 x £7,500.
    assert "15 × (£30,000 ÷ 4) = 15 × £7,500 = £112,500" in projected("2024-02-12")
    # 1 April 2024: the round has ended; £40,000 over 4 cohorts: 15 x £10,000.
    ended = projected("2024-04-01")
    assert "15 × (£40,000 ÷ 4) = 15 × £10,000 = £150,000" in ended
    assert "still running" not in ended


def test_the_projection_refuses_a_future_or_impossible_date(client, dated_money, signed_in_as):
    signed_in_as(Role.OFFICER)
    for day, message in (
        ("2031-01-01", "Date the figures are as at must be today or in the past"),
        ("2024-02-31", "Date the figures are as at must be a real date"),
    ):
        page = check_page(
            client.get(f"/money/projection?round={dated_money.id}&as_at={day}&basis=grant"),
            status=400,
        )
        assert error_messages(page) == [message]


def test_the_money_pages_mark_a_round_still_running(client, session, money_world, signed_in_as):
    programme_round, _, _ = money_world
    signed_in_as(Role.OFFICER)
    assert "still running" not in check_page(client.get("/money/")).get_text()
    programme_round.ends_on = utcnow().date() + dt.timedelta(days=30)
    session.commit()
    listing = " ".join(check_page(client.get("/money/")).get_text(" ").split())
    assert "£25,000 round still running: not final" in listing
    page = check_page(client.get(f"/money/rounds/{programme_round.id}"))
    assert "Cost per cohort £25,000 (round still running: not final)" in " ".join(
        page.get_text().split()
    )
