"""The officers' pages for changing a confirmed or running cohort: each asks, shows a check
page, and changes only once confirmed; rules broken are listed as GOV.UK errors with the
answers kept; unknown or foreign records answer 404."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.auth.models import Role
from portal.cohorts.models import Cohort, CohortStatus, Place, PlaceStatus
from portal.registration.models import ApplicationStatus, ConflictKind
from tests.fixtures.app import reload
from tests.fixtures.factories import add_sessions, confirmed_group_factory
from tests.fixtures.pages import check_page, error_messages

FUTURE = dt.datetime(2030, 1, 8, 9, 30, tzinfo=dt.UTC)  # a Tuesday


@pytest.fixture
def make_group(session, make_round, make_application, make_user, make_contractor):
    factory = confirmed_group_factory(
        session, make_round, make_application, make_user, make_contractor
    )

    def tuesday(**fields):
        group = factory(**fields)
        group.cohort.meeting_weekday = 1
        group.cohort.start_on = dt.date(2030, 1, 8)
        session.commit()
        return group

    return tuesday


@pytest.fixture
def officer(signed_in_as):
    return signed_in_as(Role.OFFICER)


def test_the_cohort_page_links_to_every_change(client, make_group, officer):
    group = make_group(members=2)

    page = check_page(client.get(f"/cohorts/{group.cohort.id}"))

    links = {a.get_text(" ", strip=True): a["href"] for a in page.select("main a")}
    assert links["Cancel the cohort"] == f"/cohorts/{group.cohort.id}/cancel"
    assert f"/cohorts/{group.cohort.id}/change" in links.values()
    place = group.places[0]
    assert links[f"Move {group.people[0].name}"] == (
        f"/cohorts/{group.cohort.id}/members/{place.id}/move"
    )
    assert f"Withdraw {group.people[0].name}" in links


def test_an_officer_moves_a_member_after_checking_and_the_cohort_page_confirms_it(
    client, session, make_group, officer, outbox
):
    here = make_group(members=2, name="Makers of Preston")
    there = make_group(members=2, name="Growers of Preston")
    add_sessions(session, there.cohort, FUTURE, FUTURE + dt.timedelta(days=14))
    place, person = here.places[0], here.people[0]
    path = f"/cohorts/{here.cohort.id}/members/{place.id}/move"

    form = check_page(client.get(path))
    (radio,) = form.select("input[name=target]")
    hint = form.select_one(f"#{radio['aria-describedby']}").get_text(" ", strip=True)
    assert "Meets in person, Tuesday mornings, every 2 weeks. 2 of 10 places taken." in hint
    answers = {"target": str(there.cohort.id), "reason": "Closer to home"}
    check = check_page(client.submit_form(path, answers))
    assert check.h1.get_text(strip=True) == "Check the move before you confirm it"
    assert reload(session, Place, place.id).status == PlaceStatus.ACCEPTED

    done = client.submit_form(path, {**answers, "confirmed": "yes"})

    assert done.status_code == 302
    page = check_page(client.get(done.headers["Location"]))
    assert f"{person.name} moved to Growers of Preston." in page.get_text(" ", strip=True)
    assert reload(session, Place, place.id).status == PlaceStatus.MOVED
    assert outbox.last(person.email).subject == "You have moved to Growers of Preston"


def test_a_move_the_rules_refuse_lists_every_broken_rule_and_keeps_the_answers(
    client, session, make_group, make_application, officer
):
    here = make_group(members=1)
    there = make_group(members=2)
    rival = make_application(
        here.round,
        business_name="Rival Mills Ltd",
        slots=[(3, "afternoon")],
        conflicts=[("Mill 1 Ltd", ConflictKind.COMPETITOR)],
    )
    rival.status = ApplicationStatus.PLACED
    place = Place(
        cohort_id=here.cohort.id,
        application_id=rival.id,
        person_id=rival.person_id,
        status=PlaceStatus.ACCEPTED,
    )
    session.add(place)
    session.commit()
    path = f"/cohorts/{here.cohort.id}/members/{place.id}/move"

    page = check_page(
        client.submit_form(path, {"target": str(there.cohort.id), "reason": "Asked to"}),
        status=400,
    )

    errors = error_messages(page)
    assert any("cannot make Tuesday mornings" in e for e in errors)
    assert any("Rival Mills Ltd declared Mill 1 Ltd as a competitor" in e for e in errors)
    assert page.select_one("textarea[name=reason]").get_text() == "Asked to"
    assert page.title.get_text().startswith("Error: ")


def test_a_member_of_another_cohort_or_an_unknown_one_is_not_found(client, make_group, officer):
    here = make_group(members=1)
    there = make_group(members=1)

    wrong = f"/cohorts/{here.cohort.id}/members/{there.places[0].id}/move"
    assert client.get(wrong).status_code == 404
    assert client.get(f"/cohorts/{here.cohort.id}/members/999999/withdraw").status_code == 404
    assert client.get("/cohorts/999999/change").status_code == 404


def test_an_officer_withdraws_a_member_with_a_reason(client, session, make_group, officer, outbox):
    group = make_group(members=2)
    place, person = group.places[0], group.people[0]
    path = f"/cohorts/{group.cohort.id}/members/{place.id}/withdraw"

    empty = check_page(client.submit_form(path, {}), status=400)
    assert error_messages(empty) == ["Enter why they are being withdrawn"]
    check = check_page(client.submit_form(path, {"reason": "Sold the business"}))
    assert "Sold the business" in check.get_text(" ", strip=True)

    done = client.submit_form(path, {"reason": "Sold the business", "confirmed": "yes"})

    assert done.status_code == 302
    assert reload(session, Place, place.id).status == PlaceStatus.LEFT
    assert "Why: Sold the business" in outbox.last(person.email).body_text


def test_the_waiting_list_is_a_list_of_radios_with_what_officers_need_best_fit_first(
    client, session, make_group, make_application, officer
):
    group = make_group(members=2)
    for name, answers in (
        ("Rita Rival", {"conflicts": [("Mill 2 Ltd", ConflictKind.COMPETITOR)]}),
        ("Fay Fits", {}),
    ):
        application = make_application(group.round, name=name, **answers)
        application.status = ApplicationStatus.WAITLISTED
    session.commit()
    path = f"/cohorts/{group.cohort.id}/add-member"

    page = check_page(client.get(path))

    assert page.select("select") == []
    radios = page.select("input[type=radio][name=application]")
    labels = [page.select_one(f"label[for={r['id']}]").get_text(strip=True) for r in radios]
    assert labels[0].startswith("Fay Fits")
    hints = [page.select_one(f"#{r['aria-describedby']}").get_text(" ", strip=True) for r in radios]
    assert "Can meet Tuesday mornings or Thursday afternoons." in hints[0]
    assert "Format: either. Sector: Manufacturing." in hints[0]
    assert "declared Mill 2 Ltd as a competitor" in hints[1]

    refused = check_page(client.submit_form(path, {"application": radios[1]["value"]}), status=400)
    assert any("competitor" in e for e in error_messages(refused))
    check = check_page(client.submit_form(path, {"application": radios[0]["value"]}))
    assert check.h1.get_text(strip=True) == "Check the offer before you send it"
    sent = client.submit_form(path, {"application": radios[0]["value"], "confirmed": "yes"})
    assert sent.status_code == 302


def test_an_officer_changes_the_meeting_time_and_sees_it_checked_first(
    client, session, make_group, officer, outbox
):
    group = make_group(members=2)
    add_sessions(session, group.cohort, FUTURE, FUTURE + dt.timedelta(days=14))
    path = f"/cohorts/{group.cohort.id}/change"
    form = check_page(client.get(path))
    assert form.select_one("input[name=name]")["value"] == group.cohort.name
    answers = {
        "version": form.select_one("input[name=version]")["value"],
        "name": group.cohort.name,
        "slot": "3-afternoon",
        "start_time": "2pm",
        "delivery": "in_person",
        "venue": group.cohort.venue,
        "online_link": "",
        "facilitator": str(group.facilitator.id),
        "reason": "The room is booked on Tuesdays",
    }

    check = check_page(client.submit_form(path, answers))
    assert "Thursday afternoons, starting at 2pm" in check.get_text(" ", strip=True)
    back = check_page(client.submit_form(path, {**answers, "confirmed": "change"}))
    assert back.select_one("textarea[name=reason]").get_text() == answers["reason"]
    done = client.submit_form(path, {**answers, "confirmed": "yes"})

    assert done.status_code == 302
    assert "Thursday 10 January 2030, 2pm to 4:30pm" in (
        outbox.last(group.people[0].email).body_text
    )


def test_a_change_saved_over_details_someone_changed_since_is_refused_showing_them_now(
    client, session, make_group, officer, outbox
):
    group = make_group(members=2, name="Makers of Preston")
    path = f"/cohorts/{group.cohort.id}/change"
    shown = check_page(client.get(path))
    answers = {
        "version": shown.select_one("input[name=version]")["value"],
        "name": "Makers of Lancashire",
        "slot": "1-morning",
        "start_time": "9:30am",
        "delivery": group.cohort.delivery.value,
        "venue": group.cohort.venue,
        "online_link": "",
        "facilitator": str(group.facilitator.id),
        "reason": "A wider area",
    }
    emails_before = len(outbox.messages())
    # Another officer saves first: a new venue.
    group.cohort.venue = "Harris Museum, Preston"
    session.commit()

    refused = check_page(client.submit_form(path, {**answers, "confirmed": "yes"}), status=400)

    assert error_messages(refused) == [
        "Someone else changed this cohort's details while you were changing them. "
        "Check its details now, shown below, and confirm your changes again"
    ]
    assert refused.select_one(".govuk-error-summary a")["href"] == "#version"
    now_shown = refused.select_one("#version").get_text(" ", strip=True)
    assert "Harris Museum, Preston Differs from your answer" in now_shown
    assert "Makers of Preston Differs from your answer" in now_shown
    assert "In person Differs from your answer" not in now_shown
    assert refused.select_one("input[name=name]")["value"] == "Makers of Lancashire"
    assert refused.select_one("textarea[name=reason]").get_text() == "A wider area"
    assert reload(session, Cohort, group.cohort.id).name == "Makers of Preston"
    assert len(outbox.messages()) == emails_before

    # Seen now: confirming again makes the change (with the answers as they are).
    again = {**answers, "version": refused.select_one("input[name=version]")["value"]}
    again["venue"] = "Harris Museum, Preston"
    done = client.submit_form(path, {**again, "confirmed": "yes"})
    assert done.status_code == 302
    assert reload(session, Cohort, group.cohort.id).name == "Makers of Lancashire"


def test_an_officer_cancels_a_cohort_choosing_for_each_member(
    client, session, make_group, officer, outbox
):
    group = make_group(members=2, name="Makers of Preston")
    other = make_group(members=1, name="Growers of Preston")
    first, second = group.places
    path = f"/cohorts/{group.cohort.id}/cancel"
    page = check_page(client.get(path))
    assert len(page.select(f"input[name=to_{first.id}]")) == 2

    missing = check_page(client.submit_form(path, {"reason": "Too few"}), status=400)
    assert f"Select where {group.people[0].name} should go" in error_messages(missing)
    answers = {
        f"to_{first.id}": str(other.cohort.id),
        f"to_{second.id}": "waiting-list",
        "reason": "The facilitator is ill",
    }
    check = check_page(client.submit_form(path, answers))
    assert "Offered a place in Growers of Preston" in check.get_text(" ", strip=True)
    done = client.submit_form(path, {**answers, "confirmed": "yes"})

    assert done.status_code == 302
    session.expire_all()
    assert group.cohort.status == CohortStatus.CANCELLED
    assert outbox.last(group.people[1].email).subject == "Makers of Preston is cancelled"
    assert client.get(path).status_code == 404


# A participant asking to move


def test_a_participant_moves_themselves_until_the_rounds_cut_off(
    client, session, make_group, outbox
):
    from tests.fixtures.users import sign_in

    here = make_group(members=2, name="Makers of Preston")
    there = make_group(members=2, name="Growers of Preston")
    full = make_group(members=2, name="Full of Preston")
    add_sessions(session, there.cohort, FUTURE)
    here.round.members_can_move_until = dt.date(2099, 1, 31)
    here.round.cohort_size_max = 10
    session.commit()
    full.cohort.meeting_weekday = 4  # a time its members' applications cannot make
    session.commit()
    person = here.people[0]
    sign_in(client, person)

    home = check_page(client.get("/my-cohort/"))
    assert home.find("a", string="move to another group")["href"] == "/my-cohort/move"
    page = check_page(client.get("/my-cohort/move"))
    labels = [label.get_text(strip=True) for label in page.select("label.govuk-radios__label")]
    assert labels == ["Growers of Preston"]
    check = check_page(client.submit_form("/my-cohort/move", {"target": str(there.cohort.id)}))
    assert "You join Growers of Preston" in check.get_text(" ", strip=True)

    done = client.submit_form(
        "/my-cohort/move", {"target": str(there.cohort.id), "confirmed": "yes"}
    )

    assert done.status_code == 302
    moved = check_page(client.get("/my-cohort/"))
    assert moved.h1.get_text(strip=True) == "Growers of Preston"
    assert "You have moved to Growers of Preston." in moved.get_text(" ", strip=True)
    assert "As you asked, you have moved" in outbox.last(person.email).body_text


def test_after_the_cut_off_the_page_says_to_contact_the_growth_hub(client, session, make_group):
    from tests.fixtures.users import sign_in

    group = make_group(members=1)
    make_group(members=1)
    group.round.members_can_move_until = dt.date(2020, 1, 31)
    session.commit()
    sign_in(client, group.people[0])

    page = check_page(client.get("/my-cohort/move"))

    text = page.get_text(" ", strip=True)
    assert "contact the Growth Hub's team" in text
    assert page.select("input[type=radio]") == []
    refused = client.post(
        "/my-cohort/move",
        data={"csrf_token": client.csrf_token_from("/my-cohort/"), "target": "1"},
    )
    assert refused.status_code == 200
    assert group.places[0].status == PlaceStatus.ACCEPTED
