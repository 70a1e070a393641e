"""People registered by an officer (assisted digital) or imported: their accounts."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy.orm import Session

from portal.audit.services import record
from portal.auth import tokens
from portal.auth.models import Role, TokenPurpose, User, UserRole, UserStatus
from portal.auth.services import normalise_email, user_by_email
from portal.notifications.services import queue_email
from portal.registration.services import RegistrationError
from portal.urls import external_url


def find_or_create_person(
    session: Session, *, name: str, email: str, actor: User, now: dt.datetime
) -> User:
    """The participant with this email, or a new account for them with no password yet.

    Raises RegistrationError if the address belongs to staff rather than a participant.
    """
    person = user_by_email(session, email)
    if person is not None:
        if not person.has_role(Role.PARTICIPANT):
            raise RegistrationError(
                "This email address belongs to a member of staff. Use the person's own address."
            )
        return person
    person = User(
        email=normalise_email(email),
        name=name,
        status=UserStatus.INVITED,
        created_at=now,
        status_changed_at=now,
    )
    person.role_grants = [UserRole(role=Role.PARTICIPANT, granted_at=now)]
    session.add(person)
    session.flush()
    record(
        session,
        actor=actor,
        on_behalf_of=person,
        action="user.registered_on_behalf",
        entity_type="user",
        entity_id=person.id,
    )
    return person


def send_take_over_email(session: Session, person: User, *, now: dt.datetime) -> None:
    """Tell the person they are registered; if they have no password, how to set one."""
    url = None
    if person.status == UserStatus.INVITED:
        raw = tokens.issue(
            session,
            person,
            TokenPurpose.INVITATION,
            dt.timedelta(hours=current_app.config["INVITATION_LINK_HOURS"]),
            now,
        )
        url = external_url("auth.accept_invitation", token=raw)
    queue_email(
        session,
        to=person,
        subject="Take over your Peer Networks account",
        template="take_over_account",
        context={
            "name": person.name,
            "set_password_url": url,
            "sign_in_url": external_url("auth.sign_in"),
            "privacy_url": external_url("pages.privacy"),
            "days": current_app.config["INVITATION_LINK_HOURS"] // 24,
        },
    )
