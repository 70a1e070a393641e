"""Every model, imported so that ``Base.metadata`` is complete (Alembic and tests use it)."""

from portal.db import Base
from portal.jobs import JobRun
from portal.pages.models import Feedback
from portal.reference import BankHoliday, ReferenceItem

__all__ = ["BankHoliday", "Base", "Feedback", "JobRun", "ReferenceItem"]
