"""Importing applicants from a partner's file: checked first, idempotent, never an error page.

The check and the import are background tasks; a consumer runs them in this process, and
the helpers follow each from its status page to the page it links to, as an officer would.
"""

import csv
import io
import time
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import Role, User, UserStatus
from portal.email_addresses import NOT_ASCII
from portal.registration.models import (
    Application,
    ApplicationSource,
    ApplicationStatus,
    FactAnswer,
    PartOfDay,
)
from portal.spreadsheets import files as spreadsheet_files
from tests.fixtures.factories import open_round, sent_application
from tests.fixtures.pages import check_page, error_messages
from tests.fixtures.spreadsheets import declaring, with_wide_row
from tests.fixtures.tasks import result_of

pytestmark = pytest.mark.usefixtures("task_consumer")

ROWS = [
    {
        "source_reference": "CH-001",
        "email": "Amara.Ahmed@Example.com",
        "name": "Amara Ahmed",
        "role": "owner",
        "business_name": "Ahmed Textiles Ltd",
        "postcode": "bb11 1aa",
        "district": "burnley",
        "employees": "14",
        "turnover_band": "250k_to_1m",
        "started_trading_on": "2012-04-01",
        "sector": "c",
        "issues": "staffing; exporting",
        "organisations": "east-lancs-chamber",
        "availability": "Monday morning; wed evening",
        "ownership_women_led": "yes",
        "competitors": "Pennine Weavers; Mill Fabrics",
        "share_with_cohort": "yes",
    },
    {
        "source_reference": "CH-002",
        "email": "ben@example.com",
        "name": "Ben Barker",
        "role": "Director",
        "business_name": "Barker Joinery",
        "postcode": "PR7 1AA",
        "district": "chorley",
        "employees": "6.5",
        "turnover_band": "100k_to_250k",
        "started_trading_on": "01/02/2019",
        "sector": "",
        "issues": "",
        "organisations": "",
        "availability": "",
        "ownership_women_led": "",
        "competitors": "",
        "share_with_cohort": "",
    },
]


def csv_bytes(rows, *, encoding="utf-8", bom=False, header=None):
    buffer = io.StringIO()
    header = header or list(rows[0])
    writer = csv.DictWriter(buffer, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode(encoding) + buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, *, formulas=None):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    for coordinate, formula in (formulas or {}).items():
        sheet[coordinate] = formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def round_3(app, session, reference_data):
    return open_round(session, app)


@pytest.fixture
def officer(signed_in_as):
    return signed_in_as(Role.OFFICER, email="olivia@hub.example.org", name="Olivia Officer")


def upload(client, round_3, data, filename="applicants.csv"):
    """Upload the file and follow its check to the check page (which ``confirm`` confirms);
    a form the portal refuses at once comes back as it is."""
    started = client.submit_form(
        "/applicants/import",
        {"round": str(round_3.id), "file": (io.BytesIO(data), filename)},
        from_page="/applicants/import",
        content_type="multipart/form-data",
    )
    if started.status_code != 302:
        return started
    checked = result_of(client, started)
    client.checked_path = checked.request.path
    return checked


def confirm(client):
    """Press the last check page's import button and follow the import to its done page (or
    where the portal sends the officer instead)."""
    path = client.checked_path
    started = client.submit_form(f"{path}/confirm", {}, from_page=path)
    if not started.headers.get("Location", "").startswith("/tasks/"):
        return started
    return result_of(client, started)


def table_rows(page, caption):
    table = next(t for t in page.select("table") if caption in t.caption.get_text())
    return [
        [cell.get_text(" ", strip=True) for cell in row.select("td")]
        for row in table.select("tbody tr")
    ]


def test_the_dry_run_reports_each_bad_row_and_changes_nothing(client, session, officer, round_3):
    bad = [
        ROWS[0],
        {**ROWS[1], "email": "not-an-email", "district": "atlantis", "employees": "lots"},
        {**ROWS[1], "source_reference": "CH-003", "email": "c@example.com",
         "started_trading_on": "31/02/2019", "turnover_band": "", "issues": "staffing; knitting"},
        {**ROWS[1], "source_reference": "CH-001", "email": "d@example.com"},
    ]  # fmt: skip
    page = check_page(upload(client, round_3, csv_bytes(bad)))
    assert page.h1.get_text(strip=True) == "Check the import"
    problems = table_rows(page, "Rows with problems")
    assert problems == [
        ["3", "email", "Enter an email address in the correct format, like name@example.com"],
        ["3", "district", "“atlantis” is not a district code from the list (or outside)"],
        ["3", "employees", "Enter the number of employees as a number, like 7 or 7.5"],
        ["4", "turnover_band", "Enter the turnover band"],
        ["4", "started_trading_on", "Enter a real date as YYYY-MM-DD or DD/MM/YYYY"],
        ["4", "issues", "“knitting” is not a code from the list of issues"],
        ["5", "source_reference", "Row 2 has the same source_reference"],
    ]
    assert "Rows with problems (3)" in page.get_text()
    planned = table_rows(page, "What will happen")
    assert planned == [["2", "CH-001", "Amara Ahmed", "Ahmed Textiles Ltd", "New application"]]
    assert page.find("button", string=lambda s: s and "Import 1 row" in s)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Application)) == 0


def test_importing_creates_people_and_applications_and_emails_them(
    client, session, officer, round_3, outbox
):
    check_page(upload(client, round_3, csv_bytes(ROWS, bom=True)))
    page = check_page(confirm(client))
    assert page.h1.get_text(strip=True) == "Import finished"
    assert "2 created, 0 updated, 0 unchanged, 0 rows with problems" in page.get_text()

    session.rollback()
    amara = session.scalars(select(User).where(User.email == "amara.ahmed@example.com")).one()
    assert amara.status == UserStatus.INVITED
    assert amara.password_hash is None
    assert amara.roles == {Role.PARTICIPANT}
    application = session.scalars(
        select(Application).where(Application.person_id == amara.id)
    ).one()
    assert application.source == ApplicationSource.IMPORTED
    assert application.created_by_id == officer.id
    assert application.import_key == "CH-001"
    assert application.status == ApplicationStatus.ELIGIBLE
    assert application.postcode == "BB11 1AA"
    assert application.sector_code == "C"
    assert {i.issue_code for i in application.issues} == {"staffing", "exporting"}
    assert {(s.weekday, s.part_of_day) for s in application.availability} == {
        (0, PartOfDay.MORNING),
        (2, PartOfDay.EVENING),
    }
    assert {a.fact_code: a.answer for a in application.ownership} == {"women_led": FactAnswer.YES}
    assert sorted(c.business_name for c in application.conflicts) == [
        "Mill Fabrics",
        "Pennine Weavers",
    ]
    assert application.share_with_cohort is True
    assert "role" in application.answered_steps

    ben = session.scalars(select(Application).where(Application.import_key == "CH-002")).one()
    assert str(ben.employees) == "6.5"
    assert ben.started_trading_on.isoformat() == "2019-02-01"
    assert ben.role_in_business == "director"

    invitation = [
        m for m in outbox.messages("amara.ahmed@example.com") if "check the details" in m.subject
    ]
    assert len(invitation) == 1
    body = invitation[0].body_text
    assert application.reference in body
    assert "https://peernetworks.example.org.uk/privacy" in outbox.links(invitation[0])
    assert any("/invitation/" in link for link in outbox.links(invitation[0]))
    assert len(outbox.messages("ben@example.com")) == 2  # the invitation and "we have it"

    [event] = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "applicants.imported")
    ).all()
    assert event.actor_id == officer.id
    assert (
        event.reason
        == "Imported from a file: 2 created, 0 updated, 0 unchanged, 0 rows with problems"
    )


def test_importing_again_changes_nothing_and_a_correction_updates(
    client, session, officer, round_3, outbox
):
    upload(client, round_3, csv_bytes(ROWS))
    confirm(client)
    sent_before = len(outbox.messages())

    again = check_page(upload(client, round_3, csv_bytes(ROWS)))
    assert [row[-1] for row in table_rows(again, "What will happen")] == [
        f"No change ({reference})" for reference in _references(session)
    ]
    assert "There is nothing to import from this file." in again.get_text()

    corrected = [{**ROWS[0], "employees": "3", "issues": "staffing"}, ROWS[1]]
    check = check_page(upload(client, round_3, csv_bytes(corrected)))
    first = table_rows(check, "What will happen")[0]
    assert first[-1].startswith("Update (PN-")
    assert first[-1].endswith(": employees, issues")
    done = check_page(confirm(client))
    assert "0 created, 1 updated, 1 unchanged" in done.get_text()

    session.rollback()
    assert session.scalar(select(func.count()).select_from(Application)) == 2
    assert (
        session.scalar(
            select(func.count()).select_from(User).where(User.email.like("%example.com"))
        )
        == 2
    )
    amara = session.scalars(select(Application).where(Application.import_key == "CH-001")).one()
    session.refresh(amara)
    assert amara.status == ApplicationStatus.INELIGIBLE  # screened again: 3 employees
    assert {i.issue_code for i in amara.issues} == {"staffing"}
    changed = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "application.answers_changed",
            AuditEvent.entity_id == str(amara.id),
        )
    ).one()
    assert changed.fields == ["employees", "issues"]
    assert changed.actor_id == officer.id
    assert len(outbox.messages()) == sent_before  # nobody is invited twice


def _references(session):
    session.rollback()
    return list(session.scalars(select(Application.reference).order_by(Application.import_key)))


def test_a_person_who_already_applied_is_reported(app, client, session, officer, round_3):
    sent_application(session, app, round_3, "Ben Barker", email="ben@example.com")
    page = check_page(upload(client, round_3, csv_bytes(ROWS)))
    [problem] = table_rows(page, "Rows with problems")
    assert problem[:2] == ["3", "email"]
    assert problem[2].startswith("This person already has an application in this round (PN-")


def test_staff_addresses_are_refused(client, session, officer, round_3, make_user):
    make_user(Role.FACILITATOR, email="ben@example.com")
    page = check_page(upload(client, round_3, csv_bytes(ROWS)))
    assert table_rows(page, "Rows with problems") == [
        ["3", "email", "This email address belongs to a member of staff, not a participant"]
    ]


def test_text_that_looks_like_a_formula_is_stored_as_typed(client, session, officer, round_3):
    rows = [{**ROWS[0], "business_name": '=HYPERLINK("http://evil.example")'}]
    upload(client, round_3, csv_bytes(rows))
    confirm(client)
    session.rollback()
    application = session.scalars(select(Application)).one()
    assert application.business_name == '=HYPERLINK("http://evil.example")'


def test_xlsx_files_import_and_formula_cells_are_refused(client, session, officer, round_3):
    data = xlsx_bytes(ROWS, formulas={"C3": '=CONCAT("Ben"," Barker")'})
    page = check_page(upload(client, round_3, data, "applicants.xlsx"))
    assert table_rows(page, "Rows with problems") == [
        ["3", "name", "Cell C3 holds a formula. Replace it with the value it shows"]
    ]
    assert [row[1] for row in table_rows(page, "What will happen")] == ["CH-001"]
    confirm(client)
    session.rollback()
    assert session.scalars(select(Application.import_key)).all() == ["CH-001"]


def test_windows_text_is_read_and_noted(client, session, officer, round_3):
    rows = [{**ROWS[0], "business_name": "Café Crème Ltd"}]
    page = check_page(upload(client, round_3, csv_bytes(rows, encoding="cp1252")))
    assert "we read it as Windows text" in page.select_one(".govuk-inset-text").get_text()
    assert table_rows(page, "What will happen")[0][3] == "Café Crème Ltd"


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"source_reference,email\r\nA,\x81\x8d\r\n", "a.csv", "We could not read the text"),
        ("source_reference,email".encode("utf-16"), "a.csv", "is not a CSV file we can read"),
        (b"%PDF-1.4 not a spreadsheet", "a.xlsx", "is not a real Excel workbook"),
        (b"PK\x03\x04 broken zip", "a.xlsx", "We could not open the selected file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", "a.xls", "must be a CSV or XLSX file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", "a.xlsx", "old-style Excel file (.xls)"),
        (b"name,email\r\n", "a.txt", "must be a CSV or XLSX file"),
        (b"", "a.csv", "The selected file is empty"),
        (
            b"name,email\r\nAnn,a@example.com\r\n",
            "a.csv",
            "missing these columns: source_reference",
        ),
        (b"name,name\r\n", "a.csv", "appear more than once: name"),
        (b'"unclosed\r\n' + b"x" * 200_000, "a.csv", "cannot be read as CSV"),
    ],
)
def test_unreadable_files_are_explained_on_the_form(
    client, officer, round_3, data, filename, message
):
    page = check_page(upload(client, round_3, data, filename))
    assert page.h1.get_text(strip=True) == "Import applicants from a file"
    [error] = error_messages(page)
    assert message in error


def test_too_many_rows_are_refused(client, officer, round_3, app):
    app.config["APPLICANT_IMPORT_MAX_ROWS"] = 1
    page = check_page(upload(client, round_3, csv_bytes(ROWS)))
    assert error_messages(page) == [
        "The selected file has more than 1 rows. Split it into files of 1 rows or fewer"
    ]


def test_a_file_too_large_is_refused(client, officer, round_3, app):
    app.config["APPLICANT_IMPORT_MAX_BYTES"] = 100
    page = check_page(upload(client, round_3, csv_bytes(ROWS)))
    assert error_messages(page) == ["The selected file must be smaller than 100 bytes"]


def test_a_request_over_the_upload_limit_gets_the_too_large_page(client, officer, round_3, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = upload(client, round_3, b"x" * 5000)
    assert response.status_code == 413
    assert "What you sent is too large" in response.get_data(as_text=True)


def _with_sheet(original, replace):
    """The workbook with its first sheet's XML swapped (to smuggle in hostile XML)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = replace(data)
            target.writestr(item, data)
    return out.getvalue()


def test_an_xml_bomb_is_refused(client, officer, round_3):
    bomb_header = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )

    def plant(xml):
        body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
        return bomb_header + body.replace(b"<v>", b"<v>&lol3;", 1)

    data = _with_sheet(xlsx_bytes(ROWS), plant)
    page = check_page(upload(client, round_3, data, "bomb.xlsx"))
    assert "contains XML that could be harmful" in error_messages(page)[0]


def test_a_zip_that_unpacks_to_far_too_much_is_refused(client, officer, round_3, monkeypatch):
    monkeypatch.setattr(spreadsheet_files, "MAX_UNPACKED_BYTES", 1024 * 1024)
    data = _with_sheet(xlsx_bytes(ROWS), lambda xml: xml + b" " * (2 * 1024 * 1024))
    assert len(data) < 100_000  # tiny on the way in
    page = check_page(upload(client, round_3, data, "big.xlsx"))
    assert "unpacks to far more data" in error_messages(page)[0]


def test_confirming_a_check_that_does_not_exist_is_not_found(client, officer, round_3):
    client.checked_path = "/applicants/import/check/99999"
    assert confirm(client).status_code == 404
    assert client.get("/applicants/import/check/99999").status_code == 404
    assert client.get("/applicants/import/done/99999").status_code == 404


def test_the_checked_file_is_what_is_imported_and_then_removed(
    client, session, officer, round_3, app
):
    from portal.uploads import PendingUploadFile

    upload(client, round_3, csv_bytes(ROWS))
    session.rollback()
    [kept] = session.scalars(select(PendingUploadFile)).all()
    kept.data = csv_bytes(ROWS[:1]) + b"tampered"  # changed after the check
    session.commit()
    response = confirm(client)
    assert response.headers["Location"] == "/applicants/import"
    page = check_page(client.get("/applicants/import"))
    assert "The file you checked is no longer here" in page.get_text()
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Application)) == 0

    upload(client, round_3, csv_bytes(ROWS))
    check_page(confirm(client))
    session.rollback()
    left = session.scalars(select(PendingUploadFile.token)).all()
    assert left == [kept.token]  # the imported file is gone; the changed one waits to be swept


def test_an_upload_left_for_a_day_is_swept_and_not_imported(client, session, officer, round_3, app):
    import datetime as dt

    from portal.db_base import utcnow
    from portal.uploads import PendingUploadFile

    upload(client, round_3, csv_bytes(ROWS))
    session.rollback()
    [kept] = session.scalars(select(PendingUploadFile)).all()
    kept.created_at = utcnow() - dt.timedelta(days=1, minutes=1)
    session.commit()

    response = confirm(client)

    assert response.headers["Location"] == "/applicants/import"
    upload(client, round_3, csv_bytes(ROWS[:1]))  # the next upload sweeps the old one
    session.rollback()
    assert [row.token == kept.token for row in session.scalars(select(PendingUploadFile))] == [
        False
    ]


def test_the_upload_page_needs_a_file(client, officer, round_3):
    page = check_page(client.get("/applicants/import"))
    assert page.select_one("select#round option[selected]")["value"] == str(round_3.id)
    page = check_page(
        client.submit_form("/applicants/import", {"round": str(round_3.id)}), status=400
    )
    assert error_messages(page) == ["Select a CSV or XLSX file"]


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.FACILITATOR])
def test_only_officers_can_import(client, signed_in_as, role, reference_data):
    signed_in_as(role)
    assert client.get("/applicants/import").status_code == 403


def test_the_command_checks_then_imports_with_a_progress_bar(
    app, session, round_3, make_user, tmp_path, outbox
):
    make_user(Role.OFFICER, email="olivia@hub.example.org")
    path = tmp_path / "partner.csv"
    path.write_bytes(csv_bytes([*ROWS, {**ROWS[1], "source_reference": "", "email": "x@y.org"}]))
    runner = app.test_cli_runner()
    args = ["portal", "import-applicants", str(path), "--round", str(round_3.id)]
    args += ["--officer", "olivia@hub.example.org"]

    dry = runner.invoke(args=[*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Row 4 (source_reference): Enter your own reference for this person" in dry.output
    assert "Row 2: New application (CH-001)" in dry.output
    assert "2 to create, 0 to update, 0 unchanged, 1 row with problems" in dry.output
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Application)) == 0

    done = runner.invoke(args=args)
    assert done.exit_code == 0, done.output
    assert "2 created, 0 updated, 0 unchanged, 1 row with problems: done." in done.output
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Application)) == 2
    assert len(outbox.messages("ben@example.com")) == 2

    again = runner.invoke(args=args)
    assert "0 created, 0 updated, 2 unchanged" in again.output


def test_the_command_refuses_unknown_officers_and_unreadable_files(
    app, round_3, make_user, tmp_path
):
    make_user(Role.PARTICIPANT, email="pat@example.com")
    path = tmp_path / "partner.xlsx"
    path.write_bytes(b"not really a workbook")
    runner = app.test_cli_runner()
    base = ["portal", "import-applicants", str(path), "--round", str(round_3.id)]
    refused = runner.invoke(args=[*base, "--officer", "pat@example.com"])
    assert refused.exit_code == 1
    assert "pat@example.com is not an active officer's email address." in refused.output
    make_user(Role.OFFICER, email="olivia@hub.example.org")
    unreadable = runner.invoke(args=[*base, "--officer", "olivia@hub.example.org"])
    assert unreadable.exit_code == 1
    assert "The file cannot be imported: The selected file is not a real Excel workbook" in (
        unreadable.output
    )


# Untidy files: every row is read, or the file is refused with the reason


def test_an_xlsx_declaring_fewer_rows_than_it_holds_is_read_in_full(
    client, session, officer, round_3
):
    rows = [
        {**ROWS[1], "source_reference": f"CH-10{n}", "email": f"person{n}@example.com"}
        for n in range(5)
    ]
    data = declaring(xlsx_bytes(rows), "Sheet", "A1:L2")  # the header and one row, it says
    page = check_page(upload(client, round_3, data, "applicants.xlsx"))
    assert [row[1] for row in table_rows(page, "What will happen")] == [
        f"CH-10{n}" for n in range(5)
    ]
    check_page(confirm(client))
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Application)) == 5


def test_an_xlsx_row_far_wider_than_the_format_is_refused_at_once(client, officer, round_3):
    data = with_wide_row(xlsx_bytes(ROWS), "Sheet", 1_000_000)
    assert len(data) < 200_000  # small on the way in
    started = time.process_time()
    page = check_page(upload(client, round_3, data, "applicants.xlsx"))
    assert time.process_time() - started < 1
    [error] = error_messages(page)
    assert error.startswith("Row 4 of the selected file goes past column ")
    assert "Delete the columns after" in error


def test_a_csv_row_far_wider_than_the_format_is_refused(client, officer, round_3):
    data = csv_bytes(ROWS) + b",".join([b"x"] * 5_000) + b"\r\n"
    page = check_page(upload(client, round_3, data))
    [error] = error_messages(page)
    assert error.startswith("Row 4 of the selected file goes past column ")


def test_empty_cells_at_the_end_of_csv_rows_are_not_counted_as_columns(client, officer, round_3):
    data = b"\r\n".join(line + b"," * 500 for line in csv_bytes(ROWS).splitlines())
    page = check_page(upload(client, round_3, data))
    assert [row[1] for row in table_rows(page, "What will happen")] == ["CH-001", "CH-002"]


def test_districts_and_issues_may_be_given_as_their_names(client, session, officer, round_3):
    rows = [
        {**ROWS[0], "district": "Burnley", "issues": "Supply chain and logistics; exporting"},
        {**ROWS[1], "district": "south ribble", "sector": "Manufacturing"},
    ]
    page = check_page(upload(client, round_3, csv_bytes(rows)))
    assert [row[1] for row in table_rows(page, "What will happen")] == ["CH-001", "CH-002"]
    check_page(confirm(client))
    session.rollback()
    amara, ben = session.scalars(select(Application).order_by(Application.import_key))
    assert amara.district_code == "burnley"
    assert {i.issue_code for i in amara.issues} == {"supply-chain", "exporting"}
    assert (ben.district_code, ben.sector_code) == ("south-ribble", "C")


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        (
            "ben@barker.test",
            "“barker.test” cannot receive email: addresses ending .test are reserved and "
            "never delivered. Enter an address the person receives email at",
        ),
        # The mail server refused ü@exämple.com (no SMTPUTF8): refused here as in every form.
        ("b\u00e9n@example.com", NOT_ASCII),
    ],
)
def test_an_address_email_cannot_reach_is_refused_and_names_lose_bidi_controls(
    client, session, officer, round_3, typed, reason
):
    rows = [
        {**ROWS[0], "name": "\u202eAmara\u200e Ahmed", "business_name": "Ahmed\u2067 Textiles Ltd"},
        {**ROWS[1], "email": typed},
    ]
    page = check_page(upload(client, round_3, csv_bytes(rows)))
    assert table_rows(page, "Rows with problems") == [["3", "email", reason]]
    assert table_rows(page, "What will happen") == [
        ["2", "CH-001", "Amara Ahmed", "Ahmed Textiles Ltd", "New application"]
    ]
