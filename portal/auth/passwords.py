"""Passwords: Argon2id hashes, and the rules a new password must meet (NCSC and ASVS:
a minimum length, no composition rules, not a common password, not the email address)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_COMMON_PASSWORDS = Path(__file__).resolve().parent / "common-passwords.txt"
MAX_LENGTH = 256
# Compared against when no account matches, so a wrong email takes as long as a wrong password.
_DUMMY_HASH_SOURCE = "a password no account has, for constant-time refusals"


def _hasher() -> PasswordHasher:
    config = current_app.config
    return _hasher_for(config["PASSWORD_HASH_TIME_COST"], config["PASSWORD_HASH_MEMORY_KIB"])


@cache
def _hasher_for(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if ``password`` matches. Spends the same effort when there is no hash."""
    hasher = _hasher()
    if not password_hash:
        hasher.verify(_dummy_hash(hasher), _DUMMY_HASH_SOURCE)
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


@cache
def _dummy_hash_for(time_cost: int, memory_kib: int) -> str:
    return _hasher_for(time_cost, memory_kib).hash(_DUMMY_HASH_SOURCE)


def _dummy_hash(hasher: PasswordHasher) -> str:
    return _dummy_hash_for(hasher.time_cost, hasher.memory_cost)


@cache
def _common_passwords() -> frozenset[str]:
    lines = _COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip())


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """The GOV.UK error message for a password that must not be used, or None if it is fine."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return f"Password must be {minimum} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) < 4:
        return "Password is too easy to guess. Try 3 random words, like 'coffee train fish'"
    local_part = email.split("@")[0].lower()
    if (local_part and len(local_part) >= 4 and local_part in lowered) or (
        name and name.strip().lower() in lowered and len(name.strip()) >= 4
    ):
        return "Password must not contain your name or email address"
    return None
