"""People who sign in, their roles, and the contractors staff belong to."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ColumnElement, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from portal.db_base import Base, enum_column, utcnow

# An erased person's email address is replaced by one under this reserved domain, which no
# one can receive mail at; it is how an erased person is recognised.
ERASED_DOMAIN = "erased.invalid"
# What stands in for erased text (a business name, a typed answer) wherever it was.
ERASED = "(erased)"


def erased_email(user_id: int) -> str:
    """The address an erased person's account is left with (portal.privacy.erasure)."""
    return f"erased-{user_id}@{ERASED_DOMAIN}"


class Role(enum.StrEnum):
    PARTICIPANT = "participant"
    FACILITATOR = "facilitator"
    COACH = "coach"
    CONTRACTOR_LEAD = "contractor_lead"
    OFFICER = "officer"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {
            "participant": "Participant",
            "facilitator": "Facilitator",
            "coach": "Coach",
            "contractor_lead": "Contractor lead",
            "officer": "Officer",
            "admin": "Administrator",
        }[self.value]

    @property
    def hint(self) -> str:
        return {
            "participant": "A business owner or manager taking part",
            "facilitator": "Runs cohorts for a contractor",
            "coach": "Gives one-to-one support for a contractor",
            "contractor_lead": "Manages a contractor's facilitators and coaches",
            "officer": "Runs the programme for the Growth Hub",
            "admin": "Manages users, contractors, rounds and reference data",
        }[self.value]


# These roles see other people's data across the programme: a password is not enough.
ROLES_REQUIRING_TWO_FACTOR = frozenset({Role.OFFICER, Role.ADMIN, Role.CONTRACTOR_LEAD})
# These roles act for a contractor and must belong to at least one.
CONTRACTOR_ROLES = frozenset({Role.FACILITATOR, Role.COACH, Role.CONTRACTOR_LEAD})


class UserStatus(enum.StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    DEACTIVATED = "deactivated"


class EmailCategory(enum.StrEnum):
    """Emails a person may turn off. Essential emails (sign-in, places, bookings) have none."""

    REMINDERS = "reminders"
    SURVEY_REMINDERS = "survey_reminders"
    PROGRAMME_NEWS = "programme_news"

    @property
    def label(self) -> str:
        return {
            "reminders": "Reminders about sessions and one-to-one support",
            "survey_reminders": "Reminders to answer surveys",
            "programme_news": "News about future programmes and events",
        }[self.value]


class Contractor(Base):
    """A delivery organisation contracted to run cohorts and one-to-one support."""

    __tablename__ = "contractor"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    contact_email: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[dt.datetime | None]

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[UserStatus] = mapped_column(enum_column(UserStatus), default=UserStatus.ACTIVE)
    email_verified_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_signed_in_at: Mapped[dt.datetime | None]
    # Part of every session's identity: raising it ends all of the person's sessions.
    session_version: Mapped[int] = mapped_column(default=1)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_at: Mapped[dt.datetime | None]
    # The last TOTP time step accepted, so a code cannot be used twice.
    totp_last_step: Mapped[int | None]
    # Processing restricted (UK GDPR article 18): the records are kept, but the person is not
    # emailed, matched or surveyed until an administrator lifts it (portal.privacy.restriction).
    restricted_at: Mapped[dt.datetime | None]
    restriction_reason: Mapped[str] = mapped_column(Text, default="")

    # Loaded when first used: most users loaded are shown by name only. The signed-in user
    # is loaded with both in one query (portal.auth.sessions), lists that show roles ask
    # for them (``with_roles``).
    role_grants: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    memberships: Mapped[list[ContractorMembership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # Flask-Login's interface.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.status == UserStatus.ACTIVE

    @property
    def is_anonymous(self) -> bool:
        return False

    @property
    def is_restricted(self) -> bool:
        return self.restricted_at is not None

    @property
    def is_erased(self) -> bool:
        """Erased (UK GDPR article 17, ``portal.privacy.erasure``): nothing new may be made
        about them, and they can never be reactivated."""
        return self.email == erased_email(self.id)

    @classmethod
    def erased(cls) -> ColumnElement[bool]:
        """SQL: the user was erased (the counterpart of ``is_erased``)."""
        return cls.email.like(f"erased-%@{ERASED_DOMAIN}")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(grant.role for grant in self.role_grants)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def contractor_ids(self) -> frozenset[int]:
        return frozenset(membership.contractor_id for membership in self.memberships)

    @property
    def contractors(self) -> list[Contractor]:
        return sorted((m.contractor for m in self.memberships), key=lambda c: c.name)

    @property
    def needs_two_factor(self) -> bool:
        return bool(self.roles & ROLES_REQUIRING_TWO_FACTOR)

    @property
    def has_two_factor(self) -> bool:
        return self.totp_confirmed_at is not None


def with_roles() -> tuple[LoaderOption, ...]:
    """Loader options for users whose roles or contractors will be read: two queries for
    the whole list instead of two per person."""
    return (selectinload(User.role_grants), selectinload(User.memberships))


class UserRole(Base):
    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    granted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="role_grants")


class ContractorMembership(Base):
    __tablename__ = "contractor_membership"
    __table_args__ = (UniqueConstraint("user_id", "contractor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    contractor_id: Mapped[int] = mapped_column(ForeignKey("contractor.id"), index=True)

    user: Mapped[User] = relationship(back_populates="memberships")
    contractor: Mapped[Contractor] = relationship(lazy="joined")


class RecoveryCode(Base):
    """A single-use code for signing in without the authenticator app. Stored hashed."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    used_at: Mapped[dt.datetime | None]


class TokenPurpose(enum.StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105 (a purpose, not a password)
    INVITATION = "invitation"
    CHANGE_EMAIL = "change_email"


class AccountToken(Base):
    """A single-use, expiring link sent by email. Only a hash of the token is stored."""

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_column(TokenPurpose))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # For a change of email: the new address, which is only used once it is proven.
    new_email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]


class EmailPreference(Base):
    """A person's choice for one category of optional email. No row means they get it."""

    __tablename__ = "email_preference"
    __table_args__ = (UniqueConstraint("user_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    category: Mapped[EmailCategory] = mapped_column(enum_column(EmailCategory))
    wanted: Mapped[bool] = mapped_column(default=True)


class EndedSession(Base):
    """A session its owner signed out of: a copy of its cookie is refused from then on.

    Sessions are signed cookies; each carries a random id from sign-in. Signing out records
    a hash of that id here, and every request with a session checks it
    (``portal.auth.sessions``). Rows are removed once the session would have ended anyway.
    """

    __tablename__ = "ended_session"

    session_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    ended_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # When the session would have reached its absolute time limit.
    forget_after: Mapped[dt.datetime] = mapped_column(index=True)
