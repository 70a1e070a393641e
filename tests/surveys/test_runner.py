"""Answering a survey from the emailed link: pages, save and return, check answers, sending
once, and the link opening that person's survey and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import Role
from portal.db_base import utcnow
from portal.surveys.invitations import invite_to_exit
from portal.surveys.models import (
    ResponseStatus,
    SurveyAnswer,
    SurveyLink,
    SurveyResponse,
    SurveyTiming,
)
from tests.fixtures.app import reload
from tests.fixtures.pages import check_page, error_messages
from tests.fixtures.users import sign_in
from tests.surveys.conftest import survey_path

EXIT_ANSWERS = {
    "overall": {"overall_satisfaction": "very_satisfied"},
    "group": {"facilitator_satisfaction": "fairly_satisfied", "sessions_satisfaction": "neither"},
    "one-to-one": {"one_to_one_used": "no"},
    "issues-addressed": {"issues_addressed": ["staffing", "exporting"]},
    "actions": {"actions_taken": ["new_plan"], "actions_detail": ""},
    "recommend": {"would_recommend": "9"},
    "improve": {"improvements": ""},
}


@pytest.fixture
def invited(app, session, make_group, outbox):
    """One member of a group invited to the exit survey; returns (person, link path)."""
    group = make_group(members=1, held=1)
    with app.app_context():
        invite_to_exit(session, group.places[0], now=utcnow())
    session.commit()
    person = group.people[0]
    return person, survey_path(outbox, person)


def answer(client, path: str, page: str, data: dict) -> str:
    response = client.submit_form(f"{path}/page/{page}", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response.headers["Location"]


def start(client, path: str) -> str:
    response = client.submit_form(path, {})
    assert response.status_code == 302
    return response.headers["Location"]


def test_opening_the_link_shows_what_answers_are_for_and_changes_nothing(client, session, invited):
    _person, path = invited
    page = check_page(client.get(path))
    assert page.h1.get_text(strip=True) == "How Peer Networks went for you"
    assert "Only officers of the Growth Hub read what you write" in page.get_text()
    session.rollback()
    assert session.scalar(select(func.count()).select_from(SurveyResponse)) == 0


def test_a_person_answers_over_two_visits_and_sends_once(client, app, session, invited):
    person, path = invited
    assert start(client, path).endswith(f"{path}/page/overall")
    answer(client, path, "overall", EXIT_ANSWERS["overall"])
    answer(client, path, "group", EXIT_ANSWERS["group"])

    # Later, in another browser: the link resumes at the first page not answered.
    later = app.test_client()
    page = check_page(later.get(path))
    assert "Your answers so far are saved" in page.get_text()
    assert start(later, path).endswith(f"{path}/page/one-to-one")
    for key in ("one-to-one", "issues-addressed", "actions", "recommend"):
        answer(later, path, key, EXIT_ANSWERS[key])
    assert answer(later, path, "improve", EXIT_ANSWERS["improve"]).endswith(
        f"{path}/check-your-answers"
    )

    check = check_page(later.get(f"{path}/check-your-answers"))
    text = check.get_text(" ", strip=True)
    assert "Very satisfied" in text
    assert "Staffing and recruitment" in text
    assert "How satisfied are you with your one-to-one support?" not in text  # not asked

    token = later.csrf_token_from(f"{path}/check-your-answers")
    first = later.post(f"{path}/check-your-answers", data={"csrf_token": token})
    second = later.post(f"{path}/check-your-answers", data={"csrf_token": token})  # double click
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"].endswith(f"{path}/sent")
    assert second.headers["Location"].endswith(f"{path}/sent")

    session.rollback()
    response = session.scalars(select(SurveyResponse)).one()
    assert response.status == ResponseStatus.SUBMITTED
    submitted = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "survey_response.submitted")
    ).all()
    assert len(submitted) == 1
    assert submitted[0].actor_id == person.id
    answers = {a.measure_code: a for a in response.answers}
    assert answers["overall_satisfaction"].choice == "very_satisfied"
    assert answers["overall_satisfaction"].timing == SurveyTiming.EXIT
    assert answers["issues_addressed"].choices == ["staffing", "exporting"]
    assert int(answers["would_recommend"].number) == 9
    assert "improvements" not in answers  # skipped: no row
    session.commit()

    sent = check_page(later.get(f"{path}/sent"))
    assert "Your answers cannot be changed now" in sent.get_text()
    assert not sent.select("form")[1:], "the sent page has no forms but sign-out"


def test_a_sent_response_cannot_be_changed_from_another_tab_or_a_replay(client, session, invited):
    _person, path = invited
    start(client, path)
    for key, data in EXIT_ANSWERS.items():
        answer(client, path, key, data)
    token = client.csrf_token_from(f"{path}/page/overall")  # a tab left open on page one
    client.submit_form(f"{path}/check-your-answers", {})
    replay = client.post(
        f"{path}/page/overall",
        data={"csrf_token": token, "overall_satisfaction": "very_dissatisfied"},
    )
    assert replay.status_code == 302
    assert replay.headers["Location"].endswith(f"{path}/sent")
    session.rollback()
    overall = session.scalars(
        select(SurveyAnswer).where(SurveyAnswer.measure_code == "overall_satisfaction")
    ).one()
    assert overall.choice == "very_satisfied"
    assert client.get(path).headers["Location"].endswith(f"{path}/sent")


def test_required_answers_and_tampered_values_get_messages_and_keep_what_was_typed(
    client, session, invited
):
    _person, path = invited
    start(client, path)
    missing = client.submit_form(f"{path}/page/overall", {})
    page = check_page(missing, status=400)
    assert error_messages(page) == ["Select how satisfied you are with Peer Networks overall"]

    tampered = client.submit_form(f"{path}/page/overall", {"overall_satisfaction": "ecstatic"})
    assert error_messages(check_page(tampered, status=400)) == ["Select an answer from the list"]

    answer(client, path, "overall", EXIT_ANSWERS["overall"])
    answer(client, path, "group", EXIT_ANSWERS["group"])
    answer(client, path, "one-to-one", EXIT_ANSWERS["one-to-one"])
    both = client.submit_form(
        f"{path}/page/issues-addressed", {"issues_addressed": ["none", "staffing"]}
    )
    assert error_messages(check_page(both, status=400)) == [
        "Select ‘None of these’ or other answers, not both"
    ]
    answer(client, path, "issues-addressed", EXIT_ANSWERS["issues-addressed"])
    long_words = "<script>alert(1)</script> " + "x" * 1500
    too_long = client.submit_form(
        f"{path}/page/actions", {"actions_taken": ["new_plan"], "actions_detail": long_words}
    )
    page = check_page(too_long, status=400)
    assert error_messages(page) == ["Your answer must be 1,500 characters or fewer"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in too_long.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in too_long.get_data(as_text=True)

    assert client.get(f"{path}/page/no-such-page").status_code == 404
    session.rollback()
    assert session.scalar(select(func.count()).select_from(SurveyAnswer)) == 5


def test_a_changed_answer_drops_answers_that_no_longer_apply(client, session, invited):
    _person, path = invited
    start(client, path)
    answer(client, path, "overall", EXIT_ANSWERS["overall"])
    answer(client, path, "group", EXIT_ANSWERS["group"])
    following = answer(client, path, "one-to-one", {"one_to_one_used": "yes"})
    assert following.endswith(f"{path}/page/one-to-one-satisfaction")
    answer(client, path, "one-to-one-satisfaction", {"one_to_one_satisfaction": "very_satisfied"})
    back = client.submit_form(f"{path}/page/one-to-one?change=1", {"one_to_one_used": "no"})
    assert back.headers["Location"].endswith(f"{path}/check-your-answers")
    session.rollback()
    codes = set(session.scalars(select(SurveyAnswer.measure_code)))
    assert "one_to_one_satisfaction" not in codes
    # The page that no longer applies sends the person on.
    assert client.get(f"{path}/page/one-to-one-satisfaction").status_code == 302


def test_unknown_expired_and_someone_elses_links_are_refused_clearly(
    app, client, session, invited, make_user
):
    _person, path = invited
    unknown = check_page(client.get("/survey/not-a-real-link"), status=404)
    assert unknown.h1.get_text(strip=True) == "This link does not work"

    someone = make_user(Role.PARTICIPANT)
    other = app.test_client()
    sign_in(other, someone)
    refused = check_page(other.get(path), status=404)
    assert refused.h1.get_text(strip=True) == "This survey is for someone else"

    link = session.scalars(select(SurveyLink)).one()
    link.expires_at = utcnow() - dt.timedelta(minutes=1)
    session.commit()
    expired = check_page(client.get(path), status=410)
    assert expired.h1.get_text(strip=True) == "This link has expired"
    assert client.post(path, data={}).status_code == 410
    session.rollback()
    assert session.scalar(select(func.count()).select_from(SurveyResponse)) == 0
    assert reload(session, SurveyLink, link.id).expires_at < utcnow()


def test_two_tabs_sending_at_the_same_moment_send_once(app, session, invited):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    _person, path = invited
    first = app.test_client()
    start(first, path)
    for key, data in EXIT_ANSWERS.items():
        answer(first, path, key, data)
    tabs = [app.test_client(), app.test_client()]
    tokens = [tab.csrf_token_from(f"{path}/check-your-answers") for tab in tabs]
    together = Barrier(2)

    def send(number: int) -> int:
        together.wait()
        return (
            tabs[number]
            .post(f"{path}/check-your-answers", data={"csrf_token": tokens[number]})
            .status_code
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = list(pool.map(send, [0, 1]))
    assert statuses == [302, 302]
    session.rollback()
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "survey_response.submitted")
    ).all()
    assert len(events) == 1
