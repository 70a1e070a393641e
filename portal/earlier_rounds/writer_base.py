"""What every part of the earlier-rounds writer shares: its state, counting, problems,
and keeping imported status histories in line (see ``writer``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from portal.auth.models import Contractor, User
from portal.cohorts.models import Cohort, CohortSession, Place
from portal.earlier_rounds.files import Problem
from portal.earlier_rounds.format import Rows
from portal.registration.models import Application
from portal.rounds.models import Round
from portal.surveys.models import SurveyResponse, SurveyTiming

IMPORTED = "Imported from earlier-round records"
COHORT_KEY_PREFIX = f"{IMPORTED} (cohort "
COACH_NOT_RECORDED_EMAIL = "coach-not-recorded@earlier-rounds.invalid"
COACH_NOT_RECORDED_NAME = "Coach not recorded (earlier rounds)"
CREATED, UPDATED, UNCHANGED, BLANK = "created", "updated", "unchanged", "blank"


def cohort_key_reason(key: str) -> str:
    return f"{COHORT_KEY_PREFIX}{key})"


def changed_values(record: Any, values: dict[str, Any]) -> list[str]:
    """Set ``values`` on the record; the names of those that differed."""
    changed = [name for name, value in values.items() if getattr(record, name) != value]
    for name in changed:
        setattr(record, name, values[name])
    return changed


def _empty_values(row: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(key for key, value in row.items() if value is None)


def chunks(items: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class WriterBase:
    def __init__(
        self,
        session: Session,
        rows: Rows,
        names: Callable[[str], str],
        *,
        actor: User | None,
        now: dt.datetime,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.session = session
        self.rows = rows
        self.name_of = names
        self.actor = actor
        self.now = now
        self.progress = progress or (lambda _done: None)
        self.problems: list[Problem] = []
        self.counts: dict[str, Counter[str]] = {}
        self.rounds: dict[str, Round] = {}
        self.contractors: dict[str, Contractor] = {}
        self.cohorts: dict[str, Cohort] = {}
        self.sessions: dict[tuple[str, int], CohortSession] = {}
        self.places: dict[str, Place] = {}
        self.applications: dict[str, Application] = {}
        self.responses: dict[tuple[str, SurveyTiming], SurveyResponse] = {}
        # Participant key -> what happened to their row (created, updated, unchanged).
        self.participant_actions: dict[str, str] = {}

    def _bulk(self, model: Any, rows: list[dict[str, Any]]) -> None:
        """Insert many rows that nothing here needs to read back, in few statements.

        Rows are grouped by which of their values are empty: the ORM leaves empty values
        out of a row, and only rows of the same shape go in one batch.
        """
        if rows:
            self.session.execute(insert(model), sorted(rows, key=_empty_values))

    def _count(self, sheet: str, action: str, rows: int = 1) -> None:
        self.counts.setdefault(sheet, Counter())[action] += rows
        self.progress(rows)

    def _problem(self, sheet: str, line: int, column: str, message: str) -> None:
        self.problems.append(Problem(self.name_of(sheet), line, column, message))

    def _sync(self, sheet: str, record: Any, values: dict[str, Any]) -> bool:
        """Update an existing record; count the row; True if it changed."""
        changed = bool(changed_values(record, values))
        self._count(sheet, UPDATED if changed else UNCHANGED)
        return changed

    @cached_property
    def cohort_of_participant(self) -> dict[str, str]:
        return {p.key: p.cohort for p in self.rows.participants}

    # Status histories

    def _histories(self, model: Any, column: Any, ids: list[int]) -> dict[int, list[Any]]:
        found: dict[int, list[Any]] = {}
        for chunk in chunks(ids):
            for change in self.session.scalars(
                select(model).where(column.in_(chunk)).order_by(model.id)
            ):
                found.setdefault(getattr(change, column.key), []).append(change)
        return found

    def _sync_history(
        self,
        sheet: str,
        line: int,
        have: list[Any],
        wanted: list[tuple[Any, dt.datetime, str]],
        add: Callable[[Any, dt.datetime, str], Any],
    ) -> bool:
        """Bring an imported status history in line with the file: a status's date is
        corrected, a new status added; one the file no longer has is refused (importing
        never undoes a status). True if anything changed."""
        by_status = {change.status: change for change in have}
        extra = set(by_status) - {status for status, _at, _reason in wanted}
        if extra:
            undone = ", ".join(sorted(status.label.lower() for status in extra))
            self._problem(
                sheet, line, "", f"Imported before as {undone}: importing never undoes a status"
            )
            return False
        changed = False
        for status, at, reason in wanted:
            change = by_status.get(status)
            if change is None:
                made = add(status, at, reason)
                if made is not None:
                    self.session.add(made)
                changed = True
            elif change.changed_at != at:
                change.changed_at = at
                changed = True
        return changed
