"""The case study's question pages in order, and how each loads and saves.

As in registration, a step fills its form from the case study and stores the answers
(returning the names of what changed), so the participant's pages and a facilitator's
"on behalf" pages share one definition. The consent pages are the participant's alone:
a facilitator drafts the story, never the consent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from portal.casestudies import forms
from portal.casestudies.models import DEFAULT_CONSENT_YEARS, CaseStudy
from portal.forms import PortalForm
from portal.reference.models import ReferenceKind
from portal.reference.services import active_items

FormFactory = Callable[[Session, CaseStudy, bool], PortalForm]
Saver = Callable[[Session, CaseStudy, PortalForm], list[str]]


@dataclass(frozen=True)
class Step:
    slug: str
    title: str  # the page's heading
    make_form: FormFactory
    save: Saver
    summary: str  # a short name for check answers
    consent: bool = False  # the participant's alone


def _set(case_study: CaseStudy, changes: dict[str, Any]) -> list[str]:
    changed = [name for name, value in changes.items() if getattr(case_study, name) != value]
    for name in changed:
        setattr(case_study, name, changes[name])
    return changed


def _text_step(form_class: type[PortalForm], *names: str) -> tuple[FormFactory, Saver]:
    """A step whose fields are text columns of the same names."""

    def make_form(session: Session, case_study: CaseStudy, submitted: bool) -> PortalForm:
        if submitted:
            return form_class()
        return form_class(formdata=None, data={n: getattr(case_study, n) for n in names})

    def save(session: Session, case_study: CaseStudy, form: PortalForm) -> list[str]:
        return _set(case_study, {n: form[n].data or "" for n in names})

    return make_form, save


_NUMBERS = ("jobs_created", "jobs_safeguarded", "turnover_change_pounds", "cost_savings_pounds")


def _figures_form(session: Session, case_study: CaseStudy, submitted: bool) -> PortalForm:
    if submitted:
        return forms.FiguresForm()
    data: dict[str, Any] = {
        name: "" if getattr(case_study, name) is None else str(getattr(case_study, name))
        for name in _NUMBERS
    }
    data["new_markets"] = case_study.new_markets
    return forms.FiguresForm(formdata=None, data=data)


def _save_figures(session: Session, case_study: CaseStudy, form: PortalForm) -> list[str]:
    changes: dict[str, Any] = {
        name: forms.whole_number_or_none(form[name].data) for name in _NUMBERS
    }
    changes["new_markets"] = form["new_markets"].data or ""
    return _set(case_study, changes)


def _issues_form(session: Session, case_study: CaseStudy, submitted: bool) -> PortalForm:
    issues = active_items(session, ReferenceKind.ISSUE)
    if submitted:
        return forms.IssuesForm(issues=issues)
    return forms.IssuesForm(formdata=None, data={"issues": case_study.issue_codes}, issues=issues)


def _save_issues(session: Session, case_study: CaseStudy, form: PortalForm) -> list[str]:
    order = [choice.value for choice in form["issues"].choices]
    return _set(case_study, {"issue_codes": sorted(set(form["issues"].data), key=order.index)})


def _named_form(session: Session, case_study: CaseStudy, submitted: bool) -> PortalForm:
    if submitted:
        return forms.NamedForm()
    chosen = None if case_study.named is None else ("named" if case_study.named else "anonymous")
    return forms.NamedForm(formdata=None, data={"named": chosen})


def _save_named(session: Session, case_study: CaseStudy, form: PortalForm) -> list[str]:
    return _set(case_study, {"named": form["named"].data == "named"})


def _uses_form(session: Session, case_study: CaseStudy, submitted: bool) -> PortalForm:
    if submitted:
        return forms.UsesForm()
    return forms.UsesForm(formdata=None, data={"uses": case_study.uses})


def _save_uses(session: Session, case_study: CaseStudy, form: PortalForm) -> list[str]:
    order = [choice.value for choice in form["uses"].choices]
    return _set(case_study, {"uses": sorted(set(form["uses"].data), key=order.index)})


def _period_form(session: Session, case_study: CaseStudy, submitted: bool) -> PortalForm:
    if submitted:
        return forms.PeriodForm()
    years = case_study.consent_years or DEFAULT_CONSENT_YEARS
    return forms.PeriodForm(formdata=None, data={"years": str(years)})


def _save_period(session: Session, case_study: CaseStudy, form: PortalForm) -> list[str]:
    return _set(case_study, {"consent_years": int(form["years"].data)})


def _confirm_form(session: Session, case_study: CaseStudy, submitted: bool) -> PortalForm:
    if submitted:
        return forms.ConfirmConsentForm()
    confirmed = "confirm" in case_study.answered_steps
    chosen = [forms.AGREE, forms.MAY_AGREE_FOR_BUSINESS] if confirmed else []
    return forms.ConfirmConsentForm(formdata=None, data={"confirm": chosen})


def _save_confirm(session: Session, case_study: CaseStudy, form: PortalForm) -> list[str]:
    return [] if "confirm" in case_study.answered_steps else ["consent"]


STEPS: list[Step] = [
    Step("title", "Give your story a title", *_text_step(forms.TitleForm, "title"), "Title"),
    Step(
        "challenge",
        "What challenge did your business face?",
        *_text_step(forms.ChallengeForm, "challenge"),
        "The challenge",
    ),
    Step(
        "help",
        "What helped",
        *_text_step(forms.HelpForm, "group_help", "one_to_one_help"),
        "What helped",
    ),
    Step("actions", "What did you do?", *_text_step(forms.ActionsForm, "actions"), "What you did"),
    Step(
        "outcomes",
        "What changed for the business?",
        *_text_step(forms.OutcomesForm, "outcomes"),
        "What changed",
    ),
    Step("figures", "The difference in figures", _figures_form, _save_figures, "Figures"),
    Step("issues", "Which issues is your story about?", _issues_form, _save_issues, "Issues"),
    Step(
        "quote", "A quote for your story (optional)", *_text_step(forms.QuoteForm, "quote"), "Quote"
    ),
    Step("named", "How may we tell your story?", _named_form, _save_named, "Names", consent=True),
    Step("uses", "Where may we use your story?", _uses_form, _save_uses, "Where", consent=True),
    Step(
        "period",
        "For how long may we use it?",
        _period_form,
        _save_period,
        "For how long",
        consent=True,
    ),
    Step("confirm", "Your consent", _confirm_form, _save_confirm, "Consent", consent=True),
]
STEP_BY_SLUG = {step.slug: step for step in STEPS}
STORY_STEPS = [step for step in STEPS if not step.consent]


def steps_for(*, drafting_for_someone: bool) -> list[Step]:
    """A facilitator drafting for a participant answers the story pages only."""
    return STORY_STEPS if drafting_for_someone else STEPS


def next_step(case_study: CaseStudy, steps: list[Step], after: Step | None = None) -> Step | None:
    start = steps.index(after) + 1 if after in steps else 0
    for step in steps[start:]:
        if step.slug not in case_study.answered_steps:
            return step
    return None


def previous_step(step: Step, steps: list[Step]) -> Step | None:
    index = steps.index(step)
    return steps[index - 1] if index > 0 else None


def mark_answered(case_study: CaseStudy, step: Step) -> None:
    if step.slug not in case_study.answered_steps:
        case_study.answered_steps = [*case_study.answered_steps, step.slug]
