"""Officers forming cohorts: matching runs, proposals and moves, hand-made cohorts, confirming
and offers, contractors and facilitators. Participants answer their offers in
``portal.cohorts.offers_views``."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from portal import db
from portal.auth.access import current_person, officers
from portal.auth.forms import ConfirmForm
from portal.auth.models import Contractor, Role, User
from portal.cohorts import (
    forming,
    matching_inputs,
    matching_task,
    member_changes,
    offers,
    services,
)
from portal.cohorts.cohort_changes_forms import AddMemberForm
from portal.cohorts.cohort_history import cohort_history
from portal.cohorts.forms import (
    ConfirmCohortForm,
    ConfirmConflictForm,
    DeliveryAssignmentForm,
    ManualCohortForm,
    MatchingRunForm,
    MoveForm,
)
from portal.cohorts.models import Cohort, CohortDelivery, CohortStatus, DeclineReason
from portal.db_base import utcnow
from portal.forms import form_status
from portal.matching.model import Basis, Weights
from portal.matching.words import slots_phrase
from portal.reference.models import ReferenceKind
from portal.reference.services import active_items
from portal.registration.models import Application, ApplicationStatus, PartOfDay
from portal.registration.officer_answers import ReferenceLabels, reference_labels
from portal.registration.services import get_application
from portal.rounds.models import Round
from portal.rounds.services import current_round, get_round, rounds_by_start
from portal.rounds.settings_summary import meeting_frequency
from portal.tasks import services as task_services
from portal.timefmt import today_in_london
from portal.urls import whole_number

bp = Blueprint("cohorts", __name__, url_prefix="/cohorts")

Page = str | Response | tuple[str, int]


def _chosen_round() -> Round | None:
    round_id = whole_number(request.args.get("round", ""))
    if round_id is not None:
        return get_round(db.session, round_id)
    return current_round(db.session, today_in_london())


def _people(places_or_apps: list[Application]) -> dict[int, User]:
    ids = {a.person_id for a in places_or_apps}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


@bp.get("/")
@officers
def index() -> Page:
    programme_round = _chosen_round()
    if programme_round is None:
        return render_template("cohorts/no_round.html", rounds=rounds_by_start(db.session))
    cohorts = services.round_cohorts(db.session, programme_round)
    waiting = len(
        db.session.scalars(
            select(Application.id).where(
                Application.round_id == programme_round.id,
                Application.status == ApplicationStatus.WAITLISTED,
            )
        ).all()
    )
    return render_template(
        "cohorts/index.html",
        programme_round=programme_round,
        rounds=rounds_by_start(db.session),
        proposed=[c for c in cohorts if c.status == CohortStatus.PROPOSED],
        confirmed=[c for c in cohorts if c.status != CohortStatus.PROPOSED],
        matchable=len(matching_inputs.matchable_applications(db.session, programme_round)),
        waiting=waiting,
        members=services.members,
    )


@bp.route("/rounds/<int:round_id>/match", methods=["GET", "POST"])
@officers
def run_matching(round_id: int) -> Page:
    """Start a matching run (a background task) and follow it on its status page; a round
    whose run is still going shows that one instead of starting another."""
    programme_round = get_round(db.session, round_id)
    districts = {item.code: item.label for item in active_items(db.session, ReferenceKind.DISTRICT)}
    form = MatchingRunForm(districts=districts)
    if request.method == "GET":
        # The form keeps the basis of the round's last run.
        form.basis.data = (forming.last_run_basis(db.session, programme_round) or Basis.MIXED).value
    if form.validate_on_submit():
        settings = forming.RunSettings(
            basis=Basis(form.basis.data),
            weights=Weights(
                homogeneity=form.homogeneity.data,
                shared_issues=form.shared_issues.data,
                similar_size=form.similar_size.data,
                no_isolation=form.no_isolation.data,
            ),
            near_districts=form.groups(),
        )
        try:
            task = task_services.start(
                db.session,
                matching_task.KIND,
                starter=current_person(),
                role=Role.OFFICER,
                round_id=programme_round.id,
                params=matching_task.params_for(settings, form.delivery.data),
                one_per_round=True,
            )
        except task_services.AlreadyRunning as running:
            flash("A matching run for this round is already going. This is its progress.", "info")
            return redirect(url_for("tasks.status", task_id=running.task.id))
        return redirect(url_for("tasks.status", task_id=task.id))
    status = form_status(form)
    return render_template(
        "cohorts/match.html",
        form=form,
        programme_round=programme_round,
        pool=len(matching_inputs.matchable_applications(db.session, programme_round)),
        frequency=meeting_frequency(programme_round.session_frequency_days),
        running=task_services.unfinished_task(db.session, matching_task.KIND, programme_round.id),
    ), status


@bp.get("/rounds/<int:round_id>/proposals")
@officers
def proposals(round_id: int) -> Page:
    programme_round = get_round(db.session, round_id)
    cohorts = services.round_cohorts(db.session, programme_round, CohortStatus.PROPOSED)
    waiting = list(
        db.session.scalars(
            select(Application)
            .where(
                Application.round_id == programme_round.id,
                Application.status == ApplicationStatus.WAITLISTED,
            )
            .order_by(Application.id)
        )
    )
    reasons = {a.id: (a.history[-1].reason if a.history else "") for a in waiting}
    applications = {
        p.application_id: db.session.get(Application, p.application_id)
        for c in cohorts
        for p in services.members(c)
    }
    return render_template(
        "cohorts/proposals.html",
        programme_round=programme_round,
        cohorts=cohorts,
        applications=applications,
        people=_people([a for a in applications.values() if a] + waiting),
        waiting=waiting,
        reasons=reasons,
        labels=reference_labels(db.session),
        members=services.members,
        lock_form=ConfirmForm(formdata=None),
    )


@bp.route("/applications/<int:application_id>/move", methods=["GET", "POST"])
@officers
def move(application_id: int) -> Page:
    application = db.session.get(Application, application_id)
    if application is None:
        return render_template("errors/404.html"), 404
    programme_round = get_round(db.session, application.round_id)
    cohorts = services.round_cohorts(db.session, programme_round, CohortStatus.PROPOSED)
    form = MoveForm()
    form.target.choices = [SelectChoice(str(c.id), c.name) for c in cohorts] + [
        SelectChoice("waitlist", "The waiting list")
    ]
    person = db.session.get(User, application.person_id)
    if form.validate_on_submit():
        target = (
            None
            if form.target.data == "waitlist"
            else services.get_cohort(db.session, int(form.target.data))
        )
        try:
            forming.move_to(
                db.session,
                programme_round,
                application,
                target,
                actor=current_person(),
                now=utcnow(),
            )
        except services.CohortError as error:
            form.target.errors = error.problems
        else:
            flash(f"{person.name if person else 'They'} moved.", "success")
            return redirect(url_for("cohorts.proposals", round_id=programme_round.id))
    status = form_status(form)
    return render_template(
        "cohorts/move.html",
        form=form,
        application=application,
        person=person,
        programme_round=programme_round,
    ), status


@bp.post("/<int:cohort_id>/lock")
@officers
def lock(cohort_id: int) -> Response:
    cohort = services.get_cohort(db.session, cohort_id)
    form = ConfirmForm()
    if form.validate_on_submit() and cohort.status == CohortStatus.PROPOSED:
        forming.set_locked(db.session, cohort, not cohort.locked, actor=current_person())
        flash(f"{cohort.name} is {'locked' if cohort.locked else 'unlocked'}.", "success")
    return redirect(url_for("cohorts.proposals", round_id=cohort.round_id))


@bp.route("/rounds/<int:round_id>/new", methods=["GET", "POST"])
@officers
def new_cohort(round_id: int) -> Page:
    programme_round = get_round(db.session, round_id)
    pool = matching_inputs.matchable_applications(db.session, programme_round)
    people = _people(pool)
    form = ManualCohortForm()
    form.members.choices = [
        SelectChoice(str(a.id), f"{people[a.person_id].name}, {a.business_name} ({a.reference})")
        for a in pool
        if a.person_id in people
    ]
    if form.validate_on_submit():
        chosen = [a for a in pool if str(a.id) in set(form.members.data)]
        day, part = form.slot.data.split("-")
        try:
            cohort = forming.create_manual_cohort(
                db.session,
                programme_round,
                chosen,
                delivery=CohortDelivery(form.delivery.data),
                weekday=int(day),
                part=PartOfDay(part),
                actor=current_person(),
                now=utcnow(),
            )
        except services.CohortError as error:
            form.members.errors = error.problems
        else:
            flash(f"{cohort.name} is created and locked. Confirm it to send offers.", "success")
            return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    return render_template(
        "cohorts/new.html", form=form, programme_round=programme_round
    ), form_status(form)


@bp.get("/<int:cohort_id>")
@officers
def detail(cohort_id: int) -> Page:
    cohort = services.get_cohort(db.session, cohort_id)
    return _detail_page(
        cohort,
        confirm_form=ConfirmCohortForm(formdata=None, data={"name": cohort.name}),
        contractor=db.session.get(Contractor, cohort.contractor_id)
        if cohort.contractor_id
        else None,
        facilitator=db.session.get(User, cohort.facilitator_id) if cohort.facilitator_id else None,
    )


def _detail_page(cohort: Cohort, **values: object) -> str:
    """The cohort's page: its members with their applications, and ``values``."""
    # One statement for every member's application, however many places the cohort has had.
    applications = {
        a.id: a
        for a in db.session.scalars(
            select(Application).where(Application.id.in_({p.application_id for p in cohort.places}))
        )
    }
    return render_template(
        "cohorts/detail.html",
        cohort=cohort,
        programme_round=get_round(db.session, cohort.round_id),
        applications=applications,
        people=_people([a for a in applications.values() if a]),
        labels=reference_labels(db.session),
        members=services.members,
        chain=offers.offer_chain(cohort),
        decline_reasons={reason.value: reason.label for reason in DeclineReason},
        changeable=cohort.status in (CohortStatus.CONFIRMED, CohortStatus.RUNNING),
        history=cohort_history(db.session, cohort),
        **values,
    )


@bp.post("/<int:cohort_id>/confirm")
@officers
def confirm(cohort_id: int) -> Page:
    cohort = services.get_cohort(db.session, cohort_id)
    form = ConfirmCohortForm()
    if form.validate_on_submit():
        try:
            offers.confirm_cohort(
                db.session,
                cohort,
                name=form.name.data,
                actor=current_person(),
                now=utcnow(),
                reply_days=form.reply_days.data,
            )
        except services.CohortError as error:
            form.name.errors = error.problems
        else:
            flash(f"{cohort.name} is confirmed and offers have been sent.", "success")
            return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    return _detail_page(
        cohort, confirm_form=form, form=form, contractor=None, facilitator=None
    ), 400


@bp.route("/<int:cohort_id>/delivery", methods=["GET", "POST"])
@officers
def assign(cohort_id: int) -> Page:
    cohort = services.get_cohort(db.session, cohort_id)
    programme_round = get_round(db.session, cohort.round_id)
    contractors = list(
        db.session.scalars(
            select(Contractor).where(Contractor.ended_at.is_(None)).order_by(Contractor.name)
        )
    )
    form = DeliveryAssignmentForm()
    form.contractor.choices = [SelectChoice("", "Choose a contractor")] + [
        SelectChoice(str(c.id), c.name) for c in contractors
    ]
    facilitators = [(c, f) for c in contractors for f in services.facilitators_of(db.session, c)]
    form.facilitator.choices = [SelectChoice("", "Not chosen yet")] + [
        SelectChoice(str(f.id), f"{f.name} ({c.name})") for c, f in facilitators
    ]
    if not form.is_submitted():
        form.contractor.data = str(cohort.contractor_id or "")
        form.facilitator.data = str(cohort.facilitator_id or "")
    if form.validate_on_submit():
        contractor = db.session.get_one(Contractor, int(form.contractor.data))
        facilitator = (
            db.session.get(User, int(form.facilitator.data)) if form.facilitator.data else None
        )
        try:
            services.assign_delivery(
                db.session,
                cohort,
                contractor=contractor,
                facilitator=facilitator,
                actor=current_person(),
            )
        except services.CohortError as error:
            form.facilitator.errors = error.problems
        else:
            flash("Saved who delivers the cohort.", "success")
            return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    status = form_status(form)
    return render_template(
        "cohorts/assign.html",
        form=form,
        cohort=cohort,
        load=services.contractor_load(db.session, programme_round),
    ), status


@bp.route("/<int:cohort_id>/add-member", methods=["GET", "POST"])
@officers
def add_member(cohort_id: int) -> Page:
    """Offer a place to someone on the waiting list, chosen from the list ranked by fit,
    each with their times, format, sector and the rules they would break; then a check
    page before the offer is sent."""
    cohort = services.get_cohort(db.session, cohort_id)
    candidates = member_changes.waiting_by_fit(db.session, cohort)
    labels = reference_labels(db.session)
    form = AddMemberForm()
    form.application.choices = [
        SelectChoice(str(c.application.id), f"{c.person.name}, {c.application.business_name}")
        for c in candidates
    ]
    hints = [{"hint": {"text": _candidate_hint(c, labels)}} for c in candidates]
    if form.validate_on_submit() and request.form.get("confirmed") != "change":
        chosen = next(c for c in candidates if str(c.application.id) == form.application.data)
        if chosen.problems:
            form.application.errors = list(chosen.problems)
        elif not form.is_confirmed:
            return render_template(
                "cohorts/check_add_member.html",
                cohort=cohort,
                chosen=chosen,
                hint=_candidate_hint(chosen, labels),
                answers=[("application", form.application.data)],
            )
        else:
            try:
                offers.add_to_cohort(
                    db.session, cohort, chosen.application, actor=current_person(), now=utcnow()
                )
            except services.CohortError as error:
                form.application.errors = error.problems
            else:
                flash(f"{chosen.person.name} has been offered a place.", "success")
                return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    return render_template(
        "cohorts/add_member.html", form=form, cohort=cohort, items=hints
    ), form_status(form)


def _candidate_hint(candidate: member_changes.Candidate, labels: ReferenceLabels) -> str:
    """What an officer needs to choose: times, format, sector, and any rule broken."""
    application = candidate.application
    slots = [(a.weekday, a.part_of_day.value) for a in application.availability]
    delivery = application.delivery.label if application.delivery else "Either"
    sector = labels.label(ReferenceKind.SECTOR, application.sector_code) or "not given"
    parts = [
        f"Can meet {slots_phrase(slots)}." if slots else "Gave no times.",
        f"Format: {delivery.lower()}.",
        f"Sector: {sector}.",
    ]
    if candidate.problems:
        parts.append("Would break the rules: " + "; ".join(candidate.problems) + ".")
    else:
        parts.append("No conflict with the members; fits the cohort's rules.")
    return " ".join(parts)


@bp.route("/rounds/<int:round_id>/conflicts", methods=["GET", "POST"])
@officers
def conflicts(round_id: int) -> Page:
    """Likely conflicts: names people typed that nearly match another applicant's business."""
    programme_round = get_round(db.session, round_id)
    suggestions = matching_inputs.conflict_suggestions(db.session, programme_round)
    form = ConfirmConflictForm()
    if form.validate_on_submit():
        wanted = form.pair.data.split("-")
        match = next(
            (s for s in suggestions if [str(s.applicant_id), str(s.other_id)] == wanted), None
        )
        if match is None:
            flash("That pair is no longer suggested.", "info")
        else:
            matching_inputs.confirm_conflict(
                db.session,
                a=get_application(db.session, match.applicant_id),
                b=get_application(db.session, match.other_id),
                kind=match.kind,
                actor=current_person(),
                now=utcnow(),
            )
            flash(f"{match.declared_name} and {match.business_name} will be kept apart.", "success")
        return redirect(url_for("cohorts.conflicts", round_id=programme_round.id))
    applications = {
        a.id: a
        for a in db.session.scalars(
            select(Application).where(
                Application.id.in_(
                    {s.applicant_id for s in suggestions} | {s.other_id for s in suggestions}
                )
            )
        )
    }
    return render_template(
        "cohorts/conflicts.html",
        programme_round=programme_round,
        suggestions=suggestions,
        applications=applications,
        people=_people(list(applications.values())),
        form=ConfirmConflictForm(formdata=None),
    )
