"""A cohort's history on its page: changes to the cohort and to who is in it (moves in and
out, withdrawals, offers withdrawn or moved), with who, when, what and why, oldest first,
read in the same number of statements however long it is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import event

from portal.auth.models import Role
from portal.cohorts import cohort_changes, member_changes, membership
from portal.cohorts.cohort_changes import CohortDetails
from portal.cohorts.cohort_history import cohort_history
from portal.cohorts.models import Cohort
from tests.fixtures.app import reload
from tests.fixtures.factories import confirmed_group_factory
from tests.fixtures.pages import check_page, table_rows

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def make_group(session, make_round, make_application, make_user, make_contractor):
    factory = confirmed_group_factory(
        session, make_round, make_application, make_user, make_contractor
    )

    def tuesday(**fields):
        group = factory(**fields)
        group.cohort.meeting_weekday = 1
        group.cohort.start_on = dt.date(2026, 12, 15)
        session.commit()
        return group

    return tuesday


@pytest.fixture(autouse=True)
def _app_context(app) -> Iterator[None]:
    with app.app_context():
        yield


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER, name="Olu Officer")


def statements(session, read) -> int:  # type: ignore[no-untyped-def]
    """How many SQL statements ``read()`` sends."""
    seen: list[str] = []
    engine = session.get_bind()

    def count(_connection, _cursor, statement, *_rest) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        read()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_moves_and_withdrawals_show_in_the_cohorts_history_with_who_what_and_why(
    session, make_group, officer
):
    here = make_group(members=3, name="Makers of Preston")
    there = make_group(members=2, name="Makers of Lancashire")
    leaving, joining, withdrawn = here.people[0], there.people[0], here.people[1]

    member_changes.move_member(
        session, here.places[0], there.cohort, actor=officer, reason="Closer to home", now=NOW
    )
    member_changes.move_member(
        session,
        there.places[0],
        here.cohort,
        actor=officer,
        reason="Prefers Tuesdays",
        now=NOW + dt.timedelta(hours=1),
    )
    member_changes.withdraw_member(
        session,
        here.places[1],
        actor=officer,
        reason="Sold the business",
        now=NOW + dt.timedelta(hours=2),
    )
    session.commit()

    rows = cohort_history(session, reload(session, Cohort, here.cohort.id))

    assert [(r.who, r.what, r.reason) for r in rows] == [
        ("Olu Officer", f"{leaving.name} moved to Makers of Lancashire", "Closer to home"),
        ("Olu Officer", f"{joining.name} joined from Makers of Lancashire", "Prefers Tuesdays"),
        ("Olu Officer", f"{withdrawn.name} withdrawn", "Sold the business"),
    ]
    assert [r.occurred_at for r in rows] == sorted(r.occurred_at for r in rows)
    there_rows = cohort_history(session, reload(session, Cohort, there.cohort.id))
    assert [r.what for r in there_rows] == [
        f"{leaving.name} joined from Makers of Preston",
        f"{joining.name} moved to Makers of Preston",
    ]


def test_the_cohorts_own_changes_and_its_members_are_in_one_list_by_date(
    session, make_group, officer
):
    group = make_group(members=3, name="Makers of Preston")
    details = CohortDetails.of(group.cohort)
    cohort_changes.change_details(
        session,
        group.cohort,
        CohortDetails(**{**details.__dict__, "venue": "Harris Museum, Preston"}),
        actor=officer,
        reason="A bigger room",
        now=NOW,
    )
    member_changes.withdraw_member(
        session, group.places[0], actor=officer, reason="Moved away", now=NOW
    )
    session.commit()

    rows = cohort_history(session, reload(session, Cohort, group.cohort.id))

    assert [(r.what, r.reason) for r in rows] == [
        ("Details changed by an officer (venue)", "A bigger room"),
        (f"{group.people[0].name} withdrawn", "Moved away"),
    ]


def test_a_member_who_leaves_themselves_is_named_as_who_left_with_their_reason(session, make_group):
    group = make_group(members=3)
    membership.leave_cohort(session, group.places[0], reason="Too busy at work", now=NOW)
    session.commit()

    (row,) = cohort_history(session, reload(session, Cohort, group.cohort.id))

    assert (row.who, row.what, row.reason) == (
        group.people[0].name,
        f"{group.people[0].name} left the cohort",
        "Too busy at work",
    )


def test_the_history_is_read_in_three_statements_however_long_it_is(session, make_group, officer):
    few = make_group(members=3)
    many = make_group(members=6)
    elsewhere = make_group(members=2)
    member_changes.move_member(
        session, few.places[0], elsewhere.cohort, actor=officer, reason="Closer", now=NOW
    )
    for number, place in enumerate(many.places[:4]):
        later = NOW + dt.timedelta(minutes=number)
        if number % 2:
            member_changes.withdraw_member(session, place, actor=officer, reason="Left", now=later)
        else:
            member_changes.move_member(
                session, place, elsewhere.cohort, actor=officer, reason="Closer", now=later
            )
    session.commit()
    short, long = reload(session, Cohort, few.cohort.id), reload(session, Cohort, many.cohort.id)

    assert len(cohort_history(session, long)) == 4
    assert (len(short.places), len(long.places)) == (3, 6)  # the cohorts as the page has them
    assert statements(session, lambda: cohort_history(session, short)) == 3
    assert statements(session, lambda: cohort_history(session, long)) == 3


def test_the_cohort_page_shows_the_history_in_the_same_number_of_statements(
    client, session, make_group, make_user, signed_in_as, statements_of
):
    officer = signed_in_as(Role.OFFICER)
    few = make_group(members=2, name="Makers of Preston")
    many = make_group(members=6, name="Makers of Blackburn")
    elsewhere = make_group(members=1, name="Makers of Lancashire")
    for number, place in enumerate(many.places[:4]):
        member_changes.move_member(
            session,
            place,
            elsewhere.cohort,
            actor=officer,
            reason=f"Reason {number}",
            now=NOW + dt.timedelta(minutes=number),
        )
    member_changes.move_member(
        session, few.places[0], elsewhere.cohort, actor=officer, reason="Reason", now=NOW
    )
    session.commit()

    page = check_page(client.get(f"/cohorts/{many.cohort.id}"))
    rows = table_rows(page, "History of")
    assert rows[-1][1:] == [
        officer.name,
        f"{many.people[3].name} moved to Makers of Lancashire",
        "Reason 3",
    ]
    assert len(rows) == 4

    short = statements_of(lambda: client.get(f"/cohorts/{few.cohort.id}"))
    long = statements_of(lambda: client.get(f"/cohorts/{many.cohort.id}"))
    assert len(long) == len(short)
