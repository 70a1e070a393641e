"""Writing participants (people, businesses, applications, places, 1:1 hours) and their
attendance (see ``writer``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, tuple_

from portal.auth.models import Role, User, UserRole, UserStatus
from portal.coaching.models import OutsideSupport, SupportChannel
from portal.cohorts.models import Attendance, AttendanceStatus, CohortDelivery, Place, PlaceStatus
from portal.earlier_rounds.format import ParticipantRow, london_date
from portal.earlier_rounds.writer_base import (
    COACH_NOT_RECORDED_EMAIL,
    COACH_NOT_RECORDED_NAME,
    CREATED,
    IMPORTED,
    UNCHANGED,
    UPDATED,
    WriterBase,
    changed_values,
    chunks,
)
from portal.registration.duplicates import match_key
from portal.registration.eligibility import Outcome
from portal.registration.models import (
    Application,
    ApplicationIssue,
    ApplicationSource,
    ApplicationStatus,
    Business,
    StatusChange,
)
from portal.registration.services import random_reference


class PeopleWriter(WriterBase):
    # Participants: people, businesses, applications, places and 1:1 hours

    def _participants(self) -> None:
        participants = [p for p in self.rows.participants if p.round in self.rounds]
        people = self._people(participants)
        businesses = self._businesses(participants)
        existing = self._existing_applications(participants)
        others = self._other_applications(participants, people)
        created: list[tuple[Application, list[str], list[tuple[Any, dt.datetime, str]]]] = []
        references = self._new_references(
            sum(1 for p in participants if (self.rounds[p.round].id, p.key) not in existing)
        )
        for row in participants:
            person = people.get(row.email)
            if person is None:
                continue
            programme_round = self.rounds[row.round]
            found = existing.get((programme_round.id, row.key))
            values = self._application_values(row, businesses)
            wanted = self._application_history(row)
            if found is None:
                other = others.get((programme_round.id, person.id))
                if other is not None and row.left_at is None:
                    self._problem(
                        "participants",
                        row.line,
                        "email",
                        f"This person already has an application in {row.round} ({other}) "
                        "that was not imported from these files",
                    )
                    continue
                found = Application(
                    reference=references.pop(),
                    round_id=programme_round.id,
                    person_id=person.id,
                    source=ApplicationSource.IMPORTED,
                    import_key=row.key,
                    created_by_id=self.actor.id if self.actor else None,
                    created_at=row.applied_at,
                    updated_at=self.now,
                    organisations_other="",
                    issues_other="",
                    eligibility_outcome=Outcome.ELIGIBLE,
                    eligibility_reasons=[],
                    eligibility_checked_at=row.applied_at,
                    eligibility_overridden=False,
                    answered_steps=[],
                    **values,
                )
                self.session.add(found)
                created.append((found, row.issues, wanted))
                action = CREATED
            else:
                changed = bool(changed_values(found, values))
                codes = {item.issue_code for item in found.issues}
                if codes != set(row.issues):
                    found.issues = [i for i in found.issues if i.issue_code in row.issues] + [
                        ApplicationIssue(issue_code=code)
                        for code in row.issues
                        if code not in codes
                    ]
                    changed = True

                def add_change(
                    status: Any, at: dt.datetime, reason: str, a: Application = found
                ) -> None:
                    a.history.append(StatusChange(status=status, changed_at=at, reason=reason))

                made = self._sync_history(
                    "participants",
                    row.line,
                    found.history,
                    wanted,
                    add_change,
                )
                if changed or made:
                    found.updated_at = self.now
                action = UPDATED if changed or made else UNCHANGED
            self.applications[row.key] = found
            self.participant_actions[row.key] = action
        self.session.flush()
        self._bulk(
            ApplicationIssue,
            [
                {"application_id": made.id, "issue_code": code}
                for made, codes, _wanted in created
                for code in codes
            ],
        )
        self._bulk(
            StatusChange,
            [
                {"application_id": made.id, "status": status, "changed_at": at, "reason": reason}
                for made, _codes, wanted in created
                for status, at, reason in wanted
            ],
        )
        self._places(participants)
        self._one_to_one(participants)
        for action in self.participant_actions.values():
            self._count("participants", action)

    def _changed_participant(self, key: str) -> None:
        if self.participant_actions.get(key) == UNCHANGED:
            self.participant_actions[key] = UPDATED

    def _people(self, participants: list[ParticipantRow]) -> dict[str, User]:
        emails = sorted({p.email for p in participants})
        people: dict[str, User] = {}
        for chunk in chunks(emails):
            people |= {
                u.email: u for u in self.session.scalars(select(User).where(User.email.in_(chunk)))
            }
        refused = set()
        created: list[User] = []
        staff = {email for email, person in people.items() if not person.has_role(Role.PARTICIPANT)}
        for row in participants:
            person = people.get(row.email)
            if row.email in staff:
                self._problem(
                    "participants",
                    row.line,
                    "email",
                    "This email address belongs to a member of staff, not a participant",
                )
                refused.add(row.email)
            elif person is None:
                person = User(
                    email=row.email,
                    name=row.name,
                    status=UserStatus.INVITED,
                    created_at=self.now,
                    status_changed_at=self.now,
                )
                self.session.add(person)
                people[row.email] = person
                created.append(person)
        self.session.flush()
        self._bulk(
            UserRole,
            [{"user_id": p.id, "role": Role.PARTICIPANT, "granted_at": self.now} for p in created],
        )
        return {email: person for email, person in people.items() if email not in refused}

    def _businesses(self, participants: list[ParticipantRow]) -> dict[int, Business]:
        """Each participant row's business (by the row's line), found or created."""
        numbers = sorted({p.company_number for p in participants if p.company_number})
        keys = sorted({k for p in participants if (k := match_key(p.business_name, p.postcode))})
        by_number: dict[str, Business] = {}
        by_key: dict[str, Business] = {}
        for chunk in chunks(numbers):
            for found in self.session.scalars(
                select(Business).where(Business.company_number.in_(chunk))
            ):
                by_number.setdefault(found.company_number or "", found)
        for chunk in chunks(keys):
            for found in self.session.scalars(
                select(Business).where(Business.match_key.in_(chunk))
            ):
                by_key.setdefault(found.match_key or "", found)
        chosen: dict[int, Business] = {}
        for row in participants:
            key = match_key(row.business_name, row.postcode)
            business = (by_number.get(row.company_number) if row.company_number else None) or (
                by_key.get(key) if key else None
            )
            if business is None:
                business = Business(
                    name=row.business_name,
                    company_number=row.company_number,
                    postcode=row.postcode,
                    match_key=key,
                    created_at=self.now,
                    updated_at=self.now,
                )
                self.session.add(business)
            elif row.company_number and not business.company_number:
                business.company_number = row.company_number
                business.updated_at = self.now
            if row.company_number:
                by_number.setdefault(row.company_number, business)
            if key:
                by_key.setdefault(key, business)
            chosen[row.line] = business
        self.session.flush()
        return chosen

    def _existing_applications(
        self, participants: list[ParticipantRow]
    ) -> dict[tuple[int, str], Application]:
        wanted = sorted({(self.rounds[p.round].id, p.key) for p in participants})
        found: dict[tuple[int, str], Application] = {}
        for chunk in chunks(wanted):
            for application in self.session.scalars(
                select(Application).where(
                    tuple_(Application.round_id, Application.import_key).in_(list(chunk))
                )
            ):
                found[(application.round_id, application.import_key or "")] = application
        return found

    def _other_applications(
        self, participants: list[ParticipantRow], people: dict[str, User]
    ) -> dict[tuple[int, int], str]:
        """(round id, person id) -> reference of an active application not from these files."""
        ids = sorted({person.id for person in people.values()})
        round_ids = [r.id for r in self.rounds.values()]
        keys = {(self.rounds[p.round].id, p.key) for p in participants}
        others: dict[tuple[int, int], str] = {}
        for chunk in chunks(ids):
            for round_id, person_id, key, reference in self.session.execute(
                select(
                    Application.round_id,
                    Application.person_id,
                    Application.import_key,
                    Application.reference,
                ).where(
                    Application.round_id.in_(round_ids),
                    Application.person_id.in_(chunk),
                    Application.status != ApplicationStatus.WITHDRAWN,
                )
            ):
                if (round_id, key) not in keys:
                    others[(round_id, person_id)] = reference
        return others

    def _new_references(self, count: int) -> list[str]:
        """``count`` new application references (PN-XXXX-XXXX), none already used."""
        made: set[str] = set()
        while len(made) < count:
            batch: set[str] = set()
            while len(batch) < count - len(made):
                batch.add(random_reference())
            used = set(
                self.session.scalars(
                    select(Application.reference).where(Application.reference.in_(batch))
                )
            )
            made |= batch - used
        return sorted(made)

    def _application_values(
        self, row: ParticipantRow, businesses: dict[int, Business]
    ) -> dict[str, Any]:
        return {
            "business_id": businesses[row.line].id,
            "status": ApplicationStatus.WITHDRAWN if row.left_at else ApplicationStatus.PLACED,
            "status_changed_at": row.left_at or row.accepted_at,
            "submitted_at": row.applied_at,
            "role_in_business": row.role.value if row.role else None,
            "business_name": row.business_name,
            "company_number": row.company_number,
            "postcode": row.postcode,
            "district_code": row.district,
            "sector_code": row.sector,
            "withdrawn_reason": row.left_reason if row.left_at else "",
        }

    @staticmethod
    def _application_history(row: ParticipantRow) -> list[tuple[Any, dt.datetime, str]]:
        wanted: list[tuple[Any, dt.datetime, str]] = [
            (ApplicationStatus.SUBMITTED, row.applied_at, IMPORTED),
            (ApplicationStatus.ELIGIBLE, row.applied_at, IMPORTED),
            (ApplicationStatus.PLACED, row.accepted_at, IMPORTED),
        ]
        if row.left_at:
            wanted.append((ApplicationStatus.WITHDRAWN, row.left_at, "Left their group"))
        return wanted

    def _places(self, participants: list[ParticipantRow]) -> None:
        application_ids = [a.id for a in self.applications.values()]
        existing: dict[int, Place] = {}
        for chunk in chunks(application_ids):
            existing |= {
                p.application_id: p
                for p in self.session.scalars(select(Place).where(Place.application_id.in_(chunk)))
            }
        held_by = self._places_held(set(existing))
        for row in participants:
            application = self.applications.get(row.key)
            if application is None:
                continue
            cohort = self.cohorts[row.cohort]
            values = {
                "status": PlaceStatus.LEFT if row.left_at else PlaceStatus.ACCEPTED,
                "status_changed_at": row.left_at or row.accepted_at,
                "offered_at": row.accepted_at,
                "accepted_at": row.accepted_at,
                "ended_at": row.left_at,
                "end_reason": row.left_reason if row.left_at else "",
            }
            place = existing.get(application.id)
            other = held_by.get((cohort.id, application.person_id))
            if place is None and other is not None:
                self._problem(
                    "participants",
                    row.line,
                    "email",
                    f"This person already has a place in cohort {row.cohort} ({other}): one "
                    "person has one place in a cohort",
                )
                continue
            if place is None:
                place = Place(
                    cohort_id=cohort.id,
                    application_id=application.id,
                    person_id=application.person_id,
                    locked=True,
                    **values,
                )
                self.session.add(place)
            else:
                if place.cohort_id != cohort.id:
                    self._problem(
                        "participants",
                        row.line,
                        "cohort",
                        "This participant was imported into another cohort: importing does "
                        "not move people between cohorts",
                    )
                    continue
                if place.status == PlaceStatus.LEFT and not row.left_at:
                    self._problem(
                        "participants",
                        row.line,
                        "left_on",
                        "This participant was imported as having left: importing never undoes that",
                    )
                    continue
                if changed_values(place, values):
                    self._changed_participant(row.key)
            self.places[row.key] = place

    def _places_held(self, applications: set[int]) -> dict[tuple[int, int], str]:
        """(cohort id, person id) -> the application reference of each place in the
        cohorts being imported that is not the place of one of ``applications``."""
        cohort_ids = [c.id for c in self.cohorts.values() if c.id is not None]
        held: dict[tuple[int, int], str] = {}
        for chunk in chunks(cohort_ids):
            for cohort_id, person_id, application_id, reference in self.session.execute(
                select(
                    Place.cohort_id, Place.person_id, Place.application_id, Application.reference
                )
                .join(Application, Application.id == Place.application_id)
                .where(Place.cohort_id.in_(chunk))
            ):
                if application_id not in applications:
                    held[(cohort_id, person_id)] = reference
        return held

    def _coach_not_recorded(self) -> User:
        """The account 1:1 hours from earlier rounds are recorded against: it cannot sign
        in, holds no role and its address can never receive email (.invalid)."""
        coach = self.session.scalar(select(User).where(User.email == COACH_NOT_RECORDED_EMAIL))
        if coach is None:
            coach = User(
                email=COACH_NOT_RECORDED_EMAIL,
                name=COACH_NOT_RECORDED_NAME,
                status=UserStatus.DEACTIVATED,
                created_at=self.now,
                status_changed_at=self.now,
            )
            self.session.add(coach)
            self.session.flush()
        return coach

    def _one_to_one(self, participants: list[ParticipantRow]) -> None:
        rows = [p for p in participants if p.one_to_one_minutes and p.key in self.places]
        if not rows:
            return
        self.session.flush()
        coach = self._coach_not_recorded()
        place_ids = [self.places[p.key].id for p in rows]
        existing: dict[int, OutsideSupport] = {}
        for chunk in chunks(place_ids):
            existing |= {
                s.place_id: s
                for s in self.session.scalars(
                    select(OutsideSupport).where(
                        OutsideSupport.place_id.in_(chunk), OutsideSupport.coach_id == coach.id
                    )
                )
            }
        for row in rows:
            place = self.places[row.key]
            cohort = self.cohorts[row.cohort]
            on = london_date(row.last_attended_at or row.accepted_at)
            values = {"minutes": row.one_to_one_minutes, "happened_on": on}
            found = existing.get(place.id)
            if found is None:
                self.session.add(
                    OutsideSupport(
                        round_id=cohort.round_id,
                        place_id=place.id,
                        participant_id=place.person_id,
                        coach_id=coach.id,
                        contractor_id=cohort.contractor_id,
                        support_type="coaching",
                        channel=(
                            SupportChannel.IN_PERSON
                            if cohort.delivery == CohortDelivery.IN_PERSON
                            else SupportChannel.VIDEO
                        ),
                        note=f"{IMPORTED}: the person’s 1:1 hours in total",
                        recorded_at=self.now,
                        recorded_by_id=self.actor.id if self.actor else None,
                        **values,
                    )
                )
            elif changed_values(found, values):
                self._changed_participant(row.key)

    # Attendance

    def _attendance(self) -> None:
        place_ids = [p.id for p in self.places.values()]
        existing: dict[tuple[int, int], Attendance] = {}
        for chunk in chunks(place_ids):
            existing |= {
                (a.session_id, a.place_id): a
                for a in self.session.scalars(
                    select(Attendance).where(Attendance.place_id.in_(chunk))
                )
            }
        new: list[dict[str, Any]] = []
        for row in self.rows.attendance:
            place = self.places.get(row.participant)
            application = self.applications.get(row.participant)
            if place is None or application is None:
                continue
            cohort_session = self.sessions[
                (self.cohort_of_participant[row.participant], row.session)
            ]
            if row.hours <= 0:
                status = AttendanceStatus.ABSENT
            elif row.whole_session:
                status = AttendanceStatus.PRESENT
            else:
                status = AttendanceStatus.PARTIAL
            values = {"status": status, "hours": row.hours, "recorded_at": cohort_session.ends_at}
            found = existing.get((cohort_session.id, place.id))
            if found is None:
                new.append({"session_id": cohort_session.id, "place_id": place.id, **values})
                self._count("attendance", CREATED)
            else:
                self._sync("attendance", found, values)
        self._bulk(Attendance, new)
