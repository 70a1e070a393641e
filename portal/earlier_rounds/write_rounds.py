"""Writing rounds, contractors, contracts, cohorts and sessions (see ``writer``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import select

from portal.auth.models import Contractor
from portal.cohorts.models import (
    Cohort,
    CohortDelivery,
    CohortSession,
    CohortStatus,
    CohortStatusChange,
    SessionTheme,
)
from portal.earlier_rounds.format import CohortRow, london_date
from portal.earlier_rounds.writer_base import (
    COHORT_KEY_PREFIX,
    CREATED,
    IMPORTED,
    UNCHANGED,
    UPDATED,
    WriterBase,
    changed_values,
    cohort_key_reason,
)
from portal.outcomes.models import ContractorContract
from portal.registration.models import PartOfDay
from portal.rounds.models import Round, RoundStatus
from portal.rounds.services import default_district_codes
from portal.timefmt import LONDON


class RoundsWriter(WriterBase):
    """Writes rounds, contractors, contracts, cohorts and their sessions."""

    # Rounds, contractors and contracts

    def _rounds(self) -> None:
        names = [row.name for row in self.rows.rounds]
        existing = {
            r.name: r for r in self.session.scalars(select(Round).where(Round.name.in_(names)))
        }
        districts = default_district_codes(self.session)
        for row in self.rows.rounds:
            values = {
                "year_label": row.year_label,
                "starts_on": row.starts_on,
                "ends_on": row.ends_on,
                "funder": row.funder,
                "grant_pence": row.grant_pence,
            }
            found = existing.get(row.name)
            if found is None:
                found = Round(
                    name=row.name,
                    status=RoundStatus.CLOSED,
                    status_changed_at=self.now,
                    created_at=self.now,
                    eligible_district_codes=districts,
                    **values,
                )
                self.session.add(found)
                self._count("rounds", CREATED)
            elif found.status != RoundStatus.CLOSED:
                self._problem(
                    "rounds",
                    row.line,
                    "round",
                    f"{row.name} is {found.status.label.lower()} in the portal: only rounds that "
                    "have finished (closed) are imported",
                )
                continue
            else:
                self._sync("rounds", found, values)
            self.rounds[row.name] = found

    def _contractors(self) -> None:
        names = [row.name for row in self.rows.contractors]
        existing = {
            c.name: c
            for c in self.session.scalars(select(Contractor).where(Contractor.name.in_(names)))
        }
        for row in self.rows.contractors:
            found = existing.get(row.name)
            if found is None:
                found = Contractor(
                    name=row.name, contact_email=row.contact_email, created_at=self.now
                )
                self.session.add(found)
                self._count("contractors", CREATED)
            else:
                values = {"contact_email": row.contact_email} if row.contact_email else {}
                self._sync("contractors", found, values)
            self.contractors[row.name] = found

    def _contracts(self) -> None:
        round_ids = [r.id for r in self.rounds.values()]
        existing = {
            (c.round_id, c.contractor_id): c
            for c in self.session.scalars(
                select(ContractorContract).where(ContractorContract.round_id.in_(round_ids))
            )
        }
        for row in self.rows.contracts:
            programme_round = self.rounds.get(row.round)
            if programme_round is None:
                continue
            contractor = self.contractors[row.contractor]
            values = {
                "contract_value_pence": row.value_pence,
                "spend_to_date_pence": row.spend_pence,
                "spend_recorded_on": row.spend_on,
            }
            found = existing.get((programme_round.id, contractor.id))
            if found is None:
                self.session.add(
                    ContractorContract(
                        round_id=programme_round.id,
                        contractor_id=contractor.id,
                        updated_at=self.now,
                        **values,
                    )
                )
                self._count("contracts", CREATED)
            elif self._sync("contracts", found, values):
                found.updated_at = self.now

    # Cohorts and sessions

    def _imported_cohorts(self) -> dict[tuple[int, str], int]:
        """(round id, cohort key) -> cohort id, for cohorts imported before."""
        found = {}
        for cohort_id, round_id, reason in self.session.execute(
            select(CohortStatusChange.cohort_id, Cohort.round_id, CohortStatusChange.reason)
            .join(Cohort, Cohort.id == CohortStatusChange.cohort_id)
            .where(CohortStatusChange.reason.startswith(COHORT_KEY_PREFIX))
        ):
            found[(round_id, reason.removeprefix(COHORT_KEY_PREFIX).removesuffix(")"))] = cohort_id
        return found

    def _cohorts(self) -> None:
        keys = self._imported_cohorts()
        existing = {
            c.id: c
            for c in self.session.scalars(select(Cohort).where(Cohort.id.in_(list(keys.values()))))
        }
        history = self._histories(CohortStatusChange, CohortStatusChange.cohort_id, list(existing))
        created: list[tuple[Cohort, list[tuple[Any, dt.datetime, str]]]] = []
        for row in self.rows.cohorts:
            programme_round = self.rounds.get(row.round)
            if programme_round is None:
                continue
            values = self._cohort_values(row, programme_round)
            wanted = self._cohort_history(row)
            cohort_id = keys.get((programme_round.id, row.key))
            if cohort_id is None:
                cohort = Cohort(
                    round_id=programme_round.id,
                    created_at=self.now,
                    locked=True,
                    missed_goals=[],
                    **values,
                )
                self.session.add(cohort)
                created.append((cohort, wanted))
                self._count("cohorts", CREATED)
            else:
                cohort = existing[cohort_id]
                changed = bool(changed_values(cohort, values))

                def add_change(
                    status: Any, at: dt.datetime, reason: str, c: Cohort = cohort
                ) -> CohortStatusChange:
                    return CohortStatusChange(
                        cohort_id=c.id, status=status, changed_at=at, reason=reason
                    )

                made = self._sync_history(
                    "cohorts", row.line, history.get(cohort.id, []), wanted, add_change
                )
                self._count("cohorts", UPDATED if changed or made else UNCHANGED)
            self.cohorts[row.key] = cohort
        self.session.flush()
        self._bulk(
            CohortStatusChange,
            [
                {"cohort_id": cohort.id, "status": status, "changed_at": at, "reason": reason}
                for cohort, wanted in created
                for status, at, reason in wanted
            ],
        )

    def _cohort_values(self, row: CohortRow, programme_round: Round) -> dict[str, Any]:
        sessions = row.sessions
        first = sessions[0] if sessions else None
        lengths = Counter(int((s.ends_at - s.starts_at).total_seconds()) // 60 for s in sessions)
        start = first.starts_at.astimezone(LONDON) if first else None
        frequency = programme_round.session_frequency_days
        if len(sessions) > 1:
            frequency = (
                london_date(sessions[1].starts_at) - london_date(sessions[0].starts_at)
            ).days
        return {
            "name": row.name,
            "basis": row.basis,
            "basis_value": row.basis_value,
            "delivery": row.delivery,
            "districts": row.districts,
            "venue": row.venue,
            "contractor_id": self.contractors[row.contractor].id,
            "planned_hours": row.planned_hours or programme_round.planned_hours,
            "session_length_minutes": (
                lengths.most_common(1)[0][0] if lengths else programme_round.session_length_minutes
            ),
            "session_frequency_days": max(frequency, 1),
            "start_on": start.date() if start else None,
            "start_time": f"{start:%H:%M}" if start else "",
            "meeting_weekday": start.weekday() if start else 0,
            "meeting_part_of_day": _part_of_day(start.time() if start else dt.time(10)),
            "status": self._cohort_history(row)[-1][0],
            "status_changed_at": self._cohort_history(row)[-1][1],
        }

    @staticmethod
    def _cohort_history(row: CohortRow) -> list[tuple[Any, dt.datetime, str]]:
        """Confirmed; running from its first session held; then cancelled, or completed
        at the end of its last session once none is still planned."""
        held = [s for s in row.sessions if s.held]
        wanted: list[tuple[Any, dt.datetime, str]] = [
            (CohortStatus.CONFIRMED, row.confirmed_at, cohort_key_reason(row.key))
        ]
        if held:
            wanted.append((CohortStatus.RUNNING, held[0].starts_at, IMPORTED))
        if row.cancelled_at is not None:
            wanted.append((CohortStatus.CANCELLED, row.cancelled_at, IMPORTED))
        elif held and not any(s.planned for s in row.sessions):
            wanted.append((CohortStatus.COMPLETED, held[-1].ends_at, IMPORTED))
        return wanted

    def _sessions(self) -> None:
        cohort_ids = [c.id for c in self.cohorts.values() if c.id is not None]
        existing: dict[int, list[CohortSession]] = {}
        for found in self.session.scalars(
            select(CohortSession)
            .where(CohortSession.cohort_id.in_(cohort_ids))
            .order_by(CohortSession.id)
        ):
            existing.setdefault(found.cohort_id, []).append(found)
        new_themes: list[tuple[CohortSession, list[str]]] = []
        for row in self.rows.sessions:
            cohort = self.cohorts.get(row.cohort)
            if cohort is None:
                continue
            values = {
                "starts_at": row.starts_at,
                "ends_at": row.ends_at,
                "status": row.status,
                "venue": cohort.venue if cohort.delivery == CohortDelivery.IN_PERSON else "",
                "register_taken_at": row.ends_at if row.held else None,
            }
            had = existing.get(cohort.id, [])
            if row.number <= len(had):
                found = had[row.number - 1]
                changed = bool(changed_values(found, values))
                codes = {theme.issue_code for theme in found.themes}
                if codes != set(row.themes):
                    found.themes = [t for t in found.themes if t.issue_code in row.themes] + [
                        SessionTheme(issue_code=code) for code in row.themes if code not in codes
                    ]
                    changed = True
                self._count("sessions", UPDATED if changed else UNCHANGED)
            else:
                found = CohortSession(cohort_id=cohort.id, facilitator_notes="", **values)
                self.session.add(found)
                new_themes.append((found, row.themes))
                self._count("sessions", CREATED)
            self.sessions[(row.cohort, row.number)] = found
        self.session.flush()
        self._bulk(
            SessionTheme,
            [
                {"session_id": found.id, "issue_code": code}
                for found, codes in new_themes
                for code in codes
            ],
        )


def _part_of_day(time: dt.time) -> PartOfDay:
    if time.hour < 12:
        return PartOfDay.MORNING
    return PartOfDay.AFTERNOON if time.hour < 17 else PartOfDay.EVENING
