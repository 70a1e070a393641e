"""Access rules: every route declares who may use it, and one hook enforces it.

A view is wrapped by exactly one of the declarations below. ``create_app`` refuses to
start if any endpoint has none, and the access inventory test checks each declared
outcome for every role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, abort, current_app, request

View = TypeVar("View", bound=Callable[..., Any])

ACCESS_ATTRIBUTE = "portal_access_rule"


@dataclass(frozen=True)
class AccessRule:
    """Who may reach a view. ``roles`` empty and ``public`` false means any signed-in user."""

    public: bool = False
    roles: frozenset[str] = frozenset()

    def describe(self) -> str:
        if self.public:
            return "public"
        return "signed in" if not self.roles else "roles: " + ", ".join(sorted(self.roles))


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


def rule_for(view: Callable[..., Any]) -> AccessRule | None:
    return getattr(view, ACCESS_ATTRIBUTE, None)


def undeclared_endpoints(app: Flask) -> list[str]:
    """Endpoints whose view declares no access rule (``static`` is public by nature)."""
    return sorted(
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and rule_for(view) is None
    )


def enforce_access() -> None:
    """Before every request: apply the view's declared rule."""
    if request.endpoint is None or request.endpoint == "static":
        return
    rule = rule_for(current_app.view_functions[request.endpoint])
    if rule is None:  # create_app prevents this; refuse rather than serve an unguarded page
        abort(403)
    if rule.public:
        return
    # Accounts arrive with the accounts issue; until then no signed-in page exists.
    abort(403)
