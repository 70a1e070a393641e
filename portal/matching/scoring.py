"""A cohort's quality: a score from 0 to 100 built from the officer's weighted soft goals.

Each goal is scored from 0 to 100 for the cohort:

- **Homogeneity** (on the run's basis): the share of members who have the most common value
  on the basis (the most common sector, an ownership profile, an organisation). With the
  MIXED basis every value on all three bases counts and the best one is used. 100 when
  everyone shares a value.
- **Shared issues**: of the members who named at least one issue, the share who share an issue
  with at least one other member. 100 when nobody named an issue.
- **Similar size**: from the spread of business sizes, ``ratio = largest / smallest``
  employees (each counted as at least 1). 100 while the ratio is at most 2, falling linearly
  in log2(ratio) to 0 at a ratio of 32: ``125 - 25 * log2(ratio)`` clamped to 0-100.
- **No isolation**: 100 minus the share of members who are the only one in the cohort with
  one of their ownership profiles (e.g. the only women-led business). Members with no
  ownership profile are never isolated.

The cohort's score is the weighted mean ``sum(weight * goal) / sum(weights)`` (100 when
every weight is zero). A goal below 100 is reported in ``missed_goals`` in plain English.
The exact solver computes the same goals in whole points (each rounded down), so its scores
can be up to one point lower than these.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from portal.matching.model import Applicant, Basis, Weights
from portal.matching.words import label, plural

BASIS_ORDER: tuple[Basis, ...] = (Basis.SECTOR, Basis.OWNERSHIP, Basis.ORGANISATION)
BasisValue = tuple[str, str]  # (basis, code), e.g. ("sector", "C")


def basis_values(applicant: Applicant, basis: Basis) -> frozenset[BasisValue]:
    """The values an applicant has on a basis, tagged with the basis (all three for MIXED)."""
    if basis is Basis.SECTOR:
        return frozenset({("sector", applicant.sector)}) if applicant.sector else frozenset()
    if basis is Basis.OWNERSHIP:
        return frozenset(("ownership", code) for code in applicant.ownership)
    if basis is Basis.ORGANISATION:
        return frozenset(("organisation", code) for code in applicant.organisations)
    return frozenset().union(*(basis_values(applicant, each) for each in BASIS_ORDER))


def log_size(employees: float) -> float:
    """log2 of the business size, counting fewer than 1 employee as 1."""
    return math.log2(max(employees, 1.0))


def size_goal(spread_log2: float) -> float:
    """The similar-size goal from log2(largest / smallest)."""
    return min(100.0, max(0.0, 125.0 - 25.0 * spread_log2))


@dataclass(frozen=True)
class CohortQuality:
    """A cohort's score, its goals (0-100 each), its label and the goals it misses."""

    score: float
    homogeneity: float
    shared_issues: float
    similar_size: float
    no_isolation: float
    basis: Basis
    basis_value: str | None
    missed_goals: tuple[str, ...]


def cohort_label(members: Sequence[Applicant], basis: Basis) -> tuple[Basis, str | None]:
    """The basis and value every member shares (the first basis in order for MIXED)."""
    bases = BASIS_ORDER if basis is Basis.MIXED else (basis,)
    for each in bases:
        common: frozenset[BasisValue] | None = None
        for member in members:
            values = basis_values(member, each)
            common = values if common is None else common & values
        if common:
            return each, min(common)[1]
    return Basis.MIXED, None


def main_value(members: Sequence[Applicant], basis: Basis) -> str | None:
    """The value most members have on a single basis (the first in order on a tie), or None
    when nobody has one: what a cohort formed on that basis is labelled by."""
    counts: Counter[BasisValue] = Counter()
    for member in members:
        counts.update(basis_values(member, basis))
    if not counts:
        return None
    best = max(counts.values())
    return min(v for v, n in counts.items() if n == best)[1]


def goal_scores(members: Sequence[Applicant], basis: Basis) -> tuple[float, float, float, float]:
    """Homogeneity, shared issues, similar size and no isolation, each 0-100 (no words)."""
    size = len(members)
    if size == 0:
        return (100.0, 100.0, 100.0, 100.0)
    counts: Counter[BasisValue] = Counter()
    issue_counts: Counter[str] = Counter()
    ownership_counts: Counter[str] = Counter()
    for member in members:
        counts.update(basis_values(member, basis))
        issue_counts.update(member.issues)
        ownership_counts.update(member.ownership)
    homogeneity = 100.0 * max(counts.values(), default=0) / size
    with_issues = [m for m in members if m.issues]
    sharing = sum(1 for m in with_issues if any(issue_counts[i] > 1 for i in m.issues))
    shared_issues = 100.0 * sharing / len(with_issues) if with_issues else 100.0
    sizes = [max(m.employees, 1.0) for m in members]
    similar_size = size_goal(math.log2(max(sizes) / min(sizes)))
    isolated = sum(1 for m in members if any(ownership_counts[p] == 1 for p in m.ownership))
    return (homogeneity, shared_issues, similar_size, 100.0 - 100.0 * isolated / size)


def combine(goals: Sequence[float], weights: Weights) -> float:
    """The weighted mean of the four goals (100 when every weight is zero)."""
    pairs = (
        (weights.homogeneity, goals[0]),
        (weights.shared_issues, goals[1]),
        (weights.similar_size, goals[2]),
        (weights.no_isolation, goals[3]),
    )
    total = sum(w for w, _ in pairs)
    return sum(w * g for w, g in pairs) / total if total else 100.0


def quality(members: Sequence[Applicant], basis: Basis, weights: Weights) -> float:
    """A cohort's score, 0-100, without the words (for the search)."""
    return combine(goal_scores(members, basis), weights)


def score_cohort(
    members: Sequence[Applicant],
    basis: Basis,
    weights: Weights,
    labels: Mapping[str, str] | None = None,
) -> CohortQuality:
    """Score a cohort's members on the soft goals (see the module docstring)."""
    labels = labels or {}
    size = len(members)
    missed: list[str] = []
    if size == 0:
        return CohortQuality(100.0, 100.0, 100.0, 100.0, 100.0, Basis.MIXED, None, ())

    counts: Counter[BasisValue] = Counter()
    for member in members:
        counts.update(basis_values(member, basis))
    best = max(counts.values(), default=0)
    homogeneity = 100.0 * best / size
    if best < size:
        if best == 0:
            missed.append("Members share no value on the basis")
        else:
            value = min(v for v, n in counts.items() if n == best)
            missed.append(
                f"{plural(size - best, 'member')} of {size} "
                f"{'is' if size - best == 1 else 'are'} not {_value_words(value, labels)}"
            )

    with_issues = [m for m in members if m.issues]
    issue_counts: Counter[str] = Counter()
    for member in with_issues:
        issue_counts.update(member.issues)
    sharing = sum(1 for m in with_issues if any(issue_counts[i] > 1 for i in m.issues))
    shared_issues = 100.0 * sharing / len(with_issues) if with_issues else 100.0
    if sharing < len(with_issues):
        alone = len(with_issues) - sharing
        missed.append(
            f"{plural(alone, 'member')} {'shares' if alone == 1 else 'share'} "
            "no issue with anyone else"
        )

    sizes = [max(m.employees, 1.0) for m in members]
    similar_size = size_goal(math.log2(max(sizes) / min(sizes)))
    if similar_size < 100.0:
        missed.append(f"Business sizes range from {_number(min(sizes))} to {_number(max(sizes))}")

    ownership_counts: Counter[str] = Counter()
    for member in members:
        ownership_counts.update(member.ownership)
    isolated = [m for m in members if any(ownership_counts[p] == 1 for p in m.ownership)]
    no_isolation = 100.0 - 100.0 * len(isolated) / size
    for member in isolated:
        profiles = sorted(p for p in member.ownership if ownership_counts[p] == 1)
        missed.append(
            f"{member.business_name} is the only "
            f"{' and only '.join(label(p, labels).lower() for p in profiles)} business"
        )

    score = combine((homogeneity, shared_issues, similar_size, no_isolation), weights)
    shared_basis, shared_value = cohort_label(members, basis)
    return CohortQuality(
        score=score,
        homogeneity=homogeneity,
        shared_issues=shared_issues,
        similar_size=similar_size,
        no_isolation=no_isolation,
        basis=shared_basis,
        basis_value=shared_value,
        missed_goals=tuple(missed),
    )


def _value_words(value: BasisValue, labels: Mapping[str, str]) -> str:
    kind, code = value
    if kind == "sector":
        return f"in the {label(code, labels)} sector"
    if kind == "ownership":
        return label(code, labels).lower()
    return f"in {label(code, labels)}"


def _number(employees: float) -> str:
    count = f"{employees:g}"
    return f"{count} employee" if employees == 1 else f"{count} employees"


class Scorer:
    """``quality`` for many cohorts of one pool, fast: each applicant's facts are prepared once.

    The search scores hundreds of thousands of candidate cohorts, so this avoids building
    sets and counters per call. It gives the same numbers as ``quality``.
    """

    def __init__(self, applicants: Sequence[Applicant], basis: Basis, weights: Weights) -> None:
        codes: dict[object, int] = {}

        def intern(items: Iterable[object]) -> tuple[int, ...]:
            return tuple(codes.setdefault(item, len(codes)) for item in sorted(items, key=repr))

        self.values = {a.id: intern(basis_values(a, basis)) for a in applicants}
        self.issues = {a.id: intern(("issue", i) for i in a.issues) for a in applicants}
        self.ownership = {a.id: intern(("own", o) for o in a.ownership) for a in applicants}
        self.logs = {a.id: log_size(a.employees) for a in applicants}
        self.weights = (
            weights.homogeneity,
            weights.shared_issues,
            weights.similar_size,
            weights.no_isolation,
        )
        self.total = sum(self.weights)

    def __call__(self, ids: Sequence[int]) -> float:
        size = len(ids)
        if not size or not self.total:
            return 100.0
        values: dict[int, int] = {}
        issues: dict[int, int] = {}
        owners: dict[int, int] = {}
        low = high = self.logs[ids[0]]
        for i in ids:
            for v in self.values[i]:
                values[v] = values.get(v, 0) + 1
            for v in self.issues[i]:
                issues[v] = issues.get(v, 0) + 1
            for v in self.ownership[i]:
                owners[v] = owners.get(v, 0) + 1
            log = self.logs[i]
            if log < low:
                low = log
            elif log > high:
                high = log
        homogeneity = 100.0 * max(values.values(), default=0) / size
        with_issues = sharing = isolated = 0
        for i in ids:
            mine = self.issues[i]
            if mine:
                with_issues += 1
                if any(issues[v] > 1 for v in mine):
                    sharing += 1
            if any(owners[v] == 1 for v in self.ownership[i]):
                isolated += 1
        shared = 100.0 * sharing / with_issues if with_issues else 100.0
        similar = min(100.0, max(0.0, 125.0 - 25.0 * (high - low)))
        alone = 100.0 - 100.0 * isolated / size
        w = self.weights
        return (w[0] * homogeneity + w[1] * shared + w[2] * similar + w[3] * alone) / self.total
