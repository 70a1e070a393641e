"""Demo data for ``flask portal demo-data``: idempotent, extended by each feature."""

from __future__ import annotations

from collections.abc import Callable

import click
from sqlalchemy.orm import Session

from portal.auth import demo as people
from portal.casestudies import demo as case_studies_demo
from portal.coaching import demo as coaching_demo
from portal.cohorts import delivery_demo
from portal.cohorts import demo as cohorts_demo
from portal.db_base import utcnow
from portal.measures import demo as measures_demo
from portal.reference import services as reference
from portal.registration.demo import load_demo_applicants
from portal.rounds.demo import load_demo_rounds
from portal.surveys import demo as surveys_demo

Echo = Callable[[str], None]


def load_earlier_rounds(session: Session) -> int:
    """Import the shipped earlier-round samples (Rounds 1 and 2 of the February 2022 board
    report), so the outcome figures have history. Importing again changes nothing."""
    from portal.earlier_rounds import imports
    from portal.earlier_rounds.files import read_folder
    from portal.earlier_rounds.samples.generate import HERE as SAMPLES

    report = imports.run_import(session, read_folder(SAMPLES), "demo samples", now=utcnow())
    if not report.imported:
        raise click.ClickException("; ".join(report.lines()[:5]))
    return report.count("created") + report.count("updated")


def load(session: Session, echo: Echo = click.echo) -> None:
    """Create the demo. Running it again adds nothing twice.

    Side effects: adds and flushes rows in every feature's tables.
    """
    steps: list[tuple[str, Callable[[Session], int]]] = [
        ("reference data", reference.load_all),
        ("contractors and people", people.load),
        ("rounds", load_demo_rounds),
        ("applicants", load_demo_applicants),
        ("cohorts", cohorts_demo.load),
        ("sessions and registers", delivery_demo.load),
        ("one-to-one support", coaching_demo.load),
        ("surveys", surveys_demo.load),
        ("case studies", case_studies_demo.load),
        ("earlier rounds (Rounds 1 and 2)", load_earlier_rounds),
        ("service measures", measures_demo.load),
    ]
    with click.progressbar(steps, label="Loading demo data", file=None) as bar:
        results = [(name, step(session)) for name, step in bar]
    for name, changed in results:
        echo(f"  {name}: {changed} new or updated")
