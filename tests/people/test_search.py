"""Searching people and businesses across rounds: by name, email address, business, postcode
or reference; % and _ match themselves; paginated; contractor leads search their own."""

from __future__ import annotations

import pytest

from portal.auth.models import Role
from portal.people import search as search_module
from portal.registration.models import Application, Business
from tests.fixtures.pages import check_page, error_messages


def names(page) -> list[str]:
    return [row.select_one("td").get_text(strip=True) for row in page.select("table tbody tr")]


@pytest.fixture
def people(session, make_group, make_contractor):
    ours = make_group(members=2)
    theirs = make_group(members=1, contractor=make_contractor("Pennine Peer Learning CIC"))
    first = session.get(Application, ours.places[0].application_id)
    first.postcode = "BB1 7DR"
    session.get(Business, first.business_id).name = "Pendle 100% Pies Ltd"
    session.commit()
    return ours, theirs, first


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("member 1-1", ["Member 1-1"]),
        ("PERSON", None),  # every made-up email address is personN@example.com
        ("100% pies", ["Member 1-1"]),
        ("mill 1-2", ["Member 1-2"]),
        ("bb17dr", ["Member 1-1"]),
        ("bb1 7dr", ["Member 1-1"]),
        ("100_", []),
        ("nobody at all", []),
    ],
)
def test_an_officer_searches_by_name_email_business_or_postcode(
    client, signed_in_as, people, query, found
):
    signed_in_as(Role.OFFICER)
    page = check_page(client.get("/people/", query_string={"q": query}))
    if found is None:
        assert len(names(page)) == 3
    else:
        assert names(page) == found


def test_a_reference_finds_its_application_and_links_lead_to_the_pages(
    client, signed_in_as, people
):
    _ours, _theirs, first = people
    signed_in_as(Role.OFFICER)
    page = check_page(client.get("/people/", query_string={"q": first.reference.lower()}))
    assert names(page) == ["Member 1-1"]
    hrefs = {a["href"] for a in page.select("table a")}
    assert hrefs == {f"/people/{first.person_id}", f"/businesses/{first.business_id}"}
    assert "1 result for" in page.get_text()


def test_the_empty_search_shows_only_the_box_and_too_long_is_explained(client, signed_in_as):
    signed_in_as(Role.OFFICER)
    page = check_page(client.get("/people/"))
    assert page.select("table") == []
    page = check_page(client.get("/people/", query_string={"q": "x" * 201}), status=400)
    assert error_messages(page) == ["Search must be 200 characters or fewer"]


def test_results_come_a_page_at_a_time(client, signed_in_as, people, monkeypatch):
    monkeypatch.setattr(search_module, "PER_PAGE", 2)
    signed_in_as(Role.OFFICER)
    first = check_page(client.get("/people/", query_string={"q": "member"}))
    second = check_page(client.get("/people/", query_string={"q": "member", "page": "2"}))
    assert len(names(first)) == 2
    assert len(names(second)) == 1
    assert set(names(first)) | set(names(second)) == {"Member 1-1", "Member 1-2", "Member 2-1"}
    assert first.select_one(".govuk-pagination__next a")["href"] == "/people/?q=member&page=2"


def test_a_contractor_lead_finds_only_their_own_contractors_people(client, signed_in_as, people):
    ours, _theirs, _first = people
    signed_in_as(Role.CONTRACTOR_LEAD, contractors=[ours.contractor])
    page = check_page(client.get("/people/", query_string={"q": "member"}))
    assert sorted(names(page)) == ["Member 1-1", "Member 1-2"]


def test_more_matches_than_a_list_can_help_with_ask_for_more_detail(
    client, signed_in_as, people, monkeypatch
):
    monkeypatch.setattr(search_module, "MOST", 2)
    monkeypatch.setattr("portal.people.views.MOST", 2)
    signed_in_as(Role.OFFICER)
    page = check_page(client.get("/people/", query_string={"q": "member"}))  # 3 match
    assert page.select("table") == []
    assert "More than 2 results for ‘member’" in page.get_text()
    assert "Add more detail" in page.get_text()
    page = check_page(client.get("/people/", query_string={"q": "member 1"}))  # 2 match
    assert sorted(names(page)) == ["Member 1-1", "Member 1-2"]


def test_a_search_sends_two_statements_however_many_match(
    client, signed_in_as, people, session, make_group
):
    from sqlalchemy import event

    from portal import db

    signed_in_as(Role.OFFICER)
    counts = []
    for _ in range(2):
        seen = []

        def count(*_args, seen=seen):
            seen.append(1)

        engine = db.engine_for(client.application)
        check_page(client.get("/people/", query_string={"q": "member"}))  # warm: sign-in
        event.listen(engine, "before_cursor_execute", count)
        check_page(client.get("/people/", query_string={"q": "member"}))
        event.remove(engine, "before_cursor_execute", count)
        counts.append(len(seen))
        make_group(members=3)
        session.commit()
    assert counts[0] == counts[1]
