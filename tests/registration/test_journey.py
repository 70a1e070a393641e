"""The applicant's journey: question pages, check answers, sending, status, changes, withdrawing."""

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import Role
from portal.registration.models import Application, ApplicationStatus, Business
from portal.rounds.models import RoundStatus
from tests.fixtures.app import reload
from tests.fixtures.pages import check_page, error_messages
from tests.registration.journey_answers import answer_every_question


@pytest.fixture
def applicant(signed_in_as):
    return signed_in_as(Role.PARTICIPANT, name="Siobhan O'Neill", email="siobhan@example.com")


def start(client):
    return client.submit_form("/register/start", {}, from_page="/register/")


def the_application(session):
    session.rollback()
    session.expire_all()
    return session.scalars(select(Application)).one()


def test_an_eligible_owner_registers_from_start_to_finish(
    client, open_round, applicant, session, outbox
):
    page = check_page(client.get("/register/"))
    assert "Round 3 (2026-27)" in page.get_text()
    first = start(client)
    assert first.headers["Location"] == "/register/question/role"
    role_page = check_page(client.get("/register/question/role"))
    assert (
        role_page.select_one("legend h1").get_text(strip=True)
        == "What is your role in the business?"
    )

    answer_every_question(client)
    check = check_page(client.get("/register/check-your-answers"))
    text = check.get_text(" ")
    assert "O'Neill & Daughters Bakery Ltd" in text
    assert "01234567" in text  # the Companies House number, tidied
    assert "PR1 2HE" in text
    assert "Mornings: Tuesday and Thursday" in text
    assert "Bun Shop Ltd (competitor)" in text
    change = check.select_one("a[href='/register/question/phone?change=1']")
    assert change.get_text(" ", strip=True) == "Change phone number"

    sent = client.submit_form("/register/check-your-answers", {})
    assert sent.headers["Location"] == "/register/sent"
    done = check_page(client.get("/register/sent"))
    reference = done.select_one(".govuk-panel strong").get_text(strip=True)
    assert reference.startswith("PN-")
    assert "Your business can take part" in done.get_text()

    application = the_application(session)
    assert application.status == ApplicationStatus.ELIGIBLE
    assert application.reference == reference
    assert [change.status for change in application.history] == [
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.ELIGIBLE,
    ]
    assert session.get(Business, application.business_id).company_number == "01234567"
    email = outbox.last("siobhan@example.com")
    assert reference in email.subject

    # A second "send" (double click, another tab) changes nothing.
    again = client.submit_form(
        "/register/check-your-answers", {}, from_page="/register/your-registration"
    )
    assert again.status_code in {200, 302}
    assert len(outbox.messages("siobhan@example.com")) == 1


def test_answers_are_kept_and_the_journey_resumes_where_it_stopped(client, open_round, applicant):
    start(client)
    client.submit_form("/register/question/role", {"role_in_business": "director"})
    client.submit_form("/register/question/phone", {"phone": "07700 900 982"})
    # Coming back later goes to the first question not answered yet.
    assert start(client).headers["Location"] == "/register/question/business"
    page = check_page(client.get("/register/question/phone"))
    assert page.select_one("input#phone")["value"] == "07700 900 982"
    assert page.select_one(".govuk-back-link")["href"] == "/register/question/role"


@pytest.mark.parametrize(
    ("step", "answers", "message"),
    [
        ("role", {}, "Select your role in the business"),
        (
            "phone",
            {"phone": "12345"},
            "Enter a phone number in the correct format, like 01632 960 001, 07700 900 982 "
            "or +44 808 157 0192",
        ),
        (
            "business",
            {"business_name": "", "company_number": "XYZ"},
            "Enter the name of your business",
        ),
        (
            "location",
            {"postcode": "not a postcode", "district": "preston"},
            "Enter a real postcode, like PR1 2HE",
        ),
        ("employees", {"employees": "7.3"}, "Number of people must be a whole number or end in .5"),
        ("employees", {"employees": "lots"}, "Number of people must be a number, like 12 or 7.5"),
        (
            "trading",
            {"started_trading_on": ["31", "2", "2019"]},
            "The date the business started trading must be a real date",
        ),
        (
            "trading",
            {"started_trading_on": ["1", "1", "2099"]},
            "The date the business started trading must be in the past",
        ),
        (
            "trading",
            {"started_trading_on": ["", "3", ""]},
            "The date the business started trading must include a day and year",
        ),
        ("availability", {}, "Select at least one time you could meet every 2 weeks"),
        ("issues", {}, "Select what you would like help with, or tell us in your own words"),
    ],
)
def test_each_question_explains_what_is_wrong_and_keeps_the_answer(
    client, open_round, applicant, step, answers, message
):
    start(client)
    page = check_page(client.submit_form(f"/register/question/{step}", answers), status=400)
    assert message in error_messages(page)
    for name, value in answers.items():
        field = page.select_one(f"input[name={name}], textarea[name={name}]")
        if field is not None and isinstance(value, str) and value:
            assert field.get("value", field.get_text()) == value
        elif field is None and isinstance(value, str):
            assert page.select_one(f"select[name={name}] option[value='{value}']").has_attr(
                "selected"
            )


def test_an_ineligible_applicant_is_told_why_with_other_help_and_keeps_every_answer(
    client, open_round, applicant, session
):
    start(client)
    answer_every_question(
        client,
        overrides={
            "employees": {"employees": "3"},
            "location": {"district": "outside"},
        },
    )
    client.submit_form("/register/check-your-answers", {})
    done = check_page(client.get("/register/sent"))
    text = done.get_text(" ")
    assert "You cannot take part this time" in text
    assert "more than 5" in text
    assert "Other help" in text
    assert the_application(session).status == ApplicationStatus.INELIGIBLE

    # Correcting an answer checks again.
    client.submit_form("/register/question/employees?change=1", {"employees": "12"})
    client.submit_form(
        "/register/question/location?change=1", {"postcode": "BB1 1AA", "district": "burnley"}
    )
    assert the_application(session).status == ApplicationStatus.ELIGIBLE
    status = check_page(client.get("/register/your-registration"))
    assert "You can take part" in status.get_text()


def test_a_second_person_from_the_same_business_is_told_kindly(
    client, app, open_round, applicant, make_user, session
):
    start(client)
    answer_every_question(client)
    client.submit_form("/register/check-your-answers", {})

    from tests.fixtures.users import sign_in

    colleague = make_user(Role.PARTICIPANT, email="colleague@example.com")
    other = app.test_client()
    sign_in(other, colleague)
    other.submit_form("/register/start", {}, from_page="/register/")
    answer_every_question(
        other,
        overrides={
            "business": {
                "business_name": "O’NEILL AND DAUGHTERS BAKERY LIMITED",
                "company_number": "",
            }
        },
    )
    other.submit_form("/register/check-your-answers", {})
    text = check_page(other.get("/register/sent")).get_text(" ")
    assert "You cannot take part this time" in text
    session.rollback()
    second = session.scalars(select(Application).where(Application.person_id == colleague.id)).one()
    first = session.scalars(select(Application).where(Application.person_id == applicant.id)).one()
    assert second.business_id == first.business_id
    assert second.duplicate_of_id == first.id


def test_withdrawing_is_recorded_and_allows_registering_again(
    client, open_round, applicant, session
):
    start(client)
    answer_every_question(client)
    client.submit_form("/register/check-your-answers", {})
    response = client.submit_form("/register/withdraw", {"reason": "Too busy this year"})
    assert response.headers["Location"] == "/account/"
    application = the_application(session)
    assert application.status == ApplicationStatus.WITHDRAWN
    assert application.history[-1].reason == "Too busy this year"
    assert start(client).headers["Location"] == "/register/question/role"


def test_answers_cannot_change_once_placed(client, open_round, applicant, session):
    start(client)
    answer_every_question(client)
    client.submit_form("/register/check-your-answers", {})
    application = the_application(session)
    application.status = ApplicationStatus.PLACED
    session.commit()
    response = client.submit_form(
        "/register/question/phone",
        {"phone": "01632 960 002"},
        from_page="/register/your-registration",
    )
    assert response.headers["Location"] == "/register/your-registration"
    assert reload(session, Application, application.id).phone == "01632 960 001"


def test_registration_is_closed_without_an_open_round(client, applicant, make_round):
    make_round(status=RoundStatus.CLOSED)
    page = check_page(client.get("/register/"))
    assert page.h1.get_text(strip=True) == "Registration is not open at the moment"


def test_a_business_name_loses_bidirectional_controls(client, open_round, applicant, session):
    """U+202E makes the rest of a name read backwards in every list that shows it."""
    start(client)
    client.submit_form("/register/question/role", {"role_in_business": "director"})
    client.submit_form(
        "/register/question/business",
        {"business_name": "\u202eBakes\u200e Ltd\u2066", "company_number": ""},
    )
    assert the_application(session).business_name == "Bakes Ltd"


def test_an_unknown_question_is_not_found(client, open_round, applicant):
    start(client)
    assert client.get("/register/question/shoe-size").status_code == 404


def test_changes_after_sending_are_audited_with_field_names_only(
    client, open_round, applicant, session
):
    start(client)
    answer_every_question(client)
    client.submit_form("/register/check-your-answers", {})
    client.submit_form("/register/question/phone?change=1", {"phone": "01632 960 777"})
    session.rollback()
    event = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "application.answers_changed")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event.fields == ["phone"]
    assert "960 777" not in (event.reason or "")
