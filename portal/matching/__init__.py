"""The cohort matching engine: pure Python (no Flask, no database).

Start with ``propose_cohorts``; officers' edits are checked with ``check_move`` and
``check_cohort``; free-text conflict names become conflicts with ``exact_conflicts`` and
``suggest_conflicts``. How cohorts are scored is in ``portal.matching.scoring``. Every result
passes ``portal.matching.validate`` (``result_violations``; ``cohort_violations`` for one
cohort) before it is returned: a broken hard rule raises ``InvalidResult``.
"""

from portal.matching.checks import Move, check_cohort, check_move
from portal.matching.conflicts import (
    ConflictDeclaration,
    ConflictSuggestion,
    exact_conflicts,
    normalise_business_name,
    suggest_conflicts,
)
from portal.matching.engine import propose_cohorts
from portal.matching.model import (
    Applicant,
    Basis,
    Conflict,
    LockedCohort,
    Locks,
    MatchingRules,
    MatchResult,
    ProposedCohort,
    WaitlistEntry,
    Weights,
)
from portal.matching.scoring import score_cohort
from portal.matching.validate import (
    CohortShape,
    InvalidResult,
    Violation,
    cohort_violations,
    result_violations,
)

__all__ = [
    "Applicant",
    "Basis",
    "CohortShape",
    "Conflict",
    "ConflictDeclaration",
    "ConflictSuggestion",
    "InvalidResult",
    "LockedCohort",
    "Locks",
    "MatchResult",
    "MatchingRules",
    "Move",
    "ProposedCohort",
    "Violation",
    "WaitlistEntry",
    "Weights",
    "check_cohort",
    "check_move",
    "cohort_violations",
    "exact_conflicts",
    "normalise_business_name",
    "propose_cohorts",
    "result_violations",
    "score_cohort",
    "suggest_conflicts",
]
