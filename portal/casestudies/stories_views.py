"""The public Stories page: published case studies, filterable by sector and issue, each
showing only what its author agreed to (no names when they chose to stay anonymous)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal import db
from portal.auth.access import public
from portal.auth.models import User
from portal.casestudies import services
from portal.casestudies.forms import StoriesFilterForm
from portal.casestudies.models import CaseStudy
from portal.casestudies.pages import template_helpers
from portal.db_base import utcnow
from portal.reference.models import ReferenceKind
from portal.reference.services import active_items
from portal.registration.models import Application

bp = Blueprint("stories", __name__, url_prefix="/stories")
bp.context_processor(template_helpers)

Page = str | Response | tuple[str, int]


def bylines(stories: list[CaseStudy], sectors: dict[str, str]) -> dict[int, str]:
    """Who each story is about, as consented: names, or the sector and area only.

    The names of every named story are read in one query."""
    named = [story.id for story in stories if story.named]
    names = (
        {
            row.id: [n for n in (row.person, row.business) if n]
            for row in db.session.execute(
                select(
                    CaseStudy.id,
                    User.name.label("person"),
                    Application.business_name.label("business"),
                )
                .outerjoin(User, User.id == CaseStudy.person_id)
                .outerjoin(Application, Application.id == CaseStudy.application_id)
                .where(CaseStudy.id.in_(named))
            )
        }
        if named
        else {}
    )
    found = {}
    for story in stories:
        sector = sectors.get(story.sector_code or "", "")
        if story.named:
            found[story.id] = ", ".join(names.get(story.id, []))
        else:
            found[story.id] = f"A business in {sector.lower()}" if sector else "A business owner"
    return found


@bp.get("/")
@public
def index() -> Page:
    sectors = active_items(db.session, ReferenceKind.SECTOR)
    issues = active_items(db.session, ReferenceKind.ISSUE)
    form = StoriesFilterForm(request.args, sectors=sectors, issues=issues)
    sector, issue = form.chosen(form.sector), form.chosen(form.issue)
    stories = services.published_stories(db.session, utcnow(), sector=sector, issue=issue)
    labels = {s.code: s.label for s in sectors}
    return render_template(
        "stories/index.html",
        form=form,
        stories=stories,
        bylines=bylines(stories, labels),
        filtered=bool(sector or issue),
        title="Stories",
    )


@bp.get("/<int:case_study_id>")
@public
def story(case_study_id: int) -> Page:
    found = services.public_story(db.session, case_study_id, utcnow())
    sectors = {s.code: s.label for s in active_items(db.session, ReferenceKind.SECTOR)}
    issues = {i.code: i.label for i in active_items(db.session, ReferenceKind.ISSUE)}
    return render_template(
        "stories/story.html",
        story=found,
        byline=bylines([found], sectors)[found.id],
        issues=[issues[code] for code in found.issue_codes if code in issues],
        sector=sectors.get(found.sector_code or "", ""),
        title=found.title,
    )
