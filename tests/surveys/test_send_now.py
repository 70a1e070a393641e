"""Officers send a due survey invitation now, from the cohort's survey page: the email goes
through a real SMTP server, a second click (or a second officer) does not send it again,
and addresses that do not name a member's due survey are 404."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import Role
from portal.db_base import utcnow
from portal.notifications.sender import send_due_messages
from portal.surveys.models import SurveyInvitation
from tests.fixtures.pages import check_page
from tests.surveys.conftest import survey_emails


@pytest.fixture
def app_config(smtp_server):
    return smtp_server.mail_config()


def due_rows(page) -> list[list[str]]:
    table = next(t for t in page.select("table") if "Due and not sent" in t.caption.text)
    return [
        [cell.get_text(" ", strip=True) for cell in row.select("td")]
        for row in table.select("tbody tr")
    ]


def send_path(group, index: int = 0, timing: str = "baseline") -> str:
    return f"/surveys/cohorts/{group.cohort.id}/send-now/{group.places[index].id}/{timing}"


def test_an_officer_sends_a_due_invitation_now_and_it_arrives(
    app, client, session, make_group, signed_in_as, smtp_server, outbox
):
    group = make_group(members=2)  # accepted a day ago; the job has not run
    signed_in_as(Role.OFFICER)
    page_path = f"/surveys/cohorts/{group.cohort.id}"
    page = check_page(client.get(page_path))
    names = sorted(person.name for person in group.people)
    assert [row[:2] for row in due_rows(page)] == [[name, "Baseline"] for name in names]

    sent = client.submit_form(send_path(group), {}, from_page=page_path)
    assert sent.status_code == 302
    after = check_page(client.get(page_path))
    person = group.people[0]
    assert f"We have sent the baseline survey to {person.email}" in after.text
    assert [row[0] for row in due_rows(after)] == [group.people[1].name]

    with app.app_context():
        from portal import db

        send_due_messages(db.database(app).session(writing=True), now=utcnow() + dt.timedelta(1))
    (delivered,) = [
        m
        for m in smtp_server.messages
        if m["X-Envelope-To"] == person.email and m["Subject"].startswith("Please tell us")
    ]
    assert delivered["Subject"] == "Please tell us: Your business before Peer Networks"
    assert "/survey/" in delivered.get_body(("plain",)).get_content()

    again = client.submit_form(send_path(group), {}, from_page=page_path)
    assert again.status_code == 302
    told = check_page(client.get(page_path)).text
    assert f"The baseline survey has already been sent to {person.name}" in told
    assert len(survey_emails(outbox, person)) == 1
    session.rollback()
    events = session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "survey_invitation.created")
    )
    assert events == 1


def test_a_survey_not_due_is_not_sent(client, session, make_group, signed_in_as, outbox):
    group = make_group(members=1)
    signed_in_as(Role.OFFICER)
    page_path = f"/surveys/cohorts/{group.cohort.id}"
    client.submit_form(send_path(group, timing="exit"), {}, from_page=page_path)
    told = check_page(client.get(page_path)).text
    assert f"The exit survey is not due for {group.people[0].name}, so it was not sent" in told
    assert survey_emails(outbox, group.people[0]) == []


def test_send_now_needs_the_form_token_and_a_members_survey(
    client, session, make_group, signed_in_as, outbox
):
    group = make_group(members=1)
    other = make_group(members=1, name="Bay growers")
    signed_in_as(Role.OFFICER)
    page_path = f"/surveys/cohorts/{group.cohort.id}"

    tokenless = client.post(send_path(group))
    assert tokenless.status_code in (302, 400)
    assert survey_emails(outbox, group.people[0]) == []

    foreign = f"/surveys/cohorts/{group.cohort.id}/send-now/{other.places[0].id}/baseline"
    for path in (
        foreign,
        send_path(group, timing="midway"),
        f"/surveys/cohorts/999999/send-now/{group.places[0].id}/baseline",
        f"/surveys/cohorts/{group.cohort.id}/send-now/999999/baseline",
    ):
        assert client.submit_form(path, {}, from_page=page_path).status_code == 404
    assert session.scalar(select(func.count()).select_from(SurveyInvitation)) == 0
