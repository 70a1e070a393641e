"""Every model, imported so that ``Base.metadata`` is complete (Alembic and tests use it)."""

from portal.audit.models import AuditEvent
from portal.auth.models import (
    AccountToken,
    Contractor,
    ContractorMembership,
    EmailPreference,
    EndedSession,
    RecoveryCode,
    User,
    UserRole,
)
from portal.casestudies.models import CaseStudy, CaseStudyStatusChange
from portal.coaching.models import (
    AvailabilityException,
    Booking,
    BookingReminder,
    CoachProfile,
    OutsideSupport,
    WaitingEntry,
    WeeklyWindow,
)
from portal.cohorts.models import (
    Attendance,
    Cohort,
    CohortSession,
    CohortStatusChange,
    ConfirmedConflict,
    Place,
    SessionTheme,
)
from portal.db_base import Base
from portal.jobs import JobRun
from portal.messages.models import GroupMessage, GroupMessageRecipient
from portal.notifications.models import OutboxAttachment, OutboxMessage, StandardEmailVersion

# Imported for its listeners: every commit that writes a record raises the data version.
from portal.outcomes import stored as _stored  # noqa: F401
from portal.outcomes.models import (
    ContractorContract,
    DataVersion,
    IssuedReport,
    StoredFigures,
    SupersededSpend,
)
from portal.pages.models import Feedback
from portal.people.models import ContactNote
from portal.reference.models import BankHoliday, ReferenceItem
from portal.registration.models import (
    Application,
    ApplicationIssue,
    ApplicationOrganisation,
    Availability,
    Business,
    DeclaredConflict,
    OwnershipAnswer,
    StatusChange,
)
from portal.rounds.models import Round
from portal.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyLink,
    SurveyQuestion,
    SurveyResponse,
    SurveyVersion,
)
from portal.tasks.models import BackgroundTask
from portal.uploads import PendingUploadFile

__all__ = [
    "AccountToken",
    "Application",
    "ApplicationIssue",
    "ApplicationOrganisation",
    "Attendance",
    "AuditEvent",
    "Availability",
    "AvailabilityException",
    "BackgroundTask",
    "BankHoliday",
    "Base",
    "Booking",
    "BookingReminder",
    "Business",
    "CaseStudy",
    "CaseStudyStatusChange",
    "CoachProfile",
    "Cohort",
    "CohortSession",
    "CohortStatusChange",
    "ConfirmedConflict",
    "ContactNote",
    "Contractor",
    "ContractorContract",
    "ContractorMembership",
    "DataVersion",
    "DeclaredConflict",
    "EmailPreference",
    "EndedSession",
    "Feedback",
    "GroupMessage",
    "GroupMessageRecipient",
    "IssuedReport",
    "JobRun",
    "OutboxAttachment",
    "OutboxMessage",
    "OutsideSupport",
    "OwnershipAnswer",
    "PendingUploadFile",
    "Place",
    "RecoveryCode",
    "ReferenceItem",
    "Round",
    "SessionTheme",
    "StandardEmailVersion",
    "StatusChange",
    "StoredFigures",
    "SupersededSpend",
    "Survey",
    "SurveyAnswer",
    "SurveyInvitation",
    "SurveyLink",
    "SurveyQuestion",
    "SurveyResponse",
    "SurveyVersion",
    "User",
    "UserRole",
    "WaitingEntry",
    "WeeklyWindow",
]
