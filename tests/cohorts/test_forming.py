"""Officers form cohorts: matching, proposals, moves, hand-made cohorts, confirming and offers."""

import datetime as dt

import pytest
from sqlalchemy import select

from portal.auth.models import Role
from portal.cohorts.models import Cohort, CohortStatus, Place, PlaceStatus
from portal.registration.models import Application, ApplicationStatus
from tests.fixtures.app import reload
from tests.fixtures.pages import check_page, error_messages
from tests.fixtures.tasks import follow_task


@pytest.fixture
def pool(open_round, make_application):
    """19 eligible applicants who can all meet on Tuesday mornings, online or in person."""
    return [make_application(open_round, business_name=f"Firm {n} Ltd") for n in range(19)]


@pytest.fixture
def officer(signed_in_as):
    return signed_in_as(Role.OFFICER)


def matching_answers(**overrides):
    """The matching form's answers: every goal weighted 3, the default nearby districts."""
    from portal.cohorts.forms import DEFAULT_NEAR_DISTRICTS

    return {
        "basis": "mixed",
        "delivery": "",
        "homogeneity": "3",
        "shared_issues": "3",
        "similar_size": "3",
        "no_isolation": "3",
        "near_districts": DEFAULT_NEAR_DISTRICTS,
        **overrides,
    }


def run_matching(client, programme_round, **overrides):
    answers = matching_answers(**overrides)
    started = client.submit_form(f"/cohorts/rounds/{programme_round.id}/match", answers)
    if started.status_code != 302:
        return started
    return follow_task(client, started.headers["Location"])


@pytest.fixture(autouse=True)
def matching_runs_in_the_background(task_consumer):
    """Every matching run here is a background task run by huey's consumer."""


def proposed(session):
    session.rollback()
    session.expire_all()
    found = list(session.scalars(select(Cohort).where(Cohort.status == CohortStatus.PROPOSED)))
    for cohort in found:
        assert cohort.places is not None  # loaded now, before the read ends
    session.commit()
    return found


def test_matching_proposes_cohorts_within_the_size_rules_and_waitlists_the_rest(
    client, open_round, pool, officer, session
):
    page = check_page(client.get(f"/cohorts/rounds/{open_round.id}/match"))
    assert "19 eligible people without a place" in page.get_text()
    finished = check_page(run_matching(client, open_round))
    link = finished.find("a", string="Review the proposed cohorts")
    assert link["href"] == f"/cohorts/rounds/{open_round.id}/proposals"
    assert "The matching proposed 2 cohorts placing 19 people; 0 are on the waiting list." in (
        finished.get_text(" ", strip=True)
    )
    cohorts = proposed(session)
    sizes = sorted(len([p for p in c.places if p.status == PlaceStatus.PROPOSED]) for c in cohorts)
    assert sizes == [9, 10]
    page = check_page(client.get(link["href"]))
    assert len(page.select("main h2.govuk-heading-m")) == 2


def test_a_move_that_breaks_a_rule_is_refused_with_the_reason(
    client, open_round, pool, officer, session
):
    run_matching(client, open_round)
    small, large = sorted(proposed(session), key=lambda c: len(c.places))
    mover = next(p for p in small.places if p.status == PlaceStatus.PROPOSED)
    response = client.submit_form(
        f"/cohorts/applications/{mover.application_id}/move", {"target": str(large.id)}
    )
    messages = error_messages(check_page(response, status=400))
    assert any("11 members" in m or "most is 10" in m for m in messages), messages
    assert reload(session, Place, mover.id).status == PlaceStatus.PROPOSED


def test_moving_someone_to_the_waiting_list_and_back(client, open_round, pool, officer, session):
    run_matching(client, open_round)
    _, large = sorted(proposed(session), key=lambda c: len(c.places))
    mover = next(p for p in large.places if p.status == PlaceStatus.PROPOSED)
    response = client.submit_form(
        f"/cohorts/applications/{mover.application_id}/move", {"target": "waitlist"}
    )
    assert response.status_code == 302
    assert reload(session, Application, mover.application_id).status == ApplicationStatus.WAITLISTED


def test_confirming_sends_offers_and_accepting_places_the_person(
    app, client, open_round, pool, officer, session, outbox
):
    run_matching(client, open_round)
    cohort = proposed(session)[0]
    response = client.submit_form(
        f"/cohorts/{cohort.id}/confirm",
        {"name": "Makers of Preston", "reply_days": "7"},
        from_page=f"/cohorts/{cohort.id}",
    )
    assert response.headers["Location"] == f"/cohorts/{cohort.id}"
    cohort = reload(session, Cohort, cohort.id)
    assert cohort.status == CohortStatus.CONFIRMED
    offered = [p for p in cohort.places if p.status == PlaceStatus.OFFERED]
    assert len(offered) == len(cohort.places)

    first = session.get(Application, offered[0].application_id)
    person_email = session.get(type(officer), first.person_id).email
    email = outbox.last(person_email)
    accept_link = next(link for link in outbox.links(email) if "answer=accept" in link)
    visitor = app.test_client()
    path = accept_link.split("peernetworks.example.org.uk", 1)[1]
    page = check_page(visitor.get(path))
    assert page.select_one("input[value=accept]").has_attr("checked"), (
        "opening the link answers nothing"
    )
    assert reload(session, Place, offered[0].id).status == PlaceStatus.OFFERED
    answered = visitor.submit_form(path, {"answer": "accept"})
    assert "You have accepted your place" in answered.get_data(as_text=True)
    assert reload(session, Place, offered[0].id).status == PlaceStatus.ACCEPTED
    assert reload(session, Application, first.id).status == ApplicationStatus.PLACED
    again = visitor.get(path)
    assert "You have already accepted this place" in again.get_data(as_text=True)


def test_a_decline_offers_the_place_to_the_best_suited_person_waiting(
    app, client, open_round, pool, officer, session, make_application, outbox
):
    run_matching(client, open_round)
    small = min(proposed(session), key=lambda c: len(c.places))
    client.submit_form(
        f"/cohorts/{small.id}/confirm",
        {"name": "Group A", "reply_days": "7"},
        from_page=f"/cohorts/{small.id}",
    )
    # Someone who can meet then, and someone who cannot, are waiting.
    can = make_application(open_round, business_name="Late Joiner Ltd")
    cannot = make_application(open_round, business_name="Evenings Only Ltd", slots=[(4, "evening")])
    for waiting in (can, cannot):
        waiting.status = ApplicationStatus.WAITLISTED
    session.commit()

    place = next(
        p for p in reload(session, Cohort, small.id).places if p.status == PlaceStatus.OFFERED
    )
    from portal.cohorts import offers
    from portal.db_base import utcnow

    with app.app_context():
        offers.respond_to_offer(session, session.get(Place, place.id), accept=False, now=utcnow())
        session.commit()
    new_places = session.scalars(
        select(Place).where(Place.application_id.in_([can.id, cannot.id]))
    ).all()
    assert [(p.application_id, p.status) for p in new_places] == [(can.id, PlaceStatus.OFFERED)]


def test_offers_not_answered_in_time_lapse_and_the_place_is_offered_on(
    app, client, open_round, pool, officer, session
):
    run_matching(client, open_round)
    cohort = proposed(session)[0]
    client.submit_form(
        f"/cohorts/{cohort.id}/confirm",
        {"name": "Group B", "reply_days": "3"},
        from_page=f"/cohorts/{cohort.id}",
    )
    from portal.cohorts import offers
    from portal.db_base import utcnow

    with app.app_context():
        message = offers.lapse_overdue_offers(session, utcnow() + dt.timedelta(days=4))
        session.commit()
    assert message.endswith("offers lapsed")
    statuses = {p.status for p in reload(session, Cohort, cohort.id).places}
    assert statuses == {PlaceStatus.LAPSED}


def test_a_cohort_made_by_hand_is_checked_like_any_other(
    client, open_round, pool, officer, session
):
    path = f"/cohorts/rounds/{open_round.id}/new"
    ids = [str(a.id) for a in pool[:5]]
    too_small = client.submit_form(
        path, {"members": ids, "delivery": "online", "slot": "1-morning"}
    )
    messages = error_messages(check_page(too_small, status=400))
    assert "The cohort has 5 members; the fewest is 8" in messages
    ids = [str(a.id) for a in pool[:9]]
    wrong_time = client.submit_form(
        path, {"members": ids, "delivery": "online", "slot": "4-evening"}
    )
    assert check_page(wrong_time, status=400)
    made = client.submit_form(path, {"members": ids, "delivery": "online", "slot": "1-morning"})
    assert made.status_code == 302
    cohort = proposed(session)[0]
    assert cohort.locked
    assert len(cohort.places) == 9


def test_declared_competitors_are_never_proposed_together(
    client, open_round, make_application, officer, session
):
    apps = [make_application(open_round, business_name=f"Firm {n} Ltd") for n in range(17)]
    rival = make_application(
        open_round, business_name="Rival Bakery Ltd", conflicts=[("Firm 0 Limited", "competitor")]
    )
    run_matching(client, open_round)
    for cohort in proposed(session):
        members = {p.application_id for p in cohort.places}
        assert not {apps[0].id, rival.id} <= members


def test_only_officers_form_cohorts(client, open_round, signed_in_as):
    signed_in_as(Role.FACILITATOR)
    assert client.get(f"/cohorts/rounds/{open_round.id}/match").status_code == 403


def test_officers_confirm_likely_conflicts_and_the_pair_is_kept_apart(
    client, open_round, make_application, officer, session
):
    firms = [make_application(open_round, business_name=f"Firm {n} Ltd") for n in range(16)]
    bakery = make_application(open_round, business_name="Ann's Bakery (Preston) Ltd")
    rival = make_application(
        open_round,
        business_name="Bun Shop Ltd",
        conflicts=[("Anne's Bakery Preston", "competitor")],
    )
    page = check_page(client.get(f"/cohorts/rounds/{open_round.id}/conflicts"))
    assert "Anne's Bakery Preston" in page.get_text()
    client.submit_form(
        f"/cohorts/rounds/{open_round.id}/conflicts", {"pair": f"{rival.id}-{bakery.id}"}
    )
    assert (
        "no likely conflicts"
        in check_page(client.get(f"/cohorts/rounds/{open_round.id}/conflicts")).get_text()
    )
    run_matching(client, open_round)
    for cohort in proposed(session):
        assert not {bakery.id, rival.id} <= {p.application_id for p in cohort.places}
    assert len(firms) == 16


def test_near_districts_are_shown_and_typed_as_names(client, open_round, pool, officer):
    page = check_page(client.get(f"/cohorts/rounds/{open_round.id}/match"))
    shown = page.select_one("textarea#near_districts").get_text()
    assert "Blackburn with Darwen, Ribble Valley" in shown
    assert "blackburn-with-darwen" not in shown

    typed = shown.replace("Ribble Valley", "Ribble Vally")
    response = run_matching(client, open_round, near_districts=typed)
    page = check_page(response, status=400)
    assert error_messages(page) == ["‘Ribble Vally’ is not the name of a district"]
    assert "Ribble Vally" in page.select_one("textarea#near_districts").get_text()
