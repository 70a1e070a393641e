"""Writing to a group (officers: any cohort, a waiting list, a filtered applicant list, the
people who have not answered a survey; facilitators: their own cohorts' members).

Write, preview one real message (with who is left out and why), send a test to yourself,
then send from a confirmation page. Drafts are their writer's own; others get 404.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal import db
from portal.auth.access import current_person, officers_and_facilitators
from portal.auth.models import Role, User
from portal.cohorts.models import Cohort, CohortStatus
from portal.db_base import utcnow
from portal.forms import form_status
from portal.merge_fields import paragraphs
from portal.messages.audiences import (
    FIELD_HINTS,
    Audience,
    Recipients,
    audience_for,
    recipients,
)
from portal.messages.forms import ESSENTIAL, MessageForm, SendForm, TestForm
from portal.messages.models import GroupMessage, MessageStatus
from portal.messages.services import (
    MessageRefused,
    audience_of,
    check_words,
    letter_for,
    max_recipients,
    message_for,
    save_draft,
    send,
    send_test,
    sent_messages,
    too_many,
)
from portal.presentation import plural
from portal.rounds.services import rounds_by_start
from portal.surveys.models import SurveyTiming

bp = Blueprint("messages", __name__, url_prefix="/messages")

Page = str | Response | tuple[str, int]


@bp.get("/")
@officers_and_facilitators
def index() -> str:
    user = current_person()
    officer = user.has_role(Role.OFFICER)
    query = select(Cohort).where(
        Cohort.status.in_([CohortStatus.CONFIRMED, CohortStatus.RUNNING, CohortStatus.COMPLETED])
    )
    if not officer:
        query = query.where(Cohort.facilitator_id == user.id)
    return render_template(
        "messages/index.html",
        officer=officer,
        cohorts=list(db.session.scalars(query.order_by(Cohort.name, Cohort.id))),
        rounds=list(reversed(rounds_by_start(db.session))) if officer else [],
        timings=list(SurveyTiming),
        sent=sent_messages(db.session, user),
    )


def _field_hint(audience: Audience) -> str:
    return "; ".join(f"{{{name}}} for {FIELD_HINTS[name]}" for name in audience.fields)


def _write_page(form: MessageForm, audience: Audience, message: GroupMessage | None) -> Page:
    return render_template(
        "messages/write.html",
        form=form,
        audience=audience,
        message=message,
        field_hint=_field_hint(audience),
    ), form_status(form)


def _save(form: MessageForm, audience: Audience, draft: GroupMessage | None) -> Response | None:
    """Save the draft and go to its preview, or put every problem on the form (the merge
    fields are checked even when another answer is missing, so all are shown at once)."""
    valid = form.validate_on_submit()
    for problem in check_words(audience, form.subject.data or "", form.body.data or ""):
        if problem.field and not form[problem.field].errors:
            form[problem.field].errors = [problem.message]
    if not valid or form.errors:
        return None
    try:
        message = save_draft(
            db.session,
            audience,
            subject=form.subject.data or "",
            body=form.body.data or "",
            category=form.category(),
            author=current_person(),
            now=utcnow(),
            draft=draft,
        )
    except MessageRefused as refused:
        form[refused.field or "body"].errors = [refused.message]
        return None
    return redirect(url_for("messages.preview", message_id=message.id))


@bp.route("/new", methods=["GET", "POST"])
@officers_and_facilitators
def write() -> Page:
    audience = audience_for(db.session, current_person(), request.args)
    form = MessageForm()
    if request.method == "GET":
        form.kind.data = ESSENTIAL
    if form.is_submitted() and (done := _save(form, audience, None)):
        return done
    return _write_page(form, audience, None)


@bp.route("/<int:message_id>/edit", methods=["GET", "POST"])
@officers_and_facilitators
def edit(message_id: int) -> Page:
    user = current_person()
    message = message_for(db.session, user, message_id)
    if message.status is not MessageStatus.DRAFT:
        return redirect(url_for("messages.show", message_id=message.id))
    audience = audience_of(db.session, user, message)
    form = MessageForm(
        data={
            "subject": message.subject,
            "body": message.body,
            "kind": message.category.value if message.category else ESSENTIAL,
        }
    )
    if form.is_submitted() and (done := _save(form, audience, message)):
        return done
    return _write_page(form, audience, message)


def _draft_and_people(message_id: int) -> tuple[GroupMessage, Audience, Recipients]:
    user = current_person()
    message = message_for(db.session, user, message_id)
    audience = audience_of(db.session, user, message)
    found = recipients(db.session, audience, category=message.category, now=utcnow())
    return message, audience, found


@bp.get("/<int:message_id>/preview")
@officers_and_facilitators
def preview(message_id: int) -> Page:
    message, audience, found = _draft_and_people(message_id)
    if message.status is not MessageStatus.DRAFT:
        return redirect(url_for("messages.show", message_id=message.id))
    return render_template(
        "messages/preview.html",
        message=message,
        audience=audience,
        found=found,
        letter=letter_for(message, found.included[0]) if found.included else None,
        too_many=too_many(found),
        limit=max_recipients(),
        test_form=TestForm(),
    )


@bp.post("/<int:message_id>/test")
@officers_and_facilitators
def test(message_id: int) -> Page:
    message, _audience, found = _draft_and_people(message_id)
    form = TestForm()
    if not form.validate_on_submit():
        flash("The test was not sent: the page was open too long. Try again.")
        return redirect(url_for("messages.preview", message_id=message.id))
    user = current_person()
    try:
        send_test(db.session, message, found, author=user, now=utcnow())
    except MessageRefused as refused:
        flash(refused.message)
        return redirect(url_for("messages.preview", message_id=message.id))
    flash(f"A test has been sent to {user.email}. It arrives within a minute or two.", "success")
    return redirect(url_for("messages.preview", message_id=message.id))


@bp.route("/<int:message_id>/send", methods=["GET", "POST"])
@officers_and_facilitators
def confirm_send(message_id: int) -> Page:
    message, audience, found = _draft_and_people(message_id)
    if message.status is not MessageStatus.DRAFT:
        return redirect(url_for("messages.show", message_id=message.id))
    form = SendForm()
    if form.validate_on_submit():
        try:
            count = send(db.session, message, audience, author=current_person(), now=utcnow())
        except MessageRefused as refused:
            form.submit.errors = [refused.message]
        else:
            flash(f"Your message is being sent to {plural(count, 'person', 'people')}.", "success")
            return redirect(url_for("messages.show", message_id=message.id))
    return render_template(
        "messages/send.html",
        message=message,
        audience=audience,
        found=found,
        too_many=too_many(found),
        form=form,
    ), form_status(form)


@bp.get("/<int:message_id>")
@officers_and_facilitators
def show(message_id: int) -> Page:
    message = message_for(db.session, current_person(), message_id)
    if message.status is MessageStatus.DRAFT:
        return redirect(url_for("messages.preview", message_id=message.id))
    author = db.session.get(User, message.created_by_id)
    return render_template(
        "messages/show.html",
        message=message,
        author=author,
        paragraphs=paragraphs(message.body),
    )
