"""Matching runs as background tasks: read, solve with no lock held, store for review.

An officer's run is a task of kind "matching", one per round at a time. It reads the pool
in one short transaction, solves with the engine (``matching.propose_cohorts``, through
``forming.solve``) holding no transaction (on SQLite, other officers keep writing), then
takes the write lock only to store the proposals. It stops at the next stage if cancelled,
and a run whose pool changed while it solved stores nothing and says so.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, url_for

from portal import tasks
from portal.auth.models import User
from portal.cohorts import forming
from portal.db_base import utcnow
from portal.matching.model import Basis, Weights
from portal.rounds.models import Round
from portal.rounds.settings_summary import plural
from portal.tasks.models import BackgroundTask
from portal.tasks.runner import TaskContext, TaskError

KIND = "matching"


def init_app(app: Flask) -> None:
    tasks.register(
        app,
        tasks.TaskKind(KIND, "Matching run", run_matching_task, result_url=_proposals_url),
    )


def params_for(settings: forming.RunSettings, delivery: str | None) -> dict[str, Any]:
    """The run's settings as the task's stored inputs (plain JSON)."""
    weights = settings.weights
    return {
        "basis": settings.basis.value,
        "weights": [
            weights.homogeneity,
            weights.shared_issues,
            weights.similar_size,
            weights.no_isolation,
        ],
        "near_districts": [sorted(group) for group in settings.near_districts],
        "delivery": delivery or "",
    }


def settings_from(params: dict[str, Any]) -> forming.RunSettings:
    homogeneity, shared_issues, similar_size, no_isolation = params["weights"]
    return forming.RunSettings(
        basis=Basis(params["basis"]),
        weights=Weights(
            homogeneity=homogeneity,
            shared_issues=shared_issues,
            similar_size=similar_size,
            no_isolation=no_isolation,
        ),
        near_districts=tuple(frozenset(group) for group in params["near_districts"]),
    )


def run_matching_task(context: TaskContext) -> dict[str, Any]:
    """The "matching" task: prepare, solve, store. Returns what the status page shows."""
    session = context.session
    programme_round = session.get(Round, context.round_id)
    actor = session.get(User, context.started_by_id) if context.started_by_id else None
    if programme_round is None or actor is None:
        raise TaskError("The round or the officer who started this run no longer exists.")
    context.report("Reading the applicants", 10)
    prepared = forming.prepare_run(
        session,
        programme_round,
        settings=settings_from(context.params),
        delivery=context.params.get("delivery") or None,
    )
    context.report(f"Forming cohorts from {len(prepared.pool_ids)} applicants", 30)
    result = forming.solve(prepared)
    context.report("Saving the proposed cohorts", 90)
    context.begin_writing()
    try:
        outcome = forming.store_run(session, prepared, result, actor=actor, now=utcnow())
    except forming.RunChanged as changed:
        raise TaskError(changed.problems[0]) from None
    cohorts = len(outcome.cohorts)
    quality = (
        "This is the best possible answer."
        if result.proven_optimal
        else f"At most {result.upper_bound} could be placed under the rules."
    )
    waiting = len(outcome.waitlist)
    return {
        "summary": (
            f"The matching proposed {plural(cohorts, 'cohort')} placing "
            f"{plural(result.placed, 'person', 'people')}; {waiting:,} "
            f"{'is' if waiting == 1 else 'are'} on the waiting list. {quality}"
        ),
        "link_text": "Review the proposed cohorts",
        "cohort_ids": [cohort.id for cohort in outcome.cohorts],
        "placed": result.placed,
        "waiting": len(outcome.waitlist),
        "upper_bound": result.upper_bound,
    }


def _proposals_url(task: BackgroundTask) -> str:
    return url_for("cohorts.proposals", round_id=task.round_id)
