"""Issuing a board report: its figures, page and document frozen with their as-at date.

An issued report is never changed and never recomputed: its page and .docx are served from
what was stored when it was issued, however the data changes afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit import services as audit
from portal.auth.models import User
from portal.db import found_or_404
from portal.db_base import utcnow
from portal.outcomes.board_report import BoardReport
from portal.outcomes.models import IssuedReport
from portal.outcomes.report_docx import report_docx
from portal.timefmt import govuk_date


def issue_report(
    session: Session, report: BoardReport, *, html: str, actor: User | None
) -> IssuedReport:
    """Freeze ``report`` (with the page's ``html``) as an IssuedReport.

    Side effects: flushes the IssuedReport and an audit event.
    """
    issued_at = utcnow()
    issued = IssuedReport(
        title=report.title,
        round_ids=list(report.round_ids),
        as_at=report.as_at_date,
        issued_at=issued_at,
        issued_by_id=actor.id if actor is not None else None,
        figures=report.to_dict(),
        html=html,
        docx=report_docx(report, issued_on=govuk_date(issued_at)),
    )
    session.add(issued)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="board_report.issued",
        entity_type="issued_report",
        entity_id=issued.id,
        fields=["title", "round_ids", "as_at"],
    )
    return issued


def issued_reports(session: Session) -> Sequence[IssuedReport]:
    """Every issued report, newest first."""
    return session.scalars(
        select(IssuedReport).order_by(IssuedReport.issued_at.desc(), IssuedReport.id.desc())
    ).all()


def get_issued_report(session: Session, report_id: int) -> IssuedReport:
    return found_or_404(session, IssuedReport, report_id)


def frozen_report(issued: IssuedReport) -> BoardReport:
    """The report as it was when issued."""
    return BoardReport.from_dict(issued.figures)
