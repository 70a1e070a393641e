"""Single-use, expiring links sent by email (verification, reset, invitation, change of email).

The raw token is only ever in the email; the database keeps its SHA-256 hash, so a copy of
the database cannot be used to take over accounts. Redeeming is one conditional UPDATE, so
two clicks racing cannot both succeed.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.auth.models import AccountToken, TokenPurpose, User
from portal.state_changes import StatusConflict, claim


class TokenProblem(enum.StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


class TokenError(Exception):
    def __init__(self, problem: TokenProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue(
    session: Session,
    user: User,
    purpose: TokenPurpose,
    lifetime: dt.timedelta,
    now: dt.datetime,
    *,
    new_email: str | None = None,
) -> str:
    """A new token for ``user``; any earlier unused token for the same purpose stops working.

    Side effects: flushes a new AccountToken and marks older ones used.
    """
    session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    raw = secrets.token_urlsafe(32)
    session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=_hash(raw),
            new_email=new_email,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()
    return raw


def check(session: Session, raw: str, purpose: TokenPurpose, now: dt.datetime) -> AccountToken:
    """The token if it would be accepted now, without using it up. Raises TokenError."""
    token = session.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == _hash(raw), AccountToken.purpose == purpose
        )
    )
    if token is None:
        raise TokenError(TokenProblem.UNKNOWN)
    if token.used_at is not None:
        raise TokenError(TokenProblem.USED)
    if token.expires_at <= now:
        raise TokenError(TokenProblem.EXPIRED)
    return token


def redeem(session: Session, raw: str, purpose: TokenPurpose, now: dt.datetime) -> AccountToken:
    """Use the token up, once. Raises TokenError if it is unknown, used or expired.

    Side effect: marks the token used (in the caller's transaction).
    """
    token = check(session, raw, purpose, now)
    try:  # guarded (portal.state_changes): of two requests using it at once, one does
        claim(session, token, now, column="used_at")
    except StatusConflict as conflict:
        raise TokenError(TokenProblem.USED) from conflict
    return token
