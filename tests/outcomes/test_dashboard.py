"""The outcomes dashboard: the board's figures with the counts behind them, drill-downs that
list exactly the records behind each number, breakdowns under the small-number rule,
downloads that cannot run formulas, and access by role.

One test reads the shipped samples (the board report's data, imported once per database:
``sample_rounds``); the others use the tiny earlier-rounds files.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, select

from portal import db
from portal.auth.models import Contractor, Role
from portal.db_base import utcnow
from portal.earlier_rounds import imports
from portal.earlier_rounds.files import read_folder
from portal.rounds.models import Round
from portal.timefmt import today_in_london
from tests.earlier_rounds.files import tiny, write_files
from tests.fixtures.pages import check_page, error_messages
from tests.fixtures.users import sign_in

BOARD_DAY = "2022-02-10"
TINY_DAY = "2020-03-31"


def rows_of(page) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [
        [" ".join(cell.get_text().split()) for cell in row.find_all(["th", "td"])]
        for row in page.select("table tbody tr")
    ]


def read_csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


@pytest.fixture
def tiny_round(session, tmp_path: Path, reference_data) -> Round:  # type: ignore[no-untyped-def]
    """Round 9: one cohort; Ann (whose business name looks like a formula) took part and
    answered, Ben withdrew, Cat never came."""
    sheets = tiny()
    sheets["participants"][0] = sheets["participants"][0].replace(
        "Ashworth Foods Ltd", "=1+2 Ashworth Foods"
    )
    folder = write_files(tmp_path / "tiny", sheets)
    report = imports.run_import(session, read_folder(folder), "tiny", now=utcnow())
    assert report.imported, report.lines()
    session.commit()
    return session.scalar(select(Round).where(Round.name == "Round 9"))


def test_the_board_figures_their_records_and_a_contractor_leads_view(
    app, client, session, sample_rounds, signed_in_as, make_user
):
    one = session.scalar(select(Round).where(Round.name == "Round 1"))
    signed_in_as(Role.OFFICER)

    queries: list[str] = []

    def count(*args: object) -> None:
        queries.append(str(args[2]))

    engine = db.engine_for(app)
    event.listen(engine, "before_cursor_execute", count)
    page = check_page(client.get(f"/outcomes/?round={one.id}&as_at={BOARD_DAY}"))
    event.remove(engine, "before_cursor_execute", count)
    text = " ".join(page.get_text().split())
    assert "Round 1 (2020-21) as at 10 February 2022" in text
    figures = {row[0]: row[1] for row in rows_of(page) if len(row) == 2}
    assert figures["Cohorts"].startswith("31")
    assert figures["Participants"].startswith("327")
    # Tables show percentages to one decimal place: 206 of 212 is 97.17%.
    assert figures["Satisfaction rating (fairly or very satisfied)"].startswith("97.2% (n = 212)")
    assert "Very satisfied" in figures
    assert figures["Round cost"] == "£432,000 (grant)"
    assert figures["Cost per cohort"] == "£13,935"
    # The dashboard's queries do not grow with the number of records.
    assert len(queries) < 120, len(queries)

    # Drilling down from the participants figure lists the 327 people behind it.
    link = page.find("a", href=lambda h: h and "/records/participants" in h)
    drill = check_page(client.get(link["href"]))
    assert "327 records" in drill.get_text()
    assert len(drill.select("table tbody tr")) == 327

    # The participants download has the same people; the XLSX reads back.
    listed = read_csv(client.get(f"/outcomes/{one.id}/export/participants.csv?as_at={BOARD_DAY}"))
    assert len(listed) == 328
    book = load_workbook(
        io.BytesIO(client.get(f"/outcomes/{one.id}/export/by-sector.xlsx?as_at={BOARD_DAY}").data)
    )
    sheet = book.active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Sector"
    assert values[-1][0] == "Total"
    assert values[-1][1] == 327

    # A contractor lead sees only their own cohorts, with small numbers suppressed.
    smallest = session.scalars(select(Contractor).order_by(Contractor.name)).first()
    lead = make_user(Role.CONTRACTOR_LEAD, contractors=[smallest])
    sign_in(client, lead)
    theirs = check_page(client.get(f"/outcomes/?round={one.id}&as_at={BOARD_DAY}"))
    their_text = " ".join(theirs.get_text().split())
    assert f"count only the cohorts of {smallest.name}" in their_text
    assert [cell for row in rows_of(theirs) for cell in row if cell == "fewer than 5"]
    assert "unpublishable" not in their_text
    their_figures = {row[0]: row[1] for row in rows_of(theirs) if len(row) == 2}
    assert int(their_figures["Participants"].split()[0]) < 327
    by_contractor = next(
        table for table in theirs.select("table") if "By contractor" in table.caption.get_text()
    )
    names = [row.th.get_text(strip=True) for row in by_contractor.select("tbody tr")]
    assert set(names) <= {smallest.name, "Total"}
    their_people = check_page(
        client.get(f"/outcomes/{one.id}/records/participants?as_at={BOARD_DAY}")
    )
    assert len(their_people.select("table tbody tr")) == int(
        their_figures["Participants"].split()[0]
    )


def test_officers_see_small_numbers_marked_and_downloads_suppress_them(
    client, signed_in_as, tiny_round
):
    signed_in_as(Role.OFFICER)
    page = check_page(client.get(f"/outcomes/?round={tiny_round.id}&as_at={TINY_DAY}"))
    figures = {row[0]: row[1] for row in rows_of(page) if len(row) == 2}
    assert figures["Participants"].startswith("2")
    assert figures["Withdrawn"].startswith("1")
    assert figures["Satisfaction rating (fairly or very satisfied)"].startswith("100.0% (n = 1)")
    assert figures["Very satisfied"].startswith("100.0% (n = 1)")
    assert figures["Response rate"].startswith("50.0% (n = 2)")
    # Ann completed 5.5 of the threshold's 12 hours: nobody completed, 0 of 2.
    assert figures["Completion rate"].startswith("0.0% (n = 2)")
    assert figures["Would recommend (net promoter score)"] == "+100 (n = 1)"
    assert any("unpublishable" in cell for row in rows_of(page) for cell in row)
    assert not [cell for row in rows_of(page) for cell in row if cell == "fewer than 5"]

    exported = read_csv(
        client.get(f"/outcomes/{tiny_round.id}/export/by-contractor.csv?as_at={TINY_DAY}")
    )
    assert exported[0][:3] == ["Contractor", "Participants", "Completers"]
    assert exported[1][0] == "Ribble Coaching Ltd"
    assert exported[1][1] == "fewer than 5"
    assert "2" not in exported[1][1:]


def test_a_round_still_running_is_marked_on_the_dashboard_and_in_its_download(
    client, signed_in_as, tiny_round
):
    signed_in_as(Role.OFFICER)
    # Round 9 ends on 31 March 2020: on the 30th it was still running.
    page = check_page(client.get(f"/outcomes/?round={tiny_round.id}&as_at=2020-03-30"))
    text = " ".join(page.get_text().split())
    assert "Round 9 was still running on 30 March 2020: its figures are not final" in text
    figures = {row[0]: row[1] for row in rows_of(page) if len(row) == 2}
    # The grant of £100,000 over 1 cohort and 2 participants.
    assert figures["Cost per cohort"] == "£100,000 (round still running: not final)"
    assert figures["Cost per participant"] == "£50,000 (round still running: not final)"
    assert figures["Round status"] == "Round still running: cost per cohort not final"
    summary = read_csv(client.get(f"/outcomes/{tiny_round.id}/export/summary.csv?as_at=2020-03-30"))
    assert ["Money", "Round status", "Round still running: cost per cohort not final", ""] in (
        summary
    )
    assert ["Satisfaction and other answers", "Response rate", "50.0%", "2"] in summary

    ended = check_page(client.get(f"/outcomes/?round={tiny_round.id}&as_at={TINY_DAY}"))
    ended_figures = {row[0]: row[1] for row in rows_of(ended) if len(row) == 2}
    assert ended_figures["Cost per cohort"] == "£100,000"
    assert ended_figures["Round status"] == "Ended: these figures are final"
    assert "still running" not in ended.get_text()


def test_downloads_cannot_run_formulas(client, signed_in_as, tiny_round):
    signed_in_as(Role.OFFICER)
    rows = read_csv(
        client.get(f"/outcomes/{tiny_round.id}/export/participants.csv?as_at={TINY_DAY}")
    )
    businesses = [row[1] for row in rows[1:]]
    assert "'=1+2 Ashworth Foods" in businesses
    assert not any(cell.startswith("=") for row in rows for cell in row)
    response = client.get(f"/outcomes/{tiny_round.id}/export/participants.xlsx?as_at={TINY_DAY}")
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "'=1+2 Ashworth Foods" in cells
    assert sheet.cell(row=1, column=1).value == "Name"


def test_every_figure_and_table_drills_down_and_downloads(client, signed_in_as, tiny_round):
    signed_in_as(Role.ADMIN)
    expected = {
        "participants": 2,
        "completers": 0,
        "withdrawn": 1,
        "respondents": 1,
        "businesses-supported": 0,
        "cohorts": 1,
        "planned-cohorts": 0,
        "sessions": 2,
        "one-to-one": 1,
    }
    for figure, count in expected.items():
        page = check_page(
            client.get(f"/outcomes/{tiny_round.id}/records/{figure}?as_at={TINY_DAY}")
        )
        assert len(page.select("table tbody tr")) == count, figure
        rows = read_csv(
            client.get(f"/outcomes/{tiny_round.id}/export/{figure}.csv?as_at={TINY_DAY}")
        )
        assert len(rows) == count + 1, figure
    respondents = check_page(
        client.get(f"/outcomes/{tiny_round.id}/records/respondents?as_at={TINY_DAY}")
    )
    assert rows_of(respondents)[0][-1] == "Very satisfied"
    for table in ["summary", "issues", "hours-by-contractor", "by-sector", "by-ownership"]:
        for fmt in ["csv", "xlsx"]:
            response = client.get(
                f"/outcomes/{tiny_round.id}/export/{table}.{fmt}?as_at={TINY_DAY}"
            )
            assert response.status_code == 200, (table, fmt)


def test_rounds_side_by_side_with_charts(client, signed_in_as, tiny_round, make_round):
    make_round(name="Round 10", year_label="2020-21")
    signed_in_as(Role.OFFICER)
    page = check_page(client.get(f"/outcomes/compare?round={tiny_round.id}&as_at={TINY_DAY}"))
    charts = page.select("svg[role=img]")
    assert len(charts) == 2
    assert all(chart.title and chart.get("aria-label") for chart in charts)
    assert charts[0]["aria-label"] == "Participants by round. Round 9 (2019-20): Participants 2."
    header = [th.get_text(strip=True) for th in page.select("table")[-1].select("thead th")]
    assert header == ["Figure", "Round 9 (2019-20)"]
    # Tables give percentages to one decimal place: Ann, the one respondent, was very satisfied.
    satisfaction = next(
        table for table in page.select("table") if "Satisfaction by round" in table.caption.text
    )
    assert rows_of(satisfaction)[0] == ["Round 9 (2019-20)", "100.0%", "100.0%", "1"]
    assert not page.find("script", src=lambda s: s and "chart" in s)


def test_a_bad_date_is_explained_and_unknown_records_are_not_found(
    client, signed_in_as, tiny_round
):
    signed_in_as(Role.OFFICER)
    page = check_page(client.get(f"/outcomes/?round={tiny_round.id}&as_at=31-02-2020"), status=400)
    assert error_messages(page) == ["The as-at date must be a real date, for example 10 2 2022"]
    page = check_page(
        client.get(f"/outcomes/?round={tiny_round.id}&as_at=31&as_at=2&as_at=2020"),
        status=400,
    )
    assert error_messages(page) == ["The as-at date must be a real date"]
    # The date input's three parts work as well as the links' one.
    page = check_page(client.get(f"/outcomes/?round={tiny_round.id}&as_at=31&as_at=3&as_at=2020"))
    assert "as at 31 March 2020" in page.get_text()
    # With no date chosen, the boxes show the day the figures are for (today).
    page = check_page(client.get(f"/outcomes/?round={tiny_round.id}"))
    today = today_in_london()
    assert [page.select_one(f"#as_at-{part}")["value"] for part in ("day", "month", "year")] == [
        f"{today.day:02d}",
        f"{today.month:02d}",
        str(today.year),
    ]
    assert client.get(f"/outcomes/{tiny_round.id}/records/nothing").status_code == 404
    assert client.get("/outcomes/999999/records/participants").status_code == 404
    assert client.get(f"/outcomes/{tiny_round.id}/export/nothing.csv").status_code == 404
    assert client.get(f"/outcomes/{tiny_round.id}/export/summary.pdf").status_code == 404
    assert client.get("/outcomes/?round=999999").status_code == 404


def test_an_as_at_date_after_today_is_explained_not_counted(client, signed_in_as, tiny_round):
    """The end of the calendar cannot be counted to (31 December 9999 overflowed), and no
    later day counts more than today does."""
    signed_in_as(Role.OFFICER)
    for path in (f"/outcomes/?round={tiny_round.id}&", f"/outcomes/compare?round={tiny_round.id}&"):
        for as_at in ("as_at=9999-12-31", "as_at=31&as_at=12&as_at=9999"):
            page = check_page(client.get(path + as_at), status=400)
            assert error_messages(page) == ["The as-at date must be today or in the past"]
            assert page.select_one("#as_at-year")["value"] == "9999", "the answer is kept"
    drill_down = f"/outcomes/{tiny_round.id}/records/participants?as_at=9999-12-31"
    assert client.get(drill_down).status_code == 400
    export = f"/outcomes/{tiny_round.id}/export/participants.csv?as_at=9999-12-31"
    assert client.get(export).status_code == 400


def test_the_help_page_gives_every_definition(client, signed_in_as):
    signed_in_as(Role.OFFICER)
    page = check_page(client.get("/outcomes/help"))
    terms = [dt.get_text(strip=True) for dt in page.select("dt")]
    for term in [
        "Applicant",
        "Eligible applicant",
        "Placed",
        "Participant",
        "Completer",
        "Withdrawn",
        "Business supported",
        "Cohort",
        "Contractors delivering",
        "Respondents",
        "Satisfaction rating",
        "Very satisfied",
        "Response rate",
        "Issues covered",
        "Group hours delivered",
        "Group hours attended",
        "1:1 hours delivered",
        "Round cost",
        "Cost per cohort",
        "Cost per participant",
        "Projection",
    ]:
        assert term in terms, term


def test_the_dashboard_is_for_officers_admins_and_contractor_leads(client, signed_in_as):
    assert client.get("/outcomes/").status_code == 302
    signed_in_as(Role.FACILITATOR)
    assert client.get("/outcomes/").status_code == 403
    signed_in_as(Role.CONTRACTOR_LEAD)
    page = check_page(client.get("/outcomes/"))
    assert "No round has any cohorts yet." in page.get_text()
    nav = [a.get_text(strip=True) for a in page.select(".govuk-service-navigation__link")]
    assert "Outcomes" in nav


def test_the_contents_list_links_to_every_section_headline_figures_first(
    client, signed_in_as, tiny_round
):
    signed_in_as(Role.OFFICER)
    page = check_page(client.get(f"/outcomes/?round={tiny_round.id}&as_at={TINY_DAY}"))
    contents = page.select_one("nav[aria-labelledby=contents-title]")
    links = [(a.get_text(strip=True), a["href"]) for a in contents.select("a")]
    assert links[0] == ("People and businesses", "#people-and-businesses")
    assert [text for text, _ in links][-3:] == [
        "Breakdowns",
        "Issues covered",
        "Hours by contractor",
    ]
    for text, href in links:
        target = page.find(id=href.removeprefix("#"))
        assert target is not None, f"{text} links to no id"
        assert target.get_text(strip=True) == text
    assert contents.find_previous("table") is None, "the contents come before any figure"
