"""The round functions other features call: finding the current round, changing settings."""

import datetime as dt

import pytest
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from portal.audit.models import AuditEvent
from portal.rounds import services
from portal.rounds.demo import load_demo_rounds
from portal.rounds.models import Round, RoundStatus

TODAY = dt.date(2026, 11, 26)


def a_round(make_round, name, starts_on, ends_on, status):
    return make_round(
        name=name,
        year_label=f"{starts_on.year}-{(starts_on.year + 1) % 100:02d}",
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
    )


def test_the_current_round_is_the_open_round_running_today(session, make_round):
    a_round(make_round, "Round 2", dt.date(2021, 6, 1), dt.date(2022, 3, 31), RoundStatus.OPEN)
    running = a_round(
        make_round, "Round 3", dt.date(2026, 9, 1), dt.date(2027, 3, 31), RoundStatus.OPEN
    )
    a_round(make_round, "Round 4", dt.date(2027, 9, 1), dt.date(2028, 3, 31), RoundStatus.OPEN)
    assert services.current_round(session, TODAY).id == running.id


def test_without_a_running_round_the_next_open_one_is_current_then_the_latest(session, make_round):
    later = a_round(
        make_round, "Round 5", dt.date(2028, 9, 1), dt.date(2029, 3, 31), RoundStatus.OPEN
    )
    sooner = a_round(
        make_round, "Round 4", dt.date(2027, 9, 1), dt.date(2028, 3, 31), RoundStatus.OPEN
    )
    assert services.current_round(session, TODAY).id == sooner.id
    assert services.current_round(session, dt.date(2030, 1, 1)).id == later.id


def test_closed_and_planned_rounds_are_never_current(session, make_round):
    assert services.current_round(session, TODAY) is None
    a_round(make_round, "Round 3", dt.date(2026, 9, 1), dt.date(2027, 3, 31), RoundStatus.CLOSED)
    a_round(make_round, "Round 4", dt.date(2026, 10, 1), dt.date(2027, 3, 31), RoundStatus.PLANNED)
    assert services.current_round(session, TODAY) is None


def test_rounds_come_earliest_first_and_an_unknown_id_is_not_found(session, make_round):
    a_round(make_round, "Round 2", dt.date(2021, 6, 1), dt.date(2022, 3, 31), RoundStatus.CLOSED)
    a_round(make_round, "Round 1", dt.date(2020, 9, 1), dt.date(2021, 3, 31), RoundStatus.CLOSED)
    assert [r.name for r in services.rounds_by_start(session)] == ["Round 1", "Round 2"]
    with pytest.raises(NotFound):
        services.get_round(session, 404_404)


def test_settings_change_through_one_function_that_names_what_changed(session, make_round):
    made = make_round()
    changed = services.update_round_settings(
        session,
        made,
        None,
        cohort_size_max=11,
        cohort_size_min=8,
        survey_reminder_days=(5, 10),
        status=RoundStatus.OPEN,
    )
    session.commit()
    assert changed == ["cohort_size_max", "status", "survey_reminder_days"]
    assert made.survey_reminder_days == [5, 10]
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "round.settings_changed")
    ).one()
    assert event.fields == changed
    assert event.actor_id is None

    assert services.update_round_settings(session, made, None, cohort_size_max=11) == []
    with pytest.raises(TypeError, match="Not a round setting: colour"):
        services.update_round_settings(session, made, None, colour="blue")
    with pytest.raises(TypeError):
        services.update_round_settings(session, made, None, id=7)


def test_a_taken_name_is_a_domain_error_and_leaves_the_session_usable(session, make_round):
    make_round(name="Round 1", year_label="2020-21")
    second = make_round(name="Round 2")
    with pytest.raises(services.DuplicateRoundName):
        services.update_round_settings(session, second, None, name="Round 1")
    with pytest.raises(services.DuplicateRoundName):
        make_round(name="Round 2")
    session.rollback()
    assert sorted(session.scalars(select(Round.name))) == ["Round 1", "Round 2"]


@pytest.mark.parametrize(
    ("pence", "shown"),
    [(43_200_000, "£432,000"), (0, "£0"), (49, "£0"), (50, "£1"), (123_456_750, "£1,234,568")],
)
def test_money_is_shown_in_whole_pounds_rounding_half_up(pence, shown):
    assert services.whole_pounds(pence) == shown


def test_the_demo_rounds_load_once_and_round_3_is_current(session, reference_data):
    assert load_demo_rounds(session) == 3
    session.commit()
    assert load_demo_rounds(session) == 0
    rounds = {r.name: r for r in services.rounds_by_start(session)}
    assert list(rounds) == ["Round 1", "Round 2", "Round 3"]
    assert rounds["Round 1"].grant_pence == 43_200_000
    assert rounds["Round 1"].funder == "Department for Business, Energy and Industrial Strategy"
    assert rounds["Round 2"].grant_pence == 39_000_000
    assert rounds["Round 2"].starts_on == dt.date(2021, 6, 1)
    assert rounds["Round 3"].status is RoundStatus.OPEN
    assert services.current_round(session, TODAY).name == "Round 3"
