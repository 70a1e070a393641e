"""``flask --app wsgi portal ...``: the portal's commands."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

from portal import db, jobs, migrate
from portal.notifications.sender import send_due_messages

portal_group = AppGroup("portal", help="Set up, run jobs for and fill the portal.")
db_group = AppGroup("db", help="Database migrations.")
portal_group.add_command(db_group)


@portal_group.command("init")
def init_command() -> None:
    """Migrate the database to the latest schema and load the reference data."""
    from portal.reference import services as reference

    migrate.upgrade(db.engine_for(current_app))
    click.echo("Database is at the latest migration.")
    changed = reference.load_all(db.session)
    db.session.commit()
    click.echo(f"Reference data loaded ({changed} new or updated items).")


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade_command(revision: str) -> None:
    """Upgrade the database to REVISION (default: the latest)."""
    migrate.upgrade(db.engine_for(current_app), revision)
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
@click.option("--once", is_flag=True, help="Run one round and stop.")
def worker_command(interval: float, once: bool) -> None:
    """Run due jobs and send due email in a loop, for `make run`."""
    while True:
        for outcome in jobs.run_due_jobs(db.session):
            if not outcome.succeeded:
                click.echo(f"{outcome.name} failed; see the log.", err=True)
        send_due_messages(db.session)  # between job rounds too, so email waits seconds
        db.session.close()
        if once:
            return
        time.sleep(interval)


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


@portal_group.command("demo-sign-ins")
def demo_sign_ins_command() -> None:
    """Print the demo sign-ins (for `make run`)."""
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
