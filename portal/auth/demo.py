"""Demo people: one or more of every role, with sign-ins printed for newcomers.

For the demo only: the password and two-factor keys below are public, so ``demo-data``
refuses to run in production.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.models import Contractor, ContractorMembership, Role, User, UserRole, UserStatus
from portal.auth.passwords import hash_password
from portal.db_base import utcnow

DEMO_PASSWORD = "boost demo sign in"  # noqa: S105 (public on purpose: demo only)

CONTRACTORS = [
    ("Red Rose Business Growth Ltd", "hello@redrose-growth.example.org"),
    ("Pennine Peer Learning CIC", "team@pennine-peers.example.org"),
    ("Fylde Coast Enterprise Partnership", "info@fylde-enterprise.example.org"),
]


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    roles: tuple[Role, ...]
    contractor: int | None = None  # index into CONTRACTORS


PEOPLE = [
    DemoPerson("admin@demo.example.org", "Alex Admin", (Role.ADMIN,)),
    DemoPerson("officer@demo.example.org", "Olivia Officer", (Role.OFFICER,)),
    DemoPerson("lead@redrose.example.org", "Leon Lead", (Role.CONTRACTOR_LEAD,), 0),
    DemoPerson("facilitator@redrose.example.org", "Fatima Facilitator", (Role.FACILITATOR,), 0),
    DemoPerson("coach@redrose.example.org", "Colin Coach", (Role.COACH, Role.FACILITATOR), 0),
    DemoPerson("lead@pennine.example.org", "Lara Lead", (Role.CONTRACTOR_LEAD,), 1),
    DemoPerson("facilitator@pennine.example.org", "Frank Facilitator", (Role.FACILITATOR,), 1),
    DemoPerson("coach@fylde.example.org", "Chloe Coach", (Role.COACH,), 2),
    DemoPerson("owner@bakery.example.org", "Priya Participant", (Role.PARTICIPANT,)),
    DemoPerson("director@engineering.example.org", "Peter Participant", (Role.PARTICIPANT,)),
]


def demo_totp_secret(email: str) -> str:
    """A fixed two-factor key per demo person, so printed sign-ins keep working."""
    digest = hashlib.sha256(f"boost-demo:{email}".encode()).digest()
    return base64.b32encode(digest[:20]).decode()


def load(session: Session) -> int:
    """Create the demo contractors and people. Returns how many were created."""
    now = utcnow()
    created = 0
    contractors = []
    for name, email in CONTRACTORS:
        contractor = session.scalar(select(Contractor).where(Contractor.name == name))
        if contractor is None:
            contractor = Contractor(name=name, contact_email=email, created_at=now)
            session.add(contractor)
            created += 1
        contractors.append(contractor)
    session.flush()
    password_hash = None
    for person in PEOPLE:
        if session.scalar(select(User.id).where(User.email == person.email)) is not None:
            continue
        password_hash = password_hash or hash_password(DEMO_PASSWORD)
        user = User(
            email=person.email,
            name=person.name,
            password_hash=password_hash,
            status=UserStatus.ACTIVE,
            email_verified_at=now,
            created_at=now,
            status_changed_at=now,
        )
        user.role_grants = [UserRole(role=role, granted_at=now) for role in person.roles]
        if person.contractor is not None:
            user.memberships = [
                ContractorMembership(contractor_id=contractors[person.contractor].id)
            ]
        if user.needs_two_factor:
            user.totp_secret = demo_totp_secret(person.email)
            user.totp_confirmed_at = now
        session.add(user)
        created += 1
    session.flush()
    return created


def add_demo_participant(
    session: Session, *, email: str, name: str, at: dt.datetime, password_hash: str
) -> User:
    """A participant account with the demo password, its email confirmed ``at``. Flushed."""
    person = User(
        email=email,
        name=name,
        password_hash=password_hash,
        status=UserStatus.ACTIVE,
        email_verified_at=at,
        created_at=at,
        status_changed_at=at,
    )
    person.role_grants = [UserRole(role=Role.PARTICIPANT, granted_at=at)]
    session.add(person)
    session.flush()
    return person


def sign_in_lines() -> list[str]:
    """The demo sign-ins, as printed by ``make run``."""
    lines = [f"Demo sign-ins (password for everyone: {DEMO_PASSWORD!r}):"]
    for person in PEOPLE:
        roles = ", ".join(role.label for role in person.roles)
        org = f" at {CONTRACTORS[person.contractor][0]}" if person.contractor is not None else ""
        lines.append(f"  {person.email:36} {roles}{org}")
        if set(person.roles) & {Role.ADMIN, Role.OFFICER, Role.CONTRACTOR_LEAD}:
            lines.append(f"  {'':36} two-factor key {demo_totp_secret(person.email)}")
    lines.append(
        "Two-factor codes: add the key to an authenticator app, or run "
        "`.venv/bin/flask --app wsgi portal demo-code EMAIL`."
    )
    return lines
