"""The cohort matching engine: pure Python (no Flask, no database).

Start with ``propose_cohorts``; officers' edits are checked with ``check_move`` and
``check_cohort``; free-text conflict names become conflicts with ``exact_conflicts`` and
``suggest_conflicts``. How cohorts are scored is in ``portal.matching.scoring``.
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

__all__ = [
    "Applicant",
    "Basis",
    "Conflict",
    "ConflictDeclaration",
    "ConflictSuggestion",
    "LockedCohort",
    "Locks",
    "MatchResult",
    "MatchingRules",
    "Move",
    "ProposedCohort",
    "WaitlistEntry",
    "Weights",
    "check_cohort",
    "check_move",
    "exact_conflicts",
    "normalise_business_name",
    "propose_cohorts",
    "score_cohort",
    "suggest_conflicts",
]
