"""Names and businesses on staff pages link to the person's and the business's page, for the
staff who may open them."""

from __future__ import annotations

import datetime as dt

from portal.auth.models import Role
from portal.db_base import utcnow
from portal.registration.models import Application
from portal.surveys.models import SurveyTiming
from tests.fixtures.factories import (
    delivered_booking,
    hold_session,
    submitted_case_study,
    survey_invitation,
)
from tests.fixtures.pages import check_page


def links_of(page) -> set[str]:
    return {a["href"] for a in page.select("main a[href]")}


def test_names_and_businesses_link_to_their_pages(
    client, signed_in_as, make_group, make_user, session
):
    group = make_group(members=2)
    hold_session(session, group)
    coach = make_user(Role.COACH, contractors=[group.contractor])
    delivered_booking(session, group.places[0], coach, utcnow() - dt.timedelta(days=1))
    person = group.people[0]
    business_id = session.get(Application, group.places[0].application_id).business_id
    mine = {f"/people/{person.id}", f"/businesses/{business_id}"}
    round_id = group.round.id

    signed_in_as(Role.OFFICER)
    assert mine <= links_of(check_page(client.get(f"/applicants/?round={round_id}")))
    assert mine <= links_of(check_page(client.get(f"/cohorts/{group.cohort.id}")))
    records = f"/outcomes/{round_id}/records/participants"
    assert mine <= links_of(check_page(client.get(records)))
    report = f"/one-to-one-support/?round_id={round_id}&by=participant"
    assert f"/people/{person.id}" in links_of(check_page(client.get(report)))
    survey_invitation(session, group.places[0], SurveyTiming.BASELINE)
    surveys = f"/surveys/cohorts/{group.cohort.id}"
    assert f"/people/{person.id}" in links_of(check_page(client.get(surveys)))
    submitted_case_study(session, group.places[0], "How a mill found its apprentices")
    assert f"/people/{person.id}" in links_of(check_page(client.get("/case-studies/")))


def test_contractor_leads_get_links_and_administrators_do_not(
    client, signed_in_as, make_group, session
):
    group = make_group(members=1, held=1)
    person = group.people[0]
    records = f"/outcomes/{group.round.id}/records/participants"

    signed_in_as(Role.CONTRACTOR_LEAD, contractors=[group.contractor])
    assert f"/people/{person.id}" in links_of(check_page(client.get(records)))
    assert client.get(f"/people/{person.id}").status_code == 200

    signed_in_as(Role.ADMIN)
    page = check_page(client.get(records))
    assert person.name in page.get_text()
    assert f"/people/{person.id}" not in links_of(page)
