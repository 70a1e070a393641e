"""Administrators keep the reference lists: add, reword, retire and restore, never delete."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import Role
from portal.db_base import utcnow
from portal.reference import services as reference
from portal.reference.models import ReferenceItem, ReferenceKind
from portal.timefmt import to_london
from tests.fixtures.app import reload
from tests.fixtures.factories import add_bank_holidays
from tests.fixtures.pages import check_page, error_messages


@pytest.fixture
def reference_data(session):
    reference.load_all(session)
    session.commit()


@pytest.fixture
def admin(signed_in_as, reference_data):
    return signed_in_as(Role.ADMIN)


def item(session, kind, code):
    session.rollback()
    return session.scalars(
        select(ReferenceItem).where(ReferenceItem.kind == kind, ReferenceItem.code == code)
    ).one()


def events(session, action):
    session.rollback()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def count_items(session, kind):
    session.rollback()
    return session.scalar(
        select(func.count()).select_from(ReferenceItem).where(ReferenceItem.kind == kind)
    )


def test_the_lists_are_shown_with_their_counts(client, admin):
    page = check_page(client.get("/admin/reference/"))
    rows = {
        row.select_one("th").get_text(strip=True): [
            cell.get_text(strip=True) for cell in row.select("td")
        ][1:]
        for row in page.select("tbody tr")
    }
    assert rows == {
        "Districts": ["14", "0"],
        "Sectors": ["21", "0"],
        "Ownership profile facts": ["6", "0"],
        "Business organisations": ["8", "0"],
        "Issues": ["10", "0"],
        "Support types": ["3", "0"],
    }
    assert "retired, never deleted" in page.get_text()
    link = page.select_one("a:-soup-contains('Ownership profile facts')")
    assert link["href"] == "/admin/reference/ownership-facts/"


def test_a_list_shows_each_item_with_its_code_and_status(client, session, admin):
    pendle = item(session, ReferenceKind.DISTRICT, "pendle")
    pendle.retired_at = utcnow()
    session.commit()
    page = check_page(client.get("/admin/reference/districts/"))
    assert page.h1.get_text(strip=True) == "Districts"
    rows = [
        [" ".join(cell.get_text().split()) for cell in row.select("th, td")][:3]
        for row in page.select("tbody tr")
    ]
    assert rows[0] == ["Burnley", "burnley", "Active"]
    assert ["Pendle", "pendle", "Retired"] in rows
    assert page.select_one(f"a[href='/admin/reference/districts/{pendle.id}/restore']")
    assert "Items are retired, never deleted, so old records keep their meaning" in page.get_text()


def test_an_item_is_added_with_a_code_made_from_its_label(client, session, admin):
    response = client.submit_form(
        "/admin/reference/issues/add", {"label": "Net zero & energy costs", "code": "", "note": ""}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/reference/issues/"
    added = item(session, ReferenceKind.ISSUE, "net-zero-energy-costs")
    assert added.label == "Net zero & energy costs"
    assert added.is_active
    codes = [i.code for i in reference.active_items(session, ReferenceKind.ISSUE)]
    assert codes[-1] == "net-zero-energy-costs"

    [event] = events(session, "reference.item_added")
    assert event.actor_id == admin.id
    assert (event.entity_type, event.entity_id) == ("reference_item", str(added.id))
    assert event.fields == ["code", "kind", "label", "note"]
    page = check_page(client.get(response.headers["Location"]))
    assert "Net zero & energy costs has been added" in page.get_text()


def test_an_item_can_be_given_its_own_code_and_a_hint(client, session, admin):
    client.submit_form(
        "/admin/reference/sectors/add",
        {"label": "Creative industries", "code": "CREATIVE_1", "note": "Not a SIC section"},
    )
    added = item(session, ReferenceKind.SECTOR, "CREATIVE_1")
    assert (added.label, added.note) == ("Creative industries", "Not a SIC section")


def test_a_code_already_in_the_list_is_refused_with_a_clear_message(client, session, admin):
    before = count_items(session, ReferenceKind.ISSUE)
    response = client.submit_form(
        "/admin/reference/issues/add", {"label": "Exports", "code": "exporting", "note": "Kept"}
    )
    page = check_page(response, status=400)
    assert error_messages(page) == ["There is already an item with this code"]
    assert page.select_one("input#label")["value"] == "Exports"
    assert page.select_one("input#note")["value"] == "Kept"
    assert page.select_one("input#code")["value"] == "exporting"

    # A code made from the label is checked the same way, even against a retired item.
    exporting = item(session, ReferenceKind.ISSUE, "exporting")
    exporting.retired_at = utcnow()
    session.commit()
    response = client.submit_form("/admin/reference/issues/add", {"label": "Exporting"})
    assert error_messages(check_page(response, status=400)) == [
        "There is already an item with this code"
    ]
    assert count_items(session, ReferenceKind.ISSUE) == before
    assert events(session, "reference.item_added") == []

    # The same code in another list is fine: codes are unique per list.
    response = client.submit_form("/admin/reference/support-types/add", {"label": "Exporting"})
    assert response.status_code == 302


def test_an_item_needs_a_label_and_a_code_of_plain_characters(client, session, admin):
    response = client.submit_form(
        "/admin/reference/issues/add", {"label": "  ", "code": "has spaces"}
    )
    page = check_page(response, status=400)
    assert error_messages(page) == [
        "Enter the label",
        "Code must start with a letter or number and only include letters, numbers, "
        "hyphens and underscores",
    ]
    response = client.submit_form("/admin/reference/issues/add", {"label": "£££"})
    assert error_messages(check_page(response, status=400)) == [
        "Enter a code, as the label has no letters or numbers"
    ]
    response = client.submit_form("/admin/reference/issues/add", {"label": "x" * 201})
    assert error_messages(check_page(response, status=400)) == [
        "Label must be 200 characters or fewer"
    ]


def test_renaming_changes_the_label_but_never_the_code(client, session, admin):
    staffing = item(session, ReferenceKind.ISSUE, "staffing")
    page = check_page(client.get(f"/admin/reference/issues/{staffing.id}/change"))
    assert page.select_one("input#label")["value"] == "Staffing and recruitment"
    assert page.select_one("input#code") is None

    response = client.submit_form(
        f"/admin/reference/issues/{staffing.id}/change",
        {"label": "Recruiting and keeping staff", "note": "", "code": "hacked"},
    )
    assert response.status_code == 302
    renamed = reload(session, ReferenceItem, staffing.id)
    assert (renamed.code, renamed.label) == ("staffing", "Recruiting and keeping staff")
    [event] = events(session, "reference.item_renamed")
    assert event.fields == ["label"]
    assert event.entity_id == str(staffing.id)


def test_renaming_keeps_the_answer_when_it_is_wrong(client, session, admin):
    staffing = item(session, ReferenceKind.ISSUE, "staffing")
    response = client.submit_form(
        f"/admin/reference/issues/{staffing.id}/change", {"label": "", "note": "A new hint"}
    )
    page = check_page(response, status=400)
    assert error_messages(page) == ["Enter the label"]
    assert page.select_one("input#note")["value"] == "A new hint"
    assert reload(session, ReferenceItem, staffing.id).label == "Staffing and recruitment"


def test_a_retired_item_is_no_longer_offered_and_can_be_restored(client, session, admin):
    exporting = item(session, ReferenceKind.ISSUE, "exporting")
    page = check_page(client.get(f"/admin/reference/issues/{exporting.id}/retire"))
    assert page.h1.get_text(strip=True) == "Retire Exporting?"
    assert "Items are retired, never deleted, so old records keep their meaning" in page.get_text()

    response = client.submit_form(f"/admin/reference/issues/{exporting.id}/retire", {})
    assert response.status_code == 302
    assert reload(session, ReferenceItem, exporting.id).retired_at is not None
    offered = {i.code for i in reference.active_items(session, ReferenceKind.ISSUE)}
    assert "exporting" not in offered
    assert [e.fields for e in events(session, "reference.item_retired")] == [["retired_at"]]

    response = client.submit_form(f"/admin/reference/issues/{exporting.id}/restore", {})
    assert response.status_code == 302
    assert reload(session, ReferenceItem, exporting.id).retired_at is None
    offered = {i.code for i in reference.active_items(session, ReferenceKind.ISSUE)}
    assert "exporting" in offered
    assert [e.entity_id for e in events(session, "reference.item_restored")] == [str(exporting.id)]
    # Nothing was ever deleted.
    assert count_items(session, ReferenceKind.ISSUE) == 10


def test_a_post_without_a_token_retires_nothing(client, session, admin):
    exporting = item(session, ReferenceKind.ISSUE, "exporting")
    response = client.post(f"/admin/reference/issues/{exporting.id}/retire", data={})
    page = check_page(response, status=400)
    assert error_messages(page)[0].startswith("This page was open for too long")
    assert reload(session, ReferenceItem, exporting.id).retired_at is None
    assert events(session, "reference.item_retired") == []


def test_unknown_lists_and_items_are_not_found(client, session, admin):
    burnley = item(session, ReferenceKind.DISTRICT, "burnley")
    check_page(client.get("/admin/reference/colours/"), status=404)
    check_page(client.get("/admin/reference/issues/999999/change"), status=404)
    # An item is only found in its own list.
    check_page(client.get(f"/admin/reference/issues/{burnley.id}/change"), status=404)
    check_page(client.get(f"/admin/reference/issues/{burnley.id}/retire"), status=404)


def test_only_administrators_keep_the_lists(client, session, signed_in_as, reference_data):
    burnley = item(session, ReferenceKind.DISTRICT, "burnley")
    paths = [
        "/admin/reference/",
        "/admin/reference/districts/",
        "/admin/reference/districts/add",
        f"/admin/reference/districts/{burnley.id}/retire",
        "/admin/reference/bank-holidays",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"] == f"/sign-in?next={path}"
    for role in [Role.OFFICER, Role.PARTICIPANT, Role.FACILITATOR]:
        signed_in_as(role)
        for path in paths:
            assert client.get(path).status_code == 403, (role, path)
        assert client.post(paths[3], data={}).status_code == 403
    assert reload(session, ReferenceItem, burnley.id).retired_at is None


def london_today():
    return to_london(utcnow()).date()


def test_bank_holidays_are_listed_by_year(client, session, signed_in_as):
    signed_in_as(Role.ADMIN)
    today = london_today()
    add_bank_holidays(
        session, dt.date(today.year, 12, 25), dt.date(today.year + 2, 1, 1), today.replace(day=1)
    )
    page = check_page(client.get("/admin/reference/bank-holidays"))
    captions = [c.get_text(strip=True) for c in page.select("caption")]
    assert captions == [str(today.year), str(today.year + 2)]
    assert page.select_one(".govuk-warning-text") is None
    assert "https://www.gov.uk/bank-holidays.json" in page.get_text()


def test_a_warning_is_shown_when_the_bank_holidays_run_out_within_a_year(
    client, session, signed_in_as
):
    signed_in_as(Role.ADMIN)
    last = london_today() + dt.timedelta(days=100)
    add_bank_holidays(session, last)
    page = check_page(client.get("/admin/reference/bank-holidays"))
    warning = " ".join(page.select_one(".govuk-warning-text").get_text().split())
    assert f"Bank holidays are only known until {last.day} {last:%B %Y}" in warning
    assert "bank-holidays.json" in page.select_one("ol").get_text()


def test_a_warning_is_shown_when_no_bank_holidays_are_loaded(client, signed_in_as):
    signed_in_as(Role.ADMIN)
    page = check_page(client.get("/admin/reference/bank-holidays"))
    assert "There are no bank holidays loaded" in page.select_one(".govuk-warning-text").get_text()
    assert "No bank holidays are loaded." in page.get_text()
