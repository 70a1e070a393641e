"""`make run` on another port: every link it prints or emails follows the port."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRINT_BASE_URL = "print-base-url:\n\t@echo $$PORTAL_BASE_URL\n"


def base_url_make_gives(*arguments: str, environment: dict[str, str] | None = None) -> str:
    """PORTAL_BASE_URL as the Makefile's recipes (`portal demo-data`, the worker, the server)
    see it."""
    make = shutil.which("make")
    if make is None:
        pytest.fail("make is needed to run the portal; install it")
    env = {key: value for key, value in os.environ.items() if key != "PORTAL_BASE_URL"}
    env.update(environment or {})
    finished = subprocess.run(  # noqa: S603 (our own Makefile, fixed arguments)
        [make, "-s", "-f", "Makefile", "-f", "-", "print-base-url", *arguments],
        input=PRINT_BASE_URL,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return finished.stdout.strip()


def test_the_base_url_follows_the_port_served():
    assert base_url_make_gives() == "http://127.0.0.1:5000"
    assert base_url_make_gives("PORT=5101") == "http://127.0.0.1:5101"
    assert base_url_make_gives("HOST=0.0.0.0", "PORT=8080") == "http://0.0.0.0:8080"


def test_a_base_url_set_in_the_environment_wins():
    given = {"PORTAL_BASE_URL": "https://peernetworks.example.org.uk"}
    assert base_url_make_gives("PORT=5101", environment=given) == given["PORTAL_BASE_URL"]


def recipe(target: str) -> str:
    """What `make <target>` would run (make's dry run: nothing is run)."""
    make = shutil.which("make")
    if make is None:
        pytest.fail("make is needed to run the portal; install it")
    return subprocess.run(  # noqa: S603 (our own Makefile, fixed arguments)
        [make, "--dry-run", target], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


def test_make_run_serves_with_the_production_server_and_make_dev_reloads():
    """Issue 16: the first thing people try serves as production does (gunicorn, its
    settings and workers); the reloading development server is `make dev`."""
    served = recipe("run")
    assert "gunicorn -c deploy/gunicorn.conf.py wsgi:app" in served
    assert "PORTAL_BIND=127.0.0.1:5000" in served
    assert "flask --app wsgi run" not in served
    assert "--app wsgi run --debug --host 127.0.0.1 --port 5000" in recipe("dev")
