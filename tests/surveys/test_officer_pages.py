"""Officers' survey pages: response rates by round, contractor and cohort; sending an
invitation again; keying in answers given on paper or by phone, recorded as such."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import Role
from portal.db_base import utcnow
from portal.surveys.invitations import invite_to_exit
from portal.surveys.models import ResponseMode, ResponseStatus, SurveyResponse
from tests.fixtures.factories import answer_exit
from tests.fixtures.pages import check_page, error_messages
from tests.surveys.conftest import survey_emails


@pytest.fixture
def invited_round(app, session, make_group, make_contractor):
    """Two cohorts at two contractors; 3 of 6 answered, one of them on paper."""
    now = utcnow()
    first = make_group(members=4, held=1, name="Makers of Preston")
    other = make_contractor("Pennine Peer Learning CIC")
    second = make_group(
        members=2, held=1, name="Bay growers", programme_round=first.round, contractor=other
    )
    with app.app_context():
        made = [invite_to_exit(session, p, now=now) for p in first.places + second.places]
        answer_exit(session, made[0], now=now, overall="very_satisfied")
        answer_exit(session, made[1], now=now, overall="fairly_satisfied")
        answer_exit(session, made[4], now=now, overall="neither")
    session.commit()
    return first, second, made


def table_rows(page, caption: str) -> list[list[str]]:
    table = next(
        t for t in page.select("table") if t.caption.get_text(strip=True).startswith(caption)
    )
    return [
        [" ".join(cell.get_text(" ", strip=True).split()) for cell in row.select("th, td")]
        for row in table.select("tbody tr")
    ]


def test_officers_see_response_rates_by_round_contractor_and_cohort(
    client, signed_in_as, invited_round
):
    first, _second, _made = invited_round
    signed_in_as(Role.OFFICER)
    page = check_page(client.get(f"/surveys/?round={first.round.id}&timing=exit"))
    assert table_rows(page, "Exit survey: the round") == [["All cohorts", "6", "3", "0", "50.0%"]]
    assert table_rows(page, "By contractor") == [
        ["Pennine Peer Learning CIC", "2", "1", "0", "50.0% Fewer than 5: do not publish"],
        ["Red Rose Business Growth Ltd", "4", "2", "0", "50.0% Fewer than 5: do not publish"],
    ]
    assert [row[0] for row in table_rows(page, "By cohort")] == [
        "Bay growers",
        "Makers of Preston",
    ]
    baseline = check_page(client.get(f"/surveys/?round={first.round.id}&timing=baseline"))
    assert "Nobody in this round has been invited to the baseline survey yet" in baseline.text


def test_an_officer_sends_an_invitation_again(client, signed_in_as, invited_round, outbox):
    first, _second, made = invited_round
    signed_in_as(Role.OFFICER)
    path = f"/surveys/cohorts/{first.cohort.id}"
    page = check_page(client.get(path))
    assert [r[3] for r in table_rows(page, "Survey invitations")] == [
        "Answered",
        "Answered",
        "Not started",
        "Not started",
    ]
    response = client.submit_form(f"/surveys/invitations/{made[2].id}/resend", {}, from_page=path)
    assert response.status_code == 302
    assert len(survey_emails(outbox, first.people[2])) == 2
    answered = client.submit_form(f"/surveys/invitations/{made[0].id}/resend", {}, from_page=path)
    assert "has already answered" in check_page(client.get(answered.headers["Location"])).text
    assert len(survey_emails(outbox, first.people[0])) == 1


def test_an_officer_keys_in_a_paper_form_leaving_blanks_as_skipped(
    client, session, signed_in_as, invited_round
):
    _first, _second, made = invited_round
    officer = signed_in_as(Role.OFFICER)
    invitation = made[3]
    start = f"/surveys/invitations/{invitation.id}/key-in"
    refused = client.submit_form(start, {"mode": "fax"})
    assert error_messages(check_page(refused, status=400)) == [
        "Select how the person gave their answers"
    ]
    location = client.submit_form(start, {"mode": "paper"}).headers["Location"]
    assert location.endswith(f"{start}/page/overall")
    # The overall question left blank on paper: allowed when keyed in.
    answers = {
        "overall": {},
        "group": {"facilitator_satisfaction": "very_satisfied"},
        "one-to-one": {"one_to_one_used": "no"},
        "issues-addressed": {},
        "actions": {"actions_detail": "<b>Hired</b> an apprentice"},
        "recommend": {"would_recommend": "10"},
        "improve": {},
    }
    for key, data in answers.items():
        response = client.submit_form(f"{start}/page/{key}", data)
        assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    check = check_page(client.get(f"{start}/check"))
    assert "recorded as given on paper" in check.text
    done = client.submit_form(f"{start}/check", {})
    shown = check_page(client.get(client.get(done.headers["Location"]).headers["Location"]))
    assert "On paper, keyed in by an officer" in shown.text
    assert "<b>Hired</b> an apprentice" in shown.text  # shown as typed, escaped
    assert shown.find("b") is None or shown.find("b").get_text() != "Hired"

    session.rollback()
    response = session.scalars(
        select(SurveyResponse).where(SurveyResponse.invitation_id == invitation.id)
    ).one()
    assert response.status == ResponseStatus.SUBMITTED
    assert response.mode == ResponseMode.PAPER
    assert response.keyed_in_by_id == officer.id
    assert "overall_satisfaction" not in {a.measure_code for a in response.answers}
    event = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "survey_response.submitted")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert (event.actor_id, event.on_behalf_of_id) == (officer.id, invitation.person_id)


def test_a_response_is_read_only_for_officers_once_sent(client, signed_in_as, invited_round):
    _first, _second, made = invited_round
    signed_in_as(Role.OFFICER)
    response = client.get(f"/surveys/invitations/{made[0].id}/key-in")
    assert response.status_code == 302
    assert "has already answered" in check_page(client.get(response.headers["Location"])).text
    assert client.get("/surveys/responses/999999").status_code == 404
    assert client.get("/surveys/invitations/999999/key-in").status_code == 404
