"""Gunicorn settings for production: ``gunicorn -c deploy/gunicorn.conf.py wsgi:app``.

Read by gunicorn, not imported by the portal. Settings come from environment variables so one
file serves every machine:

- ``PORTAL_BIND`` (default ``127.0.0.1:8000``): where to listen, behind the TLS proxy.
- ``PORTAL_WORKERS`` (default 2 per core, plus 1): worker processes.
- ``PORTAL_THREADS`` (default 1): threads per worker; more than 1 uses the gthread worker.
- ``PORTAL_PRELOAD`` (default 1): import and warm up the app once, then fork the workers.
- ``PROMETHEUS_MULTIPROC_DIR``: a folder for the workers' request metrics, so ``/metrics`` adds
  up every worker's counts. It is emptied when gunicorn starts.
"""

from __future__ import annotations

import gc
import os
import shutil
import time
from pathlib import Path
from typing import Any

bind = os.environ.get("PORTAL_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("PORTAL_WORKERS", 2 * (os.cpu_count() or 1) + 1))
threads = int(os.environ.get("PORTAL_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
# A request taking longer than this is stopped: the portal's slowest page (the dashboard
# worked out for a large round) takes a few seconds.
timeout = 60
graceful_timeout = 30
keepalive = 5
# The app is imported once, in this (master) process, and warmed up (portal.warm_up: every
# template compiled, the models configured, a page rendered) before the workers are forked
# from it: a worker starts in milliseconds of CPU instead of seconds, and its first request
# costs what later ones do. New code needs a restart (`systemctl restart portal-web`): HUP
# re-reads these settings and replaces the workers, from the code loaded at start.
# PORTAL_PRELOAD=0 imports the app in each worker instead.
preload_app = os.environ.get("PORTAL_PRELOAD", "1") != "0"
# Workers are replaced now and then, so memory does not creep up: each after its own number
# of requests (10,000 plus up to 5,000 at random), so they do not all restart at once.
max_requests = 10_000
max_requests_jitter = 5_000
# The portal writes one log line per request itself, with its request id and without paths
# or query strings (portal.operations.requests), so gunicorn's access log is off.
accesslog = None
errorlog = "-"
# Trust X-Forwarded-* only from the proxy on this machine; the portal's PROXY_FIX_* settings
# say how many proxies to trust.
forwarded_allow_ips = os.environ.get("PORTAL_FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server: Any) -> None:
    _refuse_per_worker_sign_in_limits(server.cfg.workers)
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(parents=True, exist_ok=True)


def when_ready(server: Any) -> None:
    """Before the workers are forked (with ``preload_app``): warm the app up once for all."""
    if server.cfg.preload_app and _is_portal(server.app.wsgi()):
        from portal.warm_up import warm_up

        started = time.process_time()
        compiled = warm_up(server.app.wsgi())
        # What the app loaded stays out of the garbage collector's sweeps, which would
        # otherwise touch (and so copy) every page the workers share with this process.
        gc.freeze()
        server.log.info(
            "Warmed up: %d templates compiled in %.1f s of CPU",
            compiled,
            time.process_time() - started,
        )


def post_fork(server: Any, worker: Any) -> None:
    """A forked worker makes its own database connections, never its parent's."""
    if server.cfg.preload_app and _is_portal(server.app.wsgi()):
        from portal import db

        db.engine_for(server.app.wsgi()).dispose(close=False)


def _is_portal(app: Any) -> bool:
    """Whether gunicorn serves the portal (the benchmarks serve small apps of their own)."""
    return "portal.db" in getattr(app, "extensions", {})


def _refuse_per_worker_sign_in_limits(workers: int) -> None:
    """Production with several workers must count sign-in attempts in Redis, not in each
    worker's memory (portal.config.check_web_workers says how to fix it)."""
    from flask import Config

    from portal import PROJECT_ROOT
    from portal import config as portal_config

    settings = Config(os.environ.get("PORTAL_INSTANCE_PATH", str(PROJECT_ROOT / "instance")))
    portal_config.read(settings)
    portal_config.check_web_workers(settings, workers)


def child_exit(server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
