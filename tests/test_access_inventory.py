"""The access inventory: every route, every role, real requests, the declared outcome.

Each endpoint is declared here with who may use it. The test walks ``app.url_map``, fails
for any endpoint missing from the inventory, checks the declaration agrees with the route's
own access rule, and then, for each role, makes a real GET (and a POST with a valid CSRF
token, where the route takes POST) and checks the outcome: the page for those allowed, a
redirect to sign-in for anonymous visitors, 403 for roles without access, and 404 for
records outside the person's scope. Every later feature adds its routes here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import session as flask_session
from flask_wtf.csrf import validate_csrf
from sqlalchemy import select

from portal.auth.access import rule_for
from portal.auth.models import Role
from portal.db_base import utcnow
from portal.notifications.services import queue_email
from portal.reference import services as reference
from portal.reference.models import ReferenceItem
from portal.registration.services import start_application
from portal.rounds.models import RoundStatus
from portal.rounds.services import create_round
from tests.coaching.world import (
    a_coach,
    a_coaching_booking,
    a_coaching_day_change,
    a_coaching_window,
    a_support_download,
    make_coaching_world,
)
from tests.fixtures.users import sign_in

ANONYMOUS = "anonymous"
EVERY_ROLE = [ANONYMOUS, *Role]
STAFF = frozenset(Role) - {Role.PARTICIPANT}


@dataclass
class World:
    """Records the inventory's URLs point at."""

    users: dict[Role, Any]
    contractor: Any
    other_contractor: Any
    outbox_message: Any
    round: Any
    issue: Any
    application: Any
    cohort: Any = None
    delivery_cohort: Any = None
    cohort_session: Any = None
    survey_invitation: Any = None
    survey_response: Any = None
    case_study_draft: Any = None
    story: Any = None
    coaching_booking: Any = None
    coaching_window: Any = None
    coaching_day_change: Any = None


@dataclass(frozen=True)
class Declared:
    """``roles``: None for public, empty for any signed-in person, else the roles allowed."""

    roles: frozenset[Role] | None
    url: Callable[[World], dict[str, Any]] = lambda world: {}
    # Roles allowed in general whose request here is for a record outside their scope.
    out_of_scope: frozenset[Role] = frozenset()
    # A public page that answers signed-in people with a redirect (such as sign-in).
    redirects_when_signed_in: bool = False
    # A step that only makes sense mid-sign-in, or that ends the session: everyone ends up
    # at the sign-in page when they reach it out of turn.
    ends_at_sign_in: bool = False
    # A public page opened by a personal link (a survey): anyone signed in as someone
    # other than its owner (the participant) is refused with 404.
    others_not_found: bool = False
    # Guarded by something other than a role (a bearer token): everyone gets this outcome
    # here, and a test of its own covers the guard.
    everyone_gets: str | None = None


PUBLIC = Declared(None)
SIGNED_IN = Declared(frozenset())


def only(*roles: Role, **kwargs: Any) -> Declared:
    return Declared(frozenset(roles), **kwargs)


def a_user(world: World) -> dict[str, Any]:
    return {"user_id": world.users[Role.PARTICIPANT].id}


def a_contractor(world: World) -> dict[str, Any]:
    return {"contractor_id": world.contractor.id}


def an_email(world: World) -> dict[str, Any]:
    return {"message_id": world.outbox_message.id}


def a_round(world: World) -> dict[str, Any]:
    return {"round_id": world.round.id}


def a_round_group(world: World) -> dict[str, Any]:
    return {"round_id": world.round.id, "group": "eligibility"}


def a_list(world: World) -> dict[str, Any]:
    return {"list_slug": "issues"}


def an_item(world: World) -> dict[str, Any]:
    return {"list_slug": "issues", "item_id": world.issue.id}


def a_question(world: World) -> dict[str, Any]:
    return {"slug": "phone"}


def a_person(world: World) -> dict[str, Any]:
    return {"person_id": world.users[Role.PARTICIPANT].id}


def a_business(world: World) -> dict[str, Any]:
    """The participant's business, made the first time it is asked for."""
    from sqlalchemy.orm import object_session

    from portal.registration.models import Business

    session = object_session(world.application)
    if world.application.business_id is None:
        business = Business(name="Shah Bakes Ltd", postcode="PR1 2HE")
        session.add(business)
        session.flush()
        world.application.business_id = business.id
        session.commit()
    return {"business_id": world.application.business_id}


def an_application(world: World) -> dict[str, Any]:
    return {"application_id": world.application.id}


def a_question_for(world: World) -> dict[str, Any]:
    return {"application_id": world.application.id, "slug": "phone"}


OFFER_TOKEN = "an-offer-token-for-the-inventory"


def a_cohort(world: World) -> dict[str, Any]:
    return {"cohort_id": world.cohort.id}


def an_offer(world: World) -> dict[str, Any]:
    return {"token": OFFER_TOKEN}


FEED_TOKEN = "a-calendar-feed-token-for-the-inventory"


def a_delivery_cohort(world: World) -> dict[str, Any]:
    return {"cohort_id": world.delivery_cohort.id}


def a_delivery_member(world: World) -> dict[str, Any]:
    return {"cohort_id": world.delivery_cohort.id, "place_id": world.delivery_cohort.places[0].id}


def a_session(world: World) -> dict[str, Any]:
    return {"session_id": world.cohort_session.id}


def a_feed(world: World) -> dict[str, Any]:
    return {"token": FEED_TOKEN}


def a_token(world: World) -> dict[str, Any]:
    return {"token": "not-a-real-token"}


SURVEY_TOKEN = "a-survey-link-token-for-the-inventory"


def a_survey_link(world: World) -> dict[str, Any]:
    return {"token": SURVEY_TOKEN}


def a_survey_page(world: World) -> dict[str, Any]:
    return {"token": SURVEY_TOKEN, "page_key": "overall"}


def a_survey_invitation(world: World) -> dict[str, Any]:
    return {"invitation_id": world.survey_invitation.id}


def a_key_in_page(world: World) -> dict[str, Any]:
    return {"invitation_id": world.survey_invitation.id, "page_key": "overall"}


def a_survey_response(world: World) -> dict[str, Any]:
    return {"response_id": world.survey_response.id}


def a_survey_cohort(world: World) -> dict[str, Any]:
    return {"cohort_id": world.delivery_cohort.id}


def a_due_survey(world: World) -> dict[str, Any]:
    place = world.delivery_cohort.places[0]
    return {"cohort_id": world.delivery_cohort.id, "place_id": place.id, "timing": "baseline"}


def a_survey(world: World) -> dict[str, Any]:
    return {"timing": "exit"}


def a_survey_question(world: World) -> dict[str, Any]:
    question = world.survey_response.version.questions[0]
    return {"timing": "exit", "question_id": question.id}


def a_case_study_question(world: World) -> dict[str, Any]:
    return {"slug": "title"}


def a_member_place(world: World) -> dict[str, Any]:
    return {"place_id": world.delivery_cohort.places[0].id}


def a_draft(world: World) -> dict[str, Any]:
    return {"case_study_id": world.case_study_draft.id}


def a_draft_question(world: World) -> dict[str, Any]:
    return {"case_study_id": world.case_study_draft.id, "slug": "title"}


def a_story(world: World) -> dict[str, Any]:
    return {"case_study_id": world.story.id}


def a_round_contractor(world: World) -> dict[str, Any]:
    return {"round_id": world.round.id, "contractor_id": world.contractor.id}


def a_board_report_query(world: World) -> dict[str, Any]:
    return {"round": world.round.id, "as_at": "2026-10-01"}


def an_issued_report(world: World) -> dict[str, Any]:
    """An issued board report, made the first time it is asked for."""
    from sqlalchemy.orm import object_session

    from portal.outcomes.models import IssuedReport

    session = object_session(world.round)
    found = session.scalars(select(IssuedReport)).first()
    if found is None:
        found = IssuedReport(
            title="Peer Networks board report: Round 3",
            round_ids=[world.round.id],
            as_at=dt.date(2026, 10, 1),
            figures={},
            html="<p>Frozen</p>",
            docx=b"PK",
        )
        session.add(found)
    session.commit()
    return {"report_id": found.id}


def a_task(world: World) -> dict[str, Any]:
    """An officer's background task (of a kind made for the inventory), made the first time
    it is asked for: admins, who may open task pages, are not shown it."""
    from flask import current_app
    from sqlalchemy.orm import object_session

    from portal import tasks
    from portal.tasks.models import BackgroundTask
    from tests.fixtures.factories import background_task

    if "inventory" not in tasks.tasks(current_app).kinds:
        tasks.register(current_app, tasks.TaskKind("inventory", "An example", lambda _: {}))
    session = object_session(world.round)
    session.rollback()  # an earlier lazy load's read may be open: start afresh to write
    found = session.scalars(
        select(BackgroundTask).where(BackgroundTask.kind == "inventory")
    ).first()
    if found is None:
        found = background_task(session, "inventory", world.users[Role.OFFICER])
    session.commit()
    return {"task_id": found.id}


def a_message_audience(world: World) -> dict[str, Any]:
    """The facilitator's cohort: officers may write to any cohort, facilitators to theirs."""
    return {"audience": "cohort", "cohort": world.delivery_cohort.id}


def a_group_message(world: World) -> dict[str, Any]:
    """A draft message the officer wrote to the facilitator's cohort, made the first time it
    is asked for (drafts are their writer's own: anyone else gets 404)."""
    from sqlalchemy.orm import object_session

    from portal.messages.models import AudienceKind, GroupMessage

    session = object_session(world.round)
    session.rollback()
    found = session.scalars(select(GroupMessage)).first()
    if found is None:
        found = GroupMessage(
            audience_kind=AudienceKind.COHORT,
            audience={"audience": "cohort", "cohort": world.delivery_cohort.id},
            audience_label="Members of Makers of Preston",
            cohort_id=world.delivery_cohort.id,
            subject="Next session",
            body="Dear {first_name}, see you soon.",
            created_by_id=world.users[Role.OFFICER].id,
        )
        session.add(found)
    session.commit()
    return {"message_id": found.id}


def a_standard_email(world: World) -> dict[str, Any]:
    return {"kind": "offer"}


def a_task_of(kind: str) -> Callable[[World], dict[str, Any]]:
    """A queued officer's task of ``kind`` (its pages send the officer to its status page)."""

    def made(world: World) -> dict[str, Any]:
        from sqlalchemy.orm import object_session

        from portal.tasks.models import BackgroundTask
        from tests.fixtures.factories import background_task

        session = object_session(world.round)
        session.rollback()
        found = session.scalars(select(BackgroundTask).where(BackgroundTask.kind == kind)).first()
        if found is None:
            found = background_task(session, kind, world.users[Role.OFFICER])
        session.commit()
        return {"task_id": found.id}

    return made


def a_task_file(world: World) -> dict[str, Any]:
    """An officer's finished task with the file it made (admins are not shown it)."""
    from sqlalchemy.orm import object_session

    from portal.outcomes import board_report_task
    from portal.tasks.models import BackgroundTask, TaskFile, TaskStatus
    from tests.fixtures.factories import background_task

    session = object_session(world.round)
    session.rollback()
    found = session.scalars(select(BackgroundTask).join(TaskFile)).first()
    if found is None:
        found = background_task(
            session, board_report_task.KIND, world.users[Role.OFFICER], status=TaskStatus.SUCCEEDED
        )
        session.add(
            TaskFile(
                task_id=found.id,
                filename="a.docx",
                mimetype="application/octet-stream",
                data=b"a",
                created_at=utcnow(),
            )
        )
    session.commit()
    return {"task_id": found.id}


def an_outcomes_figure(world: World) -> dict[str, Any]:
    return {"round_id": world.round.id, "figure": "participants"}


def a_cohort_download(world: World) -> dict[str, Any]:
    return {**a_cohort(world), "what": "register", "kind": "csv"}


def an_outcomes_download(world: World) -> dict[str, Any]:
    return {"round_id": world.round.id, "table": "by-contractor", "fmt": "xlsx"}


INVENTORY: dict[str, Declared] = {
    # Surveys: the person's own link (no sign-in); officers' rates, keying in, questions
    "surveys.start": Declared(None, url=a_survey_link, others_not_found=True),
    "surveys.page": Declared(None, url=a_survey_page, others_not_found=True),
    "surveys.check": Declared(None, url=a_survey_link, others_not_found=True),
    "surveys.sent": Declared(None, url=a_survey_link, others_not_found=True),
    "survey_officers.index": only(Role.OFFICER),
    "survey_officers.cohort": only(Role.OFFICER, url=a_survey_cohort),
    "survey_officers.resend": only(Role.OFFICER, url=a_survey_invitation),
    "survey_officers.send_now": only(Role.OFFICER, url=a_due_survey),
    "survey_officers.key_in": only(Role.OFFICER, url=a_survey_invitation),
    "survey_officers.key_in_page": only(Role.OFFICER, url=a_key_in_page),
    "survey_officers.key_in_check": only(Role.OFFICER, url=a_survey_invitation),
    "survey_officers.key_in_done": only(Role.OFFICER, url=a_survey_invitation),
    "survey_officers.response": only(Role.OFFICER, url=a_survey_response),
    "survey_definitions.index": only(Role.OFFICER),
    "survey_definitions.survey": only(Role.OFFICER, url=a_survey),
    "survey_definitions.start_draft": only(Role.OFFICER, url=a_survey),
    "survey_definitions.draft": only(Role.OFFICER, url=a_survey),
    "survey_definitions.publish": only(Role.OFFICER, url=a_survey),
    "survey_definitions.discard": only(Role.OFFICER, url=a_survey),
    "survey_definitions.reword": only(Role.OFFICER, url=a_survey_question),
    "survey_definitions.retire": only(Role.OFFICER, url=a_survey_question),
    "survey_definitions.add": only(Role.OFFICER, url=a_survey),
    # Case studies: participants' own, facilitators' drafts, officers' review, public stories
    "case_study.index": only(Role.PARTICIPANT),
    "case_study.start": only(Role.PARTICIPANT),
    "case_study.question": only(Role.PARTICIPANT, url=a_case_study_question),
    "case_study.check": only(Role.PARTICIPANT),
    "case_study.withdraw": only(Role.PARTICIPANT),
    "case_study_drafts.index": only(Role.FACILITATOR),
    "case_study_drafts.start_for": only(Role.FACILITATOR, url=a_member_place),
    "case_study_drafts.question": only(Role.FACILITATOR, url=a_draft_question),
    "case_study_drafts.check": only(Role.FACILITATOR, url=a_draft),
    "case_study_review.index": only(Role.OFFICER),
    "case_study_review.detail": only(Role.OFFICER, url=a_story),
    "case_study_review.start_review": only(Role.OFFICER, url=a_story),
    "case_study_review.decision": only(Role.OFFICER, url=a_story),
    "case_study_review.publish": only(Role.OFFICER, url=a_story),
    "stories.index": PUBLIC,
    "stories.story": Declared(None, url=a_story),
    # Public pages
    "pages.start": PUBLIC,
    "pages.before_you_start": PUBLIC,
    "pages.accessibility": PUBLIC,
    "pages.privacy": PUBLIC,
    "pages.cookies": PUBLIC,
    "pages.feedback": PUBLIC,
    "pages.healthz": PUBLIC,
    # Signing in and the emailed links
    "auth.sign_in": Declared(None, redirects_when_signed_in=True),
    "auth.second_factor": Declared(None, ends_at_sign_in=True),
    "auth.two_factor_set_up": Declared(None, ends_at_sign_in=True),
    "auth.recovery_codes": SIGNED_IN,
    "auth.sign_out": Declared(frozenset(), ends_at_sign_in=True),
    "auth.session_status": PUBLIC,
    "auth.extend_session": SIGNED_IN,
    "auth.create_account": PUBLIC,
    "auth.check_email": PUBLIC,
    "auth.verify_email": Declared(None, url=a_token),
    "auth.forgot_password": PUBLIC,
    "auth.reset_password": Declared(None, url=a_token),
    "auth.accept_invitation": Declared(None, url=a_token),
    # A person's own account
    "account.home": SIGNED_IN,
    "account.change_password": SIGNED_IN,
    "account.change_email": SIGNED_IN,
    "account.confirm_email_change": Declared(None, url=a_token),
    "account.email_preferences": SIGNED_IN,
    "account.two_factor_set_up": SIGNED_IN,
    "account.new_recovery_codes": SIGNED_IN,
    "account.turn_off_two_factor": SIGNED_IN,
    "account.your_data": SIGNED_IN,
    "account.your_data_json": SIGNED_IN,
    # Administration
    "admin.index": only(Role.ADMIN),
    "admin.users": only(Role.ADMIN),
    "admin.invite_user": only(Role.ADMIN),
    "admin.user_detail": only(Role.ADMIN, url=a_user),
    "admin.change_access": only(Role.ADMIN, url=a_user),
    "admin.deactivate_user": only(Role.ADMIN, url=a_user),
    "admin.reactivate_user": only(Role.ADMIN, url=a_user),
    "admin.resend_invitation": only(Role.ADMIN, url=a_user),
    "admin.erase_user": only(Role.ADMIN, url=a_user),
    "admin.restrict_user": only(Role.ADMIN, url=a_user),
    "admin.lift_restriction": only(Role.ADMIN, url=a_user),
    "admin.contractors": only(Role.ADMIN),
    "admin.add_contractor": only(Role.ADMIN),
    "admin.contractor_detail": only(Role.ADMIN, url=a_contractor),
    "admin.edit_contractor": only(Role.ADMIN, url=a_contractor),
    "admin.end_contractor": only(Role.ADMIN, url=a_contractor),
    "audit.events": only(Role.ADMIN),
    "notifications.outbox": only(Role.ADMIN),
    "notifications.outbox_message": only(Role.ADMIN, url=an_email),
    "operations.status_page": only(Role.ADMIN),
    "measures.index": only(Role.OFFICER, Role.ADMIN),
    "tasks.status": only(Role.OFFICER, Role.ADMIN, url=a_task, out_of_scope={Role.ADMIN}),
    "tasks.cancel": only(Role.OFFICER, Role.ADMIN, url=a_task, out_of_scope={Role.ADMIN}),
    "tasks.download": only(Role.OFFICER, Role.ADMIN, url=a_task_file, out_of_scope={Role.ADMIN}),
    # No METRICS_TOKEN in tests, so no /metrics (tests/operations/test_operations.py covers
    # the token).
    "operations.metrics_page": Declared(None, everyone_gets="not found"),
    # Rounds: officers may look, only administrators change
    "rounds.index": only(Role.ADMIN, Role.OFFICER),
    "rounds.add_round": only(Role.ADMIN),
    "rounds.show_round": only(Role.ADMIN, Role.OFFICER, url=a_round),
    "rounds.edit_settings": only(Role.ADMIN, url=a_round_group),
    # Reference data
    "reference.index": only(Role.ADMIN),
    "reference.list_items": only(Role.ADMIN, url=a_list),
    "reference.add_item": only(Role.ADMIN, url=a_list),
    "reference.change_item": only(Role.ADMIN, url=an_item),
    "reference.retire_item": only(Role.ADMIN, url=an_item),
    "reference.restore_item": only(Role.ADMIN, url=an_item),
    "reference.bank_holidays": only(Role.ADMIN),
    # Registering interest: participants for themselves, officers on someone's behalf
    "registration.start": only(Role.PARTICIPANT),
    "registration.begin": only(Role.PARTICIPANT),
    "registration.question": only(Role.PARTICIPANT, url=a_question),
    "registration.check_answers": only(Role.PARTICIPANT),
    "registration.done": only(Role.PARTICIPANT),
    "registration.status": only(Role.PARTICIPANT),
    "registration.withdraw": only(Role.PARTICIPANT),
    "registration.on_behalf": only(Role.OFFICER),
    "registration.on_behalf_question": only(Role.OFFICER, url=a_question_for),
    "registration.on_behalf_check": only(Role.OFFICER, url=an_application),
    "registration.on_behalf_done": only(Role.OFFICER, url=an_application),
    # Forming cohorts (officers) and answering offers (participants, or anyone with the link)
    "cohorts.index": only(Role.OFFICER),
    "cohorts.run_matching": only(Role.OFFICER, url=a_round),
    "cohorts.proposals": only(Role.OFFICER, url=a_round),
    "cohorts.move": only(Role.OFFICER, url=an_application),
    "cohorts.lock": only(Role.OFFICER, url=a_cohort),
    "cohorts.new_cohort": only(Role.OFFICER, url=a_round),
    "cohorts.detail": only(Role.OFFICER, url=a_cohort),
    "cohorts.confirm": only(Role.OFFICER, url=a_cohort),
    "cohorts.assign": only(Role.OFFICER, url=a_cohort),
    "cohorts.add_member": only(Role.OFFICER, url=a_cohort),
    "cohorts.conflicts": only(Role.OFFICER, url=a_round),
    "cohort_changes.move_member": only(Role.OFFICER, url=a_delivery_member),
    "cohort_changes.withdraw_member": only(Role.OFFICER, url=a_delivery_member),
    "cohort_changes.change_details": only(Role.OFFICER, url=a_delivery_cohort),
    "cohort_changes.cancel": only(Role.OFFICER, url=a_delivery_cohort),
    "offers.mine": only(Role.PARTICIPANT),
    "offers.respond": Declared(None, url=an_offer),
    # Officers screen applicants
    "applicants.index": only(Role.OFFICER),
    "applicants.show_application": only(Role.OFFICER, url=an_application),
    "applicants.override_eligibility": only(Role.OFFICER, url=an_application),
    "applicants.export": only(Role.OFFICER),
    "applicants.import_file": only(Role.OFFICER),
    "applicants.import_check": only(Role.OFFICER, url=a_task_of("applicant-import-check")),
    "applicants.confirm_import": only(Role.OFFICER, url=a_task_of("applicant-import-check")),
    "applicants.import_done": only(Role.OFFICER, url=a_task_of("applicant-import")),
    # People across rounds: officers, and contractor leads for their own contractors' people
    # (the inventory's participant has no place with a contractor)
    "people.show_person": only(
        Role.OFFICER,
        Role.CONTRACTOR_LEAD,
        url=a_person,
        out_of_scope=frozenset({Role.CONTRACTOR_LEAD}),
    ),
    "people.add_note": only(Role.OFFICER, url=a_person),
    "people.search": only(Role.OFFICER, Role.CONTRACTOR_LEAD),
    "home.index": only(Role.OFFICER, Role.CONTRACTOR_LEAD),
    "cohort_delivery.index": only(Role.CONTRACTOR_LEAD),
    "cohort_delivery.show": only(
        Role.OFFICER,
        Role.CONTRACTOR_LEAD,
        url=a_cohort,
        out_of_scope=frozenset({Role.CONTRACTOR_LEAD}),
    ),
    "cohort_delivery.download": only(
        Role.OFFICER,
        Role.CONTRACTOR_LEAD,
        url=a_cohort_download,
        out_of_scope=frozenset({Role.CONTRACTOR_LEAD}),
    ),
    "businesses.show_business": only(
        Role.OFFICER,
        Role.CONTRACTOR_LEAD,
        url=a_business,
        out_of_scope=frozenset({Role.CONTRACTOR_LEAD}),
    ),
    # Importing earlier rounds from a workbook
    "earlier_rounds.upload": only(Role.OFFICER),
    "earlier_rounds.check": only(Role.OFFICER, url=a_task_of("earlier-rounds-check")),
    "earlier_rounds.confirm": only(Role.OFFICER, url=a_task_of("earlier-rounds-check")),
    "earlier_rounds.done": only(Role.OFFICER, url=a_task_of("earlier-rounds-import")),
    # Delivering cohorts: facilitators' own cohorts, participants' own place, the feed by link
    "facilitation.index": only(Role.FACILITATOR),
    "facilitation.cohort": only(Role.FACILITATOR, url=a_delivery_cohort),
    "facilitation.settings": only(Role.FACILITATOR, url=a_delivery_cohort),
    "facilitation.schedule": only(Role.FACILITATOR, url=a_delivery_cohort),
    "facilitation.add_session": only(Role.FACILITATOR, url=a_delivery_cohort),
    "facilitation.session_page": only(Role.FACILITATOR, url=a_session),
    "facilitation.register_exceptions": only(Role.FACILITATOR, url=a_session),
    "facilitation.move_session": only(Role.FACILITATOR, url=a_session),
    "facilitation.cancel_session": only(Role.FACILITATOR, url=a_session),
    # Messages to groups: officers to anyone, facilitators to their own cohorts; drafts are
    # their writer's own
    "messages.index": only(Role.OFFICER, Role.FACILITATOR),
    "messages.write": only(Role.OFFICER, Role.FACILITATOR, url=a_message_audience),
    "messages.edit": only(
        Role.OFFICER, Role.FACILITATOR, url=a_group_message, out_of_scope={Role.FACILITATOR}
    ),
    "messages.preview": only(
        Role.OFFICER, Role.FACILITATOR, url=a_group_message, out_of_scope={Role.FACILITATOR}
    ),
    "messages.test": only(
        Role.OFFICER, Role.FACILITATOR, url=a_group_message, out_of_scope={Role.FACILITATOR}
    ),
    "messages.confirm_send": only(
        Role.OFFICER, Role.FACILITATOR, url=a_group_message, out_of_scope={Role.FACILITATOR}
    ),
    "messages.show": only(
        Role.OFFICER, Role.FACILITATOR, url=a_group_message, out_of_scope={Role.FACILITATOR}
    ),
    "standard_emails.index": only(Role.OFFICER),
    "standard_emails.change": only(Role.OFFICER, url=a_standard_email),
    "my_cohort.index": only(Role.PARTICIPANT),
    "my_cohort.session_ics": only(Role.PARTICIPANT, url=a_session),
    "my_cohort.feed": only(Role.PARTICIPANT),
    "my_cohort.leave": only(Role.PARTICIPANT),
    "my_cohort.move": only(Role.PARTICIPANT),
    "my_cohort.calendar_feed": Declared(None, url=a_feed),
    # One-to-one support: coaches' own diaries, participants' own bookings, the report
    "coaching.diary_page": only(Role.COACH),
    "coaching.availability": only(Role.COACH),
    "coaching.settings": only(Role.COACH),
    "coaching.add_weekly_hours": only(Role.COACH),
    "coaching.remove_weekly_hours": only(Role.COACH, url=a_coaching_window),
    "coaching.add_day_change": only(Role.COACH),
    "coaching.remove_day_change": only(Role.COACH, url=a_coaching_day_change),
    "coaching.booking": only(Role.COACH, url=a_coaching_booking),
    "coaching.record_outcome": only(Role.COACH, url=a_coaching_booking),
    "coaching.cancel_booking": only(Role.COACH, url=a_coaching_booking),
    "coaching.record_support": only(Role.COACH),
    "one_to_one.index": only(Role.PARTICIPANT),
    "one_to_one.coaches": only(Role.PARTICIPANT),
    "one_to_one.coach_times": only(Role.PARTICIPANT, url=a_coach),
    "one_to_one.book": only(Role.PARTICIPANT, url=a_coach),
    "one_to_one.start_waiting": only(Role.PARTICIPANT, url=a_coach),
    "one_to_one.stop_waiting": only(Role.PARTICIPANT, url=a_coach),
    "one_to_one.booking": only(Role.PARTICIPANT, url=a_coaching_booking),
    "one_to_one.reschedule": only(Role.PARTICIPANT, url=a_coaching_booking),
    "one_to_one.confirm_reschedule": only(Role.PARTICIPANT, url=a_coaching_booking),
    "one_to_one.cancel": only(Role.PARTICIPANT, url=a_coaching_booking),
    "support_report.index": only(Role.OFFICER, Role.CONTRACTOR_LEAD),
    "support_report.export": only(Role.OFFICER, Role.CONTRACTOR_LEAD, url=a_support_download),
    # The outcomes dashboard: officers and administrators, and contractor leads (their own)
    "outcomes.dashboard": only(Role.OFFICER, Role.ADMIN, Role.CONTRACTOR_LEAD),
    "outcomes.compare": only(Role.OFFICER, Role.ADMIN, Role.CONTRACTOR_LEAD),
    "outcomes.help_page": only(Role.OFFICER, Role.ADMIN, Role.CONTRACTOR_LEAD),
    "outcomes.records": only(
        Role.OFFICER, Role.ADMIN, Role.CONTRACTOR_LEAD, url=an_outcomes_figure
    ),
    "outcomes.export": only(
        Role.OFFICER, Role.ADMIN, Role.CONTRACTOR_LEAD, url=an_outcomes_download
    ),
    # Money and the board report
    "money.index": only(Role.ADMIN, Role.OFFICER),
    "money.round_money": only(Role.ADMIN, Role.OFFICER, url=a_round),
    "money.contract": only(Role.ADMIN, url=a_round_contractor),
    "money.projection": only(Role.OFFICER, Role.ADMIN),
    "board_report.index": only(Role.OFFICER, Role.ADMIN),
    "board_report.download": only(Role.OFFICER, Role.ADMIN, url=a_board_report_query),
    "board_report.issue": only(Role.OFFICER, Role.ADMIN),
    "board_report.issued_list": only(Role.OFFICER, Role.ADMIN),
    "board_report.issued": only(Role.OFFICER, Role.ADMIN, url=an_issued_report),
    "board_report.issued_download": only(Role.OFFICER, Role.ADMIN, url=an_issued_report),
}


@pytest.fixture
def world(app, session, make_user, make_contractor) -> World:
    contractor = make_contractor("Red Rose Business Growth Ltd")
    other = make_contractor("Pennine Peer Learning CIC")
    users = {
        role: make_user(
            role,
            email=f"{role.value}@example.com",
            contractors=[contractor]
            if role in {Role.FACILITATOR, Role.COACH, Role.CONTRACTOR_LEAD}
            else [],
        )
        for role in Role
    }
    with app.app_context():
        reference.load_all(session)
        issue = session.scalars(
            select(ReferenceItem).where(ReferenceItem.code == "exporting")
        ).one()
        programme_round = create_round(
            session,
            actor=None,
            name="Round 3",
            year_label="2026-27",
            starts_on=dt.date(2026, 9, 1),
            ends_on=dt.date(2027, 3, 31),
            funder="Department for Business and Trade",
            grant_pence=40_000_000,
            status=RoundStatus.OPEN,
        )
        application = start_application(
            session,
            person=users[Role.PARTICIPANT],
            programme_round=programme_round,
            now=utcnow(),
        )
        message = queue_email(
            session,
            to=users[Role.PARTICIPANT],
            subject="Hello",
            template="email_changed",
            context={"name": "Priya"},
        )
    session.commit()
    cohort = make_world_cohort(session, programme_round, application)
    delivery_cohort, cohort_session = make_delivery_world(app, session, users)
    return World(
        **make_survey_and_story_world(app, session, users, delivery_cohort),
        **make_coaching_world(app, session, users, delivery_cohort),
        cohort=cohort,
        delivery_cohort=delivery_cohort,
        cohort_session=cohort_session,
        users=users,
        contractor=contractor,
        other_contractor=other,
        outbox_message=message,
        round=programme_round,
        issue=issue,
        application=application,
    )


def endpoints(app) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static":
            found.setdefault(rule.endpoint, set()).update(rule.methods or set())
    return found


def test_every_endpoint_is_in_the_inventory_and_agrees_with_its_rule(app):
    routes = endpoints(app)
    missing = sorted(set(routes) - set(INVENTORY))
    assert not missing, f"add these endpoints to the access inventory: {missing}"
    stale = sorted(set(INVENTORY) - set(routes))
    assert not stale, f"the inventory lists endpoints that no longer exist: {stale}"
    for endpoint, declared in INVENTORY.items():
        rule = rule_for(app.view_functions[endpoint])
        if declared.roles is None:
            assert rule.public, endpoint
        else:
            assert not rule.public, endpoint
            assert rule.roles == declared.roles, endpoint


def expected_outcome(declared: Declared, role: str) -> str:
    if declared.everyone_gets:
        return declared.everyone_gets
    if declared.ends_at_sign_in:
        return "sign in"
    if declared.roles is None:
        if declared.redirects_when_signed_in and role != ANONYMOUS:
            return "redirect"
        if declared.others_not_found and role not in (ANONYMOUS, Role.PARTICIPANT):
            return "not found"
        return "page"
    if role == ANONYMOUS:
        return "sign in"
    if declared.roles and role not in declared.roles:
        return "forbidden"
    if role in declared.out_of_scope:
        return "not found"
    return "page"


def outcome_of(response) -> str:
    location = urlsplit(response.headers.get("Location", "")).path
    if response.status_code == 302 and location == "/sign-in":
        return "sign in"
    if response.status_code == 403:
        return "forbidden"
    if response.status_code == 404:
        return "not found"
    if response.status_code >= 500:
        return f"error {response.status_code}"
    if response.status_code in {302, 303}:
        return "redirect"
    return "page"


# Flask-WTF keeps a secret in the session; a form's CSRF token is that secret, signed.
CSRF_SESSION_KEY = "csrf_token"


def csrf_for(app, world, role) -> tuple[str, str]:
    """The session's CSRF secret and the token a form carries, as a real GET of a form gives
    them to ``role``. Each request's new client gets the same secret in its own session, and
    so posts a valid token without opening a form first (that GET was a quarter of the time).
    """
    client = app.test_client()
    if role != ANONYMOUS:
        sign_in(client, world.users[role])
    token = client.csrf_token_from("/feedback")
    with client.session_transaction() as browser_session:
        secret = browser_session[CSRF_SESSION_KEY]
    with app.test_request_context():
        flask_session[CSRF_SESSION_KEY] = secret
        validate_csrf(token)  # raises if the pair would be refused
    return secret, token


@pytest.mark.parametrize("role", EVERY_ROLE, ids=str)
def test_each_role_gets_the_declared_outcome_everywhere(app, world, role):
    from flask import url_for

    routes = endpoints(app)
    problems = []
    secret, token = csrf_for(app, world, role)
    for endpoint, declared in sorted(INVENTORY.items()):
        with app.test_request_context():
            path = url_for(endpoint, **declared.url(world))
        for method in sorted(routes[endpoint] & {"GET", "POST"}):
            client = app.test_client()
            if role != ANONYMOUS:
                sign_in(client, world.users[role])
            if method == "GET":
                response = client.get(path)
            else:
                with client.session_transaction() as browser_session:
                    browser_session[CSRF_SESSION_KEY] = secret
                response = client.post(path, data={"csrf_token": token})
            got = outcome_of(response)
            wanted = expected_outcome(declared, role)
            # A page may also answer with a redirect (a finished step) or 400 (a form's errors).
            if wanted == "page" and got == "redirect":
                got = "page"
            if got != wanted:
                problems.append(f"{method} {path} as {role}: expected {wanted}, got {got}")
    assert not problems, "\n".join(problems)


def make_world_cohort(session, programme_round, application):
    """A proposed cohort with one offered place, whose offer link is OFFER_TOKEN."""
    import hashlib

    from portal.cohorts.models import (
        Cohort,
        CohortBasis,
        CohortDelivery,
        CohortStatus,
        Place,
        PlaceStatus,
    )
    from portal.registration.models import PartOfDay

    cohort = Cohort(
        round_id=programme_round.id,
        name="Proposed cohort 1",
        basis=CohortBasis.MIXED,
        delivery=CohortDelivery.ONLINE,
        meeting_weekday=1,
        meeting_part_of_day=PartOfDay.MORNING,
        status=CohortStatus.PROPOSED,
        planned_hours=18,
        session_length_minutes=150,
        session_frequency_days=14,
    )
    session.add(cohort)
    session.flush()
    session.add(
        Place(
            cohort_id=cohort.id,
            application_id=application.id,
            person_id=application.person_id,
            status=PlaceStatus.OFFERED,
            reply_by=programme_round.ends_on,
            offer_token_hash=hashlib.sha256(OFFER_TOKEN.encode()).hexdigest(),
        )
    )
    session.commit()
    return cohort


def make_delivery_world(app, session, users):
    """A confirmed cohort of an earlier round, facilitated by the facilitator, where the
    participant holds an accepted place (feed link FEED_TOKEN), with one session that has
    started. No start date is set, so generating a schedule changes nothing."""
    import hashlib

    from portal.cohorts.models import (
        Cohort,
        CohortBasis,
        CohortDelivery,
        CohortSession,
        CohortStatus,
        Place,
        PlaceStatus,
    )
    from portal.registration.models import PartOfDay

    with app.app_context():
        earlier = create_round(
            session,
            actor=None,
            name="Round 2",
            year_label="2025-26",
            starts_on=dt.date(2025, 9, 1),
            ends_on=dt.date(2026, 8, 31),
            funder="Department for Business and Trade",
            grant_pence=39_000_000,
            status=RoundStatus.OPEN,
        )
        application = start_application(
            session, person=users[Role.PARTICIPANT], programme_round=earlier, now=utcnow()
        )
    cohort = Cohort(
        round_id=earlier.id,
        name="Makers of Preston",
        basis=CohortBasis.SECTOR,
        delivery=CohortDelivery.IN_PERSON,
        meeting_weekday=1,
        meeting_part_of_day=PartOfDay.MORNING,
        status=CohortStatus.CONFIRMED,
        planned_hours=18,
        session_length_minutes=150,
        session_frequency_days=14,
        facilitator_id=users[Role.FACILITATOR].id,
    )
    session.add(cohort)
    session.flush()
    started = utcnow().replace(microsecond=0) - dt.timedelta(hours=1)
    cohort_session = CohortSession(
        cohort_id=cohort.id, starts_at=started, ends_at=started + dt.timedelta(minutes=150)
    )
    session.add(cohort_session)
    session.add(
        Place(
            cohort_id=cohort.id,
            application_id=application.id,
            person_id=application.person_id,
            status=PlaceStatus.ACCEPTED,
            accepted_at=started - dt.timedelta(days=7),
            feed_token_hash=hashlib.sha256(FEED_TOKEN.encode()).hexdigest(),
        )
    )
    session.commit()
    return cohort, cohort_session


def make_survey_and_story_world(app, session, users, delivery_cohort) -> dict[str, Any]:
    """The participant invited to the exit survey (link SURVEY_TOKEN, answers started),
    a case study the facilitator is drafting for them, and a published story of theirs."""
    import hashlib

    from portal.casestudies.models import CaseStudy, CaseStudyStatus, ConsentUse
    from portal.surveys import runner
    from portal.surveys.definitions import load_definitions
    from portal.surveys.models import SurveyInvitation, SurveyLink, SurveyTiming

    place = delivery_cohort.places[0]
    now = utcnow()
    with app.app_context():
        load_definitions(session)
        invitation = SurveyInvitation(
            timing=SurveyTiming.EXIT,
            place_id=place.id,
            person_id=place.person_id,
            cohort_id=delivery_cohort.id,
            round_id=delivery_cohort.round_id,
            triggered_at=now,
            created_at=now,
            sent_at=now,
        )
        session.add(invitation)
        session.flush()
        session.add(
            SurveyLink(
                invitation_id=invitation.id,
                token_hash=hashlib.sha256(SURVEY_TOKEN.encode()).hexdigest(),
                expires_at=now + dt.timedelta(days=30),
            )
        )
        response = runner.start_response(session, invitation, now=now)
    common = {
        "person_id": place.person_id,
        "place_id": place.id,
        "cohort_id": delivery_cohort.id,
        "round_id": delivery_cohort.round_id,
        "application_id": place.application_id,
        "sector_code": "C",
        "issue_codes": ["exporting"],
    }
    story = CaseStudy(
        **common,
        status=CaseStudyStatus.PUBLISHED,
        title="How a Preston mill found new customers",
        challenge="Orders had fallen.",
        group_help="The group shared contacts.",
        actions="We visited a trade fair.",
        outcomes="New customers in Ireland.",
        named=False,
        uses=[ConsentUse.WEBSITE.value],
        consent_years=5,
        consent_given_at=now,
        consent_expires_at=now + dt.timedelta(days=5 * 365),
        published_at=now,
        created_at=now - dt.timedelta(days=1),
    )
    draft = CaseStudy(
        **common,
        status=CaseStudyStatus.DRAFT,
        drafted_by_id=users[Role.FACILITATOR].id,
        created_at=now,
    )
    session.add_all([story, draft])
    session.commit()
    return {
        "survey_invitation": invitation,
        "survey_response": response,
        "case_study_draft": draft,
        "story": story,
    }
