"""The deployment files name commands and settings that exist.

The image cannot be built on the development machine (docs/deployment.md says why), so
`.ci/run` proves its install steps with deploy/check-install.sh; these tests keep the
Dockerfile, compose.yaml and the systemd units from drifting away from the portal.
"""

from __future__ import annotations

import configparser
import re
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

from werkzeug.serving import make_server

from portal import config as portal_config

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def portal_commands(app) -> set[str]:
    group = app.cli.commands["portal"]
    return set(group.commands)


def commands_in(text: str) -> set[str]:
    """The `portal` sub-commands a file runs ("flask --app wsgi portal init" gives init)."""
    return set(re.findall(r"""wsgi["',\s]+portal["',\s]+([a-z-]+)""", text))


def test_the_image_is_built_in_two_stages_and_runs_as_a_user_with_a_health_check():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    stages = re.findall(r"^FROM (\S+)(?: AS (\w+))?", dockerfile, flags=re.MULTILINE)
    assert [name for _image, name in stages] == ["assets", "runtime"]
    assert stages[0][0].startswith("docker.io/library/node:20")
    assert stages[1][0].startswith("docker.io/library/python:3.11-slim")
    assert "RUN deploy/install.sh /opt/portal/venv" in dockerfile
    assert "COPY --from=assets /build/static/dist/ static/dist/" in dockerfile
    runtime = dockerfile.split(" AS runtime", 1)[1]
    assert re.search(r"^USER portal$", runtime, flags=re.MULTILINE)
    assert "npm" not in runtime  # Node stays in the build stage
    assert re.search(r"HEALTHCHECK .*\n.*deploy/healthcheck.py", dockerfile)
    assert 'CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"]' in dockerfile


def test_the_runtime_install_leaves_out_the_development_packages():
    install = (DEPLOY / "install.sh").read_text(encoding="utf-8")
    assert "--require-hashes --no-deps --requirement requirements/runtime.txt" in install
    assert ".[dev]" not in install
    assert "dev.txt" not in install


def pins(name: str) -> dict[str, str]:
    text = (ROOT / "requirements" / name).read_text(encoding="utf-8")
    return dict(re.findall(r"^([a-z0-9._-]+)==(\S+) \\$", text, flags=re.MULTILINE))


def test_runtime_and_development_packages_are_locked_alike_with_hashes():
    runtime, development = pins("runtime.txt"), pins("dev.txt")
    assert runtime, "requirements/runtime.txt pins nothing"
    assert {name: development.get(name) for name in runtime} == runtime
    assert {"pytest", "ruff", "mypy", "pip-tools"} <= set(development) - set(runtime)
    for name in ("runtime.txt", "dev.txt"):
        text = (ROOT / "requirements" / name).read_text(encoding="utf-8")
        hashed = re.findall(r"^[a-z0-9._-]+==\S+ \\\n\s+--hash=sha256:", text, flags=re.MULTILINE)
        assert len(hashed) == len(pins(name)), name
        assert "--find-links" not in text  # nothing from this machine's pip settings


def test_compose_runs_web_worker_and_release_from_the_image_with_postgresql_and_redis(app):
    compose = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    listed = compose.split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0]
    services = set(re.findall(r"^  ([a-z]+):$", listed, flags=re.MULTILINE))
    assert services == {"release", "web", "worker", "db", "redis"}
    assert commands_in(compose) == {"init", "worker", "demo-data"}
    assert commands_in(compose) <= portal_commands(app)
    settings = set(re.findall(r"^\s+(?:PORTAL_)?([A-Z_]+): ", compose, flags=re.MULTILINE))
    portal_settings = settings - {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"}
    known = set(portal_config.DEFAULTS) | {"SECRET_KEY", "WORKERS"}  # the key has no default
    assert portal_settings <= known, portal_settings


def test_the_systemd_units_run_commands_that_exist(app):
    units = sorted((DEPLOY / "systemd").iterdir())
    assert [unit.name for unit in units] == [
        "portal-run-jobs.service",
        "portal-run-jobs.timer",
        "portal-web.service",
        "portal-worker.service",
    ]
    for unit in units:
        parsed = configparser.ConfigParser(strict=False, interpolation=None)
        parsed.optionxform = str  # type: ignore[assignment,method-assign]
        parsed.read_string(unit.read_text(encoding="utf-8"))
        assert parsed.has_section("Unit"), unit.name
        if unit.suffix == ".service":
            assert parsed["Service"]["User"] == "portal", unit.name
            assert commands_in(unit.read_text(encoding="utf-8")) <= portal_commands(app)
    web = (DEPLOY / "systemd" / "portal-web.service").read_text(encoding="utf-8")
    assert "ExecStartPre=/opt/boost-peer-networks/venv/bin/flask --app wsgi portal init" in web


def healthcheck(url: str) -> int:
    return subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, str(DEPLOY / "healthcheck.py"), url], check=False, timeout=30
    ).returncode


def test_the_health_check_passes_only_while_the_portal_answers(app):
    server = make_server("127.0.0.1", 0, app)
    url = f"http://127.0.0.1:{server.server_port}/healthz"
    thread = threading.Thread(target=server.handle_request)
    thread.start()
    try:
        assert healthcheck(url) == 0
    finally:
        thread.join(timeout=30)
        server.server_close()
    assert healthcheck(url) == 1  # nothing listening any more


def test_every_direct_dependency_is_locked_at_its_declared_version():
    """Someone who adds or bumps a package in pyproject.toml also runs `make lock`."""
    with (ROOT / "pyproject.toml").open("rb") as toml:
        project = tomllib.load(toml)["project"]
    declared = {
        "runtime.txt": project["dependencies"],
        "dev.txt": project["dependencies"] + project["optional-dependencies"]["dev"],
    }
    for name, requirements in declared.items():
        wanted = {}
        for requirement in requirements:
            pinned = re.fullmatch(r"([\w.-]+)(?:\[[\w,]+\])?==(\S+)", requirement)
            assert pinned, f"{requirement} is not pinned exactly"
            wanted[pinned[1].lower().replace("_", "-")] = pinned[2]
        locked = pins(name)
        assert {package: locked.get(package) for package in wanted} == wanted, name
