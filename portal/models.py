"""Every model, imported so that ``Base.metadata`` is complete (Alembic and tests use it)."""

from portal.audit.models import AuditEvent
from portal.auth.models import (
    AccountToken,
    Contractor,
    ContractorMembership,
    EmailPreference,
    RecoveryCode,
    User,
    UserRole,
)
from portal.db import Base
from portal.jobs import JobRun
from portal.notifications.models import OutboxAttachment, OutboxMessage
from portal.pages.models import Feedback
from portal.reference.models import BankHoliday, ReferenceItem
from portal.rounds.models import Round

__all__ = [
    "AccountToken",
    "AuditEvent",
    "BankHoliday",
    "Base",
    "Contractor",
    "ContractorMembership",
    "EmailPreference",
    "Feedback",
    "JobRun",
    "OutboxAttachment",
    "OutboxMessage",
    "RecoveryCode",
    "ReferenceItem",
    "Round",
    "User",
    "UserRole",
]
