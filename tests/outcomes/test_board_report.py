"""The board report: its sentences from round summaries, the page, the .docx, and issuing a
frozen snapshot that never changes afterwards.

One test reads the shipped earlier-rounds samples (imported once per database:
``sample_rounds``), which reproduce the board report of February 2022; the others use
summaries or records made by hand.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from docx import Document
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import Role
from portal.outcomes import figures
from portal.outcomes.board_report import BoardReport, CostBasis, build_report, projection_formula
from portal.outcomes.figures_inputs import RecommendFigures, SatisfactionFigures
from portal.outcomes.models import ContractorContract, IssuedReport
from portal.outcomes.report_docx import report_docx
from portal.outcomes.round_figures import RoundSummary
from portal.rounds.models import Round
from portal.timefmt import today_in_london
from tests.fixtures.pages import check_page, error_messages
from tests.fixtures.tasks import result_of

REPORT_QUERY = "as_at=2022-02-10&cohorts=15&basis=recorded"


def a_summary(**fields) -> RoundSummary:
    values = {
        "round_id": 1,
        "round_name": "Round 1",
        "year_label": "2020-21",
        "as_at": figures.as_at_moment(dt.date(2022, 2, 10)),
        "contractor_ids": None,
        "applicants": 400,
        "eligible_applicants": 380,
        "placed": 340,
        "participants": 327,
        "completers": 300,
        "withdrawn": 10,
        "businesses_supported": 290,
        "cohorts": 31,
        "planned_cohorts": 0,
        "contractors_delivering": 12,
        "group_hours_delivered": Decimal(500),
        "group_hours_attended": Decimal(4000),
        "one_to_one_hours": Decimal(100),
        "satisfaction": SatisfactionFigures(212, 300, 206, 150, None, None, None),
        "recommend": RecommendFigures(0, 0, 0, None),
        "issues": [],
        "grant_pence": 43_200_000,
        "cost": figures.RoundCost(43_200_000, "grant"),
        "completion_threshold_hours": 12,
        "support_threshold_hours": 12,
    }
    values.update(fields)
    return RoundSummary(**values)


def a_second_summary(**fields) -> RoundSummary:
    values = {
        "round_id": 2,
        "round_name": "Round 2",
        "year_label": "2021-22",
        "participants": 208,
        "cohorts": 23,
        "contractors_delivering": 15,
        "satisfaction": SatisfactionFigures(120, 200, 119, 118, None, None, None),
        "grant_pence": 39_000_000,
        "cost": figures.RoundCost(39_000_000, "grant"),
    }
    values.update(fields)
    return a_summary(**values)


def test_the_report_speaks_in_the_board_reports_own_sentences():
    report = build_report(
        [a_summary(), a_second_summary()], area="Lancashire", as_at=dt.date(2022, 2, 10)
    )
    sentences = report.all_sentences()
    assert (
        "In 2020-21 Peer Networks was delivered to 31 cohorts of businesses in Lancashire "
        "with 327 participants and a 97% satisfaction rating (n = 212)."
    ) in sentences
    # Both satisfaction figures for every round, labelled, never one in place of the other.
    assert "71% of respondents were very satisfied (n = 212)." in sentences
    assert "98% of respondents were very satisfied (n = 120)." in sentences
    assert "15 contractors delivered the 2021-22 programme." in sentences
    assert report.projection.formula == "15 × (£822,000 ÷ 54) = 15 × £15,222 = £228,333"
    assert "Figures are as at 10 February 2022." in report.basis_sentence
    assert "Round 1: grant; Round 2: grant" in report.basis_sentence
    assert "Round 1 (2020-21) was funded by a grant of £432,000." in report.funding_paragraph
    assert report.table_rows[2] == ["Satisfaction rating", "97.2% (n = 212)", "99.2% (n = 120)"]
    assert report.table_rows[3] == ["Very satisfied", "70.8% (n = 212)", "98.3% (n = 120)"]
    # Plain data: survives JSON, so an issued report can be frozen.
    assert BoardReport.from_dict(report.to_dict()) == report


def test_recorded_spend_is_used_and_named_and_grant_only_ignores_it():
    spent = a_summary(cost=figures.RoundCost(40_000_000, "recorded spend"))
    recorded = build_report([spent], area="Lancashire", as_at=dt.date(2022, 2, 10))
    assert "Recorded spend is £400,000, which the grant covers in full." in (
        recorded.funding_paragraph
    )
    assert "Round 1: recorded spend" in recorded.basis_sentence
    assert recorded.projection.formula == "15 × (£400,000 ÷ 31) = 15 × £12,903 = £193,548"
    grant_only = build_report(
        [spent], area="Lancashire", as_at=dt.date(2022, 2, 10), basis=CostBasis.GRANT
    )
    assert grant_only.projection.formula == "15 × (£432,000 ÷ 31) = 15 × £13,935 = £209,032"
    assert "use each round’s grant" in grant_only.basis_sentence


def test_a_round_still_running_is_marked_in_its_sentences_table_and_document():
    # Round 2 had not ended on 10 February 2022 (it ends on 31 March 2022).
    report = build_report(
        [a_summary(), a_second_summary(still_running=True)],
        area="Lancashire",
        as_at=dt.date(2022, 2, 10),
    )
    first, second = report.rounds
    assert "Round 2 was still running on 10 February 2022, so its figures are not final." in (
        second.sentences
    )
    # £390,000 / 23 = £16,956.52 and £390,000 / 208 = £1,875.
    assert second.cost == (
        "Cost per cohort in Round 2: £16,957 (£390,000 grant ÷ 23 cohorts); cost per "
        "participant: £1,875. Round still running: cost per cohort not final."
    )
    assert "still running" not in " ".join([*first.sentences, first.cost])
    # £432,000 / 31 = £13,935.48; £432,000 / 327 = £1,321.10.
    assert report.table_rows[7] == [
        "Cost per cohort",
        "£13,935",
        "£16,957 (round still running: not final)",
    ]
    assert report.table_rows[8] == [
        "Cost per participant",
        "£1,321",
        "£1,875 (round still running: not final)",
    ]
    document = document_text(report_docx(report))
    assert "Round still running: cost per cohort not final." in document
    assert "£16,957 (round still running: not final)" in document


def test_rounds_without_cohorts_or_responses_are_worded_honestly():
    empty = a_summary(
        cohorts=0,
        participants=0,
        contractors_delivering=0,
        planned_cohorts=1,
        satisfaction=SatisfactionFigures(0, 0, 0, 0, None, None, None),
    )
    report = build_report([empty], area="Lancashire", as_at=dt.date(2022, 2, 10))
    assert report.rounds[0].sentences[0] == (
        "In 2020-21 Peer Networks was delivered to 0 cohorts of businesses in Lancashire with "
        "0 participants; no one had answered the exit survey’s satisfaction question by "
        "10 February 2022."
    )
    assert "A further 1 cohort had formed but not yet met." in report.rounds[0].sentences
    assert report.projection.formula is None
    assert projection_formula(figures.projection(15, [])) is None


def make_document(client, page):
    """Press the page's .docx button and follow the task to its download."""
    form = page.find("button", string=lambda s: s and ".docx" in s).find_parent("form")
    token = form.find("input", attrs={"name": "csrf_token"})["value"]
    return result_of(client, client.post(form["action"], data={"csrf_token": token}))


def test_the_sample_rounds_reproduce_the_february_2022_report_and_an_issued_report_is_frozen(
    app, client, session, sample_rounds, signed_in_as, task_consumer
):
    rounds = {r.name: r for r in session.scalars(select(Round))}
    one, two = rounds["Round 1"], rounds["Round 2"]
    query = f"/board-report/?round={one.id}&round={two.id}&{REPORT_QUERY}"
    officer = signed_in_as(Role.OFFICER)

    page = check_page(client.get(query))
    text = " ".join(page.get_text().split())
    for sentence in (
        "In 2020-21 Peer Networks was delivered to 31 cohorts of businesses in Lancashire "
        "with 327 participants and a 97% satisfaction rating",
        "In 2021-22 Peer Networks was delivered to 23 cohorts of businesses in Lancashire "
        "with 208 participants",
        "98% of respondents were very satisfied",
        "15 contractors delivered the 2021-22 programme.",
        "was funded by a grant of £432,000",
        "was funded by a grant of £390,000",
        "15 × (£822,000 ÷ 54) = 15 × £15,222 = £228,333",
        "Figures are as at 10 February 2022.",
        # Round 2 ran until 31 March 2022; Round 1 had ended.
        "Round 2 was still running on 10 February 2022, so its figures are not final.",
        "£16,957 (round still running: not final)",
    ):
        assert sentence in text, sentence
    assert "Round 1 was still running" not in text

    # The same report as a Word document, made by a background task.
    download = make_document(client, page)
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    docx_text = document_text(download.data)
    assert "with 327 participants and a 97% satisfaction rating" in docx_text
    assert "15 × (£822,000 ÷ 54) = 15 × £15,222 = £228,333" in docx_text
    assert "Round still running: cost per cohort not final." in docx_text

    # Issue it: a confirmation page, then a frozen snapshot.
    confirm_path = query.replace("/board-report/?", "/board-report/issue?")
    confirm = check_page(client.get(confirm_path))
    assert "Issue this report" in confirm.h1.get_text()
    hidden = {i["name"]: i["value"] for i in confirm.select("form input[type=hidden]")}
    data = {**hidden, "round": [str(one.id), str(two.id)]}
    issued = client.post("/board-report/issue", data=data)
    assert issued.status_code == 302
    report = session.scalars(select(IssuedReport)).one()
    assert report.as_at == dt.date(2022, 2, 10)
    assert report.issued_by_id == officer.id
    assert (
        session.scalar(select(func.count()).where(AuditEvent.action == "board_report.issued")) == 1
    )

    # The data changes: spend is recorded for Round 1.
    contractor_id = session.scalars(select(ContractorContract.contractor_id)).first()
    contract = session.scalars(
        select(ContractorContract).where(
            ContractorContract.round_id == one.id,
            ContractorContract.contractor_id == contractor_id,
        )
    ).first() or ContractorContract(
        round_id=one.id, contractor_id=contractor_id, contract_value_pence=0
    )
    contract.spend_to_date_pence = 10_000_000
    contract.spend_recorded_on = dt.date(2022, 1, 31)
    session.add(contract)
    session.commit()

    fresh = " ".join(check_page(client.get(query)).get_text().split())
    assert "15 × (£822,000 ÷ 54)" not in fresh
    frozen = check_page(client.get(issued.headers["Location"]))
    frozen_text = " ".join(frozen.get_text().split())
    assert "15 × (£822,000 ÷ 54) = 15 × £15,222 = £228,333" in frozen_text
    frozen_docx = client.get(f"/board-report/issued/{report.id}/report.docx")
    assert "15 × (£822,000 ÷ 54) = 15 × £15,222 = £228,333" in document_text(frozen_docx.data)
    listing = check_page(client.get("/board-report/issued/"))
    assert report.title in listing.get_text()


def document_text(body: bytes) -> str:
    document = Document(io.BytesIO(body))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.fixture
def report_world(make_round, signed_in_as):
    return make_round(name="Round 1", year_label="2020-21", grant_pence=43_200_000)


def test_bad_choices_are_gov_uk_errors_not_500(client, report_world, signed_in_as):
    signed_in_as(Role.OFFICER)
    page = check_page(
        client.get("/board-report/?as_at=2022-02-31&cohorts=lots&basis=guess"), status=400
    )
    assert error_messages(page) == [
        "Select at least one round",
        "Date the figures are as at must be a real date",
        "Number of cohorts must be a whole number",
        "Select the cost basis",
    ]
    token = client.csrf_token_from("/feedback")
    refused = client.post("/board-report/report.docx?round=999", data={"csrf_token": token})
    assert refused.status_code == 400
    check_page(client.get(f"/board-report/?round={report_world.id}&round=nope"), status=400)


def test_a_future_as_at_date_is_refused_with_a_gov_uk_error(client, report_world, signed_in_as):
    signed_in_as(Role.OFFICER)
    today = today_in_london()
    for day in (today + dt.timedelta(days=1), dt.date(2031, 1, 1)):
        query = f"round={report_world.id}&as_at={day.isoformat()}&cohorts=15&basis=grant"
        page = check_page(client.get(f"/board-report/?{query}"), status=400)
        assert error_messages(page) == ["Date the figures are as at must be today or in the past"]
        token = client.csrf_token_from("/feedback")
        refused = client.post(f"/board-report/report.docx?{query}", data={"csrf_token": token})
        assert refused.status_code == 400
        assert client.get(f"/board-report/issue?{query}").status_code == 400
    query = f"round={report_world.id}&as_at={today.isoformat()}&cohorts=15&basis=grant"
    check_page(client.get(f"/board-report/?{query}"))


def test_issuing_needs_a_valid_token_and_the_right_role(
    client, session, report_world, signed_in_as
):
    signed_in_as(Role.OFFICER)
    data = {"round": report_world.id, "as_at": "2021-03-31", "cohorts": "15", "basis": "grant"}
    assert client.post("/board-report/issue", data=data).status_code == 400
    assert session.scalar(select(func.count()).select_from(IssuedReport)) == 0
    signed_in_as(Role.CONTRACTOR_LEAD)
    assert client.get("/board-report/").status_code == 403


def test_the_document_is_made_by_a_task_and_only_its_role_can_download_it_for_a_day(
    app, client, session, report_world, signed_in_as, make_user, task_consumer
):
    import datetime as dt

    from portal import db
    from portal.db_base import utcnow
    from portal.tasks import services
    from portal.tasks.models import TaskFile
    from tests.fixtures.users import sign_in

    signed_in_as(Role.OFFICER)
    query = f"round={report_world.id}&as_at=2021-03-31&cohorts=15&basis=grant"
    page = check_page(client.get(f"/board-report/?{query}"))
    assert client.post(f"/board-report/report.docx?{query}").status_code == 400  # no token
    assert client.get(f"/board-report/report.docx?{query}").status_code == 405
    download = make_document(client, page)
    assert download.status_code == 200
    assert download.mimetype.endswith("wordprocessingml.document")
    assert "board-report-as-at-2021-03-31.docx" in download.headers["Content-Disposition"]
    assert "Peer Networks board report: Round 1" in document_text(download.data)
    file_path = urlsplit(download.request.url).path
    status = check_page(client.get(file_path.removesuffix("/file")))
    assert "ready. You can download it for a day" in status.get_text()

    admin = make_user(Role.ADMIN)
    other = app.test_client()
    sign_in(other, admin)
    assert other.get(file_path).status_code == 404  # started as an officer: officers only
    assert other.get(file_path.removesuffix("/file")).status_code == 404

    session.rollback()
    kept = session.scalars(select(TaskFile)).one()
    kept.created_at = utcnow() - dt.timedelta(days=1, minutes=1)
    session.commit()
    assert client.get(file_path).status_code == 404
    with app.app_context():
        message = services.watch_over_tasks(db.session, utcnow())
        db.session.commit()
    assert message.endswith("1 old file deleted")
    session.rollback()
    assert session.scalars(select(TaskFile)).all() == []
