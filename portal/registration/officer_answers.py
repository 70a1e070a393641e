"""An application's answers in words, as officers read them on screen and in exports.

Codes become labels from the reference lists, looked up *with* retired items, so an old
application still shows the label its answer had when it was given.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.reference.models import ReferenceItem, ReferenceKind
from portal.registration.eligibility import Outcome
from portal.registration.models import (
    WEEKDAYS,
    Application,
    ConflictKind,
    FactAnswer,
    PartOfDay,
)
from portal.registration.services import OUTSIDE_AREA
from portal.rounds.models import BusinessRole

OUTSIDE_AREA_LABEL = "Not in any of the listed areas"
NOT_ANSWERED = "Not answered"

OUTCOME_LABELS = {
    Outcome.ELIGIBLE: "Eligible",
    Outcome.INELIGIBLE: "Not eligible",
    Outcome.NEEDS_REVIEW: "Needs review",
}
CONFLICT_LABELS = {
    ConflictKind.COMPETITOR: "competitor",
    ConflictKind.CUSTOMER: "customer",
    ConflictKind.SUPPLIER: "supplier",
}


@dataclass(frozen=True)
class ReferenceLabels:
    """Every reference item's label by kind and code, retired items included."""

    by_kind: dict[ReferenceKind, dict[str, str]]
    # Active items' codes in list order, for filter choices and import checks.
    active: dict[ReferenceKind, list[str]]

    def label(self, kind: ReferenceKind, code: str | None) -> str:
        if not code:
            return ""
        if kind == ReferenceKind.DISTRICT and code == OUTSIDE_AREA:
            return OUTSIDE_AREA_LABEL
        # A code no list knows (removed by hand from the database) shows as stored.
        return self.by_kind.get(kind, {}).get(code, code)

    def labels(self, kind: ReferenceKind, codes: Iterable[str]) -> list[str]:
        order = list(self.by_kind.get(kind, {}))
        ranked = sorted(codes, key=lambda code: order.index(code) if code in order else 10**6)
        return [self.label(kind, code) for code in ranked]

    def is_active(self, kind: ReferenceKind, code: str) -> bool:
        return code in self.active.get(kind, [])

    def active_code(self, kind: ReferenceKind, text: str) -> str | None:
        """The code of the active item ``text`` names, by its code or by its label as the
        portal shows it ("burnley" or "Burnley"; any case, spaces or hyphens alike)."""
        if self.is_active(kind, text):
            return text
        return self._active_names[kind].get(_name_key(text))

    @cached_property
    def _active_names(self) -> dict[ReferenceKind, dict[str, str]]:
        names: dict[ReferenceKind, dict[str, str]] = {kind: {} for kind in ReferenceKind}
        for kind, codes in self.active.items():
            labels = self.by_kind.get(kind, {})
            for code in codes:
                names[kind].setdefault(_name_key(code), code)
            for code in codes:
                names[kind].setdefault(_name_key(labels.get(code, code)), code)
        return names


def _name_key(text: str) -> str:
    return " ".join(text.replace("-", " ").replace("_", " ").lower().split())


def reference_labels(session: Session) -> ReferenceLabels:
    by_kind: dict[ReferenceKind, dict[str, str]] = {kind: {} for kind in ReferenceKind}
    active: dict[ReferenceKind, list[str]] = {kind: [] for kind in ReferenceKind}
    for item in session.scalars(
        select(ReferenceItem).order_by(
            ReferenceItem.kind, ReferenceItem.position, ReferenceItem.label
        )
    ):
        by_kind[item.kind][item.code] = item.label
        if item.is_active:
            active[item.kind].append(item.code)
    return ReferenceLabels(by_kind, active)


def in_words(items: Iterable[str]) -> str:
    """['a', 'b', 'c'] -> 'a, b and c'."""
    listed = list(items)
    if len(listed) <= 1:
        return "".join(listed)
    return f"{', '.join(listed[:-1])} and {listed[-1]}"


def enum_label(enum_class: type[enum.Enum], value: object) -> str:
    """The label of a stored enum value, or the value as stored if it is not one."""
    if value is None or value == "":
        return ""
    try:
        return str(enum_class(value).label)  # type: ignore[attr-defined]
    except ValueError:
        return str(value)


def role_label(role: str | None) -> str:
    return enum_label(BusinessRole, role)


def yes_no(value: bool | None) -> str:
    if value is None:
        return NOT_ANSWERED
    return "Yes" if value else "No"


def employees_in_words(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value:,.1f}".removesuffix(".0")


def availability_by_part(application: Application) -> list[tuple[PartOfDay, list[str]]]:
    """For each part of the day, the weekdays (in week order) the person can make."""
    return [
        (
            part,
            [
                WEEKDAYS[slot.weekday]
                for slot in sorted(application.availability, key=lambda slot: slot.weekday)
                if slot.part_of_day == part and 0 <= slot.weekday < len(WEEKDAYS)
            ],
        )
        for part in PartOfDay
    ]


def availability_in_words(application: Application) -> str:
    """'Mornings (9am to midday): Monday and Friday. Evenings (5pm to 8pm): Tuesday.'"""
    parts = [
        f"{part.label}: {in_words(days)}."
        for part, days in availability_by_part(application)
        if days
    ]
    return " ".join(parts)


def conflicts_in_words(application: Application) -> list[str]:
    return [
        f"{conflict.business_name} ({CONFLICT_LABELS.get(conflict.kind, conflict.kind)})"
        for conflict in application.conflicts
    ]


def ownership_answers(
    application: Application, labels: ReferenceLabels
) -> list[tuple[str, str, str]]:
    """(fact code, fact label, answer label) for each fact answered, in list order."""
    order = list(labels.by_kind[ReferenceKind.OWNERSHIP_FACT])
    answers = sorted(
        application.ownership,
        key=lambda answer: order.index(answer.fact_code) if answer.fact_code in order else 10**6,
    )
    return [
        (
            answer.fact_code,
            labels.label(ReferenceKind.OWNERSHIP_FACT, answer.fact_code),
            enum_label(FactAnswer, answer.answer),
        )
        for answer in answers
    ]


def outcome_label(outcome: Outcome | None) -> str:
    return OUTCOME_LABELS.get(outcome, "Not checked yet") if outcome else "Not checked yet"
