"""Two-factor sign-in: time-based codes from an authenticator app (TOTP, RFC 6238) and
single-use recovery codes for when the phone is lost."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

import pyotp
import segno
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.auth.models import RecoveryCode, User

RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: codes are read off paper and typed.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
# Accept the code before and after the current one: phone clocks drift.
_VALID_WINDOW = 1


def new_secret() -> str:
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, email: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def qr_code_data_uri(uri: str) -> str:
    """An SVG QR code as a data URI (the CSP allows data: images)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def grouped_secret(secret: str) -> str:
    """The secret in groups of 4, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _matching_step(secret: str, code: str, now: dt.datetime) -> int | None:
    code = "".join(code.split())
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    step = totp.timecode(now)
    for offset in range(-_VALID_WINDOW, _VALID_WINDOW + 1):
        candidate = step + offset
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def code_is_valid_for_secret(secret: str, code: str, now: dt.datetime) -> bool:
    return _matching_step(secret, code, now) is not None


def verify_code(user: User, code: str, now: dt.datetime) -> bool:
    """True if ``code`` is the user's current code and has not been used before.

    Side effect: remembers the accepted time step, so the same code cannot be replayed.
    """
    if not user.totp_secret:
        return False
    step = _matching_step(user.totp_secret, code, now)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").replace(" ", "").lower().encode()).hexdigest()


def new_recovery_codes(session: Session, user: User, now: dt.datetime) -> list[str]:
    """Replace the user's recovery codes. Returns the new codes: shown once, stored hashed.

    Side effects: marks old codes used, flushes new RecoveryCode rows.
    """
    retire_recovery_codes(session, user, now)
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(12))
        code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        codes.append(code)
        session.add(RecoveryCode(user_id=user.id, code_hash=_hash_code(code), created_at=now))
    session.flush()
    return codes


def retire_recovery_codes(session: Session, user: User, now: dt.datetime) -> None:
    session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )


def use_recovery_code(session: Session, user: User, code: str, now: dt.datetime) -> bool:
    """True if ``code`` is one of the user's unused recovery codes; it is then used up."""
    found = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_code(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if found is None:
        return False
    claimed = session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.id == found.id, RecoveryCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1  # type: ignore[attr-defined]


def unused_recovery_codes(session: Session, user: User) -> int:
    return len(
        session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )
