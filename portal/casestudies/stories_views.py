"""The public Stories page: published case studies, filterable by sector and issue, each
showing only what its author agreed to (no names when they chose to stay anonymous)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from werkzeug.wrappers import Response

from portal import db
from portal.auth.access import public
from portal.auth.models import User
from portal.casestudies import services
from portal.casestudies.forms import StoriesFilterForm
from portal.casestudies.models import CaseStudy
from portal.casestudies.pages import template_helpers
from portal.db import utcnow
from portal.reference.models import ReferenceKind
from portal.reference.services import active_items
from portal.registration.models import Application

bp = Blueprint("stories", __name__, url_prefix="/stories")
bp.context_processor(template_helpers)

Page = str | Response | tuple[str, int]


def byline(story: CaseStudy, sectors: dict[str, str]) -> str:
    """Who the story is about, as consented: names, or the sector and area only."""
    sector = sectors.get(story.sector_code or "", "")
    if story.named:
        person = db.session.get(User, story.person_id)
        application = db.session.get(Application, story.application_id)
        names = [
            n
            for n in (
                person.name if person else "",
                application.business_name if application else "",
            )
            if n
        ]
        return ", ".join(names)
    return f"A business in {sector.lower()}" if sector else "A business owner"


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
        "casestudies/stories/index.html",
        form=form,
        stories=stories,
        bylines={s.id: byline(s, labels) for s in stories},
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
        "casestudies/stories/story.html",
        story=found,
        byline=byline(found, sectors),
        issues=[issues[code] for code in found.issue_codes if code in issues],
        sector=sectors.get(found.sector_code or "", ""),
        title=found.title,
    )
