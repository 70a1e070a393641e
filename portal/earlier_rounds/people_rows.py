"""Reading the participants and attendance sheets (see ``rows``)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from portal.auth.services import normalise_email
from portal.earlier_rounds.files import Problem
from portal.earlier_rounds.format import (
    AttendanceRow,
    CohortRow,
    ParticipantRow,
    at_noon,
    london_date,
)
from portal.reference.models import ReferenceKind
from portal.registration.duplicates import normalise_company_number
from portal.registration.postcodes import normalise_postcode
from portal.rounds.models import BusinessRole

if TYPE_CHECKING:
    from portal.earlier_rounds.rows import SheetReader, SheetRow


def read_participants(reader: SheetReader, rows: list[SheetRow]) -> None:
    seen: dict[object, int] = {}
    cohorts = reader.cohort_keys
    for row in rows:
        key = row.key("participant", "participant key")
        round_name = row.text("round", required="Enter the round", max_length=100)
        reader.refers(row, "round", round_name, reader.round_names, "rounds")
        cohort_key = row.text("cohort", required="Enter the cohort key", max_length=60)
        cohort = reader.refers(row, "cohort", cohort_key, cohorts, "cohorts")
        if isinstance(cohort, CohortRow) and round_name and cohort.round != round_name:
            row.problem("cohort", f"Cohort {cohort_key} is in {cohort.round}, not {round_name}")
        name = row.text("name", required="Enter the person’s name")
        email = row.email("email", required="Enter the person’s email address")
        email = normalise_email(email) if email else ""
        role = row.choice("role", BusinessRole, "the person’s role", required=False)
        business = row.text("business_name", required="Enter the business’s name")
        number_text = row.text("company_number", max_length=20)
        number = normalise_company_number(number_text) if number_text else None
        if number_text and number is None:
            row.problem("company_number", "Enter a Companies House number, like 01234567")
        postcode_text = row.text("postcode", required="Enter the postcode", max_length=20)
        postcode = normalise_postcode(postcode_text) if postcode_text else None
        if postcode_text and postcode is None:
            row.problem("postcode", f"“{postcode_text}” is not a full UK postcode")
        district = reader.code(row, "district", ReferenceKind.DISTRICT, "district", required=True)
        sector = reader.code(row, "sector", ReferenceKind.SECTOR, "sector") or None
        issues = reader.codes(row, "issues", ReferenceKind.ISSUE, "issues")
        accepted = row.date("accepted_on", required="Enter the date they accepted a place")
        applied = row.date("applied_on") or accepted
        left = row.date("left_on")
        if applied and accepted and applied > accepted:
            row.problem("applied_on", "They cannot have applied after accepting a place")
        if left and accepted and left < accepted:
            row.problem("left_on", "They cannot have left before accepting a place")
        hours = row.decimal("one_to_one_hours", what="the 1:1 hours", maximum=Decimal(1_000))
        left_reason = row.text("left_reason", max_length=500)
        if key and not reader.unique(row, "participant", key, seen):
            continue
        if row.ok:
            assert accepted is not None
            assert applied is not None
            minutes = int((hours * 60).to_integral_value()) if hours else None
            reader.rows.participants.append(
                ParticipantRow(
                    row.line,
                    key,
                    round_name,
                    cohort_key,
                    name,
                    email,
                    role,
                    business,
                    number,
                    postcode or "",
                    district,
                    sector,
                    issues,
                    at_noon(applied),  # type: ignore[arg-type]
                    at_noon(accepted),  # type: ignore[arg-type]
                    at_noon(left),
                    left_reason,
                    minutes or None,
                )
            )
    check_one_place_per_person(reader)


def check_one_place_per_person(reader: SheetReader) -> None:
    """One place per person in a cohort (someone who left and came back is one place,
    or their sessions would count twice), and one they have not left in a round."""
    in_cohort: dict[tuple[str, str], ParticipantRow] = {}
    active: dict[tuple[str, str], ParticipantRow] = {}
    for participant in reader.rows.participants:
        same = in_cohort.setdefault((participant.cohort, participant.email), participant)
        if same is not participant:
            reader.problems.append(
                Problem(
                    reader.sources.name_of("participants"),
                    participant.line,
                    "email",
                    f"Participant {same.key} (line {same.line}) has a place in cohort "
                    f"{participant.cohort} with the same email address: one person has one "
                    "place in a cohort, so record it once (with left_on if they left)",
                )
            )
            continue
        if participant.left_at is not None:
            continue
        key = (participant.round, participant.email)
        if key in active:
            reader.problems.append(
                Problem(
                    reader.sources.name_of("participants"),
                    participant.line,
                    "email",
                    f"Participant {active[key].key} has the same email address in "
                    f"{participant.round} and has not left: one person holds one place "
                    "in a round at a time",
                )
            )
        else:
            active[key] = participant


def read_attendance(reader: SheetReader, rows: list[SheetRow]) -> None:
    seen: dict[object, int] = {}
    participants = reader.participant_keys
    cohorts = reader.cohort_keys
    for row in rows:
        key = row.text("participant", required="Enter the participant key", max_length=60)
        participant = reader.refers(row, "participant", key, participants, "participants")
        number = row.whole(
            "session",
            what="the session number",
            required="Enter the session number",
            minimum=1,
            maximum=100,
        )
        hours = row.decimal("hours", what="the hours attended", maximum=Decimal(24))
        if number is not None and not reader.unique(row, "session", (key, number), seen):
            continue
        if not row.ok or not isinstance(participant, ParticipantRow):
            continue
        assert number is not None
        cohort = cohorts.get(participant.cohort)
        sessions = {s.number: s for s in cohort.sessions} if cohort else {}
        session = sessions.get(number)
        refused = reader.refused_sessions.get((participant.cohort, number))
        if session is None and refused is not None:
            reader.depends(row, refused.cause)  # the session row's problem says why
            continue
        if session is None:
            if "sessions" in reader.broken or (
                participant.cohort in reader.cohorts_with_bad_sessions
            ):
                row.set_aside()  # reported once, on the sessions sheet
            else:
                row.problem("session", f"Cohort {participant.cohort} has no session {number}")
            continue
        if session.planned:
            row.problem("session", f"Session {number} is planned: nobody has attended it yet")
            continue
        if not session.held:
            row.problem("session", f"Session {number} was cancelled, so nobody attended it")
            continue
        if hours is not None and hours > session.length_hours:
            row.problem(
                "hours", f"Session {number} lasted {session.length_hours.normalize()} hours"
            )
            continue
        whole = hours is None or hours == session.length_hours
        reader.rows.attendance.append(
            AttendanceRow(
                row.line,
                key,
                number,
                session.length_hours if hours is None else hours,
                whole,
            )
        )
    for row in rows:
        if not row.ok:
            reader.refused_attendance.setdefault(row.cell_text("participant"), row)


def check_attendance_against_places(reader: SheetReader) -> None:
    """Nobody attends before accepting their place or after leaving it; and the date
    of each person's last attended session (their 1:1 hours are recorded on it)."""
    participants = reader.participant_keys
    cohorts = reader.cohort_keys
    name = reader.sources.name_of("attendance")
    for attended in reader.rows.attendance:
        participant = participants[attended.participant]
        cohort = cohorts[participant.cohort]
        session = next(s for s in cohort.sessions if s.number == attended.session)
        if attended.hours <= 0:
            continue
        accepted_day = london_date(participant.accepted_at)
        if london_date(session.starts_at) < accepted_day:
            reader.problems.append(
                Problem(
                    name,
                    attended.line,
                    "session",
                    f"Session {session.number} was before {participant.key} accepted a place",
                )
            )
        if participant.left_at and london_date(session.starts_at) > london_date(
            participant.left_at
        ):
            reader.problems.append(
                Problem(
                    name,
                    attended.line,
                    "session",
                    f"Session {session.number} was after {participant.key} left",
                )
            )
        if participant.last_attended_at is None or session.ends_at > participant.last_attended_at:
            participant.last_attended_at = session.ends_at
