"""1:1 hours delivered (figures.md's definition, as at a date) and the officers' and contractor
leads' report with its CSV and XLSX downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from portal.auth.models import Role
from portal.coaching import hours
from portal.coaching.models import (
    Booking,
    BookingStatus,
    LocationType,
    OutsideSupport,
    SupportChannel,
)
from tests.fixtures.factories import cohort_of, place_in, set_up_coach
from tests.fixtures.pages import check_page
from tests.fixtures.users import sign_in

UTC = dt.UTC
START = dt.datetime(2026, 10, 5, 10, 0, tzinfo=UTC)


def add_booking(
    session,
    world,
    place,
    *,
    coach=None,
    day=0,
    status,
    minutes=60,
    delivered=None,
    late=False,
    contractor=None,
):  # type: ignore[no-untyped-def]
    starts_at = START + dt.timedelta(days=day)
    coach = coach or world.coach
    booking = Booking(
        round_id=world.round.id,
        place_id=place.id,
        participant_id=place.person_id,
        coach_id=coach.id,
        contractor_id=(contractor or world.contractor).id,
        support_type="coaching",
        topic='=HYPERLINK("https://evil.example")',
        location_type=LocationType.VIDEO,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=minutes),
        blocked_from=starts_at,
        blocked_until=starts_at + dt.timedelta(minutes=minutes),
        status=status,
        delivered_minutes=delivered,
        late_cancellation=late,
    )
    session.add(booking)
    return booking


@pytest.fixture
def history(session, coaching, make_user, make_contractor):  # type: ignore[no-untyped-def]
    """Two participants of one contractor's cohort, a third in another contractor's cohort
    (same round, any coach), and a spread of bookings and outside support."""
    from portal.rounds.models import CoachPool

    world = coaching(people=2, coach_pool=CoachPool.ALL)
    first, second = world.places
    other_contractor = make_contractor("Pennine Peer Learning CIC")
    other_coach = make_user(Role.COACH, name="Chloe Coach", contractors=[other_contractor])
    set_up_coach(session, other_coach)
    other_cohort = cohort_of(session, world.round, other_contractor)
    elsewhere = make_user(Role.PARTICIPANT, name="=cmd|' /C calc'!A0")
    third = place_in(session, other_cohort, elsewhere)
    add_booking(session, world, first, day=0, status=BookingStatus.DELIVERED, delivered=75)
    add_booking(session, world, first, day=1, status=BookingStatus.NO_SHOW)
    add_booking(session, world, first, day=2, status=BookingStatus.CANCELLED, late=True)
    add_booking(session, world, second, day=3, status=BookingStatus.CANCELLED)
    add_booking(session, world, second, day=40, status=BookingStatus.BOOKED, minutes=90)
    add_booking(
        session,
        world,
        third,
        coach=other_coach,
        contractor=other_contractor,
        day=5,
        status=BookingStatus.DELIVERED,
        delivered=60,
    )
    session.add(
        OutsideSupport(
            round_id=world.round.id,
            place_id=second.id,
            participant_id=second.person_id,
            coach_id=world.coach.id,
            contractor_id=world.contractor.id,
            support_type="advice",
            channel=SupportChannel.EMAIL,
            happened_on=dt.date(2026, 10, 20),
            minutes=20,
        )
    )
    session.commit()
    world.other_contractor = other_contractor
    world.third = third
    return world


def test_hours_delivered_are_actual_minutes_plus_outside_support_over_sixty(session, history):
    by_place = hours.one_to_one_minutes_by_place(session, round_id=history.round.id)
    first, second = history.places
    assert by_place == {first.id: 75, second.id: 20, history.third.id: 60}
    assert hours.one_to_one_hours_delivered(session, round_id=history.round.id) == Decimal("2.58")
    # As at a date: only what had happened by then.
    as_at = dt.datetime(2026, 10, 6, 12, tzinfo=UTC)
    assert hours.one_to_one_minutes_by_place(session, round_id=history.round.id, as_at=as_at) == {
        first.id: 75
    }
    assert hours.hours_from_minutes(50) == Decimal("0.83")
    assert hours.hours_from_minutes(1) == Decimal("0.02")  # 0.0166.. half up


def test_only_officers_and_contractor_leads_see_the_report(client, history):
    sign_in(client, history.coach)
    assert client.get("/one-to-one-support/").status_code == 403
    sign_in(client, history.people[0])
    assert client.get("/one-to-one-support/export.csv").status_code == 403


@pytest.fixture
def officer(make_user):  # type: ignore[no-untyped-def]
    return make_user(Role.OFFICER)


def rows_of(page):  # type: ignore[no-untyped-def]
    return [
        [" ".join(cell.get_text().split()) for cell in row.select("th, td")]
        for row in page.select("tbody tr")
    ]


def test_the_report_groups_hours_four_ways_for_officers(client, history, officer):
    sign_in(client, officer)
    query = f"round_id={history.round.id}"
    page = check_page(client.get(f"/one-to-one-support/?{query}&by=participant"))
    rows = rows_of(page)
    assert ["Priya Participant 1", history.cohort.name, "1", "2.00", "1.25", "1", "1"] in rows
    assert ["Priya Participant 2", history.cohort.name, "1", "1.50", "0.33", "0", "0"] in rows
    assert rows[-1] == ["Total", "", "3", "4.50", "2.58", "1", "1"]

    rows = rows_of(check_page(client.get(f"/one-to-one-support/?{query}&by=contractor")))
    assert rows == [
        ["Pennine Peer Learning CIC", "1", "1.00", "1.00", "0", "0"],
        ["Red Rose Business Growth Ltd", "2", "3.50", "1.58", "1", "1"],
        ["Total", "3", "4.50", "2.58", "1", "1"],
    ]
    rows = rows_of(check_page(client.get(f"/one-to-one-support/?{query}&by=coach")))
    assert rows[0][:2] == ["Chloe Coach", "Pennine Peer Learning CIC"]
    rows = rows_of(check_page(client.get(f"/one-to-one-support/?{query}&by=cohort")))
    assert [
        history.cohort.name,
        "Red Rose Business Growth Ltd",
        "2",
        "3.50",
        "1.58",
        "1",
        "1",
    ] in rows


def test_a_contractor_lead_sees_only_their_own_contractors_support(client, history, make_user):
    lead = make_user(Role.CONTRACTOR_LEAD, contractors=[history.other_contractor])
    sign_in(client, lead)
    page = check_page(
        client.get(f"/one-to-one-support/?round_id={history.round.id}&by=participant")
    )
    rows = rows_of(page)
    assert [r[0] for r in rows] == ["=cmd|' /C calc'!A0", "Total"]
    assert rows[-1] == ["Total", "", "1", "1.00", "1.00", "0", "0"]
    assert "Priya" not in page.get_text()


def test_downloads_hold_what_the_page_shows_and_run_nothing(client, history, officer):
    sign_in(client, officer)
    query = f"round_id={history.round.id}&by=participant"
    response = client.get(f"/one-to-one-support/export.csv?{query}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == [
        "Participant",
        "Cohort",
        "People supported",
        "1:1 hours booked",
        "1:1 hours delivered",
        "No-shows",
        "Late cancellations",
    ]
    assert [r[0] for r in rows if "calc" in r[0]] == ["'=cmd|' /C calc'!A0"]
    assert rows[-1] == ["Total", "", "3", "4.50", "2.58", "1", "1"]

    response = client.get(f"/one-to-one-support/export.xlsx?{query}")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[-1][:5] == ["Total", None, 3, 4.5, 2.58]
    assert all(not str(v).startswith("=") for row in values for v in row if v is not None)
    assert client.get(f"/one-to-one-support/export.pdf?{query}").status_code == 404


def test_a_bad_filter_is_answered_with_400_not_an_error(client, history, officer):
    sign_in(client, officer)
    check_page(client.get("/one-to-one-support/?round_id=nonsense&by=everything"), status=400)
    check_page(client.get("/one-to-one-support/"))
