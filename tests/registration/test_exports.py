"""Exports: the filtered list as CSV and XLSX that no spreadsheet will run, audited, with
sensitive answers only when asked for."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import Role
from portal.exports import is_formula_like, safe_cell, sheet_title, xlsx_bytes
from portal.registration.models import FactAnswer
from tests.fixtures.factories import open_round, sent_application

HOSTILE = [
    '=HYPERLINK("http://evil.example","Click")',
    "+44 1632 960001",
    "-2+3",
    "@SUM(A1)",
    "\tTab",
    "\rReturn",
    "＝1+1",  # full-width equals sign
    "﹦1+1",  # small equals sign
    "＠cmd",
    "  =padded",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_gains_an_apostrophe(text):
    assert is_formula_like(text)
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("Plain text", "Plain text"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (True, "Yes"),
        (False, "No"),
        (Decimal("7.5"), "7.5"),
        (12, "12"),
    ],
)
def test_ordinary_values_are_unchanged(value, shown):
    assert safe_cell(value) == shown


def test_sheet_titles_follow_excels_rules():
    assert sheet_title("Round 3: applicants [all] / 2026?") == "Round 3  applicants  all    202"
    assert sheet_title("") == "Sheet1"


def test_an_xlsx_holds_no_formulas_and_keeps_numbers_as_numbers():
    data = xlsx_bytes("Test", ["Name", "Count"], [["=1+2", 3], ["\x01bell", Decimal("2.5")]])
    sheet = load_workbook(io.BytesIO(data)).active
    assert [cell.value for cell in sheet[1]] == ["Name", "Count"]
    assert sheet["A2"].value == "'=1+2"
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 3
    assert sheet["A3"].value == "bell"  # characters XML cannot hold are dropped
    assert sheet["B3"].value == 2.5


@pytest.fixture
def round_3(app, session, reference_data):
    return open_round(session, app)


@pytest.fixture
def applications(app, session, round_3):
    hostile = sent_application(
        session,
        app,
        round_3,
        "Eve Hacker",
        business_name='=HYPERLINK("http://evil.example","Click me")',
        issues_other="@SUM(1+1)",
        ownership={"women_led": FactAnswer.YES},
        district_code="burnley",
        postcode="BB11 1AA",
    )
    plain = sent_application(
        session,
        app,
        round_3,
        "Priya Shah",
        business_name="Shah Bakes",
        employees=Decimal("7.5"),
        ownership={"women_led": FactAnswer.NO, "family_owned": FactAnswer.YES},
    )
    return hostile, plain


def export(client, round_3, fmt="csv", query="", sensitive=False):
    data = {fmt: "1"}
    if sensitive:
        data["sensitive"] = "y"
    return client.submit_form(
        f"/applicants/export?round={round_3.id}{query}",
        data,
        from_page=f"/applicants/?round={round_3.id}",
    )


def read_csv(response):
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # a byte-order mark, so Excel reads UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_the_csv_has_a_bom_every_column_and_no_runnable_cells(
    client, signed_in_as, round_3, applications
):
    hostile, plain = applications
    signed_in_as(Role.OFFICER)
    response = export(client, round_3)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="applicants-round-3-')
    assert disposition.split(";")[1].strip().endswith('.csv"')
    rows = read_csv(response)
    header = rows[0]
    assert header[:4] == ["Reference", "Status", "Date submitted", "Name"]
    assert not any("Ownership" in name for name in header)
    by_reference = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_reference) == {hostile.reference, plain.reference}
    eve = by_reference[hostile.reference]
    assert eve["Business name"] == '\'=HYPERLINK("http://evil.example","Click me")'
    assert eve["Other issues"] == "'@SUM(1+1)"
    assert eve["District"] == "Burnley"
    assert by_reference[plain.reference]["Employees"] == "7.5"
    for row in rows:
        for cell in row:
            assert not is_formula_like(cell), cell


def test_the_xlsx_reads_back_with_no_formulas(client, signed_in_as, round_3, applications):
    hostile, _ = applications
    signed_in_as(Role.OFFICER)
    response = export(client, round_3, fmt="xlsx")
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    eve = next(dict(zip(header, row, strict=True)) for row in rows if row[0] == hostile.reference)
    assert eve["Business name"] == '\'=HYPERLINK("http://evil.example","Click me")'
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate


def test_filters_apply_to_the_export(client, signed_in_as, round_3, applications):
    hostile, _ = applications
    signed_in_as(Role.OFFICER)
    rows = read_csv(export(client, round_3, query="&district=burnley"))
    assert [row[0] for row in rows[1:]] == [hostile.reference]


def test_sensitive_columns_only_when_asked_and_every_export_audited(
    client, session, signed_in_as, round_3, applications
):
    hostile, plain = applications
    officer = signed_in_as(Role.OFFICER)
    export(client, round_3, query="&district=burnley&search=eve")
    rows = read_csv(export(client, round_3, sensitive=True))
    header = rows[0]
    assert "Ownership: Women-led (sensitive)" in header
    by_reference = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_reference[hostile.reference]["Ownership: Women-led (sensitive)"] == "Yes"
    assert by_reference[plain.reference]["Ownership: Family-owned (sensitive)"] == "Yes"
    assert by_reference[plain.reference]["Ownership: Disabled-led (sensitive)"] == ""

    session.rollback()
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "applicants.exported").order_by(AuditEvent.id)
    ).all()
    assert [(e.actor_id, e.entity_type, e.entity_id) for e in events] == [
        (officer.id, "round", str(round_3.id))
    ] * 2
    assert events[0].fields == ["district", "search"]
    assert events[0].reason == "CSV of 1 application, without ownership profile answers"
    assert events[1].fields == []
    assert events[1].reason == (
        "CSV of 2 applications, including ownership profile answers (sensitive)"
    )
    assert "eve" not in (events[0].reason or "")  # names of filters, never their values


def test_an_export_without_a_valid_token_is_refused(client, signed_in_as, round_3, applications):
    signed_in_as(Role.OFFICER)
    response = client.post(f"/applicants/export?round={round_3.id}", data={"csv": "1"})
    assert response.status_code == 400
    assert response.mimetype == "text/html"


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.FACILITATOR])
def test_only_officers_can_export(client, signed_in_as, role, round_3):
    signed_in_as(role)
    token = client.csrf_token_from("/feedback")
    response = client.post("/applicants/export", data={"csrf_token": token, "csv": "1"})
    assert response.status_code == 403
