"""Importing applicants collected offline by partner networks, from CSV or XLSX.

The columns are documented in ``docs/applicant-import-format.md``. Two steps:

1. ``check_file`` (the dry run) reads the file, checks every row and works out what each
   good row would do: create an application, update one, or change nothing. It changes
   nothing in the database.
2. ``run_import`` does it. Rows with problems are left out; the rest are imported.

Idempotent: a row's ``source_reference`` (the partner's own id for the person) is stored
as ``Application.import_key``, unique in the round. Importing the same file again finds
each application by it and reports "unchanged"; a corrected file updates the answers
that differ. A column left out of the file leaves that answer alone on an update.

A new person gets an account with the participant role and no password (status invited),
and an email asking them to check their details, read the privacy notice and set a
password. Text is stored as typed (surrounding spaces and control characters removed):
formulas are made harmless when data is exported (``portal.exports``), not here.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.audit.services import record
from portal.auth import tokens
from portal.auth.models import Role, TokenPurpose, User, UserStatus
from portal.auth.services import user_by_email
from portal.notifications.services import queue_email
from portal.reference.models import ReferenceKind
from portal.registration import journey
from portal.registration.import_rows import (
    OPTIONAL_COLUMNS,
    OWNERSHIP_PREFIX,
    REQUIRED_COLUMNS,
    Answers,
    Problem,
    read_row,
)
from portal.registration.models import (
    CHANGEABLE_STATUSES,
    Application,
    ApplicationIssue,
    ApplicationOrganisation,
    ApplicationSource,
    ApplicationStatus,
    Availability,
    DeclaredConflict,
    OwnershipAnswer,
)
from portal.registration.officer_answers import ReferenceLabels, reference_labels
from portal.registration.people import find_or_create_person
from portal.registration.services import (
    RegistrationError,
    record_answers_changed,
    start_application,
    submit,
)
from portal.rounds.models import Round
from portal.spreadsheets.cells import choice_key
from portal.spreadsheets.files import SPARE_COLUMNS, UnreadableFile, read_table
from portal.urls import external_url

DEFAULT_MAX_ROWS = 2_000
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
PROGRESS_EVERY = 100


class Action(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"

    @property
    def planned(self) -> str:
        return {"create": "New application", "update": "Update", "unchanged": "No change"}[
            self.value
        ]

    @property
    def done(self) -> str:
        return {"create": "Created", "update": "Updated", "unchanged": "Unchanged"}[self.value]


@dataclass
class PlannedRow:
    row: int
    source_reference: str
    email: str
    name: str
    business_name: str
    answers: Answers
    action: Action
    application_id: int | None = None
    reference: str | None = None
    changes: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    filename: str
    round_id: int
    rows: list[PlannedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Set when the file cannot be used at all (nothing is imported).
    file_error: str | None = None
    imported: bool = False

    def count(self, action: Action) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def to_import(self) -> int:
        """Rows that create or change an application."""
        return self.count(Action.CREATE) + self.count(Action.UPDATE)

    @property
    def rows_with_problems(self) -> int:
        return len({problem.row for problem in self.problems if problem.row is not None})

    def summary(self) -> str:
        """'3 created, 1 updated, 2 unchanged, 1 row with problems' (or what would be)."""
        created, updated, unchanged = (self.count(action) for action in Action)
        problems = self.rows_with_problems
        rows = f"{problems} row{'' if problems == 1 else 's'} with problems"
        if self.imported:
            return f"{created} created, {updated} updated, {unchanged} unchanged, {rows}"
        return f"{created} to create, {updated} to update, {unchanged} unchanged, {rows}"


# Comparing and applying answers


def answer_changes(application: Application, answers: Answers) -> list[str]:
    """The names of the answers the row would change (sorted)."""
    changed = {
        name for name, value in answers.values.items() if getattr(application, name) != value
    }
    if answers.organisations is not None and answers.organisations != {
        item.organisation_code for item in application.organisations
    }:
        changed.add("organisations")
    if answers.issues is not None and answers.issues != {
        item.issue_code for item in application.issues
    }:
        changed.add("issues")
    if answers.availability is not None and answers.availability != {
        (slot.weekday, slot.part_of_day) for slot in application.availability
    }:
        changed.add("availability")
    current_ownership = {answer.fact_code: answer.answer for answer in application.ownership}
    if any(current_ownership.get(code) != value for code, value in answers.ownership.items()):
        changed.add("ownership")
    for kind, names in answers.conflicts.items():
        if names != tuple(c.business_name for c in application.conflicts if c.kind == kind):
            changed.add("conflicts")
    return sorted(changed)


def apply_answers(application: Application, answers: Answers) -> list[str]:
    """Set the answers on the application; returns the names of those that changed.

    Collections keep their unchanged items (so unique constraints never see a delete and
    an insert of the same row in one flush). Every question counts as answered.
    """
    changed = answer_changes(application, answers)
    for name, value in answers.values.items():
        setattr(application, name, value)
    if answers.organisations is not None:
        keep = [
            i for i in application.organisations if i.organisation_code in answers.organisations
        ]
        have = {i.organisation_code for i in keep}
        application.organisations = keep + [
            ApplicationOrganisation(organisation_code=code)
            for code in sorted(answers.organisations - have)
        ]
    if answers.issues is not None:
        keep_issues = [i for i in application.issues if i.issue_code in answers.issues]
        have = {i.issue_code for i in keep_issues}
        application.issues = keep_issues + [
            ApplicationIssue(issue_code=code) for code in sorted(answers.issues - have)
        ]
    if answers.availability is not None:
        keep_slots = [
            s
            for s in application.availability
            if (s.weekday, s.part_of_day) in answers.availability
        ]
        have_slots = {(s.weekday, s.part_of_day) for s in keep_slots}
        application.availability = keep_slots + [
            Availability(weekday=day, part_of_day=part)
            for day, part in sorted(answers.availability - have_slots)
        ]
    if answers.ownership:
        # A blank cell removes the answer; a fact the file has no column for is kept.
        blanked = {code for code, value in answers.ownership.items() if value is None}
        kept = [a for a in application.ownership if a.fact_code not in blanked]
        existing = {answer.fact_code: answer for answer in kept}
        for code, value in answers.ownership.items():
            if value is None:
                continue
            if code in existing:
                existing[code].answer = value
            else:
                kept.append(OwnershipAnswer(fact_code=code, answer=value))
        application.ownership = kept
    if answers.conflicts:
        application.conflicts = [
            c for c in application.conflicts if c.kind not in answers.conflicts
        ] + [
            DeclaredConflict(business_name=name, kind=kind)
            for kind, names in answers.conflicts.items()
            for name in names
        ]
    application.answered_steps = [step.slug for step in journey.STEPS]
    return changed


# The dry run


def _columns(header: list[str], labels: ReferenceLabels) -> tuple[list[str | None], list[str]]:
    """Each header cell as a known column name (None: ignored), and the ignored names."""
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    facts = {OWNERSHIP_PREFIX + code for code in labels.active[ReferenceKind.OWNERSHIP_FACT]}
    names: list[str | None] = []
    ignored = []
    for cell in header:
        name = choice_key(str(cell))
        if name in known or name in facts:
            names.append(name)
        else:
            names.append(None)
            if name:
                ignored.append(str(cell).strip())
    return names, ignored


def check_file(
    session: Session,
    data: bytes,
    filename: str,
    programme_round: Round,
    *,
    today: dt.date,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Read and check the file and plan each good row, changing nothing (the dry run).

    ``progress(done, total)`` is told every ``PROGRESS_EVERY`` rows (a task reports it)."""
    report = ImportReport(filename=filename, round_id=programme_round.id)
    labels = reference_labels(session)
    facts = labels.active[ReferenceKind.OWNERSHIP_FACT]
    width = len(REQUIRED_COLUMNS) + len(OPTIONAL_COLUMNS) + len(facts) + SPARE_COLUMNS
    try:
        table = read_table(
            data, filename, max_rows=max_rows, max_bytes=max_bytes, max_columns=width
        )
    except UnreadableFile as error:
        report.file_error = error.message
        return report
    report.notes.extend(table.notes)
    columns, ignored = _columns(table.header, labels)
    present = [name for name in columns if name]
    repeated = sorted({name for name in present if present.count(name) > 1})
    missing = [name for name in REQUIRED_COLUMNS if name not in present]
    if repeated:
        report.file_error = f"These columns appear more than once: {', '.join(repeated)}"
        return report
    if missing:
        report.file_error = (
            f"The file is missing these columns: {', '.join(missing)}. The first row must "
            "hold the column names from the import format"
        )
        return report
    if ignored:
        report.notes.append(
            "These columns are not in the import format and were ignored: " + ", ".join(ignored)
        )
    if not table.rows:
        report.file_error = "The selected file has no rows of applicants under its column names"
        return report

    seen_keys: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    for done, (number, cells) in enumerate(table.rows):
        if progress is not None and done and done % PROGRESS_EVERY == 0:
            progress(done, len(table.rows))
        by_column = {
            name: (cells[index] if index < len(cells) else None)
            for index, name in enumerate(columns)
            if name
        }
        person, answers, problems = read_row(number, by_column, labels, today)
        key, email = person["source_reference"], person["email"]
        if key and key in seen_keys:
            problems.append(
                Problem(
                    number,
                    "source_reference",
                    f"Row {seen_keys[key]} has the same source_reference",
                )
            )
        if email and email in seen_emails:
            problems.append(
                Problem(number, "email", f"Row {seen_emails[email]} has the same email address")
            )
        seen_keys.setdefault(key, number)
        seen_emails.setdefault(email, number)
        if problems or answers is None:
            report.problems.extend(problems)
            continue
        planned = _plan(session, programme_round, number, person, answers)
        if isinstance(planned, Problem):
            report.problems.append(planned)
        else:
            report.rows.append(planned)
    return report


def _plan(
    session: Session, programme_round: Round, row: int, person: dict[str, str], answers: Answers
) -> PlannedRow | Problem:
    """What importing the row would do now, or why it cannot be imported."""
    key, email = person["source_reference"], person["email"]
    planned = PlannedRow(
        row=row,
        source_reference=key,
        email=email,
        name=person["name"],
        business_name=str(answers.values.get("business_name") or ""),
        answers=answers,
        action=Action.CREATE,
    )
    existing = session.scalar(
        select(Application).where(
            Application.round_id == programme_round.id, Application.import_key == key
        )
    )
    if existing is not None:
        owner = session.get(User, existing.person_id)
        if owner is None or owner.email != email:
            return Problem(
                row,
                "email",
                f"This source_reference was imported for another email address "
                f"({existing.reference}). A person’s email address cannot be changed by importing",
            )
        planned.application_id, planned.reference = existing.id, existing.reference
        planned.changes = answer_changes(existing, answers)
        if existing.status == ApplicationStatus.DRAFT:
            planned.action = Action.UPDATE
        elif not planned.changes:
            planned.action = Action.UNCHANGED
        elif existing.status not in CHANGEABLE_STATUSES:
            return Problem(
                row,
                "source_reference",
                f"{existing.reference} is {existing.status.label.lower()}, so its answers "
                "can no longer be changed",
            )
        else:
            planned.action = Action.UPDATE
        return planned

    user = user_by_email(session, email)
    if user is not None:
        if not user.has_role(Role.PARTICIPANT):
            return Problem(
                row, "email", "This email address belongs to a member of staff, not a participant"
            )
        if user.status == UserStatus.DEACTIVATED:
            return Problem(row, "email", "This person’s account has been deactivated")
        other = session.scalar(
            select(Application).where(
                Application.round_id == programme_round.id,
                Application.person_id == user.id,
                Application.status != ApplicationStatus.WITHDRAWN,
            )
        )
        if other is not None:
            return Problem(
                row,
                "email",
                f"This person already has an application in this round ({other.reference}) "
                "with a different source_reference",
            )
    return planned


# The import


def run_import(
    session: Session,
    report: ImportReport,
    programme_round: Round,
    *,
    officer: User,
    now: dt.datetime,
    advance: Callable[[], None] | None = None,
) -> ImportReport:
    """Import every planned row of a checked file, each in a savepoint of its own.

    A row that fails now (someone changed the data since the check) is moved to the
    problems and the rest carry on. Side effects: users, applications, status changes,
    audit events and emails (flushed, never committed).
    """
    if report.file_error is not None:
        raise ValueError("A file that could not be read cannot be imported")
    imported: list[PlannedRow] = []
    for planned in report.rows:
        try:
            with session.begin_nested():
                _import_row(session, planned, programme_round, officer=officer, now=now)
        except (RegistrationError, IntegrityError) as error:
            message = (
                error.message
                if isinstance(error, RegistrationError)
                else (
                    "Someone else changed this person’s records while the file was imported. "
                    "Import the file again"
                )
            )
            report.problems.append(Problem(planned.row, "", message))
        else:
            imported.append(planned)
        if advance is not None:
            advance()
    report.rows = imported
    report.imported = True
    record(
        session,
        actor=officer,
        action="applicants.imported",
        entity_type="round",
        entity_id=programme_round.id,
        reason=f"Imported from a file: {report.summary()}",
    )
    return report


def _import_row(
    session: Session,
    planned: PlannedRow,
    programme_round: Round,
    *,
    officer: User,
    now: dt.datetime,
) -> None:
    if planned.action == Action.UNCHANGED:
        return
    if planned.action == Action.UPDATE:
        application = session.get(Application, planned.application_id)
        assert application is not None
        changed = apply_answers(application, planned.answers)
        if application.status == ApplicationStatus.DRAFT:
            submit(session, application, actor=officer, programme_round=programme_round, now=now)
        elif changed:
            record_answers_changed(
                session,
                application,
                actor=officer,
                fields=changed,
                programme_round=programme_round,
                now=now,
            )
        return
    person = find_or_create_person(
        session, name=planned.name, email=planned.email, actor=officer, now=now
    )
    application = start_application(
        session,
        person=person,
        programme_round=programme_round,
        now=now,
        source=ApplicationSource.IMPORTED,
        created_by=officer,
    )
    if application.status != ApplicationStatus.DRAFT or application.import_key is not None:
        raise RegistrationError(
            f"This person already has an application in this round ({application.reference})"
        )
    application.import_key = planned.source_reference
    apply_answers(application, planned.answers)
    session.flush()
    submit(session, application, actor=officer, programme_round=programme_round, now=now)
    planned.application_id, planned.reference = application.id, application.reference
    if person.status == UserStatus.INVITED:
        send_imported_email(session, person, application, programme_round, now=now)


def send_imported_email(
    session: Session,
    person: User,
    application: Application,
    programme_round: Round,
    *,
    now: dt.datetime,
) -> None:
    """Ask a newly imported person to check their details, read the privacy notice and set
    a password (a single-use invitation link)."""
    hours = current_app.config["INVITATION_LINK_HOURS"]
    raw = tokens.issue(session, person, TokenPurpose.INVITATION, dt.timedelta(hours=hours), now)
    queue_email(
        session,
        to=person,
        subject="Please check the details we hold about you for Peer Networks",
        template="imported_applicant",
        context={
            "name": person.name,
            "reference": application.reference,
            "round_name": programme_round.name,
            "url": external_url("auth.accept_invitation", token=raw),
            "privacy_url": external_url("pages.privacy"),
            "days": hours // 24,
        },
    )


# The command line


def round_and_officer(session: Session, round_id: int, officer_email: str) -> tuple[Round, User]:
    """The round to import into and the officer doing it. Raises RegistrationError."""
    programme_round = session.get(Round, round_id)
    if programme_round is None:
        raise RegistrationError(f"There is no round with the id {round_id}.")
    officer = user_by_email(session, officer_email)
    if officer is None or not officer.has_role(Role.OFFICER) or not officer.is_active:
        raise RegistrationError(f"{officer_email} is not an active officer's email address.")
    return programme_round, officer


def report_lines(report: ImportReport) -> list[str]:
    """The report as lines of text, for the command line."""
    if report.file_error is not None:
        return [f"The file cannot be imported: {report.file_error}."]
    lines = [*report.notes]
    for problem in report.problems:
        column = f" ({problem.column})" if problem.column else ""
        lines.append(f"Row {problem.row}{column}: {problem.message}")
    verb = "done" if report.imported else "would be done (dry run: nothing was changed)"
    for row in report.rows:
        action = row.action.done if report.imported else row.action.planned
        reference = f" {row.reference}" if row.reference else ""
        lines.append(f"Row {row.row}: {action}{reference} ({row.source_reference})")
    lines.append(f"{report.summary()}: {verb}.")
    return lines
