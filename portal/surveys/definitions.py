"""Survey definitions: the shipped files, and the versions in the database.

The files in ``portal/surveys/definitions/`` seed the three surveys. Loading is idempotent:
a file's ``file_version`` is loaded once, as a new published version; officers' own
versions (from the admin pages) come after it. Raising ``file_version`` in a file
publishes the file again as the newest version when ``flask portal load-surveys`` (or
``portal init``) next runs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.db_base import utcnow
from portal.reference.bands import OPTION_LISTS
from portal.surveys.models import (
    QuestionKind,
    Survey,
    SurveyQuestion,
    SurveyTiming,
    SurveyVersion,
)
from portal.surveys.questions import DefinitionProblem, check_questions

DEFINITIONS = Path(__file__).resolve().parent / "definitions"
# Measure codes the reported figures read (figures.md): never retired, only reworded.
REPORTED_MEASURES: dict[SurveyTiming, frozenset[str]] = {
    SurveyTiming.BASELINE: frozenset(),
    SurveyTiming.EXIT: frozenset({"overall_satisfaction", "would_recommend"}),
    SurveyTiming.FOLLOW_UP: frozenset(),
}


def definition_file(timing: SurveyTiming) -> Path:
    return DEFINITIONS / f"{timing.value}.json"


def read_definition(path: Path) -> dict[str, Any]:
    """A definition file, checked. Raises DefinitionProblem naming what is wrong."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DefinitionProblem(f"{path.name} cannot be read: {error}") from None
    try:
        SurveyTiming(data["timing"])
        int(data["file_version"])
        questions = questions_from(data)
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, DefinitionProblem):
            raise
        raise DefinitionProblem(f"{path.name} is not a survey definition: {error}") from None
    check_questions(questions)
    return data


def questions_from(data: dict[str, Any]) -> list[SurveyQuestion]:
    """New (unsaved) questions from a definition's pages, in order."""
    questions: list[SurveyQuestion] = []
    for page in data["pages"]:
        for item in page["questions"]:
            questions.append(
                SurveyQuestion(
                    position=len(questions) + 1,
                    page_key=str(page["key"]),
                    measure_code=str(item["measure_code"]),
                    kind=QuestionKind(item["kind"]),
                    text=str(item["text"]),
                    hint=str(item.get("hint", "")),
                    error_message=str(item.get("error_message", "")),
                    required=bool(item.get("required", True)),
                    options=_options(item),
                    min_value=item.get("min"),
                    max_value=item.get("max"),
                    max_length=item.get("max_length"),
                    show_if=dict(item.get("show_if", {})),
                )
            )
    return questions


def _options(item: dict[str, Any]) -> list[dict[str, str]]:
    """A question's options: a named list (``"options_from": "turnover_bands"``, defined
    once in ``portal.reference.bands``) followed by any written in the file."""
    named = []
    if "options_from" in item:
        lists = OPTION_LISTS
        if item["options_from"] not in lists:
            raise DefinitionProblem(f"There is no option list called {item['options_from']!r}")
        named = lists[item["options_from"]]()
    written = [
        {"value": str(o["value"]), "label": str(o["label"])} for o in item.get("options", [])
    ]
    return named + written


def page_titles_from(data: dict[str, Any]) -> dict[str, str]:
    return {str(page["key"]): str(page["title"]) for page in data["pages"] if page.get("title")}


def load_definitions(
    session: Session, timings: Sequence[SurveyTiming] = tuple(SurveyTiming)
) -> int:
    """Load each shipped definition whose file version is not loaded yet, as a new
    published version. Returns how many versions were added.

    Raises DefinitionProblem if a file is invalid (nothing is loaded from it). Side
    effects: adds and flushes Survey, SurveyVersion and SurveyQuestion rows.
    """
    added = 0
    for timing in timings:
        data = read_definition(definition_file(timing))
        survey = session.scalar(select(Survey).where(Survey.timing == timing))
        if survey is None:
            survey = Survey(timing=timing, name=str(data["name"]))
            session.add(survey)
            session.flush()
        file_version = int(data["file_version"])
        loaded = session.scalar(
            select(func.max(SurveyVersion.file_version)).where(SurveyVersion.survey_id == survey.id)
        )
        if loaded is not None and loaded >= file_version:
            continue
        now = utcnow()
        session.add(
            SurveyVersion(
                survey_id=survey.id,
                number=next_version_number(session, survey),
                title=str(data["title"]),
                introduction=str(data.get("introduction", "")),
                page_titles=page_titles_from(data),
                file_version=file_version,
                created_at=now,
                published_at=now,
                change_note=f"Loaded from {definition_file(timing).name} "
                f"(file version {file_version})",
                questions=questions_from(data),
            )
        )
        session.flush()
        added += 1
    return added


def next_version_number(session: Session, survey: Survey) -> int:
    highest = session.scalar(
        select(func.max(SurveyVersion.number)).where(SurveyVersion.survey_id == survey.id)
    )
    return (highest or 0) + 1


def survey_for(session: Session, timing: SurveyTiming) -> Survey | None:
    return session.scalar(select(Survey).where(Survey.timing == timing))


def current_version(session: Session, timing: SurveyTiming) -> SurveyVersion | None:
    """The newest published version of the survey, if any."""
    return session.scalar(
        select(SurveyVersion)
        .join(Survey, Survey.id == SurveyVersion.survey_id)
        .where(Survey.timing == timing, SurveyVersion.published_at.is_not(None))
        .order_by(SurveyVersion.number.desc())
        .limit(1)
    )
