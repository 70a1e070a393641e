"""Importing rounds that ran before the portal existed, from CSV files or an XLSX workbook.

The format is documented in ``docs/earlier-rounds-import-format.md``. Two steps, as with
the applicant import:

1. ``check`` (the dry run) reads every sheet, checks every row (reporting each problem
   with its file, line and reason), then, if nothing is wrong, does the whole import in a
   savepoint and rolls it back, so the counts it reports (created, updated, unchanged)
   are exactly what the import would do.
2. ``run_import`` does it, keeping the result. All or nothing: while any row has a
   problem nothing is imported, because a part of a round would give wrong figures.

Idempotent: every row has a stable key (see ``writer``), so importing the
same files again changes nothing, and corrected files update what changed. Imported
records are marked as imported, written as they happened (with their own dates), and never
fire an email: nothing is queued, no survey invitation is marked as sent (so no reminder is
ever due), and only rounds that finished long enough ago are accepted (``cutoff``), so the
survey job, which only acts on recent events, never takes an imported place for a new one.
The import is one audit event (``earlier_rounds.imported``), not one per record.

Side effects of ``run_import``: the records, and the audit event (flushed, not committed).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit.services import record
from portal.auth.models import User
from portal.earlier_rounds.files import SHEETS, Problem, Sources
from portal.earlier_rounds.rows import Context, Rows, read_sheets
from portal.earlier_rounds.writer import Writer
from portal.earlier_rounds.writer_base import BLANK, CREATED, UNCHANGED, UPDATED
from portal.reference.models import ReferenceKind
from portal.registration.officer_answers import reference_labels
from portal.rounds.models import Round
from portal.surveys.definitions import (
    current_version,
    definition_file,
    questions_from,
    read_definition,
)
from portal.surveys.invitations import CATCH_UP_LIMIT, add_months
from portal.surveys.models import SurveyTiming
from portal.surveys.questions import QuestionLike
from portal.timefmt import LONDON

AUDIT_ACTION = "earlier_rounds.imported"
NO_REFERENCE_LISTS = (
    "The portal’s reference lists (districts, sectors, issues) are not loaded, so no code "
    "can be checked. Run flask --app wsgi portal init first"
)


@dataclass
class ImportReport:
    source: str
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Sheet -> how many rows were (or would be) created, updated, unchanged or left blank.
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    rows: int = 0
    imported: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, action: str) -> int:
        return sum(counts[action] for counts in self.counts.values())

    @property
    def changes(self) -> int:
        """Rows that create or change something."""
        return self.count(CREATED) + self.count(UPDATED)

    def sheet_rows(self) -> list[tuple[str, int, int, int, int]]:
        """(sheet, created, updated, unchanged, blank) for each sheet with rows."""
        return [
            (sheet, c[CREATED], c[UPDATED], c[UNCHANGED], c[BLANK])
            for sheet in SHEETS
            if (c := self.counts.get(sheet)) and sum(c.values())
        ]

    def summary(self) -> str:
        """'535 created, 0 updated, 0 unchanged' (or 'would be'), or the problems."""
        if self.problems:
            problems = len(self.problems)
            return f"{problems} problem{'' if problems == 1 else 's'} found: nothing imported"
        counts = (
            f"{self.count(CREATED):,} created, {self.count(UPDATED):,} updated, "
            f"{self.count(UNCHANGED):,} unchanged"
        )
        return counts if self.imported else f"would be {counts}"

    def lines(self) -> list[str]:
        """The report as lines of text, for the command line."""
        lines = [*self.notes, *(str(problem) for problem in self.problems)]
        for sheet, created, updated, unchanged, blank in self.sheet_rows():
            extra = f", {blank:,} blank (skipped)" if blank else ""
            lines.append(
                f"{sheet}: {created:,} created, {updated:,} updated, {unchanged:,} unchanged{extra}"
            )
        if self.problems:
            lines.append(f"{self.summary()}.")
        else:
            verb = "Imported" if self.imported else "Dry run (nothing was changed)"
            lines.append(f"{verb}: {self.summary()}.")
        return lines


def cutoff(programme_round: Round | None, now: dt.datetime) -> dt.date:
    """The last date anything in an imported round may have happened.

    The survey job acts on events from the last ``CATCH_UP_LIMIT`` (60 days), and follow-up
    surveys come ``follow_up_survey_months`` after the exit survey, itself
    ``exit_survey_days_after_last_session`` after the last session. Anything on or before
    this date is past all of them, so the job never invites or reminds anyone imported.
    """
    months = _setting(programme_round, "follow_up_survey_months")
    days = _setting(programme_round, "exit_survey_days_after_last_session")
    latest = now - CATCH_UP_LIMIT - dt.timedelta(days=days + 1)
    return add_months(latest, -months).astimezone(LONDON).date()


def _setting(programme_round: Round | None, name: str) -> int:
    if programme_round is not None:
        return int(getattr(programme_round, name))
    default = Round.__table__.c[name].default
    assert default is not None
    return int(default.arg)


def _questions(session: Session) -> dict[SurveyTiming, dict[str, QuestionLike]]:
    """Each survey's questions by measure code: the current version's, or (before the
    surveys are loaded) the shipped definition's, which the import then loads."""
    found: dict[SurveyTiming, dict[str, QuestionLike]] = {}
    for timing in SurveyTiming:
        version = current_version(session, timing)
        questions: list[QuestionLike] = (
            list(version.questions)
            if version is not None
            else list(questions_from(read_definition(definition_file(timing))))
        )
        found[timing] = {question.measure_code: question for question in questions}
    return found


def _context(session: Session, sources: Sources, now: dt.datetime) -> Context:
    rounds = {r.name: r for r in session.scalars(select(Round))}
    cutoffs: dict[str, dt.date] = {}

    def round_cutoff(name: str) -> dt.date:
        if name not in cutoffs:
            cutoffs[name] = cutoff(rounds.get(name), now)
        return cutoffs[name]

    return Context(reference_labels(session), _questions(session), round_cutoff)


def _sorted(problems: list[Problem], names: Mapping[str, str]) -> list[Problem]:
    order = {names.get(sheet, f"{sheet}.csv"): index for index, sheet in enumerate(SHEETS)}
    return sorted(problems, key=lambda p: (order.get(p.file, -1), p.line or 0))


def check(
    session: Session, sources: Sources, source: str, *, now: dt.datetime, actor: User | None = None
) -> ImportReport:
    """The dry run: every problem, or exactly what importing would do. Changes nothing."""
    return _run(session, sources, source, now=now, actor=actor, keep=False)


def run_import(
    session: Session,
    sources: Sources,
    source: str,
    *,
    now: dt.datetime,
    actor: User | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Check and import; nothing at all is kept if any problem is found."""
    return _run(session, sources, source, now=now, actor=actor, keep=True, progress=progress)


def total_rows(sources: Sources) -> int:
    """How many rows the files hold (for a progress bar)."""
    return sum(len(table.rows) for table in sources.tables.values())


def _run(
    session: Session,
    sources: Sources,
    source: str,
    *,
    now: dt.datetime,
    actor: User | None,
    keep: bool,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    context = _context(session, sources, now)
    if not context.labels.active[ReferenceKind.DISTRICT]:
        return ImportReport(source, problems=[Problem(source, None, "", NO_REFERENCE_LISTS)])
    rows, problems, notes = read_sheets(sources, context)
    report = ImportReport(source, rows=rows.count(), notes=notes)
    if problems:
        report.problems = _sorted(problems, sources.names)
        return report
    writer = _write(session, rows, sources, now=now, actor=actor, keep=keep, progress=progress)
    report.counts = writer.counts
    if writer.problems:
        report.problems = _sorted(writer.problems, sources.names)
        return report
    if keep:
        report.imported = True
        record(
            session,
            actor=actor,
            action=AUDIT_ACTION,
            entity_type="import",
            entity_id=source[:100],
            reason=f"Earlier rounds imported from {source}: {report.summary()}",
        )
    return report


def _write(
    session: Session,
    rows: Rows,
    sources: Sources,
    *,
    now: dt.datetime,
    actor: User | None,
    keep: bool,
    progress: Callable[[int], None] | None,
) -> Writer:
    """Write the rows in a savepoint, kept only when asked and nothing was refused."""
    writer = Writer(session, rows, sources.name_of, actor=actor, now=now, progress=progress)
    savepoint = session.begin_nested()
    try:
        writer.write()
    except BaseException:
        savepoint.rollback()
        raise
    if keep and not writer.problems:
        savepoint.commit()
    else:
        savepoint.rollback()
    return writer
