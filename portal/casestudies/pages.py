"""The case study's question and check-answers pages, shared by the participant and a
facilitator drafting for them; and the story as text, escaped, for every page showing it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from markupsafe import Markup, escape
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from portal import db
from portal.auth.models import User
from portal.casestudies import journey, services
from portal.casestudies.forms import QUOTE_LIMIT, STORY_LIMIT
from portal.casestudies.models import CaseStudy, ConsentUse
from portal.db_base import utcnow
from portal.forms import form_status
from portal.reference.models import ReferenceKind
from portal.reference.services import active_items

View = str | Response | tuple[str, int]
_BLANK_LINE = re.compile(r"\n\s*\n")


def paragraphs(text: str) -> Markup:
    """Text as typed, escaped: blank lines start paragraphs, single line breaks stay."""
    parts = [part.strip() for part in _BLANK_LINE.split(text.replace("\r\n", "\n")) if part.strip()]
    return Markup("").join(
        Markup('<p class="govuk-body">{}</p>').format(
            Markup("<br>").join(escape(line) for line in part.split("\n"))
        )
        for part in parts
    )


def money(pounds: int) -> str:
    return f"-£{-pounds:,}" if pounds < 0 else f"£{pounds:,}"


def template_helpers() -> dict[str, Any]:
    return {
        "paragraphs": paragraphs,
        "money": money,
        "story_limit": STORY_LIMIT,
        "quote_limit": QUOTE_LIMIT,
    }


@dataclass(frozen=True)
class Addresses:
    question: str
    check: str
    values: dict[str, Any]
    caption: str
    facilitator: bool
    back_to: str

    def step_url(self, step: journey.Step, change: bool = False) -> str:
        extra: dict[str, Any] = {"change": 1} if change else {}
        return url_for(self.question, slug=step.slug, **self.values, **extra)

    def check_url(self) -> str:
        return url_for(self.check, **self.values)

    @property
    def steps(self) -> list[journey.Step]:
        return journey.steps_for(drafting_for_someone=self.facilitator)


def resume_url(case_study: CaseStudy, addresses: Addresses) -> str:
    step = journey.next_step(case_study, addresses.steps)
    return addresses.step_url(step) if step else addresses.check_url()


def question_page(case_study: CaseStudy, slug: str, addresses: Addresses, *, actor: User) -> View:
    step = journey.STEP_BY_SLUG.get(slug)
    if step is None or step not in addresses.steps:
        raise NotFound()
    if not services.can_edit(case_study, facilitator=addresses.facilitator):
        flash("This story cannot be changed now.", "info")
        return redirect(addresses.back_to)
    changing = request.args.get("change") == "1"
    form = step.make_form(db.session, case_study, request.method == "POST")
    if form.validate_on_submit():
        services.save_step(
            db.session,
            case_study,
            step,
            form,
            actor=actor,
            now=utcnow(),
            facilitator=addresses.facilitator,
        )
        following = journey.next_step(case_study, addresses.steps, after=None if changing else step)
        if changing and following is not None and following.slug != "confirm":
            following = None
        return redirect(addresses.step_url(following) if following else addresses.check_url())
    previous = journey.previous_step(step, addresses.steps)
    if changing:
        back = addresses.check_url()
    else:
        back = addresses.step_url(previous) if previous else addresses.back_to
    return render_template(
        "casestudies/question.html",
        form=form,
        step=step,
        title=step.title,
        back_url=back,
        caption=addresses.caption,
    ), form_status(form)


def summary_sections(
    case_study: CaseStudy, addresses: Addresses | None, *, consent: bool = True
) -> list[tuple[str, list[dict[str, Any]]]]:
    """The story and the consent as summary-list rows, with change links when
    ``addresses`` is given."""
    issues = {i.code: i.label for i in active_items(db.session, ReferenceKind.ISSUE)}

    def row(key: str, value: Markup | str, slug: str) -> dict[str, Any]:
        html = value if isinstance(value, Markup) else escape(value)
        found: dict[str, Any] = {"key": {"text": key}, "value": {"html": html or "Not given"}}
        if addresses is not None:
            found["actions"] = {
                "items": [
                    {
                        "href": addresses.step_url(journey.STEP_BY_SLUG[slug], change=True),
                        "text": "Change",
                        "visuallyHiddenText": key.lower(),
                    }
                ]
            }
        return found

    figures = [
        (
            f"{case_study.jobs_created:,} jobs created"
            if case_study.jobs_created is not None
            else ""
        ),
        (
            f"{case_study.jobs_safeguarded:,} jobs safeguarded"
            if case_study.jobs_safeguarded is not None
            else ""
        ),
        (
            f"Turnover change of {money(case_study.turnover_change_pounds)} a year"
            if case_study.turnover_change_pounds is not None
            else ""
        ),
        (
            f"Cost savings of {money(case_study.cost_savings_pounds)} a year"
            if case_study.cost_savings_pounds is not None
            else ""
        ),
        (f"New markets: {case_study.new_markets}" if case_study.new_markets else ""),
    ]
    story = [
        row("Title", case_study.title, "title"),
        row("The challenge", paragraphs(case_study.challenge), "challenge"),
        row("How the peer group helped", paragraphs(case_study.group_help), "help"),
        row("How one-to-one support helped", paragraphs(case_study.one_to_one_help), "help"),
        row("What you did", paragraphs(case_study.actions), "actions"),
        row("What changed", paragraphs(case_study.outcomes), "outcomes"),
        row(
            "In figures",
            Markup("<br>").join(escape(f) for f in figures if f) or "None given",
            "figures",
        ),
        row(
            "Issues",
            Markup("<br>").join(escape(issues.get(code, code)) for code in case_study.issue_codes),
            "issues",
        ),
        row("Quote", paragraphs(case_study.quote), "quote"),
    ]
    sections = [("Your story", story)]
    if consent:
        named = {True: "With my name and my business’s name", False: "Anonymously"}
        uses = [ConsentUse(u).label for u in case_study.uses if u in set(ConsentUse)]
        years = case_study.consent_years
        sections.append(
            (
                "Your consent",
                [
                    row(
                        "Names",
                        named.get(case_study.named, "") if case_study.named is not None else "",
                        "named",
                    ),
                    row("Where", Markup("<br>").join(escape(u) for u in uses), "uses"),
                    row(
                        "For how long",
                        f"{years} year{'s' if years != 1 else ''}" if years else "",
                        "period",
                    ),
                ],
            )
        )
    return sections
