"""Account rules: creating and verifying accounts, signing in, resets, email changes.

The journeys a person takes with their account; who people are and what they may do
(users, roles, sessions, access) is ``portal.auth``, below every feature.

Functions flush and never commit. Anything that must not reveal whether an account exists
(creating an account, asking for a reset) behaves the same either way and says so in a
single message; the difference is only in the email sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit.services import record
from portal.auth import tokens, two_factor
from portal.auth.models import (
    EmailCategory,
    EmailPreference,
    Role,
    TokenPurpose,
    User,
    UserRole,
    UserStatus,
)
from portal.auth.passwords import hash_password, needs_rehash, verify_password
from portal.auth.services import normalise_email, user_by_email
from portal.notifications.services import queue_email
from portal.state_changes import Audit, StatusConflict, change_status
from portal.urls import external_url


class AccountError(Exception):
    """A rule stopped the change; the message is written for the person to read."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _hours(setting: str) -> dt.timedelta:
    return dt.timedelta(hours=current_app.config[setting])


# Creating an account and proving the email address


def create_account(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    now: dt.datetime,
    next_path: str | None = None,
) -> User | None:
    """Create a participant account and send a link to confirm the email address.

    If the address already has an account, that person is emailed instead (with a link to
    sign in or reset), so this page never reveals who has an account; returns None then.
    """
    existing = user_by_email(session, email)
    if existing is not None:
        queue_email(
            session,
            to=existing,
            subject="You already have an account",
            template="account_exists",
            context={
                "name": existing.name,
                "sign_in_url": external_url("auth.sign_in"),
                "reset_url": external_url("auth.forgot_password"),
            },
        )
        return None
    user = User(
        email=normalise_email(email),
        name=name,
        password_hash=hash_password(password),
        status=UserStatus.ACTIVE,
        created_at=now,
        status_changed_at=now,
    )
    user.role_grants = [UserRole(role=Role.PARTICIPANT, granted_at=now)]
    session.add(user)
    session.flush()
    record(
        session, actor=user, action="user.account_created", entity_type="user", entity_id=user.id
    )
    send_verification(session, user, now, next_path=next_path)
    return user


def send_verification(
    session: Session, user: User, now: dt.datetime, *, next_path: str | None = None
) -> None:
    """Email a link that proves the address; ``next_path`` is where to go after signing in."""
    raw = tokens.issue(
        session, user, TokenPurpose.VERIFY_EMAIL, _hours("VERIFY_EMAIL_LINK_HOURS"), now
    )
    queue_email(
        session,
        to=user,
        subject="Confirm your email address",
        template="verify_email",
        context={
            "name": user.name,
            "url": external_url(
                "auth.verify_email", token=raw, **({"next": next_path} if next_path else {})
            ),
            "hours": current_app.config["VERIFY_EMAIL_LINK_HOURS"],
        },
    )


def verify_email(session: Session, raw_token: str, now: dt.datetime) -> User:
    """Mark the address proven. Raises TokenError for a bad, used or expired link."""
    token = tokens.redeem(session, raw_token, TokenPurpose.VERIFY_EMAIL, now)
    user = session.get(User, token.user_id)
    assert user is not None
    if user.email_verified_at is None:
        user.email_verified_at = now
        record(
            session, actor=user, action="user.email_verified", entity_type="user", entity_id=user.id
        )
    return user


# Signing in


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    unverified: bool = False


def check_password_sign_in(session: Session, *, email: str, password: str) -> SignInResult:
    """The person if the email and password match an active account, else None.

    Takes the same time whether or not the account exists. Side effect: upgrades the
    stored hash when the hashing settings have been raised.
    """
    user = user_by_email(session, email)
    if not verify_password(user.password_hash if user else None, password):
        return SignInResult(None)
    assert user is not None
    if not user.is_active:
        return SignInResult(None)
    if needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    if user.email_verified_at is None:
        return SignInResult(user, unverified=True)
    return SignInResult(user)


def check_second_factor(session: Session, user: User, code: str, now: dt.datetime) -> bool:
    """True for a current authenticator code or an unused recovery code (then used up)."""
    cleaned = code.strip()
    if two_factor.verify_code(user, cleaned, now):
        return True
    if two_factor.use_recovery_code(session, user, cleaned, now):
        record(
            session,
            actor=user,
            action="user.recovery_code_used",
            entity_type="user",
            entity_id=user.id,
        )
        return True
    return False


def confirm_two_factor(
    session: Session, user: User, secret: str, code: str, now: dt.datetime
) -> list[str]:
    """Turn on two-factor sign-in once the person has shown their app's first code.

    Returns the recovery codes to show once. Raises AccountError if the code is wrong.
    """
    if not two_factor.code_is_valid_for_secret(secret, code, now):
        raise AccountError("Enter the 6-digit code shown in your authenticator app", field="code")
    user.totp_secret = secret
    user.totp_confirmed_at = now
    user.totp_last_step = None
    two_factor.verify_code(user, code, now)  # the set-up code cannot be replayed to sign in
    record(
        session, actor=user, action="user.two_factor_enabled", entity_type="user", entity_id=user.id
    )
    return two_factor.new_recovery_codes(session, user, now)


def turn_off_two_factor(session: Session, user: User, now: dt.datetime) -> None:
    if user.needs_two_factor:
        raise AccountError("Your role needs two-factor sign-in, so it cannot be turned off")
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    two_factor.retire_recovery_codes(session, user, now)
    record(
        session,
        actor=user,
        action="user.two_factor_disabled",
        entity_type="user",
        entity_id=user.id,
    )


# Passwords


def request_password_reset(session: Session, *, email: str, now: dt.datetime) -> None:
    """Email a reset link if the address has an active account; otherwise do nothing.

    The page says the same either way.
    """
    user = user_by_email(session, email)
    if user is None or user.status == UserStatus.DEACTIVATED:
        return
    purpose = TokenPurpose.RESET_PASSWORD
    if user.status == UserStatus.INVITED:
        send_invitation(session, user, now)
        return
    raw = tokens.issue(session, user, purpose, _hours("RESET_PASSWORD_LINK_HOURS"), now)
    queue_email(
        session,
        to=user,
        subject="Reset your password",
        template="reset_password",
        context={
            "name": user.name,
            "url": external_url("auth.reset_password", token=raw),
            "hours": current_app.config["RESET_PASSWORD_LINK_HOURS"],
        },
    )


def set_new_password(
    session: Session, user: User, password: str, now: dt.datetime, *, action: str
) -> None:
    """Store a new password and end every other session of the person's.

    Side effects: raises the session version, emails a notice, records ``action``.
    """
    user.password_hash = hash_password(password)
    user.session_version += 1
    record(
        session,
        actor=user,
        action=action,
        entity_type="user",
        entity_id=user.id,
        fields=["password"],
    )
    queue_email(
        session,
        to=user,
        subject="Your password has been changed",
        template="password_changed",
        context={"name": user.name, "reset_url": external_url("auth.forgot_password")},
    )


def reset_password(session: Session, raw_token: str, password: str, now: dt.datetime) -> User:
    """Raises TokenError for a bad, used or expired link."""
    token = tokens.redeem(session, raw_token, TokenPurpose.RESET_PASSWORD, now)
    user = session.get(User, token.user_id)
    assert user is not None
    if user.email_verified_at is None:
        user.email_verified_at = now  # following the emailed link proves the address
    set_new_password(session, user, password, now, action="user.password_reset")
    return user


def change_password(
    session: Session, user: User, *, current: str, new: str, now: dt.datetime
) -> None:
    if not verify_password(user.password_hash, current):
        raise AccountError("Your current password is incorrect", field="current_password")
    set_new_password(session, user, new, now, action="user.password_changed")


# Invitations (staff accounts are created by admins)


def send_invitation(session: Session, user: User, now: dt.datetime) -> None:
    raw = tokens.issue(session, user, TokenPurpose.INVITATION, _hours("INVITATION_LINK_HOURS"), now)
    queue_email(
        session,
        to=user,
        subject=f"You have been invited to {current_app.config['SERVICE_NAME']}",
        template="invitation",
        context={
            "name": user.name,
            "roles": sorted(role.label for role in user.roles),
            "url": external_url("auth.accept_invitation", token=raw),
            "days": current_app.config["INVITATION_LINK_HOURS"] // 24,
        },
    )


def accept_invitation(session: Session, raw_token: str, password: str, now: dt.datetime) -> User:
    """Set the invited person's password and activate the account. Raises TokenError."""
    token = tokens.redeem(session, raw_token, TokenPurpose.INVITATION, now)
    user = session.get(User, token.user_id)
    assert user is not None
    try:
        change_status(
            session,
            user,
            UserStatus.ACTIVE,
            allowed_from={UserStatus.INVITED},
            values={"password_hash": hash_password(password), "email_verified_at": now},
            now=now,
            audit=Audit(user, "user.invitation_accepted", "user", fields=[]),
        )
    except StatusConflict as conflict:
        raise tokens.TokenError(tokens.TokenProblem.USED) from conflict
    return user


# Changing the email address


def request_email_change(
    session: Session, user: User, *, new_email: str, password: str, now: dt.datetime
) -> None:
    """Send a confirmation link to the new address; nothing changes until it is followed."""
    if not verify_password(user.password_hash, password):
        raise AccountError("Your password is incorrect", field="password")
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise AccountError(
            "Enter a different email address from the one you use now", field="email"
        )
    raw = tokens.issue(
        session,
        user,
        TokenPurpose.CHANGE_EMAIL,
        _hours("VERIFY_EMAIL_LINK_HOURS"),
        now,
        new_email=new_email,
    )
    if user_by_email(session, new_email) is not None:
        return  # say nothing more: the link will refuse, and no account is revealed
    queue_email(
        session,
        to=new_email,
        subject="Confirm your new email address",
        template="change_email",
        context={
            "name": user.name,
            "url": external_url("account.confirm_email_change", token=raw),
            "hours": current_app.config["VERIFY_EMAIL_LINK_HOURS"],
        },
    )


def confirm_email_change(session: Session, raw_token: str, now: dt.datetime) -> User:
    token = tokens.redeem(session, raw_token, TokenPurpose.CHANGE_EMAIL, now)
    user = session.get(User, token.user_id)
    assert user is not None
    assert token.new_email is not None
    if user_by_email(session, token.new_email) is not None:
        raise AccountError("Another account already uses that email address")
    old_email = user.email
    user.email = token.new_email
    user.email_verified_at = now
    record(
        session,
        actor=user,
        action="user.email_changed",
        entity_type="user",
        entity_id=user.id,
        fields=["email"],
    )
    queue_email(
        session,
        to=old_email,
        subject="Your email address has been changed",
        template="email_changed",
        context={"name": user.name},
    )
    return user


# Which optional emails a person wants


def email_preferences(session: Session, user: User) -> dict[EmailCategory, bool]:
    stored = {
        preference.category: preference.wanted
        for preference in session.scalars(
            select(EmailPreference).where(EmailPreference.user_id == user.id)
        )
    }
    return {category: stored.get(category, True) for category in EmailCategory}


def set_email_preferences(session: Session, user: User, wanted: set[EmailCategory]) -> list[str]:
    """Store the person's choices. Returns the categories that changed."""
    existing = {
        preference.category: preference
        for preference in session.scalars(
            select(EmailPreference).where(EmailPreference.user_id == user.id)
        )
    }
    changed = []
    for category in EmailCategory:
        want = category in wanted
        preference = existing.get(category)
        if preference is None:
            if not want:
                session.add(EmailPreference(user_id=user.id, category=category, wanted=False))
                changed.append(category.value)
        elif preference.wanted != want:
            preference.wanted = want
            changed.append(category.value)
    session.flush()
    if changed:
        record(
            session,
            actor=user,
            action="user.email_preferences_changed",
            entity_type="user",
            entity_id=user.id,
            fields=changed,
        )
    return changed
