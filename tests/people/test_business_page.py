"""The business page: its people, rounds, places and support across rounds, in a fixed number
of statements; contractor leads see only their own contractors' people of it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import event

from portal import db
from portal.auth.models import Role
from portal.db_base import utcnow
from portal.registration.models import Application
from tests.fixtures.factories import delivered_booking, hold_session
from tests.fixtures.pages import check_page, table_rows


def same_business(session, places) -> int:
    """Puts every place's application under the first one's business; returns its id."""
    applications = [session.get(Application, place.application_id) for place in places]
    business_id = applications[0].business_id
    for application in applications[1:]:
        application.business_id = business_id
    session.commit()
    return business_id


def test_an_officer_sees_a_business_across_rounds(
    app, client, signed_in_as, make_group, make_round, make_user, session
):
    first = make_group(members=1)
    later_round = make_round(
        name="Round 4",
        year_label="2027-28",
        starts_on=dt.date(2027, 9, 1),
        ends_on=dt.date(2028, 8, 31),
    )
    second = make_group(members=1, programme_round=later_round)
    business_id = same_business(session, [first.places[0], second.places[0]])
    hold_session(session, first)
    coach = make_user(Role.COACH, contractors=[first.contractor], name="Colin Coach")
    delivered_booking(session, first.places[0], coach, utcnow() - dt.timedelta(days=1))
    signed_in_as(Role.OFFICER)

    seen: list[str] = []
    engine = db.engine_for(app)

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    page = check_page(client.get(f"/businesses/{business_id}"))
    event.remove(engine, "before_cursor_execute", count)
    assert page.h1.get_text(strip=True) == "Mill 1-1 Ltd"
    rows = table_rows(page, "Across rounds")
    assert [(row[0], row[1], row[4], row[5], row[6]) for row in rows] == [
        ("Round 3", first.people[0].name, "Placed", "2.5", "1"),
        ("Round 4", second.people[0].name, "Placed", "0", "0"),
    ]
    links = {a.get_text(strip=True): a["href"] for a in page.select("td a")}
    assert links[first.people[0].name] == f"/people/{first.people[0].id}"
    before = len(seen)

    hold_session(session, second)
    delivered_booking(session, second.places[0], coach, utcnow() - dt.timedelta(days=2))
    seen.clear()
    event.listen(engine, "before_cursor_execute", count)
    check_page(client.get(f"/businesses/{business_id}"))
    event.remove(engine, "before_cursor_execute", count)
    assert len(seen) == before

    person_page = check_page(client.get(f"/people/{first.people[0].id}"))
    assert person_page.find("a", string="Mill 1-1 Ltd")["href"] == f"/businesses/{business_id}"


def test_a_contractor_lead_sees_only_their_own_people_of_a_business(
    client, signed_in_as, make_group, make_contractor, session
):
    ours = make_group(members=1)
    theirs = make_group(members=1, contractor=make_contractor("Pennine Peer Learning CIC"))
    business_id = same_business(session, [ours.places[0], theirs.places[0]])
    signed_in_as(Role.CONTRACTOR_LEAD, contractors=[ours.contractor])
    page = check_page(client.get(f"/businesses/{business_id}"))
    names = [row[1] for row in table_rows(page, "Across rounds")]
    assert names == [ours.people[0].name]

    elsewhere = make_group(members=1, contractor=theirs.contractor)
    other = session.get(Application, elsewhere.places[0].application_id).business_id
    assert client.get(f"/businesses/{other}").status_code == 404
    assert client.get("/businesses/999999").status_code == 404
