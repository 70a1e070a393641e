"""The people, cohort and hours figures against values worked out by hand.

One small round is built directly in the database: every edge case in figures.md appears
once, and each expected number below is counted by hand from the table in the docstring.

    person  placed  sessions attended (hours)         notes
    Ann     yes     S1 2.5, S2 2.5, S3 2.5, S4 2.5,   10 + 2 = 12 hours: completer
                    S5 2.0 (partial)
    Ben     yes     S1 2.5, S2 2.5, S3 2.5, S4 2.0    9.5 hours: participant, not completer
    Cat     yes     S1 2.5, then left                 withdrawn (left after first session)
    Dan     yes     none, left before S1              placed, not a participant
    Eve     yes     none (absent at S1)               placed, not a participant
    Fay     yes     S6 2.5 (held after the as-at date) not yet a participant as at the date
    Gus     no      (eligible, never placed)
    Hal     no      (ineligible)

Cohort A (contractor X) held S1-S5 (2.5 h each, S5 held), S6 held after the as-at date;
cohort B (contractor X) confirmed, no session yet: planned; cohort C (contractor Y) has only a
cancelled session: planned too.
"""

import datetime as dt
from decimal import Decimal

import pytest

from portal.cohorts.models import (
    Attendance,
    AttendanceStatus,
    Cohort,
    CohortBasis,
    CohortDelivery,
    CohortSession,
    CohortStatus,
    CohortStatusChange,
    Place,
    PlaceStatus,
    SessionStatus,
    SessionTheme,
)
from portal.outcomes import figures
from portal.registration.models import ApplicationStatus, PartOfDay, StatusChange
from portal.rounds.models import RoundStatus

AS_AT = figures.as_at_moment(dt.date(2022, 2, 10))
BEFORE = dt.datetime(2022, 1, 3, 10, 0, tzinfo=dt.UTC)


def at(day: int, hour: int = 10) -> dt.datetime:
    """A moment in January 2022 (days 31+ roll into February)."""
    return dt.datetime(2022, 1, 1, hour, 0, tzinfo=dt.UTC) + dt.timedelta(days=day - 1)


@pytest.fixture
def built(session, make_round, make_contractor, make_application):
    programme_round = make_round(
        name="Round 2",
        year_label="2021-22",
        starts_on=dt.date(2021, 6, 1),
        ends_on=dt.date(2022, 3, 31),
        status=RoundStatus.OPEN,
    )
    x = make_contractor("Contractor X")
    y = make_contractor("Contractor Y")
    people = {}
    for name in ["Ann", "Ben", "Cat", "Dan", "Eve", "Fay", "Gus"]:
        people[name] = make_application(programme_round, name=name, issues=["staffing"])
    people["Hal"] = make_application(programme_round, name="Hal", employees=Decimal("2"))
    # Ann also named exporting.
    from portal.registration.models import ApplicationIssue

    people["Ann"].issues.append(ApplicationIssue(issue_code="exporting"))
    for application in people.values():
        application.submitted_at = at(2)
        for change in application.history:
            change.changed_at = at(2)
    session.commit()

    def cohort(name, contractor, status):
        made = Cohort(
            round_id=programme_round.id,
            name=name,
            basis=CohortBasis.MIXED,
            delivery=CohortDelivery.ONLINE,
            meeting_weekday=1,
            meeting_part_of_day=PartOfDay.MORNING,
            status=status,
            contractor_id=contractor.id,
            planned_hours=18,
            session_length_minutes=150,
            session_frequency_days=14,
        )
        session.add(made)
        session.flush()
        session.add(
            CohortStatusChange(cohort_id=made.id, status=CohortStatus.CONFIRMED, changed_at=at(3))
        )
        return made

    a = cohort("A", x, CohortStatus.RUNNING)
    cohort("B", x, CohortStatus.CONFIRMED)
    c = cohort("C", y, CohortStatus.CONFIRMED)

    def place(application, of, status=PlaceStatus.ACCEPTED, ended=None):
        made = Place(
            cohort_id=of.id,
            application_id=application.id,
            person_id=application.person_id,
            status=status,
            accepted_at=at(4),
            ended_at=ended,
        )
        session.add(made)
        session.flush()
        return made

    places = {name: place(people[name], a) for name in ["Ann", "Ben", "Eve", "Fay"]}
    places["Cat"] = place(people["Cat"], a, PlaceStatus.LEFT, ended=at(20))
    places["Dan"] = place(people["Dan"], a, PlaceStatus.LEFT, ended=at(5))

    sessions = []
    for number in range(6):
        start = at(10 + 7 * number) if number < 5 else at(60)  # S6 after 10 February
        held = CohortSession(
            cohort_id=a.id,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=150),
            status=SessionStatus.HELD,
        )
        session.add(held)
        sessions.append(held)
    cancelled = CohortSession(
        cohort_id=c.id,
        starts_at=at(12),
        ends_at=at(12) + dt.timedelta(minutes=150),
        status=SessionStatus.CANCELLED,
    )
    session.add(cancelled)
    session.flush()

    def attend(name, index, hours, status=AttendanceStatus.PRESENT):
        session.add(
            Attendance(
                session_id=sessions[index].id,
                place_id=places[name].id,
                status=status,
                hours=Decimal(hours),
            )
        )

    for index in range(4):
        attend("Ann", index, "2.5")
    attend("Ann", 4, "2.0", AttendanceStatus.PARTIAL)
    for index in range(3):
        attend("Ben", index, "2.5")
    attend("Ben", 3, "2.0", AttendanceStatus.PARTIAL)
    attend("Cat", 0, "2.5")
    attend("Eve", 0, "0", AttendanceStatus.ABSENT)
    attend("Fay", 5, "2.5")
    session.add(SessionTheme(session_id=sessions[0].id, issue_code="staffing"))
    session.add(SessionTheme(session_id=sessions[1].id, issue_code="staffing"))
    session.add(SessionTheme(session_id=sessions[5].id, issue_code="exporting"))
    session.commit()
    return programme_round, people


def test_people_counts(session, built):
    programme_round, _ = built
    rid = programme_round.id
    assert figures.applicants(session, rid, AS_AT) == 8
    assert figures.eligible_applicants(session, rid, AS_AT) == 7  # all but Hal
    assert figures.placed(session, rid, AS_AT) == 6  # Ann, Ben, Cat, Dan, Eve, Fay
    assert figures.participants(session, rid, AS_AT) == 3  # Ann, Ben, Cat
    assert figures.completers(session, programme_round, AS_AT) == 1  # Ann: 12.0 of 12
    assert figures.withdrawn(session, rid, AS_AT) == 1  # Cat
    # Later, Fay's session has been held too.
    later = figures.as_at_moment(dt.date(2022, 3, 31))
    assert figures.participants(session, rid, later) == 4


def test_cohorts_and_contractors(session, built):
    programme_round, _ = built
    assert figures.cohorts(session, programme_round.id, AS_AT) == 1
    assert (
        figures.planned_cohorts(session, programme_round.id, AS_AT) == 2
    )  # B, and C (cancelled only)
    assert figures.contractors_delivering(session, programme_round.id, AS_AT) == 1
    before_any = figures.as_at_moment(dt.date(2022, 1, 5))
    assert figures.cohorts(session, programme_round.id, before_any) == 0


def test_hours(session, built):
    programme_round, _ = built
    assert figures.group_hours_delivered(session, programme_round.id, AS_AT) == Decimal("12.5")
    assert figures.group_hours_attended(session, programme_round.id, AS_AT) == Decimal("24.0")
    by_person = figures.group_hours_by_person(session, programme_round.id, AS_AT)
    assert sorted(by_person.values()) == [Decimal("2.5"), Decimal("9.5"), Decimal("12.0")]


def test_issues_covered(session, built):
    programme_round, _ = built
    covered = {c.issue_code: c for c in figures.issues_covered(session, programme_round.id, AS_AT)}
    assert covered["staffing"].named_by_participants == 3
    assert covered["staffing"].sessions_discussed == 2
    assert covered["exporting"].named_by_participants == 1  # Ann
    assert covered["exporting"].sessions_discussed == 0  # S6 is after the date


def test_eligibility_as_at_a_date_follows_overrides(session, built):
    programme_round, people = built
    gus = people["Gus"]
    session.add(
        StatusChange(application_id=gus.id, status=ApplicationStatus.INELIGIBLE, changed_at=at(35))
    )
    session.commit()
    assert figures.eligible_applicants(session, programme_round.id, AS_AT) == 6
    assert (
        figures.eligible_applicants(
            session, programme_round.id, figures.as_at_moment(dt.date(2022, 1, 31))
        )
        == 7
    )
