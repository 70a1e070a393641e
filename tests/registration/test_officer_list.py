"""Officers find applications: per round, filtered, searched, sorted, in pages, counted."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import update

from portal.auth.models import Role
from portal.reference.models import ReferenceItem, ReferenceKind
from portal.registration.models import DeliveryPreference, FactAnswer
from portal.registration.queries import ApplicantFilters, find_applicants
from tests.fixtures.factories import open_round, sent_application
from tests.fixtures.pages import check_page


@pytest.fixture
def round_3(app, session, reference_data):
    return open_round(session, app)


def references(page):
    return [row.select_one("td a").get_text(strip=True) for row in page.select("tbody tr")]


def test_the_list_shows_sent_applications_of_the_current_round(
    app, client, session, signed_in_as, round_3
):
    signed_in_as(Role.OFFICER)
    priya = sent_application(session, app, round_3, "Priya Shah", business_name="Shah Bakes")
    other_round = open_round(session, app, name="Round 4")
    sent_application(session, app, other_round, "Owen Other")
    page = check_page(client.get(f"/applicants/?round={round_3.id}"))
    assert references(page) == [priya.reference]
    row = page.select_one("tbody tr").get_text(" ", strip=True)
    assert "Priya Shah" in row
    assert "Shah Bakes" in row
    assert "Preston" in row  # the district's label, not its code
    assert "Accommodation and food services" in row
    assert "Eligible" in row
    assert "1 October 2026" in row
    assert page.select_one("caption").get_text(" ", strip=True).startswith("1 application")


def test_drafts_are_not_listed_and_counts_cover_every_status(
    app, client, session, signed_in_as, round_3
):
    from portal.registration import services
    from tests.fixtures.factories import person

    signed_in_as(Role.OFFICER)
    sent_application(session, app, round_3, "Ada Eligible")
    sent_application(session, app, round_3, "Ivy Ineligible", employees=3)
    sent_application(session, app, round_3, "Nia Review", employees=Decimal("5.5"))
    with app.app_context():
        services.start_application(
            session,
            person=person(session, "Dora Draft"),
            programme_round=round_3,
            now=dt.datetime(2026, 10, 2, tzinfo=dt.UTC),
        )
    session.commit()

    page = check_page(client.get("/applicants/"))  # the current (open) round by default
    assert len(references(page)) == 3
    assert "Dora Draft" not in page.get_text()
    links = page.select("main ul.govuk-grid-row a")
    counts = {
        " ".join(link.get_text(" ", strip=True).split()[1:]): link.span.get_text(strip=True)
        for link in links
    }
    assert counts["Eligible"] == "1"
    assert counts["Not eligible"] == "1"
    assert counts["Needs review"] == "1"
    assert counts["Withdrawn"] == "0"
    assert "Not sent yet" not in counts
    [link] = [a for a in links if "Needs review" in a.get_text()]
    filtered = check_page(client.get(link["href"]))
    assert [r.get_text(" ", strip=True) for r in filtered.select("tbody tr td:nth-of-type(2)")] == [
        "Nia Review"
    ]


def test_every_filter_narrows_the_list(app, client, session, signed_in_as, round_3):
    signed_in_as(Role.OFFICER)
    women_led = sent_application(
        session,
        app,
        round_3,
        "Wendy Women-Led",
        ownership={"women_led": FactAnswer.YES, "family_owned": FactAnswer.NO},
        organisations=frozenset({"lancs-women-leaders"}),
        issues=frozenset({"exporting"}),
        delivery=DeliveryPreference.ONLINE,
        district_code="burnley",
        postcode="BB11 1AA",
        sector_code="C",
        business_name="Weaving Works",
    )
    sent_application(
        session,
        app,
        round_3,
        "Fred Family",
        ownership={"women_led": FactAnswer.PREFER_NOT_TO_SAY, "family_owned": FactAnswer.YES},
        delivery=DeliveryPreference.IN_PERSON,
    )
    base = f"/applicants/?round={round_3.id}"
    for query in [
        "district=burnley",
        "sector=C",
        "ownership=women_led",  # "prefer not to say" is not "yes"
        "organisation=lancs-women-leaders",
        "issue=exporting",
        "delivery=online",
        "status=eligible&district=burnley",
        "search=weaving",
        "search=WENDY",
        f"search={women_led.reference.lower()}",
        "search=wendy.women-led@EXAMPLE",
    ]:
        page = check_page(client.get(f"{base}&{query}"))
        assert references(page) == [women_led.reference], query
    none = check_page(client.get(f"{base}&status=withdrawn"))
    assert references(none) == []
    assert "No applications match your filters." in none.get_text()
    assert none.find("a", string="Clear filters") is not None


def test_the_less_used_filters_fold_away_and_filters_in_use_are_listed(
    client, session, signed_in_as, round_3
):
    signed_in_as(Role.OFFICER)
    base = f"/applicants/?round={round_3.id}"
    page = check_page(client.get(base))
    details = page.select_one("main details.govuk-details")
    assert details.get("open") is None
    assert details.select_one("#district") is not None
    assert page.select_one("#filters-in-use") is None

    page = check_page(client.get(f"{base}&status=eligible&district=burnley&search=mill"))
    details = page.select_one("main details.govuk-details")
    assert details.has_attr("open")
    assert "More filters (1 in use)" in details.summary.get_text()
    chosen = [" ".join(li.get_text().split()) for li in page.select("#filters-in-use li")]
    assert chosen == [
        "Search: “mill” Remove the search",
        "Status: Eligible Remove the status filter",
        "District: Burnley Remove the district filter",
    ]
    removes = [a["href"] for a in page.select("#filters-in-use a")]
    assert "district" not in removes[2]
    assert "status=eligible" in removes[2]
    assert "search=mill" in removes[2]
    assert "status" not in removes[1]

    # A wrong value in a folded filter opens the fold, so its error can be seen.
    page = check_page(client.get(f"{base}&sector=nonsense"), status=400)
    assert page.select_one("main details.govuk-details").has_attr("open")


def test_search_treats_wildcards_as_plain_text(app, client, session, signed_in_as, round_3):
    signed_in_as(Role.OFFICER)
    sent_application(session, app, round_3, "Ann Plain", business_name="Plain Ltd")
    page = check_page(client.get(f"/applicants/?round={round_3.id}&search=%25"))
    assert references(page) == []


def test_an_invalid_filter_is_shown_as_an_error(client, signed_in_as, round_3):
    signed_in_as(Role.OFFICER)
    page = check_page(client.get("/applicants/?status=nonsense"), status=400)
    assert page.select_one(".govuk-error-summary")


def test_sorting_by_name_business_status_and_date(app, client, session, signed_in_as, round_3):
    signed_in_as(Role.OFFICER)
    first = sent_application(
        session,
        app,
        round_3,
        "Zara Zed",
        business_name="Alpha Ltd",
        when=dt.datetime(2026, 10, 1, tzinfo=dt.UTC),
    )
    second = sent_application(
        session,
        app,
        round_3,
        "Adam Aye",
        business_name="Zulu Ltd",
        employees=3,
        when=dt.datetime(2026, 10, 5, tzinfo=dt.UTC),
    )
    base = f"/applicants/?round={round_3.id}&sort="
    expected = {
        "submitted-desc": [second, first],
        "submitted-asc": [first, second],
        "name-asc": [second, first],
        "name-desc": [first, second],
        "business-asc": [first, second],
        "business-desc": [second, first],
        "status-asc": [first, second],  # eligible comes before not eligible
        "status-desc": [second, first],
    }
    for sort, wanted in expected.items():
        page = check_page(client.get(base + sort))
        assert references(page) == [a.reference for a in wanted], sort


def test_pages_of_fifty_with_numbered_links(app, client, session, signed_in_as, round_3):
    signed_in_as(Role.OFFICER)
    for number in range(3):
        sent_application(session, app, round_3, f"Person {number}")
    with app.app_context():
        result = find_applicants(session, round_3.id, ApplicantFilters(), page=2, per_page=2)
    assert (result.total, result.page, result.pages, len(result.rows)) == (3, 2, 2, 1)
    assert (result.first_number, result.last_number) == (3, 3)
    beyond = find_applicants(session, round_3.id, ApplicantFilters(), page=9, per_page=2)
    assert beyond.page == 2


def test_the_pagination_component_links_every_page(
    app, client, session, signed_in_as, round_3, monkeypatch
):
    from portal.registration import queries
    from portal.registration.applicants_views import page_items

    assert page_items(1, 1) == [1]
    assert page_items(5, 9) == [1, None, 4, 5, 6, None, 9]
    assert page_items(2, 3) == [1, 2, 3]
    monkeypatch.setattr(queries, "PER_PAGE", 2)  # 50 in service; 2 keeps the test quick
    signed_in_as(Role.OFFICER)
    for number in range(5):
        sent_application(session, app, round_3, f"Person {number}", email=f"p{number}@ex.org")
    page = check_page(client.get(f"/applicants/?round={round_3.id}&sort=name-asc"))
    assert len(references(page)) == 2
    assert "Showing 1 to 2" in page.select_one("caption").get_text()
    numbers = [a.get_text(strip=True) for a in page.select(".govuk-pagination__item a")]
    assert numbers == ["1", "2", "3"]
    next_link = page.select_one(".govuk-pagination__next a")
    assert "page=2" in next_link["href"]
    assert "sort=name-asc" in next_link["href"]
    last = check_page(client.get(f"/applicants/?round={round_3.id}&sort=name-asc&page=3"))
    assert len(references(last)) == 1
    assert last.select_one(".govuk-pagination__item--current").get_text(strip=True) == "3"


def test_a_retired_district_still_shows_its_label(app, client, session, signed_in_as, round_3):
    signed_in_as(Role.OFFICER)
    sent_application(session, app, round_3, "Rita Retired", district_code="wyre")
    session.execute(
        update(ReferenceItem)
        .where(ReferenceItem.kind == ReferenceKind.DISTRICT, ReferenceItem.code == "wyre")
        .values(retired_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    )
    session.commit()
    page = check_page(client.get(f"/applicants/?round={round_3.id}"))
    assert "Wyre" in page.select_one("tbody").get_text()
    option = page.select_one("select#district option[value=wyre]")
    assert option.get_text() == "Wyre (retired)"


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.FACILITATOR, Role.ADMIN])
def test_only_officers_see_applicants(client, signed_in_as, role, round_3):
    signed_in_as(role)
    assert client.get("/applicants/").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/applicants/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_the_applicants_section_is_in_an_officers_navigation(client, signed_in_as, round_3):
    signed_in_as(Role.OFFICER)
    page = check_page(client.get("/applicants/"))
    nav = page.select_one(".govuk-service-navigation__item--active")
    assert nav.get_text(strip=True) == "Applicants"


def test_no_rounds_yet(client, signed_in_as, reference_data):
    signed_in_as(Role.OFFICER)
    page = check_page(client.get("/applicants/"))
    assert "There are no rounds yet." in page.get_text()
