"""The rules of a survey's questions, as plain Python: options, pages, show-if conditions,
and what an answer looks like. No Flask and no queries, so they are tested on their own.

Answers are passed around as a dict of measure code to value:
``str`` (single choice, satisfaction), ``list[str]`` (multiple choice), ``Decimal``
(number, recommend) or ``str`` (text). A missing key is a question not answered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, cast

from portal.surveys.models import QuestionKind, Satisfaction

AnswerValue = str | list[str] | Decimal
Answers = Mapping[str, AnswerValue]

MEASURE_CODE = re.compile(r"^[a-z][a-z0-9_]{1,59}$")
OPTION_VALUE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
# Field names the runner's forms use for themselves: no question may take them.
RESERVED_CODES = frozenset({"csrf_token", "submit"})
DEFAULT_SHORT_TEXT_LENGTH = 200
DEFAULT_LONG_TEXT_LENGTH = 2000
NUMBER_LIMIT = 10**12
RECOMMEND_OPTIONS = [
    (str(score), label)
    for score, label in [
        (0, "0 – not at all likely"),
        *((n, str(n)) for n in range(1, 10)),
        (10, "10 – extremely likely"),
    ]
]


class QuestionLike(Protocol):
    """What the rules need of a question (a SurveyQuestion row, or a test double)."""

    measure_code: str
    kind: QuestionKind
    text: str
    hint: str
    error_message: str
    required: bool
    page_key: str
    options: list[dict[str, str]]
    min_value: int | None
    max_value: int | None
    max_length: int | None
    show_if: dict[str, object]


def options_of(question: QuestionLike) -> list[tuple[str, str]]:
    """The (value, label) pairs a choice question offers, in order ([] for others)."""
    if question.kind == QuestionKind.SATISFACTION:
        return [(level.value, level.label) for level in Satisfaction]
    if question.kind == QuestionKind.RECOMMEND:
        return list(RECOMMEND_OPTIONS)
    if question.kind.has_own_options:
        return [(option["value"], option["label"]) for option in question.options]
    return []


def text_limit(question: QuestionLike) -> int:
    if question.max_length:
        return question.max_length
    if question.kind == QuestionKind.LONG_TEXT:
        return DEFAULT_LONG_TEXT_LENGTH
    return DEFAULT_SHORT_TEXT_LENGTH


def number_limits(question: QuestionLike) -> tuple[int, int]:
    low = question.min_value if question.min_value is not None else 0
    high = question.max_value if question.max_value is not None else NUMBER_LIMIT
    return low, high


def is_shown(question: QuestionLike, answers: Answers) -> bool:
    """Whether the question applies, given the answers so far (its show-if condition)."""
    condition = question.show_if or {}
    code = condition.get("measure_code")
    if not code:
        return True
    any_of = cast("Iterable[object]", condition.get("any_of") or [])  # a list in the JSON
    wanted = {str(value) for value in any_of}
    given = answers.get(str(code))
    if given is None:
        return False
    if isinstance(given, list):
        return bool(wanted.intersection(given))
    return str(given) in wanted


@dataclass(frozen=True)
class Page:
    """Questions shown together. ``title`` is the page's heading when it has several."""

    key: str
    title: str
    questions: tuple[QuestionLike, ...]

    @property
    def heading(self) -> str:
        return self.questions[0].text if len(self.questions) == 1 else self.title


def pages_of(questions: Sequence[QuestionLike], titles: Mapping[str, str]) -> list[Page]:
    """Questions in order, grouped into pages by consecutive page keys."""
    pages: list[Page] = []
    for question in questions:
        if pages and pages[-1].key == question.page_key:
            last = pages[-1]
            pages[-1] = Page(last.key, last.title, (*last.questions, question))
        else:
            title = titles.get(question.page_key, "") or question.text
            pages.append(Page(question.page_key, title, (question,)))
    return pages


def shown_questions(page: Page, answers: Answers) -> list[QuestionLike]:
    return [question for question in page.questions if is_shown(question, answers)]


def visible_pages(pages: Iterable[Page], answers: Answers) -> list[Page]:
    """The pages with at least one question that applies, in order."""
    return [page for page in pages if shown_questions(page, answers)]


def without_hidden(questions: Sequence[QuestionLike], answers: Answers) -> dict[str, AnswerValue]:
    """The answers that still apply: answers to questions now hidden are dropped, in
    question order, so a chain of conditions falls away together."""
    kept: dict[str, AnswerValue] = {}
    for question in questions:
        code = question.measure_code
        if code in answers and is_shown(question, kept):
            kept[code] = answers[code]
    return kept


def missing_required(questions: Sequence[QuestionLike], answers: Answers) -> list[QuestionLike]:
    """Required questions that apply but have no answer."""
    applying = without_hidden(questions, answers)
    return [
        question
        for question in questions
        if question.required
        and is_shown(question, applying)
        and question.measure_code not in applying
    ]


def answer_in_words(question: QuestionLike, value: AnswerValue | None) -> list[str]:
    """An answer as the person reads it on check answers: one line per item."""
    if value is None:
        return []
    labels = dict(options_of(question))
    if isinstance(value, list):
        return [labels.get(item, item) for item in value]
    if isinstance(value, Decimal):
        text = f"{value.normalize():f}"
        if question.kind == QuestionKind.RECOMMEND:
            return [labels.get(text, text)]
        return [f"{int(value):,}" if value == int(value) else text]
    return [labels.get(value, value)] if question.kind != QuestionKind.LONG_TEXT else [value]


# Checking a definition (from a file or from the admin pages)


class DefinitionProblem(ValueError):
    """A definition breaks a rule; the message says which, in plain words."""


def check_questions(questions: Sequence[QuestionLike]) -> None:
    """Raise DefinitionProblem if the questions could not be asked as defined: bad or
    repeated measure codes, choice questions without options, numbers the wrong way round,
    a page split in two, or a condition on a question that is not on an earlier page."""
    seen_codes: dict[str, QuestionLike] = {}
    seen_pages: list[str] = []
    for question in questions:
        code = question.measure_code
        if not MEASURE_CODE.match(code) or code in RESERVED_CODES:
            raise DefinitionProblem(
                f"‘{code}’ is not a measure code: use lower-case letters, digits and "
                "underscores, starting with a letter"
            )
        if code in seen_codes:
            raise DefinitionProblem(f"The measure code ‘{code}’ is used twice")
        if not question.text.strip():
            raise DefinitionProblem(f"The question ‘{code}’ has no wording")
        if question.kind.has_own_options:
            values = [option.get("value", "") for option in question.options]
            if len(values) < 2:
                raise DefinitionProblem(f"The question ‘{code}’ needs at least 2 options")
            if len(set(values)) != len(values) or not all(OPTION_VALUE.match(v) for v in values):
                raise DefinitionProblem(f"The options of ‘{code}’ need different, simple values")
            if not all(option.get("label", "").strip() for option in question.options):
                raise DefinitionProblem(f"Every option of ‘{code}’ needs a label")
        if question.kind == QuestionKind.NUMBER:
            low, high = number_limits(question)
            if low > high:
                raise DefinitionProblem(f"The smallest answer to ‘{code}’ is above the largest")
        if question.page_key != (seen_pages[-1] if seen_pages else None):
            if question.page_key in seen_pages:
                raise DefinitionProblem(f"The page ‘{question.page_key}’ is split in two")
            seen_pages.append(question.page_key)
        condition = question.show_if or {}
        if condition:
            depends_on = seen_codes.get(str(condition.get("measure_code", "")))
            if depends_on is None or depends_on.page_key == question.page_key:
                raise DefinitionProblem(
                    f"‘{code}’ can only depend on a question on an earlier page"
                )
            wanted = cast("Iterable[object]", condition.get("any_of") or [])
            offered = {value for value, _label in options_of(depends_on)}
            if not wanted or not set(map(str, wanted)) <= offered:
                raise DefinitionProblem(
                    f"The condition of ‘{code}’ names answers ‘{depends_on.measure_code}’ "
                    "does not offer"
                )
        seen_codes[code] = question
