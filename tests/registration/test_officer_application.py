"""An officer reads one application, whole, and changes its eligibility decision."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import Role, User
from portal.registration import services
from portal.registration.models import (
    Application,
    ApplicationStatus,
    ConflictKind,
    FactAnswer,
    PartOfDay,
)
from tests.fixtures.app import reload
from tests.fixtures.factories import open_round, sent_application
from tests.fixtures.pages import check_page, error_messages


@pytest.fixture
def round_3(app, session, reference_data):
    return open_round(session, app)


@pytest.fixture
def priya(app, session, round_3):
    return sent_application(
        session,
        app,
        round_3,
        "Priya Shah",
        business_name="Shah Bakes Ltd",
        company_number="01234567",
        employees=Decimal("7.5"),
        sic_code="10710",
        organisations=frozenset({"nw-lancs-chamber"}),
        organisations_other="Preston Bakers' Guild",
        issues=frozenset({"staffing", "marketing"}),
        issues_other="Energy costs",
        availability=frozenset(
            {(0, PartOfDay.MORNING), (2, PartOfDay.MORNING), (1, PartOfDay.EVENING)}
        ),
        ownership={"women_led": FactAnswer.YES, "family_owned": FactAnswer.PREFER_NOT_TO_SAY},
        conflicts={ConflictKind.COMPETITOR: ("Bun Shop Ltd",)},
    )


def test_the_page_shows_every_answer_grouped(client, signed_in_as, priya):
    signed_in_as(Role.OFFICER)
    page = check_page(client.get(f"/applicants/{priya.id}"))
    text = " ".join(page.get_text(" ").split())
    assert page.h1.get_text(strip=True) == "Priya Shah"
    assert priya.reference in page.select_one(".govuk-caption-l").get_text()
    headings = [h.get_text(" ", strip=True) for h in page.select("h2")]
    for heading in [
        "Eligibility",
        "The person",
        "The business",
        "Business organisations",
        "Issues they want help with",
        "Delivery and availability",
        "Businesses they would not want in their group",
        "Optional choices",
        "Ownership profile Sensitive",
        "History",
    ]:
        assert heading in headings
    for shown in [
        "priya.shah@example.com",
        "01632 960 001",
        "Owner",
        "Shah Bakes Ltd",
        "01234567",
        "PR1 2HE",
        "Preston",
        "Accommodation and food services (SIC code 10710)",
        "7.5",
        "£250,001 to £1,000,000",
        "1 March 2015",
        "Limited company",
        "North and Western Lancashire Chamber of Commerce",
        "Other: Preston Bakers' Guild",
        "Staffing and recruitment",
        "Marketing",
        "Other: Energy costs",
        "Either",
        "Mornings (9am to midday) Monday and Wednesday",
        "Evenings (5pm to 8pm) Tuesday",
        "Afternoons (midday to 5pm) None",
        "Bun Shop Ltd (competitor)",
        "Show their name and business to their group Yes",
        "Contact them about future programmes No",
        "Women-led Yes",
        "Family-owned Prefer not to say",
        "Result of the rules Eligible",
        "Changed by an officer No",
    ]:
        assert shown in text, shown
    assert (
        page.select_one(".govuk-warning-text")
        .get_text(" ", strip=True)
        .endswith("do not copy them anywhere else.")
    )


def test_the_history_shows_who_did_what(app, client, session, signed_in_as, priya):
    officer = signed_in_as(Role.OFFICER, name="Olivia Officer")
    client.submit_form(
        f"/applicants/{priya.id}/eligibility",
        {"decision": "ineligible", "reason": "Turnover is from grants"},
    )
    page = check_page(client.get(f"/applicants/{priya.id}"))
    statuses, events = page.select("table")
    status_rows = [
        [cell.get_text(" ", strip=True) for cell in row.select("td")]
        for row in statuses.select("tbody tr")
    ]
    assert [row[1:] for row in status_rows] == [
        ["Not sent yet", "Priya Shah (the applicant)", ""],
        ["Submitted", "Priya Shah (the applicant)", ""],
        ["Eligible", "The portal (automatic)", "Answers checked"],
        ["Not eligible", "Olivia Officer", "Turnover is from grants"],
    ]
    event_text = events.get_text(" ", strip=True)
    assert "Registration started" in event_text
    assert "Status changed to not eligible" in event_text
    assert "Eligibility decision changed by an officer" in event_text
    text = " ".join(page.get_text(" ").split())
    assert f"Changed by an officer Yes, by {officer.name} on" in text
    assert "Turnover is from grants" in text


def test_an_officer_acting_for_the_person_is_shown_as_such(
    app, client, session, signed_in_as, round_3
):
    from tests.fixtures.factories import person

    officer = signed_in_as(Role.OFFICER, name="Olivia Officer")
    with app.app_context():
        caller = person(session, "Carl Caller")
        application = services.start_application(
            session,
            person=caller,
            programme_round=round_3,
            now=dt.datetime(2026, 10, 1, tzinfo=dt.UTC),
            created_by=session.get(User, officer.id),
        )
    session.commit()
    page = check_page(client.get(f"/applicants/{application.id}"))
    assert "Olivia Officer, on behalf of Carl Caller" in page.select("table")[1].get_text()


def test_a_duplicate_links_to_the_other_application(app, client, session, signed_in_as, round_3):
    signed_in_as(Role.OFFICER)
    first = sent_application(session, app, round_3, "Ann First", business_name="Twin Mills")
    second = sent_application(session, app, round_3, "Bob Second", business_name="Twin Mills Ltd")
    assert second.duplicate_of_id == first.id
    page = check_page(client.get(f"/applicants/{second.id}"))
    inset = page.select_one(".govuk-inset-text")
    assert inset.get_text(" ", strip=True) == (
        f"Another application for the same business: {first.reference}"
    )
    assert inset.a["href"] == f"/applicants/{first.id}"
    text = " ".join(page.get_text(" ").split())
    assert "Only 1 person from each business can take part in this round" in text


def test_an_unknown_application_is_not_found(client, signed_in_as, reference_data):
    signed_in_as(Role.OFFICER)
    assert client.get("/applicants/999999").status_code == 404
    assert client.get("/applicants/999999/eligibility").status_code == 404


def test_overriding_needs_a_decision_and_a_reason(client, signed_in_as, priya):
    signed_in_as(Role.OFFICER)
    check_page(client.get(f"/applicants/{priya.id}/eligibility"))
    page = check_page(client.submit_form(f"/applicants/{priya.id}/eligibility", {}), status=400)
    assert error_messages(page) == [
        "Select whether the person is eligible",
        "Enter the reason for changing the eligibility decision",
    ]
    page = check_page(
        client.submit_form(
            f"/applicants/{priya.id}/eligibility", {"decision": "ineligible", "reason": "  "}
        ),
        status=400,
    )
    assert error_messages(page) == ["Enter the reason for changing the eligibility decision"]
    assert page.select_one("input[value=ineligible]").has_attr("checked")


def test_an_override_changes_the_status_and_is_audited(client, session, signed_in_as, app, round_3):
    officer = signed_in_as(Role.OFFICER)
    review = sent_application(session, app, round_3, "Nia Review", employees=Decimal("5.5"))
    assert review.status == ApplicationStatus.NEEDS_REVIEW
    response = client.submit_form(
        f"/applicants/{review.id}/eligibility",
        {"decision": "eligible", "reason": "Checked the hours on the phone"},
    )
    assert response.headers["Location"] == f"/applicants/{review.id}"
    changed = reload(session, Application, review.id)
    assert changed.status == ApplicationStatus.ELIGIBLE
    assert changed.eligibility_overridden
    [event] = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "application.eligibility_overridden")
    ).all()
    assert (event.actor_id, event.entity_id) == (officer.id, str(review.id))
    assert event.reason == "Checked the hours on the phone"
    page = check_page(client.get(response.headers["Location"]))
    assert f"{review.reference} is now eligible." in page.select_one(
        ".govuk-notification-banner"
    ).get_text(" ", strip=True)


def test_an_override_is_refused_once_the_person_has_withdrawn(
    app, client, session, signed_in_as, priya
):
    signed_in_as(Role.OFFICER)
    with app.app_context():
        application = session.get(Application, priya.id)
        services.withdraw(
            session,
            application,
            actor=session.get(User, application.person_id),
            reason="Too busy",
            now=dt.datetime(2026, 10, 3, tzinfo=dt.UTC),
        )
    session.commit()
    page = check_page(
        client.submit_form(
            f"/applicants/{priya.id}/eligibility", {"decision": "eligible", "reason": "Back"}
        ),
        status=400,
    )
    assert error_messages(page) == [
        "Eligibility can only be changed before a place is offered or the person withdraws."
    ]
    assert reload(session, Application, priya.id).status == ApplicationStatus.WITHDRAWN


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.FACILITATOR, Role.COACH])
def test_other_roles_cannot_see_or_change_applications(client, signed_in_as, role, priya):
    signed_in_as(role)
    assert client.get(f"/applicants/{priya.id}").status_code == 403
    assert client.get(f"/applicants/{priya.id}/eligibility").status_code == 403
