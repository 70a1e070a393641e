"""The board report as a Word document (.docx), built from the same ``BoardReport`` as the page."""

from __future__ import annotations

import io

from portal.outcomes.board_report import BoardReport
from portal.presentation import plural

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def report_docx(report: BoardReport, *, issued_on: str | None = None) -> bytes:
    """The report's sentences, table and projection as .docx bytes."""
    from docx import Document  # imported when a report is made, not when the app starts

    document = Document()
    document.core_properties.title = report.title
    document.add_heading(report.title, level=0)
    status = f"Issued on {issued_on}. " if issued_on else ""
    document.add_paragraph(f"{status}Figures as at {report.as_at_text}.")

    for section in report.rounds:
        document.add_heading(f"{section.round_name} ({section.year_label})", level=1)
        document.add_paragraph(" ".join(section.sentences))
        document.add_paragraph(section.cost)

    document.add_heading("Rounds side by side", level=1)
    table = document.add_table(rows=1, cols=len(report.table_header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, report.table_header, strict=True):
        cell.text = text
    for row in report.table_rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    document.add_paragraph(report.satisfaction_note)

    document.add_heading("Funding", level=1)
    document.add_paragraph(report.funding_paragraph)

    document.add_heading(f"Projection for {plural(report.projection.cohorts, 'cohort')}", level=1)
    document.add_paragraph(report.projection.sentence)
    if report.projection.formula:
        document.add_paragraph(report.projection.formula)

    document.add_heading("How these figures were worked out", level=1)
    document.add_paragraph(report.basis_sentence)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
