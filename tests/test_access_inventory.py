"""The access inventory: every route, every role, real requests, the declared outcome.

Each endpoint is declared here with who may use it. The test walks ``app.url_map``, fails
for any endpoint missing from the inventory, checks the declaration agrees with the route's
own access rule, and then, for each role, makes a real GET (and a POST with a valid CSRF
token, where the route takes POST) and checks the outcome: the page for those allowed, a
redirect to sign-in for anonymous visitors, 403 for roles without access, and 404 for
records outside the person's scope. Every later feature adds its routes here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from portal.auth.access import rule_for
from portal.auth.models import Role
from portal.notifications.services import queue_email
from portal.reference import services as reference
from portal.reference.models import ReferenceItem
from portal.rounds.services import create_round
from tests.fixtures.users import sign_in

ANONYMOUS = "anonymous"
EVERY_ROLE = [ANONYMOUS, *Role]
STAFF = frozenset(Role) - {Role.PARTICIPANT}


@dataclass
class World:
    """Records the inventory's URLs point at."""

    users: dict[Role, Any]
    contractor: Any
    other_contractor: Any
    outbox_message: Any
    round: Any
    issue: Any


@dataclass(frozen=True)
class Declared:
    """``roles``: None for public, empty for any signed-in person, else the roles allowed."""

    roles: frozenset[Role] | None
    url: Callable[[World], dict[str, Any]] = lambda world: {}
    # Roles allowed in general whose request here is for a record outside their scope.
    out_of_scope: frozenset[Role] = frozenset()
    # A public page that answers signed-in people with a redirect (such as sign-in).
    redirects_when_signed_in: bool = False
    # A step that only makes sense mid-sign-in, or that ends the session: everyone ends up
    # at the sign-in page when they reach it out of turn.
    ends_at_sign_in: bool = False


PUBLIC = Declared(None)
SIGNED_IN = Declared(frozenset())


def only(*roles: Role, **kwargs: Any) -> Declared:
    return Declared(frozenset(roles), **kwargs)


def a_user(world: World) -> dict[str, Any]:
    return {"user_id": world.users[Role.PARTICIPANT].id}


def a_contractor(world: World) -> dict[str, Any]:
    return {"contractor_id": world.contractor.id}


def an_email(world: World) -> dict[str, Any]:
    return {"message_id": world.outbox_message.id}


def a_round(world: World) -> dict[str, Any]:
    return {"round_id": world.round.id}


def a_round_group(world: World) -> dict[str, Any]:
    return {"round_id": world.round.id, "group": "eligibility"}


def a_list(world: World) -> dict[str, Any]:
    return {"list_slug": "issues"}


def an_item(world: World) -> dict[str, Any]:
    return {"list_slug": "issues", "item_id": world.issue.id}


def a_token(world: World) -> dict[str, Any]:
    return {"token": "not-a-real-token"}


INVENTORY: dict[str, Declared] = {
    # Public pages
    "pages.start": PUBLIC,
    "pages.accessibility": PUBLIC,
    "pages.privacy": PUBLIC,
    "pages.cookies": PUBLIC,
    "pages.feedback": PUBLIC,
    "pages.healthz": PUBLIC,
    # Signing in and the emailed links
    "auth.sign_in": Declared(None, redirects_when_signed_in=True),
    "auth.second_factor": Declared(None, ends_at_sign_in=True),
    "auth.two_factor_set_up": Declared(None, ends_at_sign_in=True),
    "auth.recovery_codes": SIGNED_IN,
    "auth.sign_out": Declared(frozenset(), ends_at_sign_in=True),
    "auth.session_status": PUBLIC,
    "auth.extend_session": SIGNED_IN,
    "auth.create_account": PUBLIC,
    "auth.check_email": PUBLIC,
    "auth.verify_email": Declared(None, url=a_token),
    "auth.forgot_password": PUBLIC,
    "auth.reset_password": Declared(None, url=a_token),
    "auth.accept_invitation": Declared(None, url=a_token),
    # A person's own account
    "account.home": SIGNED_IN,
    "account.change_password": SIGNED_IN,
    "account.change_email": SIGNED_IN,
    "account.confirm_email_change": Declared(None, url=a_token),
    "account.email_preferences": SIGNED_IN,
    "account.two_factor_set_up": SIGNED_IN,
    "account.new_recovery_codes": SIGNED_IN,
    "account.turn_off_two_factor": SIGNED_IN,
    # Administration
    "admin.index": only(Role.ADMIN),
    "admin.users": only(Role.ADMIN),
    "admin.invite_user": only(Role.ADMIN),
    "admin.user_detail": only(Role.ADMIN, url=a_user),
    "admin.change_access": only(Role.ADMIN, url=a_user),
    "admin.deactivate_user": only(Role.ADMIN, url=a_user),
    "admin.reactivate_user": only(Role.ADMIN, url=a_user),
    "admin.resend_invitation": only(Role.ADMIN, url=a_user),
    "admin.contractors": only(Role.ADMIN),
    "admin.add_contractor": only(Role.ADMIN),
    "admin.contractor_detail": only(Role.ADMIN, url=a_contractor),
    "admin.edit_contractor": only(Role.ADMIN, url=a_contractor),
    "admin.end_contractor": only(Role.ADMIN, url=a_contractor),
    "audit.events": only(Role.ADMIN),
    "notifications.outbox": only(Role.ADMIN),
    "notifications.outbox_message": only(Role.ADMIN, url=an_email),
    # Rounds: officers may look, only administrators change
    "rounds.index": only(Role.ADMIN, Role.OFFICER),
    "rounds.add_round": only(Role.ADMIN),
    "rounds.show_round": only(Role.ADMIN, Role.OFFICER, url=a_round),
    "rounds.edit_settings": only(Role.ADMIN, url=a_round_group),
    # Reference data
    "reference.index": only(Role.ADMIN),
    "reference.list_items": only(Role.ADMIN, url=a_list),
    "reference.add_item": only(Role.ADMIN, url=a_list),
    "reference.change_item": only(Role.ADMIN, url=an_item),
    "reference.retire_item": only(Role.ADMIN, url=an_item),
    "reference.restore_item": only(Role.ADMIN, url=an_item),
    "reference.bank_holidays": only(Role.ADMIN),
}


@pytest.fixture
def world(app, session, make_user, make_contractor) -> World:
    contractor = make_contractor("Red Rose Business Growth Ltd")
    other = make_contractor("Pennine Peer Learning CIC")
    users = {
        role: make_user(
            role,
            email=f"{role.value}@example.com",
            contractors=[contractor]
            if role in {Role.FACILITATOR, Role.COACH, Role.CONTRACTOR_LEAD}
            else [],
        )
        for role in Role
    }
    with app.app_context():
        reference.load_all(session)
        issue = session.scalars(
            select(ReferenceItem).where(ReferenceItem.code == "exporting")
        ).one()
        programme_round = create_round(
            session,
            actor=None,
            name="Round 3",
            year_label="2026-27",
            starts_on=dt.date(2026, 9, 1),
            ends_on=dt.date(2027, 3, 31),
            funder="Department for Business and Trade",
            grant_pence=40_000_000,
        )
        message = queue_email(
            session,
            to=users[Role.PARTICIPANT],
            subject="Hello",
            template="email_changed",
            context={"name": "Priya"},
        )
    session.commit()
    return World(
        users=users,
        contractor=contractor,
        other_contractor=other,
        outbox_message=message,
        round=programme_round,
        issue=issue,
    )


def endpoints(app) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static":
            found.setdefault(rule.endpoint, set()).update(rule.methods or set())
    return found


def test_every_endpoint_is_in_the_inventory_and_agrees_with_its_rule(app):
    routes = endpoints(app)
    missing = sorted(set(routes) - set(INVENTORY))
    assert not missing, f"add these endpoints to the access inventory: {missing}"
    stale = sorted(set(INVENTORY) - set(routes))
    assert not stale, f"the inventory lists endpoints that no longer exist: {stale}"
    for endpoint, declared in INVENTORY.items():
        rule = rule_for(app.view_functions[endpoint])
        if declared.roles is None:
            assert rule.public, endpoint
        else:
            assert not rule.public, endpoint
            assert rule.roles == declared.roles, endpoint


def expected_outcome(declared: Declared, role: str) -> str:
    if declared.ends_at_sign_in:
        return "sign in"
    if declared.roles is None:
        if declared.redirects_when_signed_in and role != ANONYMOUS:
            return "redirect"
        return "page"
    if role == ANONYMOUS:
        return "sign in"
    if declared.roles and role not in declared.roles:
        return "forbidden"
    if role in declared.out_of_scope:
        return "not found"
    return "page"


def outcome_of(response) -> str:
    location = urlsplit(response.headers.get("Location", "")).path
    if response.status_code == 302 and location == "/sign-in":
        return "sign in"
    if response.status_code == 403:
        return "forbidden"
    if response.status_code == 404:
        return "not found"
    if response.status_code >= 500:
        return f"error {response.status_code}"
    if response.status_code in {302, 303}:
        return "redirect"
    return "page"


@pytest.mark.parametrize("role", EVERY_ROLE, ids=str)
def test_each_role_gets_the_declared_outcome_everywhere(app, world, role):
    from flask import url_for

    routes = endpoints(app)
    problems = []
    for endpoint, declared in sorted(INVENTORY.items()):
        with app.test_request_context():
            path = url_for(endpoint, **declared.url(world))
        for method in sorted(routes[endpoint] & {"GET", "POST"}):
            client = app.test_client()
            if role != ANONYMOUS:
                sign_in(client, world.users[role])
            if method == "GET":
                response = client.get(path)
            else:
                token = client.csrf_token_from("/feedback")
                response = client.post(path, data={"csrf_token": token})
            got = outcome_of(response)
            wanted = expected_outcome(declared, role)
            # A page may also answer with a redirect (a finished step) or 400 (a form's errors).
            if wanted == "page" and got == "redirect":
                got = "page"
            if got != wanted:
                problems.append(f"{method} {path} as {role}: expected {wanted}, got {got}")
    assert not problems, "\n".join(problems)
