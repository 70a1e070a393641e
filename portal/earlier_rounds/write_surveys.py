"""Writing survey invitations, responses and answers, and case studies (see
``writer``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from portal.casestudies.journey import STEPS as CASE_STUDY_STEPS
from portal.casestudies.models import CaseStudy, CaseStudyStatus, CaseStudyStatusChange
from portal.casestudies.services import add_years
from portal.earlier_rounds.format import CaseStudyRow, ParticipantRow
from portal.earlier_rounds.writer_base import (
    BLANK,
    CREATED,
    IMPORTED,
    UNCHANGED,
    UPDATED,
    WriterBase,
    changed_values,
    chunks,
)
from portal.surveys.definitions import current_version, load_definitions
from portal.surveys.models import (
    ResponseStatus,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    SurveyTiming,
    SurveyVersion,
)


class SurveyWriter(WriterBase):
    # Surveys

    def _versions(self) -> dict[SurveyTiming, SurveyVersion]:
        timings = {row.timing for row in self.rows.survey_invitations}
        versions = {}
        for timing in sorted(timings):
            version = current_version(self.session, timing)
            if version is None:
                load_definitions(self.session, [timing])
                version = current_version(self.session, timing)
            assert version is not None
            versions[timing] = version
        return versions

    def _survey_invitations(self) -> None:
        if not self.rows.survey_invitations:
            return
        versions = self._versions()
        place_ids = [p.id for p in self.places.values()]
        existing: dict[tuple[int, SurveyTiming], SurveyInvitation] = {}
        for chunk in chunks(place_ids):
            existing |= {
                (i.place_id, i.timing): i
                for i in self.session.scalars(
                    select(SurveyInvitation).where(SurveyInvitation.place_id.in_(chunk))
                )
            }
        new_responses: list[tuple[str, SurveyTiming, SurveyInvitation, SurveyResponse]] = []
        response: SurveyResponse | None
        for row in self.rows.survey_invitations:
            place = self.places.get(row.participant)
            if place is None:
                continue
            cohort = self.cohorts[self.cohort_of_participant[row.participant]]
            invitation = existing.get((place.id, row.timing))
            invitation_values = {"triggered_at": row.invited_at, "created_at": row.invited_at}
            response_values = (
                {
                    "status": ResponseStatus.SUBMITTED,
                    "mode": row.mode,
                    "started_at": row.responded_at,
                    "updated_at": row.responded_at,
                    "submitted_at": row.responded_at,
                }
                if row.responded_at
                else None
            )
            if invitation is None:
                # Never sent by the portal (sent_at stays empty), so no reminder is ever due.
                invitation = SurveyInvitation(
                    timing=row.timing,
                    place_id=place.id,
                    person_id=place.person_id,
                    cohort_id=cohort.id,
                    round_id=cohort.round_id,
                    sent_at=None,
                    reminders_sent=0,
                    resent_count=0,
                    **invitation_values,
                )
                self.session.add(invitation)
                if response_values is not None:
                    response = SurveyResponse(
                        version_id=versions[row.timing].id,
                        keyed_in_by_id=self.actor.id if self.actor else None,
                        answered_pages=[],
                        **response_values,
                    )
                    new_responses.append((row.participant, row.timing, invitation, response))
                self._count("survey_invitations", CREATED)
                continue
            changed = bool(changed_values(invitation, invitation_values))
            response = invitation.response
            if response is None and response_values is not None:
                response = SurveyResponse(
                    version_id=versions[row.timing].id,
                    keyed_in_by_id=self.actor.id if self.actor else None,
                    answered_pages=[],
                    **response_values,
                )
                new_responses.append((row.participant, row.timing, invitation, response))
                changed = True
            elif response is not None and response_values is None:
                self._problem(
                    "survey_invitations",
                    row.line,
                    "responded_on",
                    "This response was imported before: importing never removes it",
                )
                continue
            elif response is not None and response_values is not None:
                changed = bool(changed_values(response, response_values)) or changed
                self.responses[(row.participant, row.timing)] = response
            self._count("survey_invitations", UPDATED if changed else UNCHANGED)
        self.session.flush()
        for participant, timing, invitation, response in new_responses:
            response.invitation_id = invitation.id
            self.session.add(response)
            self.responses[(participant, timing)] = response
        self.session.flush()

    def _survey_answers(self) -> None:
        if not self.rows.survey_answers:
            return
        versions: dict[int, dict[str, Any]] = {}
        existing: dict[tuple[int, int], SurveyAnswer] = {}
        response_ids = [r.id for r in self.responses.values()]
        for chunk in chunks(response_ids):
            existing |= {
                (a.response_id, a.question_id): a
                for a in self.session.scalars(
                    select(SurveyAnswer).where(SurveyAnswer.response_id.in_(chunk))
                )
            }
        pages: dict[int, set[str]] = {}
        new: list[dict[str, Any]] = []
        for row in self.rows.survey_answers:
            response = self.responses.get((row.participant, row.timing))
            if response is None:
                continue
            if response.version_id not in versions:
                version = self.session.get(SurveyVersion, response.version_id)
                assert version is not None
                versions[response.version_id] = {q.measure_code: q for q in version.questions}
            question = versions[response.version_id].get(row.measure)
            if question is None:
                self._problem(
                    "survey_answers",
                    row.line,
                    "measure",
                    f"The version of the survey this response was stored on has no {row.measure}",
                )
                continue
            if row.value is None:
                self._count("survey_answers", BLANK)
                continue
            choice, choices, number, text = row.value
            values = {
                "measure_code": row.measure,
                "timing": row.timing,
                "choice": choice,
                "choices": choices,
                "number": number,
                "text": text,
                "answered_at": response.submitted_at,
            }
            pages.setdefault(response.id, set()).add(question.page_key)
            found = existing.get((response.id, question.id))
            if found is None:
                new.append({"response_id": response.id, "question_id": question.id, **values})
                self._count("survey_answers", CREATED)
            else:
                self._sync("survey_answers", found, values)
        self._bulk(SurveyAnswer, new)
        for response in self.responses.values():
            answered = sorted(pages.get(response.id, set()) | set(response.answered_pages or []))
            if answered != list(response.answered_pages or []):
                response.answered_pages = answered

    # Case studies

    def _case_studies(self) -> None:
        if not self.rows.case_studies:
            return
        place_ids = [p.id for p in self.places.values()]
        existing: dict[int, CaseStudy] = {}
        for chunk in chunks(place_ids):
            existing |= {
                c.place_id: c
                for c in self.session.scalars(
                    select(CaseStudy).where(CaseStudy.place_id.in_(chunk))
                )
            }
        participants = {p.key: p for p in self.rows.participants}
        for row in self.rows.case_studies:
            place = self.places.get(row.participant)
            application = self.applications.get(row.participant)
            if place is None or application is None:
                continue
            wanted = self._story_history(row)
            values = self._story_values(row, participants[row.participant], wanted)
            found = existing.get(place.id)
            if found is None:
                cohort = self.cohorts[participants[row.participant].cohort]
                self.session.add(
                    CaseStudy(
                        person_id=place.person_id,
                        place_id=place.id,
                        cohort_id=cohort.id,
                        round_id=cohort.round_id,
                        application_id=application.id,
                        created_at=row.consent_given_at,
                        answered_steps=[step.slug for step in CASE_STUDY_STEPS],
                        history=[
                            CaseStudyStatusChange(status=status, changed_at=at, comment=comment)
                            for status, at, comment in wanted
                        ],
                        **values,
                    )
                )
                self._count("case_studies", CREATED)
                continue
            changed = bool(changed_values(found, values))

            def add_change(
                status: Any, at: dt.datetime, comment: str, c: CaseStudy = found
            ) -> None:
                c.history.append(
                    CaseStudyStatusChange(status=status, changed_at=at, comment=comment)
                )

            made = self._sync_history(
                "case_studies",
                row.line,
                found.history,
                wanted,
                add_change,
            )
            self._count("case_studies", UPDATED if changed or made else UNCHANGED)

    def _story_history(self, row: CaseStudyRow) -> list[tuple[Any, dt.datetime, str]]:
        given = row.consent_given_at
        wanted: list[tuple[Any, dt.datetime, str]] = [
            (CaseStudyStatus.SUBMITTED, given, IMPORTED),
            (CaseStudyStatus.APPROVED, given, IMPORTED),
        ]
        if row.published_at:
            wanted.append((CaseStudyStatus.PUBLISHED, row.published_at, IMPORTED))
        expires = add_years(given, row.consent_years)
        if row.withdrawn_at:
            wanted.append((CaseStudyStatus.WITHDRAWN, row.withdrawn_at, IMPORTED))
        elif expires <= self.now:
            # Ended before the import: recorded as ended, so nothing is sent about it.
            wanted.append((CaseStudyStatus.EXPIRED, expires, IMPORTED))
        return wanted

    @staticmethod
    def _story_values(
        row: CaseStudyRow, participant: ParticipantRow, wanted: list[tuple[Any, dt.datetime, str]]
    ) -> dict[str, Any]:
        status, changed_at, _comment = wanted[-1]
        expires = add_years(row.consent_given_at, row.consent_years)
        ended = row.withdrawn_at or (expires if status == CaseStudyStatus.EXPIRED else None)
        return {
            "status": status,
            "status_changed_at": changed_at,
            "updated_at": changed_at,
            "title": row.title,
            **row.texts,
            **row.numbers,
            "new_markets": row.new_markets,
            "sector_code": participant.sector,
            "issue_codes": row.issues or participant.issues,
            "named": row.named,
            "uses": row.uses,
            "consent_years": row.consent_years,
            "consent_given_at": row.consent_given_at,
            "consent_expires_at": expires,
            "consent_withdrawn_at": row.withdrawn_at,
            "submitted_at": row.consent_given_at,
            "anonymity_confirmed_at": None if row.named else row.consent_given_at,
            "published_at": row.published_at,
            "unpublished_at": ended if row.published_at else None,
        }
