"""The registration's question pages in order: each page's address, heading and short name.

Plain data with no forms and no Flask, so the service measures can say where unfinished
registrations stopped. ``portal.registration.journey`` gives each page its form and how it
saves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Question:
    slug: str
    title: str  # the page's heading: the question, or what the page is about
    # A short name for the check answers page.
    summary: str


QUESTIONS: list[Question] = [
    Question("role", "What is your role in the business?", "Your role"),
    Question("phone", "What is your phone number?", "Phone number"),
    Question("business", "What is your business called?", "Business"),
    Question("location", "Where is your business?", "Location"),
    Question("sector", "What does your business mainly do?", "Sector"),
    Question(
        "employees", "How many people work in the business?", "People working in the business"
    ),
    Question(
        "turnover", "What was the business's turnover in its last financial year?", "Turnover"
    ),
    Question("trading", "When did the business start trading?", "Started trading"),
    Question("legal-form", "What type of business is it?", "Type of business"),
    Question("ownership", "Who owns and runs the business", "Ownership"),
    Question(
        "organisations",
        "Is the business a member of any of these organisations?",
        "Organisations",
    ),
    Question("issues", "What would you like help with?", "Help wanted with"),
    Question("delivery", "How would you like to meet your group?", "Meeting your group"),
    Question("availability", "When could you meet?", "When you could meet"),
    Question(
        "conflicts",
        "Are there businesses you would not want in your group?",
        "Businesses not in your group",
    ),
    Question("choices", "Your choices", "Your choices"),
]


def next_question(answered: Sequence[str], after: str | None = None) -> Question | None:
    """The first question (after the one whose slug is ``after``, if given) whose slug is not
    in ``answered``, or None when every one is answered."""
    slugs = [question.slug for question in QUESTIONS]
    start = slugs.index(after) + 1 if after is not None else 0
    for question in QUESTIONS[start:]:
        if question.slug not in answered:
            return question
    return None
