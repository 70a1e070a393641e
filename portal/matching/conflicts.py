"""Turning free-text conflict declarations into hard conflicts and suggestions.

Applicants name their competitors, customers and suppliers in free text, which rarely matches
another applicant's business name exactly. Names are normalised as duplicate businesses are
(``portal.registration.duplicates.normalise_business_name``: case, punctuation, apostrophes,
"&" as "and", legal endings such as Ltd and Limited removed): a declaration whose
normalised name equals an applicant's is a hard conflict at once; near matches (difflib's
similarity on the normalised names) are only suggested, for an officer to confirm.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from portal.matching.model import Applicant, Conflict
from portal.registration.duplicates import normalise_business_name


@dataclass(frozen=True)
class ConflictDeclaration:
    """What an applicant typed: the name of a business they compete with, buy from or sell to."""

    applicant_id: int
    name: str
    kind: str = "competitor"


@dataclass(frozen=True)
class ConflictSuggestion:
    """A likely match for an officer to confirm (then pass it to the engine as a Conflict)."""

    applicant_id: int
    other_id: int
    declared_name: str
    business_name: str
    kind: str
    similarity: float

    def as_conflict(self) -> Conflict:
        """The conflict to use once an officer confirms the suggestion."""
        return Conflict(self.applicant_id, self.other_id, self.kind)


def exact_conflicts(
    applicants: Sequence[Applicant], declarations: Sequence[ConflictDeclaration]
) -> tuple[Conflict, ...]:
    """Declarations whose normalised name equals another applicant's: hard conflicts."""
    by_name: dict[str, list[int]] = defaultdict(list)
    for applicant in applicants:
        by_name[normalise_business_name(applicant.business_name)].append(applicant.id)
    found: set[Conflict] = set()
    for declaration in declarations:
        for other in by_name.get(normalise_business_name(declaration.name), ()):
            if other != declaration.applicant_id:
                found.add(Conflict(declaration.applicant_id, other, declaration.kind))
    return tuple(sorted(found, key=lambda c: (c.a, c.b, c.kind)))


def suggest_conflicts(
    applicants: Sequence[Applicant],
    declarations: Sequence[ConflictDeclaration],
    threshold: float = 0.8,
    per_declaration: int = 3,
) -> tuple[ConflictSuggestion, ...]:
    """Likely but inexact matches between declared names and applicants' business names.

    Each declaration gets at most ``per_declaration`` suggestions with a similarity (0-1) of
    at least ``threshold``, best first. Exact normalised matches are left out: they are
    already hard conflicts (``exact_conflicts``). Only names sharing a word, or the same
    first three letters, are compared, which keeps this quick for large pools.
    """
    names = {a.id: normalise_business_name(a.business_name) for a in applicants}
    index: dict[str, set[int]] = defaultdict(set)
    for applicant_id, name in names.items():
        for key in _keys(name):
            index[key].add(applicant_id)
    suggestions: list[ConflictSuggestion] = []
    by_id = {a.id: a for a in applicants}
    for declaration in declarations:
        wanted = normalise_business_name(declaration.name)
        if not wanted:
            continue
        candidates = set().union(*(index.get(key, set()) for key in _keys(wanted)))
        scored = []
        for other in sorted(candidates):
            if other == declaration.applicant_id or names[other] == wanted:
                continue
            matcher = difflib.SequenceMatcher(None, wanted, names[other])
            if matcher.quick_ratio() < threshold:
                continue
            similarity = max(matcher.ratio(), _token_ratio(wanted, names[other]))
            if similarity >= threshold:
                scored.append((-similarity, other))
        for negative, other in sorted(scored)[:per_declaration]:
            suggestions.append(
                ConflictSuggestion(
                    applicant_id=declaration.applicant_id,
                    other_id=other,
                    declared_name=declaration.name,
                    business_name=by_id[other].business_name,
                    kind=declaration.kind,
                    similarity=round(-negative, 3),
                )
            )
    return tuple(suggestions)


def _keys(name: str) -> set[str]:
    words = name.split()
    keys = {f"w:{word}" for word in words if len(word) > 2}
    if name:
        keys.add(f"p:{name.replace(' ', '')[:3]}")
    return keys


def _token_ratio(a: str, b: str) -> float:
    """Similarity with the words in sorted order ("Bakery Ann's" against "Ann's Bakery")."""
    return difflib.SequenceMatcher(
        None, " ".join(sorted(a.split())), " ".join(sorted(b.split()))
    ).ratio()
