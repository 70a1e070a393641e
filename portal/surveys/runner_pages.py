"""The survey runner's pages, shared by the person's own link and an officer keying in.

Only the addresses and who is recorded as acting differ, as with registration's pages on
someone's behalf. Views parse the request, call ``portal.surveys.runner`` and render.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import redirect, render_template, request, url_for
from markupsafe import Markup, escape
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from portal import db
from portal.auth.forms import ConfirmForm
from portal.auth.models import User
from portal.db_base import utcnow
from portal.forms import form_status
from portal.surveys import runner
from portal.surveys.forms import page_form, values_from
from portal.surveys.models import SurveyResponse
from portal.surveys.questions import Page, answer_in_words, is_shown, text_limit

View = str | Response | tuple[str, int]


@dataclass(frozen=True)
class Addresses:
    """Where the runner's pages link to, and how they are captioned."""

    page: str
    check: str
    done: str
    values: dict[str, Any]
    caption: str
    # The officer keying answers in, or None for the person themselves.
    actor: User | None = None
    back_to: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def page_url(self, page: Page, change: bool = False) -> str:
        extra: dict[str, Any] = {"change": 1} if change else {}
        return url_for(self.page, page_key=page.key, **self.values, **extra)

    def check_url(self) -> str:
        return url_for(self.check, **self.values)

    def done_url(self) -> str:
        return url_for(self.done, **self.values)


def resume_url(response: SurveyResponse, addresses: Addresses) -> str:
    following = runner.next_page(response)
    return addresses.page_url(following) if following else addresses.check_url()


def question_page(response: SurveyResponse, page_key: str, addresses: Addresses) -> View:
    """One page of questions: GET shows it with the saved answers, POST saves and moves on."""
    if response.is_submitted:
        return redirect(addresses.done_url())
    page = runner.page_by_key(response, page_key)
    if page is None:
        known = {p.key for p in runner.pages_for(response.version)}
        if page_key not in known:
            raise NotFound()
        return redirect(resume_url(response, addresses))  # a page that no longer applies
    answers = runner.answers_of(response)
    shown = [q for q in page.questions if is_shown(q, answers)]
    changing = request.args.get("change") == "1"
    form = page_form(
        shown,
        answers=answers,
        submitted=request.method == "POST",
        all_optional=addresses.actor is not None,
    )
    if form.validate_on_submit():
        try:
            runner.save_page(db.session, response, page, values_from(form, shown), now=utcnow())
        except runner.ReadOnly:
            return redirect(addresses.done_url())
        following = None if changing else runner.next_page(response)
        return redirect(addresses.page_url(following) if following else addresses.check_url())
    previous = runner.previous_page(response, page)
    if changing:
        back = addresses.check_url()
    elif previous is not None:
        back = addresses.page_url(previous)
    else:
        back = addresses.back_to or addresses.check_url()
    return render_template(
        "surveys/page.html",
        form=form,
        page=page,
        questions=shown,
        title=page.heading,
        back_url=back,
        caption=addresses.caption,
        text_limit=text_limit,
    ), form_status(form)


def summary_rows(
    response: SurveyResponse, addresses: Addresses | None
) -> list[tuple[str, list[dict[str, Any]]]]:
    """Check-answers rows by page: every question that applies, with a change link
    (none when ``addresses`` is None: read only)."""
    answers = runner.answers_of(response)
    sections = []
    for page in runner.current_pages(response):
        rows = []
        for question in page.questions:
            if not is_shown(question, answers):
                continue
            words = answer_in_words(question, answers.get(question.measure_code))
            value = (
                Markup("<br>").join(escape(line) for line in words)
                if words
                else Markup("Not answered")
            )
            row: dict[str, Any] = {
                "key": {"text": question.text},
                "value": {"html": value},
            }
            if addresses is not None:
                row["actions"] = {
                    "items": [
                        {
                            "href": addresses.page_url(page, change=True),
                            "text": "Change",
                            "visuallyHiddenText": question.text,
                        }
                    ]
                }
            rows.append(row)
        sections.append((page.heading if len(page.questions) > 1 else "", rows))
    return sections


def check_page(response: SurveyResponse, addresses: Addresses) -> View:
    """Check answers, then send them once (a second send shows the response as sent)."""
    if response.is_submitted:
        return redirect(addresses.done_url())
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            runner.submit(db.session, response, now=utcnow(), actor=addresses.actor)
        except runner.Incomplete as problem:
            return redirect(addresses.page_url(problem.page))
        return redirect(addresses.done_url())
    try:
        runner.check_complete(response)
    except runner.Incomplete as problem:
        return redirect(addresses.page_url(problem.page))
    return render_template(
        "surveys/check.html",
        form=form,
        sections=summary_rows(response, addresses),
        caption=addresses.caption,
        keyed_in=addresses.actor is not None,
        mode=response.mode,
        back_url=addresses.page_url(runner.current_pages(response)[-1]),
    ), form_status(form)
