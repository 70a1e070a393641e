"""Registering interest: the applicant's question pages, and officers' assisted registration.

Officers (assisted digital) answer the same question pages on someone's behalf; the pages
and their rules are shared, only the addresses and who is recorded as acting differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal import db
from portal.auth.access import current_person, officers, participants
from portal.auth.forms import ConfirmForm
from portal.auth.models import User
from portal.db_base import utcnow
from portal.forms import form_status
from portal.refusals import refuse
from portal.registration import journey, services
from portal.registration.check_answers import check_answer_sections
from portal.registration.eligibility import signposting
from portal.registration.forms import OnBehalfForm, WithdrawForm
from portal.registration.models import Application, ApplicationSource, ApplicationStatus
from portal.registration.people import find_or_create_person, send_take_over_email
from portal.rounds.models import Round
from portal.rounds.services import current_round
from portal.state_changes import StatusConflict
from portal.timefmt import today_in_london

bp = Blueprint("registration", __name__, url_prefix="/register")

Page = str | Response | tuple[str, int]


@dataclass(frozen=True)
class Addresses:
    """Where the shared pages link to, for the applicant or for an officer acting for them."""

    question: str
    check: str
    values: dict[str, Any]

    def step_url(self, step: journey.Step, change: bool = False) -> str:
        extra: dict[str, Any] = {"change": 1} if change else {}
        return url_for(self.question, slug=step.slug, **self.values, **extra)

    def check_url(self) -> str:
        return url_for(self.check, **self.values)


APPLICANT = Addresses("registration.question", "registration.check_answers", {})


def _open_round() -> Round | None:
    return current_round(db.session, today_in_london())


def _my_application() -> tuple[Round | None, Application | None]:
    programme_round = _open_round()
    if programme_round is None:
        return None, None
    return programme_round, services.active_application(
        db.session, current_person(), programme_round
    )


@bp.get("/")
@participants
def start() -> Page:
    programme_round, application = _my_application()
    if programme_round is None:
        return render_template("registration/closed.html")
    if application is not None and application.status != ApplicationStatus.DRAFT:
        return redirect(url_for("registration.status"))
    return render_template(
        "registration/start.html",
        application=application,
        programme_round=programme_round,
        form=ConfirmForm(formdata=None),
    )


@bp.post("/start")
@participants
def begin() -> Page:
    programme_round = _open_round()
    form = ConfirmForm()
    if programme_round is None or not form.validate_on_submit():
        return redirect(url_for("registration.start"))
    application = services.start_application(
        db.session, person=current_person(), programme_round=programme_round, now=utcnow()
    )
    return redirect(_resume_url(application, APPLICANT))


def _resume_url(application: Application, addresses: Addresses) -> str:
    step = journey.next_step(application)
    return addresses.step_url(step) if step else addresses.check_url()


@bp.route("/question/<slug>", methods=["GET", "POST"])
@participants
def question(slug: str) -> Page:
    programme_round, application = _my_application()
    if programme_round is None or application is None:
        return redirect(url_for("registration.start"))
    return _question_page(application, programme_round, slug, APPLICANT, actor=current_person())


def _question_page(
    application: Application,
    programme_round: Round,
    slug: str,
    addresses: Addresses,
    *,
    actor: User,
) -> Page:
    step = journey.STEP_BY_SLUG.get(slug)
    if step is None:
        abort(404)
    if not services.can_change_answers(application):
        flash("You cannot change your answers now that you have a place.", "info")
        return redirect(url_for("registration.status"))
    changing = request.args.get("change") == "1" or application.status != ApplicationStatus.DRAFT
    form = step.make_form(db.session, application, request.method == "POST")
    if form.validate_on_submit():
        changed = step.save(db.session, application, form)
        journey.mark_answered(application, step)
        try:
            services.record_answers_changed(
                db.session,
                application,
                actor=actor,
                fields=changed,
                programme_round=programme_round,
                now=utcnow(),
            )
        except StatusConflict:  # a place was offered while the page was open
            return refuse(
                "You cannot change your answers now that you have a place.",
                url_for("registration.status"),
            )
        if changing and changed and application.status != ApplicationStatus.DRAFT:
            flash("Your change is saved and we have checked your answers again.", "success")
        following = None if changing else journey.next_step(application, after=step)
        return redirect(addresses.step_url(following) if following else addresses.check_url())
    previous = journey.previous_step(step)
    back = (
        addresses.check_url()
        if changing
        else (addresses.step_url(previous) if previous else url_for("registration.start"))
    )
    status = form_status(form)
    return render_template(
        "registration/question.html",
        form=form,
        step=step,
        back_url=back,
        programme_round=programme_round,
        on_behalf=addresses is not APPLICANT,
        person=db.session.get(User, application.person_id),
    ), status


@bp.route("/check-your-answers", methods=["GET", "POST"])
@participants
def check_answers() -> Page:
    programme_round, application = _my_application()
    if programme_round is None or application is None:
        return redirect(url_for("registration.start"))
    return _check_page(application, programme_round, APPLICANT, actor=current_person())


def _check_page(
    application: Application, programme_round: Round, addresses: Addresses, *, actor: User
) -> Page:
    missing = journey.next_step(application)
    if missing is not None:
        return redirect(addresses.step_url(missing))
    form = ConfirmForm()
    if form.validate_on_submit():
        sent = services.submit(
            db.session, application, actor=actor, programme_round=programme_round, now=utcnow()
        )
        if addresses is APPLICANT:
            return redirect(url_for("registration.done"))
        person = db.session.get(User, application.person_id)
        assert person is not None
        if sent:  # not again when it was sent by another request at the same moment
            send_take_over_email(db.session, person, now=utcnow())
        return redirect(url_for("registration.on_behalf_done", application_id=application.id))
    return render_template(
        "registration/check.html",
        form=form,
        application=application,
        sections=check_answer_sections(db.session, application, addresses),
        submitted=application.status != ApplicationStatus.DRAFT,
        on_behalf=addresses is not APPLICANT,
        person=db.session.get(User, application.person_id),
    )


@bp.get("/sent")
@participants
def done() -> Page:
    programme_round, application = _my_application()
    if application is None or application.status == ApplicationStatus.DRAFT:
        return redirect(url_for("registration.start"))
    return render_template(
        "registration/done.html",
        application=application,
        programme_round=programme_round,
        reasons=services.reasons_of(application),
        signposts=signposting(services.reasons_of(application)),
    )


@bp.get("/your-registration")
@participants
def status() -> Page:
    programme_round, application = _my_application()
    if programme_round is None or application is None:
        return redirect(url_for("registration.start"))
    if application.status == ApplicationStatus.DRAFT:
        return redirect(url_for("registration.start"))
    reasons = services.reasons_of(application)
    return render_template(
        "registration/status.html",
        application=application,
        programme_round=programme_round,
        reasons=reasons,
        signposts=signposting(reasons),
        can_change=services.can_change_answers(application),
    )


@bp.route("/withdraw", methods=["GET", "POST"])
@participants
def withdraw() -> Page:
    programme_round, application = _my_application()
    if programme_round is None or application is None:
        return redirect(url_for("registration.start"))
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw(
                db.session,
                application,
                actor=current_person(),
                reason=form.reason.data or "",
                now=utcnow(),
            )
        except services.RegistrationError as error:
            form.reason.errors = [error.message]
        else:
            flash(
                "You have withdrawn your registration. You can register again at any time.",
                "success",
            )
            return redirect(url_for("account.home"))
    status_code = form_status(form)
    return render_template(
        "registration/withdraw.html", form=form, application=application
    ), status_code


# Officers registering someone who phoned in (assisted digital)


def _on_behalf_addresses(application: Application) -> Addresses:
    return Addresses(
        "registration.on_behalf_question",
        "registration.on_behalf_check",
        {"application_id": application.id},
    )


def _application_for_officer(application_id: int) -> tuple[Application, Round]:
    application = services.get_application(db.session, application_id)
    programme_round = db.session.get(Round, application.round_id)
    assert programme_round is not None
    return application, programme_round


@bp.route("/on-behalf", methods=["GET", "POST"])
@officers
def on_behalf() -> Page:
    programme_round = _open_round()
    if programme_round is None:
        return render_template("registration/closed.html")
    form = OnBehalfForm()
    if form.validate_on_submit():
        try:
            person = find_or_create_person(
                db.session,
                name=form.name.data,
                email=form.email.data,
                actor=current_person(),
                now=utcnow(),
            )
        except services.RegistrationError as error:
            form.email.errors = [error.message]
        else:
            existing = services.active_application(db.session, person, programme_round)
            if existing is not None and existing.status != ApplicationStatus.DRAFT:
                form.email.errors = [
                    f"{person.name} has already registered for this round ({existing.reference})"
                ]
            else:
                application = services.start_application(
                    db.session,
                    person=person,
                    programme_round=programme_round,
                    now=utcnow(),
                    source=ApplicationSource.ASSISTED,
                    created_by=current_person(),
                )
                return redirect(_resume_url(application, _on_behalf_addresses(application)))
    status_code = form_status(form)
    return render_template(
        "registration/on_behalf.html", form=form, programme_round=programme_round
    ), status_code


@bp.route("/on-behalf/<int:application_id>/question/<slug>", methods=["GET", "POST"])
@officers
def on_behalf_question(application_id: int, slug: str) -> Page:
    application, programme_round = _application_for_officer(application_id)
    return _question_page(
        application,
        programme_round,
        slug,
        _on_behalf_addresses(application),
        actor=current_person(),
    )


@bp.route("/on-behalf/<int:application_id>/check-answers", methods=["GET", "POST"])
@officers
def on_behalf_check(application_id: int) -> Page:
    application, programme_round = _application_for_officer(application_id)
    if application.status != ApplicationStatus.DRAFT and request.method == "POST":
        return redirect(url_for("registration.on_behalf_done", application_id=application.id))
    return _check_page(
        application, programme_round, _on_behalf_addresses(application), actor=current_person()
    )


@bp.get("/on-behalf/<int:application_id>/registered")
@officers
def on_behalf_done(application_id: int) -> Page:
    application = services.get_application(db.session, application_id)
    return render_template(
        "registration/on_behalf_done.html",
        application=application,
        person=db.session.get(User, application.person_id),
        detail_endpoint="applicants.show_application",
    )
