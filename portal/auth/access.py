"""Access rules: every route declares who may use it, and one hook enforces it.

A view is wrapped by exactly one of ``public``, ``signed_in`` or ``roles_required``.
``create_app`` refuses to start if any endpoint has none, and the access inventory test
makes real requests as every role and checks each declared outcome. Rules about *which*
records a person may see (their own cohort, their contractor's bookings) live in the
services, which answer 404 for anything outside the person's scope.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.auth.models import Role, User

View = TypeVar("View", bound=Callable[..., Any])

ACCESS_ATTRIBUTE = "portal_access_rule"


@dataclass(frozen=True)
class AccessRule:
    """Who may reach a view. ``roles`` empty and ``public`` false means any signed-in user."""

    public: bool = False
    roles: frozenset[Role] = frozenset()

    def allows(self, user: User | None) -> bool:
        if self.public:
            return True
        if user is None:
            return False
        return not self.roles or user.has_role(*self.roles)

    def describe(self) -> str:
        if self.public:
            return "public"
        if not self.roles:
            return "signed in"
        return "roles: " + ", ".join(sorted(role.value for role in self.roles))


def _declare(rule: AccessRule) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        if hasattr(view, ACCESS_ATTRIBUTE):
            raise TypeError(f"{view.__name__} declares its access twice")
        setattr(view, ACCESS_ATTRIBUTE, rule)
        return view

    return decorator


def public(view: View) -> View:
    """Anyone may use this view, signed in or not."""
    return _declare(AccessRule(public=True))(view)


def signed_in(view: View) -> View:
    """Anyone signed in may use this view (what they see is still scoped to them)."""
    return _declare(AccessRule())(view)


def roles_required(*roles: Role) -> Callable[[View], View]:
    """Only people holding at least one of ``roles`` may use this view."""
    if not roles:
        raise TypeError("roles_required needs at least one role; use signed_in instead")
    return _declare(AccessRule(roles=frozenset(roles)))


# The role rules views declare, each written once. A view names a rule by who may use it.
admins = roles_required(Role.ADMIN)
officers = roles_required(Role.OFFICER)
participants = roles_required(Role.PARTICIPANT)
facilitators = roles_required(Role.FACILITATOR)
coaches = roles_required(Role.COACH)
officers_and_admins = roles_required(Role.OFFICER, Role.ADMIN)
officers_and_leads = roles_required(Role.OFFICER, Role.CONTRACTOR_LEAD)
officers_and_facilitators = roles_required(Role.OFFICER, Role.FACILITATOR)
officers_admins_and_leads = roles_required(Role.OFFICER, Role.ADMIN, Role.CONTRACTOR_LEAD)


def rule_for(view: Callable[..., Any]) -> AccessRule | None:
    return cast(AccessRule | None, getattr(view, ACCESS_ATTRIBUTE, None))


def undeclared_endpoints(app: Flask) -> list[str]:
    """Endpoints whose view declares no access rule (``static`` is public by nature)."""
    return sorted(
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and rule_for(view) is None
    )


def signed_in_user() -> User | None:
    """The person signed in to this request, or None."""
    if current_user and current_user.is_authenticated:
        return cast(User, current_user._get_current_object())
    return None


def current_person() -> User:
    """The person signed in to this request, in a view whose access rule needs one."""
    user = signed_in_user()
    assert user is not None  # the view's access rule guarantees a signed-in person
    return user


def enforce_access() -> Response | None:
    """Before every request: apply the view's declared rule.

    Not signed in: to the sign-in page (coming back here afterwards). Signed in without
    the role: 403. Staff whose role needs two-factor sign-in but who have not set it up
    are sent to set it up before anything else.
    """
    if request.endpoint is None or request.endpoint == "static":
        return None
    rule = rule_for(current_app.view_functions[request.endpoint])
    if rule is None:  # create_app prevents this; refuse rather than serve an unguarded page
        abort(403)
    if rule.public:
        return None
    user = signed_in_user()
    if user is None:
        next_path = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.sign_in", next=next_path))
    if user.needs_two_factor and not user.has_two_factor:
        from portal.auth.sessions import require_two_factor_set_up

        return require_two_factor_set_up(user)
    if not rule.allows(user):
        abort(403)
    return None
