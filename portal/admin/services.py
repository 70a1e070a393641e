"""Administering people and contractors. Every change is in the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from portal.account.services import AccountError, send_invitation
from portal.audit.services import record
from portal.auth.models import (
    CONTRACTOR_ROLES,
    Contractor,
    ContractorMembership,
    Role,
    User,
    UserRole,
    UserStatus,
    with_roles,
)
from portal.auth.services import normalise_email, user_by_email
from portal.db import found_or_404
from portal.paging import ResultsPage, within_pages
from portal.state_changes import Audit, StatusConflict, change_status


def get_user(session: Session, user_id: int) -> User:
    return found_or_404(session, User, user_id)


def get_contractor(session: Session, contractor_id: int) -> Contractor:
    return found_or_404(session, Contractor, contractor_id)


def active_contractors(session: Session) -> list[Contractor]:
    return list(
        session.scalars(
            select(Contractor).where(Contractor.ended_at.is_(None)).order_by(Contractor.name)
        )
    )


def all_contractors(session: Session) -> list[Contractor]:
    return list(
        session.scalars(
            select(Contractor).order_by(Contractor.ended_at.is_not(None), Contractor.name)
        )
    )


def find_users(
    session: Session,
    *,
    search: str = "",
    role: Role | None = None,
    status: UserStatus | None = None,
    page: int = 1,
    per_page: int = 50,
) -> ResultsPage[User]:
    query = select(User)
    if search:
        # autoescape: a % or _ typed in the search matches itself, not any characters.
        wanted = search.strip().lower()
        query = query.where(
            or_(
                func.lower(User.name).contains(wanted, autoescape=True),
                func.lower(User.email).contains(wanted, autoescape=True),
            )
        )
    if role is not None:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    if status is not None:
        query = query.where(User.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = within_pages(page, total, per_page)
    users = session.scalars(
        query.options(*with_roles())
        .order_by(func.lower(User.name), User.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return ResultsPage(users, total, page, per_page)


def _check_roles(roles: set[Role], contractor_ids: set[int]) -> None:
    if not roles:
        raise AccountError("Select at least one role", field="roles")
    if roles & CONTRACTOR_ROLES and not contractor_ids:
        raise AccountError(
            "Select the organisation this person works for: facilitators, coaches and "
            "contractor leads belong to a contractor",
            field="contractors",
        )


def invite_user(
    session: Session,
    *,
    actor: User,
    email: str,
    name: str,
    roles: set[Role],
    contractor_ids: set[int],
    now: dt.datetime,
) -> User:
    """Create an invited account and email a link to set a password.

    Side effects: flushes the user, queues the invitation, records ``user.invited``.
    """
    _check_roles(roles, contractor_ids)
    if user_by_email(session, email) is not None:
        raise AccountError("There is already an account with this email address", field="email")
    user = User(
        email=normalise_email(email),
        name=name,
        status=UserStatus.INVITED,
        created_at=now,
        status_changed_at=now,
    )
    user.role_grants = [UserRole(role=role, granted_at=now) for role in sorted(roles)]
    user.memberships = [ContractorMembership(contractor_id=cid) for cid in sorted(contractor_ids)]
    session.add(user)
    session.flush()
    record(
        session,
        actor=actor,
        action="user.invited",
        entity_type="user",
        entity_id=user.id,
        fields=["roles", "contractors"],
    )
    send_invitation(session, user, now)
    return user


def change_access(
    session: Session,
    *,
    actor: User,
    user: User,
    roles: set[Role],
    contractor_ids: set[int],
    now: dt.datetime,
) -> list[str]:
    """Set a person's roles and contractors. Returns what changed.

    A change ends the person's other sessions, so new limits apply at once.
    """
    _check_roles(roles, contractor_ids)
    if user.id == actor.id and Role.ADMIN in user.roles and Role.ADMIN not in roles:
        raise AccountError("You cannot remove your own administrator role", field="roles")
    changed = []
    if roles != set(user.roles):
        keep = [grant for grant in user.role_grants if grant.role in roles]
        added = [UserRole(role=role, granted_at=now) for role in sorted(roles - set(user.roles))]
        user.role_grants = keep + added
        changed.append("roles")
    if contractor_ids != set(user.contractor_ids):
        keep_m = [m for m in user.memberships if m.contractor_id in contractor_ids]
        added_m = [
            ContractorMembership(contractor_id=cid)
            for cid in sorted(contractor_ids - set(user.contractor_ids))
        ]
        user.memberships = keep_m + added_m
        changed.append("contractors")
    if changed:
        user.session_version += 1
        session.flush()
        record(
            session,
            actor=actor,
            action="user.access_changed",
            entity_type="user",
            entity_id=user.id,
            fields=changed,
        )
    return changed


def set_active(
    session: Session, *, actor: User, user: User, active: bool, reason: str, now: dt.datetime
) -> None:
    """Deactivate (ending every session at once) or reactivate an account, with a reason."""
    if user.id == actor.id:
        raise AccountError("You cannot deactivate your own account", field="reason")
    if active:
        if user.is_erased:
            raise AccountError("An erased person's account cannot be reactivated", field="reason")
        if user.status != UserStatus.DEACTIVATED:
            return
        status = UserStatus.ACTIVE if user.password_hash else UserStatus.INVITED
        action = "user.reactivated"
    else:
        if user.status == UserStatus.DEACTIVATED:
            return
        status = UserStatus.DEACTIVATED
        action = "user.deactivated"
    try:
        change_status(
            session,
            user,
            status,
            values={"session_version": user.session_version + 1},
            now=now,
            audit=Audit(actor, action, "user", reason=reason),
        )
    except StatusConflict as conflict:
        if (conflict.current == UserStatus.DEACTIVATED) != active:
            return  # another administrator did the same at the same moment
        raise AccountError(
            "This account changed while you were looking at it. Check it again.", field="reason"
        ) from conflict


def resend_invitation(session: Session, *, actor: User, user: User, now: dt.datetime) -> None:
    if user.status != UserStatus.INVITED:
        raise AccountError("This person has already accepted their invitation")
    send_invitation(session, user, now)
    record(
        session, actor=actor, action="user.invitation_resent", entity_type="user", entity_id=user.id
    )


def save_contractor(
    session: Session,
    *,
    actor: User,
    contractor: Contractor | None,
    name: str,
    contact_email: str,
    now: dt.datetime,
) -> Contractor:
    clash = session.scalar(
        select(Contractor).where(func.lower(Contractor.name) == name.strip().lower())
    )
    if clash is not None and (contractor is None or clash.id != contractor.id):
        raise AccountError("There is already a contractor with this name", field="name")
    if contractor is None:
        contractor = Contractor(name=name.strip(), contact_email=contact_email, created_at=now)
        session.add(contractor)
        session.flush()
        record(
            session,
            actor=actor,
            action="contractor.added",
            entity_type="contractor",
            entity_id=contractor.id,
        )
        return contractor
    changed = [
        f
        for f, v in (("name", name.strip()), ("contact_email", contact_email))
        if getattr(contractor, f) != v
    ]
    contractor.name = name.strip()
    contractor.contact_email = contact_email
    if changed:
        record(
            session,
            actor=actor,
            action="contractor.changed",
            entity_type="contractor",
            entity_id=contractor.id,
            fields=changed,
        )
    return contractor


def end_contractor(
    session: Session, *, actor: User, contractor: Contractor, reason: str, now: dt.datetime
) -> None:
    """A contract ends: the record stays (figures and history refer to it)."""
    if contractor.ended_at is not None:
        return
    contractor.ended_at = now
    record(
        session,
        actor=actor,
        action="contractor.ended",
        entity_type="contractor",
        entity_id=contractor.id,
        fields=["ended_at"],
        reason=reason,
    )


def contractor_members(session: Session, contractor: Contractor) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .options(*with_roles())
            .join(ContractorMembership, ContractorMembership.user_id == User.id)
            .where(ContractorMembership.contractor_id == contractor.id)
            .order_by(func.lower(User.name))
        )
    )


def roles_of(users: Iterable[User]) -> dict[int, str]:
    return {user.id: ", ".join(sorted(role.label for role in user.roles)) for user in users}
