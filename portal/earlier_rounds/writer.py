"""Writing checked earlier-rounds rows to the database: created, updated or unchanged.

Each row is found by its key among what earlier imports wrote, and created if it is not
there, updated if the file now says something different, or left alone. Records are
built directly (not through the services that send email and write an audit event per
change): history rows are written with the dates they happened, and the import as a whole
is one audit event (``portal.earlier_rounds.imports``). Nothing is ever emailed.

Where each kind of record keeps its key and its mark of having been imported:

- rounds and contractors: their unique names;
- contracts: the round and the contractor (unique together);
- cohorts: the first status change ("confirmed"), whose reason reads
  ``Imported from earlier-round records (cohort KEY)`` (Cohort has no key column);
- sessions: their number within the cohort, in the order they were imported;
- participants: ``Application.import_key`` (unique in the round) with
  ``Application.source = imported``; the person's account is found by email address;
- attendance, survey invitations and responses, one-to-one hours and case studies: the
  participant's place (with the session, the survey timing, the measure code);
- one-to-one hours: support recorded outside the booking system, by the placeholder
  coach ``COACH_NOT_RECORDED_EMAIL`` (earlier rounds' records do not name coaches).

Importing never removes anything: a record that is no longer in the files is left as it
is, and a change that would undo a recorded status is refused as a problem.
"""

from __future__ import annotations

from portal.earlier_rounds.write_people import PeopleWriter
from portal.earlier_rounds.write_rounds import RoundsWriter
from portal.earlier_rounds.write_surveys import SurveyWriter


class Writer(RoundsWriter, PeopleWriter, SurveyWriter):
    """Writes every row, sheet by sheet in the order of ``files.SHEETS`` (each refers only
    to those before it); ``problems`` holds what it refused, ``counts`` what it did."""

    def write(self) -> None:
        with self.session.no_autoflush:
            for step in (
                self._rounds,
                self._contractors,
                self._contracts,
                self._cohorts,
                self._sessions,
                self._participants,
                self._attendance,
                self._survey_invitations,
                self._survey_answers,
                self._case_studies,
            ):
                step()
                self.session.flush()
