"""Erasing a person removes their personal data everywhere and leaves every figure as it was."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import Role, User, UserStatus
from portal.casestudies.models import CaseStudy, CaseStudyStatus
from portal.db_base import utcnow
from portal.earlier_rounds import imports
from portal.earlier_rounds.files import read_folder
from portal.notifications.models import OutboxMessage
from portal.notifications.services import queue_email
from portal.outcomes import drilldown, figures, round_figures
from portal.privacy.erasure import (
    ERASED,
    ErasureRefused,
    erase_person,
    erased_email,
    remove_mail_files,
)
from portal.registration.models import Application, Business
from portal.rounds.models import Round
from portal.surveys.models import SurveyAnswer
from tests.earlier_rounds.files import tiny, write_files
from tests.fixtures.pages import check_page, error_messages

AS_AT = figures.as_at_moment(dt.date(2020, 3, 31))


@pytest.fixture
def imported(app, session, tmp_path, reference_data):
    report = imports.run_import(
        session, read_folder(write_files(tmp_path / "tiny", tiny())), "tiny", now=utcnow()
    )
    assert report.imported, report.lines()
    session.commit()
    return session.scalar(select(Round))


def everything(session, programme_round):
    """Every figure and breakdown, as a comparable value."""
    figures_now = round_figures.round_summary(session, programme_round, AS_AT)
    rows = {
        dimension: round_figures.breakdown(session, programme_round, AS_AT, dimension)
        for dimension in round_figures.Dimension
    }
    return figures_now, rows


def test_erasure_removes_the_person_everywhere_and_no_figure_changes(
    app, session, imported, make_user, tmp_path
):
    ann = session.scalar(select(User).where(User.email == "ann@ashworth.example"))
    admin = make_user(Role.ADMIN)
    with app.app_context():
        queue_email(
            session,
            to=ann,
            subject="Your place in Cohort 1",
            template="password_changed",
            context={"name": ann.name},
        )
    session.commit()
    before = everything(session, imported)
    assert before[0].participants == 2
    [message] = session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == ann.id))
    mail = tmp_path / "mail"
    mail.mkdir()
    (mail / f"{message.id:06d}-abc.eml").write_text("To: ann@ashworth.example")
    (mail / "999999-other.eml").write_text("someone else")

    report = erase_person(session, ann, actor=admin, reason="Asked by email on 1 May", now=utcnow())
    session.commit()
    assert remove_mail_files(mail, report.outbox_ids) == 1
    assert [path.name for path in mail.iterdir()] == ["999999-other.eml"]

    session.expire_all()
    assert everything(session, imported) == before
    assert ann.name == "Erased person"
    assert ann.email == erased_email(ann.id)
    assert ann.password_hash is None
    assert ann.status == UserStatus.DEACTIVATED
    assert not ann.roles
    [application] = session.scalars(select(Application).where(Application.person_id == ann.id))
    assert application.phone is None
    # What identifies her business is gone; what the figures count by stays, as codes.
    assert (application.business_name, application.company_number, application.postcode) == (
        ERASED,
        None,
        None,
    )
    assert (application.district_code, application.sector_code) == ("preston", "C")
    business = session.get(Business, application.business_id)
    assert (business.name, business.company_number, business.postcode) == (ERASED, None, None)
    # The records behind the figures no longer name her business, on screen or downloaded.
    people = drilldown.records(session, imported, AS_AT, "participants", None)
    assert [row[:2] for row in people.rows if row[0] == "Erased person"] == [
        ["Erased person", ERASED]
    ]
    assert "Ashworth" not in repr(people.rows)
    texts = session.scalars(select(SurveyAnswer.text).where(SurveyAnswer.text.is_not(None))).all()
    assert texts == [ERASED]
    [story] = session.scalars(select(CaseStudy).where(CaseStudy.person_id == ann.id))
    assert story.status == CaseStudyStatus.WITHDRAWN
    assert story.quote == ""
    assert message.subject == ERASED
    assert message.to_address == ann.email
    assert "ann@ashworth.example" not in message.body_text
    # Nothing anywhere still names her.
    for model, column in ((User, User.name), (OutboxMessage, OutboxMessage.to_address)):
        assert not session.scalar(
            select(func.count()).select_from(model).where(column.contains("Ashworth"))
        )
    [event] = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "privacy.person_erased")
    )
    assert event.reason == "Asked by email on 1 May"

    with pytest.raises(ErasureRefused, match="already been erased"):
        erase_person(session, ann, actor=admin, reason="again", now=utcnow())


def test_officers_and_the_admin_themselves_cannot_be_erased(session, make_user):
    admin = make_user(Role.ADMIN)
    officer = make_user(Role.OFFICER)
    with pytest.raises(ErasureRefused, match="officer and administrator roles"):
        erase_person(session, officer, actor=admin, reason="asked", now=utcnow())
    with pytest.raises(ErasureRefused, match="yourself"):
        erase_person(session, admin, actor=admin, reason="asked", now=utcnow())


def test_an_admin_erases_a_participant_from_their_page(client, session, signed_in_as, make_user):
    signed_in_as(Role.ADMIN)
    person = make_user(Role.PARTICIPANT, name="Bea Barton", email="bea@example.org")
    page = client.get(f"/admin/users/{person.id}/erase")
    check_page(page)
    empty = client.submit_form(f"/admin/users/{person.id}/erase", {"reason": "  "})
    assert empty.status_code == 400
    assert error_messages(check_page(empty, status=400)) == [
        "Enter why you are erasing this person's data"
    ]
    done = client.submit_form(f"/admin/users/{person.id}/erase", {"reason": "Asked by phone"})
    assert done.status_code == 302
    session.expire_all()
    erased = session.get(User, person.id)
    assert erased.email == erased_email(person.id)
    assert client.get(f"/admin/users/{person.id}/erase").status_code == 200
    again = client.submit_form(f"/admin/users/{person.id}/erase", {"reason": "again"})
    assert again.status_code == 400
    assert error_messages(check_page(again, status=400)) == ["This person has already been erased"]
