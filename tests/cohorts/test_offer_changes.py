"""Officers withdrawing or moving an open offer (made, not yet accepted): a withdrawn offer
ends as a decline does (the place offered on, the person emailed, the links dead); a moved
offer is a new offer in the other cohort with the same reply-by date, the rules checked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from portal.auth.models import Role
from portal.cohorts import offer_changes, offers
from portal.cohorts.cohort_history import cohort_history
from portal.cohorts.models import Cohort, Place, PlaceStatus
from portal.cohorts.services import CohortError
from portal.registration.models import Application, ApplicationStatus
from tests.fixtures.app import reload
from tests.fixtures.factories import confirmed_group_factory
from tests.fixtures.pages import check_page, error_messages

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
REPLY_BY = dt.date(2026, 12, 6)
TOKEN = "the-offer-emails-token"


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


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER, name="Olu Officer")


def open_offer(session, place: Place) -> Place:
    """Turn an accepted place back into an offer not yet answered, with a known link."""
    place.status = PlaceStatus.OFFERED
    place.offered_at = NOW - dt.timedelta(days=1)
    place.reply_by = REPLY_BY
    place.accepted_at = None
    place.offer_token_hash = offers.token_hash(TOKEN)
    application = session.get(Application, place.application_id)
    application.status = ApplicationStatus.OFFERED
    session.commit()
    return place


def waiting(session, make_application, programme_round, **answers) -> Application:
    application = make_application(programme_round, **answers)
    application.status = ApplicationStatus.WAITLISTED
    session.commit()
    return application


class TestWithdrawingAnOffer:
    @pytest.fixture(autouse=True)
    def _app_context(self, app) -> Iterator[None]:
        with app.app_context():
            yield

    def test_the_place_goes_to_the_best_fit_waiting_and_the_person_is_emailed(
        self, session, make_group, make_application, officer, outbox
    ):
        group = make_group(members=3)
        place = open_offer(session, group.places[0])
        next_in_line = waiting(session, make_application, group.round, name="Fay Fits")

        offered = offer_changes.withdraw_offer(
            session, place, actor=officer, reason="They have sold the business", now=NOW
        )
        session.commit()

        assert reload(session, Place, place.id).status == PlaceStatus.WITHDRAWN
        application = reload(session, Application, place.application_id)
        assert application.status == ApplicationStatus.WITHDRAWN
        assert offered is not None
        assert offered.application_id == next_in_line.id
        assert reload(session, Place, offered.id).status == PlaceStatus.OFFERED
        email = outbox.last(group.people[0].email)
        assert email.subject == f"Your offer of a place in {group.cohort.name} is withdrawn"
        assert "Why: They have sold the business" in email.body_text
        rows = cohort_history(session, reload(session, Cohort, group.cohort.id))
        assert [(r.who, r.what, r.reason) for r in rows] == [
            (
                "Olu Officer",
                f"{group.people[0].name}'s offer withdrawn",
                "They have sold the business",
            )
        ]

    def test_an_offer_answered_already_is_not_withdrawn(self, session, make_group, officer):
        group = make_group(members=2)
        place = group.places[0]  # accepted

        with pytest.raises(CohortError, match="no longer has an open offer"):
            offer_changes.withdraw_offer(session, place, actor=officer, reason="x", now=NOW)

        assert reload(session, Place, place.id).status == PlaceStatus.ACCEPTED


class TestMovingAnOffer:
    @pytest.fixture(autouse=True)
    def _app_context(self, app) -> Iterator[None]:
        with app.app_context():
            yield

    def test_a_new_offer_in_the_other_cohort_keeps_the_reply_by_date(
        self, session, make_group, make_application, officer, outbox
    ):
        here = make_group(members=3, name="Makers of Preston")
        there = make_group(members=2, name="Makers of Lancashire")
        place = open_offer(session, here.places[0])
        person = here.people[0]
        next_in_line = waiting(session, make_application, here.round, name="Fay Fits")

        moved = offer_changes.move_offer(
            session, place, there.cohort, actor=officer, reason="Nearer their work", now=NOW
        )
        session.commit()

        assert reload(session, Place, place.id).status == PlaceStatus.MOVED
        new = reload(session, Place, moved.id)
        assert (new.cohort_id, new.status, new.reply_by) == (
            there.cohort.id,
            PlaceStatus.OFFERED,
            REPLY_BY,
        )
        subjects = [m.subject for m in outbox.messages(person.email)][-2:]
        assert subjects[0] == "Your offer is now of a place in Makers of Lancashire"
        assert subjects[1] == "You have been offered a place in a Peer Networks group"
        new_offer = outbox.last(person.email).body_text
        assert "Makers of Lancashire" in new_offer
        assert "Sunday 6 December 2026" in new_offer
        refilled = [p for p in reload(session, Cohort, here.cohort.id).places if p.offered_at]
        assert next_in_line.id in {p.application_id for p in refilled}
        here_rows = cohort_history(session, reload(session, Cohort, here.cohort.id))
        there_rows = cohort_history(session, reload(session, Cohort, there.cohort.id))
        assert [r.what for r in here_rows] == [
            f"{person.name}'s offer moved to Makers of Lancashire"
        ]
        assert [r.what for r in there_rows] == [
            f"{person.name} offered a place, moved from Makers of Preston"
        ]

    def test_a_move_the_rules_refuse_changes_nothing(
        self, session, make_group, make_application, officer, outbox
    ):
        here = make_group(members=2)
        there = make_group(members=2)
        place = open_offer(session, here.places[0])
        here.round.cohort_size_min = here.round.cohort_size_max = 2  # the other cohort is full
        session.commit()
        before = len(outbox.messages())

        with pytest.raises(CohortError) as refused:
            offer_changes.move_offer(
                session, place, there.cohort, actor=officer, reason="x", now=NOW
            )

        assert refused.value.problems
        assert any("3 members" in problem for problem in refused.value.problems)
        session.rollback()
        assert reload(session, Place, place.id).status == PlaceStatus.OFFERED
        assert len(outbox.messages()) == before


# The pages


def test_an_officer_withdraws_an_open_offer_from_the_cohort_page(
    client, session, make_group, make_application, signed_in_as, outbox
):
    signed_in_as(Role.OFFICER)
    group = make_group(members=3)
    place = open_offer(session, group.places[0])
    person = group.people[0]
    waiting(session, make_application, group.round, name="Fay Fits")

    page = check_page(client.get(f"/cohorts/{group.cohort.id}"))
    links = {a.get_text(" ", strip=True): a["href"] for a in page.select("main a")}
    path = links[f"Withdraw the offer to {person.name}"]
    assert path == f"/cohorts/{group.cohort.id}/members/{place.id}/withdraw"
    assert f"Move the offer to {person.name}" in links

    asked = check_page(client.get(path))
    assert asked.h1.get_text(strip=True) == f"Withdraw the offer to {person.name}"
    empty = check_page(client.submit_form(path, {}), status=400)
    assert error_messages(empty) == ["Enter why the offer is being withdrawn"]
    check = check_page(client.submit_form(path, {"reason": "No longer trading"}))
    assert check.h1.get_text(strip=True) == (
        "Check the withdrawal of the offer before you confirm it"
    )
    done = client.submit_form(path, {"reason": "No longer trading", "confirmed": "yes"})

    assert done.status_code == 302
    assert reload(session, Place, place.id).status == PlaceStatus.WITHDRAWN
    assert "Why: No longer trading" in outbox.last(person.email).body_text
    assert client.get(path).status_code == 404  # no longer open
    old_link = check_page(client.get(f"/offers/{TOKEN}?answer=accept"))
    assert old_link.h1.get_text(strip=True) == "This offer has been withdrawn"


def test_an_officer_moves_an_open_offer_and_a_declined_one_is_not_found(
    client, session, make_group, signed_in_as, outbox
):
    signed_in_as(Role.OFFICER)
    here = make_group(members=2)
    there = make_group(members=2, name="Makers of Lancashire")
    place = open_offer(session, here.places[0])
    path = f"/cohorts/{here.cohort.id}/members/{place.id}/move"
    answers = {"target": str(there.cohort.id), "reason": "Nearer their work"}

    asked = check_page(client.get(path))
    assert asked.h1.get_text(strip=True) == (
        f"Move the offer to {here.people[0].name} to another cohort"
    )
    check = check_page(client.submit_form(path, answers))
    assert check.h1.get_text(strip=True) == "Check the move of the offer before you confirm it"
    done = client.submit_form(path, {**answers, "confirmed": "yes"})

    assert done.status_code == 302
    old_link = check_page(client.get(f"/offers/{TOKEN}?answer=accept"))
    assert old_link.h1.get_text(strip=True) == "Your offer or place has moved to another group"
    moved = [p for p in reload(session, Cohort, there.cohort.id).places if p.offered_at]
    assert [(p.application_id, p.reply_by) for p in moved] == [(place.application_id, REPLY_BY)]
    declined = here.places[1]
    declined.status = PlaceStatus.DECLINED
    session.commit()
    assert client.get(f"/cohorts/{here.cohort.id}/members/{declined.id}/move").status_code == 404
    assert (
        client.get(f"/cohorts/{here.cohort.id}/members/{declined.id}/withdraw").status_code == 404
    )
