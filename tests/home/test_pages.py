"""The staff homes as pages: officers' counts link to their lists; contractor leads see their
own delivery; other staff still land on their account."""

from __future__ import annotations

from portal.auth.models import Role
from portal.registration.models import ApplicationStatus
from tests.fixtures.pages import check_page
from tests.fixtures.users import PASSWORD


def rows(page):
    return {
        " ".join(row.select("td")[0].get_text().split()): (
            row.select("td")[1].get_text(strip=True),
            (row.select_one("a") or {}).get("href"),
        )
        for row in page.select("table tbody tr")
    }


def test_an_officers_home_counts_and_links_to_each_list(
    client, signed_in_as, make_group, make_application, session
):
    group = make_group(members=1)
    make_application(group.round).status = ApplicationStatus.NEEDS_REVIEW
    session.commit()
    signed_in_as(Role.OFFICER)
    page = check_page(client.get("/home/"))
    assert page.h1.get_text(strip=True) == "What needs you"
    found = rows(page)
    assert found["Applications needing review in Round 3"] == (
        "1",
        f"/applicants/?round={group.round.id}&status=needs_review",
    )
    assert found["Case studies waiting for review"] == ("0", "/case-studies/")
    # Failed emails are an administrator's list: officers see the number only.
    assert found["Emails that failed"] == ("0", None)

    listed = check_page(client.get(f"/applicants/?round={group.round.id}&status=needs_review"))
    assert len(listed.select("table tbody tr")) == 1


def test_an_officer_who_is_also_an_administrator_gets_the_outbox_link(client, signed_in_as):
    signed_in_as(Role.OFFICER, Role.ADMIN)
    assert rows(check_page(client.get("/home/")))["Emails that failed"] == ("0", "/admin/outbox/")


def test_a_contractor_lead_sees_their_own_delivery(client, signed_in_as, make_group):
    group = make_group(members=2, name="Makers of Preston")
    signed_in_as(Role.CONTRACTOR_LEAD, contractors=[group.contractor])
    page = check_page(client.get("/home/"))
    assert page.h1.get_text(strip=True) == "Your contractors' delivery"
    (cohort,) = [
        [" ".join(cell.get_text().split()) for cell in row.select("td")]
        for row in page.select("table")[0].select("tbody tr")
    ]
    assert cohort[0] == "Makers of Preston (running)"
    assert cohort[3:] == ["2", "0", "0", str(2 * group.round.one_to_one_hours_per_participant)]


def test_facilitators_still_land_on_their_account(client, make_user):
    facilitator = make_user(Role.FACILITATOR, email="fran@example.com")
    response = client.submit_form("/sign-in", {"email": facilitator.email, "password": PASSWORD})
    assert response.headers["Location"] == "/account/"
