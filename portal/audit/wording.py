"""Plain-English wording for audit actions, for history tables."""

from __future__ import annotations

_WORDS = {
    "user.account_created": "Account created",
    "user.email_verified": "Email address confirmed",
    "user.invited": "Invited",
    "user.invitation_resent": "Invitation sent again",
    "user.invitation_accepted": "Invitation accepted",
    "user.access_changed": "Access changed",
    "user.deactivated": "Account deactivated",
    "user.reactivated": "Account reactivated",
    "user.password_reset": "Password reset",
    "user.password_changed": "Password changed",
    "user.email_changed": "Email address changed",
    "privacy.person_erased": "Person erased (right to erasure)",
    "coaching.cancelled_on_erasure": "Booking cancelled: the participant was erased",
    "privacy.processing_restricted": "Processing restricted",
    "privacy.restriction_lifted": "Restriction of processing lifted",
    "user.two_factor_enabled": "Two-factor sign-in turned on",
    "user.two_factor_disabled": "Two-factor sign-in turned off",
    "user.recovery_code_used": "Recovery code used to sign in",
    "user.email_preferences_changed": "Email choices changed",
    "user.contact_noted": "Contact noted by an officer",
    "contractor.added": "Contractor added",
    "contractor.changed": "Contractor details changed",
    "contractor.ended": "Contract ended",
    "application.started": "Registration started",
    "application.answers_changed": "Answers changed",
    "application.submitted": "Registration sent",
    "application.eligible": "Found eligible",
    "application.ineligible": "Found not eligible",
    "application.needs_review": "Sent for review",
    "application.waitlisted": "Put on the waiting list",
    "application.offered": "Offered a place",
    "application.placed": "Placed",
    "application.withdrawn": "Withdrew",
    "application.eligibility_overridden": "Eligibility decided by an officer",
    "cohort.matching_run": "Matching run",
    "cohort.member_moved": "Moved between cohorts",
    "cohort.created_by_hand": "Cohort created by hand",
    "cohort.confirmed": "Cohort confirmed",
    "cohort.running": "Cohort started",
    "cohort.completed": "Cohort completed",
    "cohort.cancelled": "Cohort cancelled",
    "cohort.delivery_assigned": "Contractor or facilitator changed",
    "cohort.locked": "Cohort locked",
    "cohort.unlocked": "Cohort unlocked",
    "cohort.conflict_confirmed": "Conflict confirmed",
    "cohort.details_changed": "Details changed by an officer",
    "cohort_place.moved": "Member moved to another cohort",
    "cohort_place.moved_in": "Member moved in from another cohort",
    "cohort_place.left": "Member left or was withdrawn",
    "cohort_place.removed": "Place ended",
}


def describe_action(action: str) -> str:
    if action in _WORDS:
        return _WORDS[action]
    return action.split(".", 1)[-1].replace("_", " ").capitalize()
