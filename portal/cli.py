"""``flask --app wsgi portal ...``: the portal's commands."""

from __future__ import annotations

import threading
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from portal import db, jobs, migrate, tasks
from portal.db_base import utcnow
from portal.notifications.sender import send_due_messages
from portal.timefmt import today_in_london

portal_group = AppGroup("portal", help="Set up, run jobs for and fill the portal.")
db_group = AppGroup("db", help="Database migrations.")
portal_group.add_command(db_group)


@portal_group.command("init")
def init_command() -> None:
    """Migrate the database to the latest schema and load the reference data."""
    from portal.reference import services as reference
    from portal.surveys.definitions import load_definitions

    engine = db.engine_for(current_app)
    with migrate.one_at_a_time(engine, waiting=_say_waiting):
        migrate.upgrade(engine)
        click.echo("Database is at the latest migration.")
        changed = reference.load_all(db.session)
        db.session.commit()
        click.echo(f"Reference data loaded ({changed} new or updated items).")
        added = load_definitions(db.session)
        db.session.commit()
        click.echo(f"Survey definitions loaded ({added} new versions).")


def _say_waiting() -> None:
    click.echo("Another server is running portal init or db upgrade; waiting for it to finish.")


@portal_group.command("load-surveys")
def load_surveys_command() -> None:
    """Load the survey definitions shipped in portal/surveys/definitions/ (new file
    versions become new published versions; nothing is loaded twice)."""
    from portal.surveys.definitions import load_definitions
    from portal.surveys.questions import DefinitionProblem

    try:
        added = load_definitions(db.session)
    except DefinitionProblem as problem:
        raise click.ClickException(str(problem)) from None
    db.session.commit()
    click.echo(f"Survey definitions loaded ({added} new versions).")


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade_command(revision: str) -> None:
    """Upgrade the database to REVISION (default: the latest)."""
    engine = db.engine_for(current_app)
    with migrate.one_at_a_time(engine, waiting=_say_waiting):
        migrate.upgrade(engine, revision)
    click.echo(f"Database upgraded to {revision}.")


@db_group.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--rev-id", required=True, help="The next number, e.g. 0002.")
def db_revision_command(message: str, rev_id: str) -> None:
    """Draft a migration from the models. Review it by hand before committing."""
    from alembic import command

    with db.engine_for(current_app).connect() as connection:
        command.revision(
            migrate.alembic_config(connection), message=message, autogenerate=True, rev_id=rev_id
        )


@portal_group.command("run-jobs")
def run_jobs_command() -> None:
    """Run every scheduled job that is due, once. Safe from cron on several machines."""
    outcomes = jobs.run_due_jobs(db.session)
    for outcome in outcomes:
        status = "ok" if outcome.succeeded else "FAILED"
        click.echo(f"{outcome.name}: {status}: {outcome.message.splitlines()[-1]}")
    if not outcomes:
        click.echo("No jobs were due.")
    if any(not outcome.succeeded for outcome in outcomes):
        raise SystemExit(1)


@portal_group.command("send-mail")
@click.option("--limit", default=50, show_default=True, help="Most emails claimed at once.")
def send_mail_command(limit: int) -> None:
    """Send every email that is due, in batches. Safe to run on several machines at once."""
    while True:
        report = send_due_messages(db.session, limit=limit)
        click.echo(report.summary())
        if report.claimed < limit:
            return


@portal_group.command("worker")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between rounds.")
@click.option("--once", is_flag=True, help="Run one round of jobs and email, and stop.")
@click.option("--no-tasks", is_flag=True, help="Leave background tasks to another worker.")
def worker_command(interval: float, once: bool, no_tasks: bool) -> None:
    """Run background tasks (huey's consumer), and due jobs and email in a loop beside it.

    Ctrl+C (SIGINT) stops it once running tasks finish; SIGTERM stops it at once (the tasks
    it was running are marked failed by the job that watches over tasks)."""
    if once:
        _jobs_and_mail_round(current_app._get_current_object())  # type: ignore[attr-defined]
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    stop = threading.Event()
    loop = threading.Thread(
        target=_jobs_and_mail_loop, args=(app, interval, stop), name="jobs", daemon=True
    )
    loop.start()
    try:
        if no_tasks:
            while loop.is_alive():
                loop.join(1)
        else:
            consumer = tasks.tasks(app).queue.create_consumer(
                workers=app.config["TASK_WORKERS"], worker_type="thread", periodic=False
            )
            consumer.run()  # until SIGINT or SIGTERM
    finally:
        stop.set()
        loop.join(timeout=interval + 30)


def _jobs_and_mail_round(app: Flask) -> None:
    with app.app_context():
        for outcome in jobs.run_due_jobs(db.session):
            if not outcome.succeeded:
                click.echo(f"{outcome.name} failed; see the log.", err=True)
        send_due_messages(db.session)  # between job rounds too, so email waits seconds


def _jobs_and_mail_loop(app: Flask, interval: float, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            _jobs_and_mail_round(app)
        except Exception:  # a database that is down for a moment must not end the loop
            app.logger.exception("A round of jobs and email failed")
        stop.wait(interval)


@portal_group.command("demo-data")
@click.option("--force", is_flag=True, help="Load the demo even in production (never do this).")
def demo_data_command(force: bool) -> None:
    """Fill the database with a believable demo. Safe to run again: it adds nothing twice."""
    from portal import demo

    if current_app.config["ENVIRONMENT"] == "production" and not force:
        raise click.ClickException(
            "The demo has public passwords. It only loads with ENVIRONMENT = 'development'."
        )

    demo.load(db.session, echo=click.echo)
    db.session.commit()
    db.refresh_planner_statistics(db.session)
    click.echo(f"Demo data is ready at {current_app.config['BASE_URL']}.")
    click.echo("`flask --app wsgi portal demo-sign-ins` lists the people to sign in as.")


@portal_group.command("demo-sign-ins")
def demo_sign_ins_command() -> None:
    """Print the demo sign-ins (`make run` prints them once, before serving)."""
    from portal.auth.demo import sign_in_lines

    for line in sign_in_lines():
        click.echo(line)


@portal_group.command("demo-code")
@click.argument("email")
def demo_code_command(email: str) -> None:
    """Print the current two-factor code of a demo person (development only)."""
    import pyotp

    from portal.auth.demo import PEOPLE, demo_totp_secret

    if current_app.config["ENVIRONMENT"] == "production":
        raise click.ClickException("Demo codes are only available in development.")
    if email not in {person.email for person in PEOPLE}:
        raise click.ClickException(f"{email} is not a demo person.")
    click.echo(pyotp.TOTP(demo_totp_secret(email)).now())


@portal_group.command("import-applicants")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--round", "round_id", type=int, required=True, help="The id of the round.")
@click.option("--officer", "officer_email", required=True, help="The officer importing.")
@click.option("--dry-run", is_flag=True, help="Check the file and report; change nothing.")
def import_applicants_command(file: Path, round_id: int, officer_email: str, dry_run: bool) -> None:
    """Import applicants from a partner's CSV or XLSX file (docs/applicant-import-format.md)."""
    from portal.registration import imports

    config = current_app.config
    with file.open("rb") as handle:
        data = handle.read(config["APPLICANT_IMPORT_MAX_BYTES"] + 1)
    try:
        programme_round, officer = imports.round_and_officer(db.session, round_id, officer_email)
    except imports.RegistrationError as error:
        raise click.ClickException(error.message) from None
    report = imports.check_file(
        db.session,
        data,
        file.name,
        programme_round,
        today=today_in_london(),
        max_rows=config["APPLICANT_IMPORT_MAX_ROWS"],
        max_bytes=config["APPLICANT_IMPORT_MAX_BYTES"],
    )
    if report.file_error is None and not dry_run:
        with click.progressbar(length=len(report.rows), label="Importing applicants") as bar:
            imports.run_import(
                db.session,
                report,
                programme_round,
                officer=officer,
                now=utcnow(),
                advance=lambda: bar.update(1),
            )
        db.session.commit()
    else:
        db.session.rollback()
    for line in imports.report_lines(report):
        click.echo(line)
    if report.file_error is not None:
        raise SystemExit(1)


@portal_group.command("import-earlier-rounds")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the files and report; change nothing.")
def import_earlier_rounds_command(source: Path, dry_run: bool) -> None:
    """Import rounds that ran before the portal from SOURCE, a folder of CSV files or an
    XLSX workbook (docs/earlier-rounds-import-format.md). All or nothing; sends no email."""
    from portal.earlier_rounds import imports
    from portal.earlier_rounds.files import configured_limits, read_path

    sources = read_path(source, **configured_limits(current_app.config))
    if dry_run:
        report = imports.check(db.session, sources, source.name, now=utcnow())
    else:
        with click.progressbar(
            length=imports.total_rows(sources), label="Importing earlier rounds"
        ) as bar:
            report = imports.run_import(
                db.session, sources, source.name, now=utcnow(), progress=bar.update
            )
    if report.imported:
        db.session.commit()
    else:
        db.session.rollback()
    for line in report.lines():
        click.echo(line)
    if report.problems:
        raise SystemExit(1)


@portal_group.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(target: Path) -> None:
    """Back up the database to TARGET while the portal keeps running."""
    from portal.backup import BackupError, backup

    try:
        written = backup(current_app.config["DATABASE_URL"], target)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up the database to {written} ({written.stat().st_size:,} bytes).")


@portal_group.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Confirm: the database is replaced by the backup.")
def restore_command(source: Path, yes: bool) -> None:
    """Replace the database with the backup in SOURCE. Stop the app servers and job runner
    first."""
    from portal.backup import BackupError, restore

    if not yes:
        raise click.ClickException("This replaces the whole database. Add --yes to go ahead.")
    try:
        restore(current_app.config["DATABASE_URL"], source)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored the database from {source}.")
