"""Sessions: who is signed in, the two-factor step between password and session, and timeouts.

A session's identity is ``"<user id>:<session version>"``; raising a person's session
version (on deactivation, a role change or a password reset) ends every session of theirs.
Sessions end after ``SESSION_IDLE_MINUTES`` without a request (the page warns first and
offers to extend) and after ``SESSION_MAX_HOURS`` in any case.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from typing import Any

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user
from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session, joinedload, load_only
from werkzeug.wrappers import Response

from portal import db
from portal.auth.models import EndedSession, Role, User, UserRole
from portal.db_base import utcnow

login_manager = LoginManager()

_PENDING = "pending_sign_in"
_SIGNED_IN_AT = "signed_in_at"
_SEEN_AT = "seen_at"
_NEXT = "after_sign_in"
# A random id per signed-in session, so signing out can end copies of the cookie too.
_SESSION_ID = "sid"
# How long the gap between password and two-factor code may be.
PENDING_SECONDS = 10 * 60
# The last request's time is written to the cookie at most this often: a cookie that changes
# is signed and sent again on every response. The idle timeout is counted from it, so a
# session may end up to this much earlier than SESSION_IDLE_MINUTES after the last request.
SEEN_AT_GRANULARITY_SECONDS = 60
# What pages read of the signed-in person; other columns are loaded when first read.
_SIGNED_IN_COLUMNS = (
    User.id,
    User.email,
    User.name,
    User.status,
    User.session_version,
    User.totp_confirmed_at,
    User.restricted_at,
)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
    app.before_request(_expire_idle_session)


def _load_user(identity: str) -> User | None:
    user_id, _, version = identity.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    # One query for the person, their roles and contractors (every page reads them) and
    # whether this cookie is a copy of a session its owner signed out of. Only the columns
    # pages read: the password hash, two-factor secret and the rest load if a page asks.
    query = (
        select(User)
        .where(User.id == int(user_id))
        .options(
            load_only(*_SIGNED_IN_COLUMNS),
            joinedload(User.role_grants).load_only(UserRole.role),
            joinedload(User.memberships),
        )
    )
    session_id = session.get(_SESSION_ID)
    if isinstance(session_id, str):
        query = query.add_columns(
            exists().where(EndedSession.session_hash == _hash(session_id)).label("ended")
        )
    row = db.session.execute(query).unique().one_or_none()
    if row is None:
        return None
    user = row[0]
    if row._mapping.get("ended"):
        g.signed_out_copy = True
        return None
    if not user.is_active or user.session_version != int(version):
        return None
    return user


def _expire_idle_session() -> None:
    if request.endpoint == "static" or "_user_id" not in session:
        return
    if _was_signed_out():
        end_session()
        return
    now = time.time()
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    longest = current_app.config["SESSION_MAX_HOURS"] * 3600
    seen_at = session.get(_SEEN_AT, now)
    signed_in_at = session.get(_SIGNED_IN_AT, now)
    if now - seen_at > idle or now - signed_in_at > longest:
        end_session()
        flash(
            "You were signed out because you had not used the service for "
            f"{current_app.config['SESSION_IDLE_MINUTES']} minutes. Sign in again to carry on.",
            "info",
        )
        return
    # The timeout warning's status check must not count as activity; a page read counts
    # once a minute, anything sent (staying signed in, a form) every time.
    if request.endpoint != "auth.session_status" and (
        request.method != "GET" or now - seen_at >= SEEN_AT_GRANULARITY_SECONDS
    ):
        session[_SEEN_AT] = now


def seconds_until_idle_timeout() -> int:
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    return max(0, int(session.get(_SEEN_AT, time.time()) + idle - time.time()))


def start_pending_sign_in(user: User, next_path: str | None) -> None:
    """Remember that the password was right; the two-factor step comes next."""
    session.clear()
    session[_PENDING] = {"user": user.get_id(), "at": time.time()}
    if next_path:
        session[_NEXT] = next_path


def pending_user() -> User | None:
    """The person between password and two-factor code, if the step has not expired."""
    pending: dict[str, Any] | None = session.get(_PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return _load_user(str(pending.get("user", "")))


def complete_sign_in(user: User, next_path: str | None = None) -> str:
    """Start the person's session. Returns where to send them next: ``next_path``, or the
    page they asked for before signing in, or their account.

    A new session is started (the old cookie's contents are dropped) so a session id
    fixed before sign-in is useless. Side effect: records the sign-in time.
    """
    next_path = next_path or session.get(_NEXT)
    session.clear()
    login_user(user)
    now = time.time()
    session[_SIGNED_IN_AT] = now
    session[_SEEN_AT] = now
    session[_SESSION_ID] = secrets.token_urlsafe(24)
    user.last_signed_in_at = utcnow()
    from portal.urls import is_safe_local_path

    if is_safe_local_path(next_path):
        return next_path
    # Officers and contractor leads land on their home (what needs them); others on their
    # account, which leads to their own lists.
    if user.has_role(Role.OFFICER, Role.CONTRACTOR_LEAD):
        return url_for("home.index")
    return url_for("account.home")


def refresh_session_identity(user: User) -> None:
    """Keep this session after the person's session version was raised (ending the others)."""
    login_user(user)


def end_session() -> None:
    logout_user()
    session.clear()


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _was_signed_out() -> bool:
    """Whether this cookie belongs to a session its owner signed out of (a copy of it).

    Found out when the person is loaded (``_load_user``), in the same query. A cookie from
    before session ids has none to check: it ends at its time limit as before."""
    current_user._get_current_object()  # loads the person
    return bool(g.get("signed_out_copy"))


def sign_out_everywhere() -> None:
    """End this session everywhere: here, and in any copy of its cookie (ASVS 3.3.1).

    Side effect: adds an EndedSession row (committed with the request)."""
    session_id = session.get(_SESSION_ID)
    if isinstance(session_id, str):
        signed_in_at = float(session.get(_SIGNED_IN_AT, time.time()))
        forget_after = dt.datetime.fromtimestamp(signed_in_at, dt.UTC) + dt.timedelta(
            hours=current_app.config["SESSION_MAX_HOURS"]
        )
        db.session.merge(EndedSession(session_hash=_hash(session_id), forget_after=forget_after))
    end_session()


def forget_ended_sessions(db_session: Session, now: dt.datetime) -> int:
    """Remove ended sessions that would have reached their time limit by ``now``."""
    return int(
        db_session.execute(delete(EndedSession).where(EndedSession.forget_after < now)).rowcount  # type: ignore[attr-defined]
        or 0
    )


def require_two_factor_set_up(user: User) -> Response:
    """Staff who must use two-factor sign-in but have not set it up do that first."""
    end_session()
    start_pending_sign_in(user, request.full_path.rstrip("?") if request.method == "GET" else None)
    flash("Your role needs two-factor sign-in. Set it up to carry on.", "info")
    return redirect(url_for("auth.two_factor_set_up"))
