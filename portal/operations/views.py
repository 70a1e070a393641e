"""``/metrics`` for Prometheus and ``/admin/status`` for administrators."""

from __future__ import annotations

import hmac
import os

from flask import Blueprint, Response, abort, current_app, render_template, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from portal import db
from portal.auth.access import admins, public
from portal.db_base import utcnow
from portal.operations import metrics, status

bp = Blueprint("operations", __name__)


@bp.get("/metrics")
@public
def metrics_page() -> Response:
    """Prometheus text format. Needs ``Authorization: Bearer <METRICS_TOKEN>``; without a
    token configured the page does not exist (404)."""
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        abort(404)
    offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(offered.encode(), str(token).encode()):
        abort(403)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Several gunicorn workers: add up what each wrote to the shared folder.
        per_process = CollectorRegistry()
        MultiProcessCollector(per_process)
    else:
        per_process = REGISTRY
    found = status.status(db.session, utcnow())
    body = generate_latest(per_process) + generate_latest(metrics.database_registry(found))
    return Response(body, mimetype=CONTENT_TYPE_LATEST.split(";")[0])


@bp.get("/admin/status")
@admins
def status_page() -> str:
    return render_template("operations/status.html", status=status.status(db.session, utcnow()))
