"""Hostile answers sent to every form: no error page, nothing shown unescaped, no bad mail.

For each feature (a blueprint of the access inventory), every endpoint that takes POST is
visited as a role allowed to use it. The page holding its form is read as a browser would,
and the form is sent once per value of the corpus (``tests.fixtures.hostile``) with that
value in every free-text field and a valid choice in every other, then once more with the
markup in every choice and hidden field (a tampered form). Each answer must be below 500,
must not show the markup as it was sent (only escaped), and must not evaluate template
syntax; the page a redirect leads to is checked the same way. Afterwards the outbox must
hold no message with an injected header or a recipient broken over lines.
"""

from __future__ import annotations

import csv
import io
import traceback
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.models import Role
from portal.db_base import utcnow
from portal.notifications.models import OutboxMessage
from portal.registration.models import ApplicationStatus
from tests.fixtures.hostile import (
    CORPUS,
    EVERY_FIELD_CORPUS,
    SCRIPT,
    FormOnPage,
    forms_on,
    unescaped_payload_in,
)
from tests.fixtures.users import sign_in
from tests.test_access_inventory import ANONYMOUS, INVENTORY, Declared, endpoints
from tests.test_access_inventory import world as world  # the fixture: records to visit

# Where the form of an endpoint that only takes POST is shown (found by reading every page).
FORM_PAGES = {
    "cohorts.confirm": "cohorts.detail",
    "cohorts.lock": "cohorts.proposals",
    "coaching.remove_day_change": "coaching.availability",
    "coaching.remove_weekly_hours": "coaching.availability",
    "one_to_one.start_waiting": "one_to_one.coach_times",
    "registration.begin": "registration.start",
    "survey_definitions.start_draft": "survey_definitions.survey",
    "survey_officers.resend": "survey_officers.cohort",
    "survey_officers.send_now": "survey_officers.cohort",
}
# Steps that need an earlier step first: editing a survey needs a draft.
NEEDS_FIRST = {
    "survey_definitions.add": "survey_definitions.start_draft",
    "survey_definitions.reword": "survey_definitions.start_draft",
    "survey_definitions.retire": "survey_definitions.start_draft",
    "survey_definitions.publish": "survey_definitions.start_draft",
    "survey_definitions.discard": "survey_definitions.start_draft",
}
# Template syntax evaluated on the server would show these where the payload was.
EVALUATED = ("49{%", "49 #{", "${7*7} 49", "49 %>", "49 49")

FEATURES = sorted({endpoint.split(".")[0] for endpoint in INVENTORY})


def role_for(declared: Declared) -> Role | str:
    """A role allowed to use the endpoint, for a record in its scope."""
    if declared.roles is None:
        return ANONYMOUS
    if not declared.roles:
        return Role.PARTICIPANT
    return min(declared.roles - declared.out_of_scope, key=lambda role: role.value)


@dataclass
class Visit:
    """One endpoint's run through the corpus, and what went wrong."""

    app: Flask
    world: Any
    endpoint: str
    problems: list[str] = field(default_factory=list)
    posts: int = 0

    def path(self, endpoint: str) -> str:
        with self.app.test_request_context():
            return url_for(endpoint, **INVENTORY[endpoint].url(self.world))

    def run(self) -> None:
        declared = INVENTORY[self.endpoint]
        client = self.app.test_client()
        role = role_for(declared)
        if role != ANONYMOUS:
            sign_in(client, self.world.users[role])
        if self.endpoint in NEEDS_FIRST:
            first = NEEDS_FIRST[self.endpoint]
            client.post(self.path(first), data={"csrf_token": client.csrf_token_from("/feedback")})
        path = self.path(self.endpoint)
        form = self.form_for(client, path)
        if form is None:
            # No page shows this form in the world's state: a bare valid request still
            # must not fail.
            self.send(client, path, {"csrf_token": client.csrf_token_from("/feedback")}, "")
            return
        if form.text_fields:
            everywhere = CORPUS if not form.structured else EVERY_FIELD_CORPUS
            for name, value in CORPUS.items():
                if form.structured and form.prose_fields:
                    data = form.data_with(value, prose_only=True)
                    self.send(client, path, data, f"{name} in prose fields", value)
                if name in everywhere:
                    self.send(client, path, form.data_with(value), f"{name} everywhere", value)
        else:
            self.send(client, path, form.data_with(""), "valid choices")
        tampered = {name: SCRIPT for name in [*form.choices, *form.dates]}
        self.send(client, path, {**form.data_with(""), **tampered}, "tampered choices", SCRIPT)

    def form_for(self, client: Any, path: str) -> FormOnPage | None:
        page_endpoint = FORM_PAGES.get(self.endpoint, self.endpoint)
        if "GET" not in endpoints_of(self.app)[page_endpoint]:
            return None
        page = client.get(self.path(page_endpoint))
        if page.status_code != 200 or page.mimetype != "text/html":
            return None
        for form in forms_on(page.get_data(as_text=True)):
            action = urlsplit(form.action or "").path
            if action == path or (not action and page_endpoint == self.endpoint):
                return form
        return None

    def send(
        self, client: Any, path: str, data: dict[str, Any], label: str, value: str = ""
    ) -> None:
        self.posts += 1
        where = f"POST {path} ({self.endpoint}) with {label}"
        try:
            response = client.post(path, data=data)
        except Exception:  # in production, an error page
            self.problems.append(f"{where}: {traceback.format_exc(limit=-3)}")
            return
        self.check(response, where)
        location = response.headers.get("Location", "")
        if response.status_code in {301, 302, 303} and not urlsplit(location).netloc:
            try:
                after = client.get(location)
            except Exception:  # in production, an error page
                self.problems.append(f"{where}, then GET {location}: {traceback.format_exc()}")
                return
            self.check(after, f"{where}, then GET {location}")

    def check(self, response: Any, where: str) -> None:
        if response.status_code >= 500:
            self.problems.append(f"{where}: {response.status_code}")
        if not response.mimetype.startswith("text/"):
            return
        body = response.get_data(as_text=True)
        for marker in unescaped_payload_in(body):
            self.problems.append(f"{where}: shows {marker!r} unescaped")
        for evaluated in EVALUATED:
            if evaluated in body:
                self.problems.append(f"{where}: template syntax evaluated ({evaluated!r})")


_METHODS: dict[int, dict[str, set[str]]] = {}


def endpoints_of(app: Flask) -> dict[str, set[str]]:
    return _METHODS.setdefault(id(app), endpoints(app))


def badly_addressed_mail(session: Session) -> list[str]:
    """Queued messages whose recipient or subject carries a line break or injected header."""
    session.rollback()
    found = []
    for message in session.scalars(select(OutboxMessage)):
        heads = f"{message.to_address}\n{message.subject}"
        if any(char in message.to_address for char in "\r\n") or "Bcc:" in heads:
            found.append(f"message {message.id} to {message.to_address!r}: {message.subject!r}")
        elif any(char in message.subject for char in "\r\n"):
            found.append(f"message {message.id} has a subject over two lines")
    session.commit()
    return found


@pytest.mark.parametrize("feature", FEATURES)
def test_hostile_answers_to_every_form(app, session, request, feature):
    routes = endpoints_of(app)
    chosen = [
        endpoint
        for endpoint, declared in sorted(INVENTORY.items())
        if endpoint.split(".")[0] == feature
        and "POST" in routes[endpoint]
        # Steps reached only mid-sign-in, or signing out, end at the sign-in page anyway.
        and not declared.ends_at_sign_in
    ]
    if not chosen:
        return
    world = request.getfixturevalue("world")
    problems = []
    for endpoint in chosen:
        visit = Visit(app, world, endpoint)
        visit.run()
        problems.extend(visit.problems)
    problems.extend(badly_addressed_mail(session))
    assert not problems, "\n".join(problems)


FORMULAS = [CORPUS["formula-hyperlink"], CORPUS["formula-cmd"], CORPUS["formula-at"]]


def test_applicant_export_never_starts_a_cell_with_a_formula(app, session, world):
    """Formulas typed as a name, a phone number and a business name reach the download
    as text (an apostrophe in front), never as a cell a spreadsheet would run."""
    person = world.users[Role.PARTICIPANT]
    application = world.application
    person.name, application.phone = FORMULAS[0], FORMULAS[1]
    application.business_name = "-2+3"
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = utcnow()
    session.add_all([person, application])
    session.commit()
    client = app.test_client()
    sign_in(client, world.users[Role.OFFICER])
    index = f"/applicants/?round={world.round.id}"
    page = client.get(index).get_data(as_text=True)
    (form,) = [f for f in forms_on(page) if "/applicants/export" in (f.action or "")]
    data = {"csrf_token": form.csrf_token, "csv": "Download as CSV"}
    response = client.post(form.action, data=data)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    cells = [cell for row in rows for cell in row]
    assert "'" + FORMULAS[0] in cells
    assert "'-2+3" in cells
    assert not [cell for cell in cells if cell[:1] in {"=", "+", "-", "@"}]


def test_the_checks_catch_markup_shown_as_it_was_sent():
    page = (
        '<form method="post"><input name="csrf_token" type="hidden" value="t">'
        '<input name="name" value=""><input name="email" type="email">'
        '<input name="hours" inputmode="numeric"><textarea name="note"></textarea></form>'
        f"<p>{SCRIPT}</p>"
    )
    (form,) = forms_on(page)
    assert form.text_fields == ["name", "hours", "note", "email"]
    assert form.prose_fields == ["name", "note"]
    assert form.data_with("x", prose_only=True)["email"] == "someone.new@example.org"
    assert unescaped_payload_in(page) == ["<script>alert(1)"]
    assert not unescaped_payload_in(page.replace("<script>", "&lt;script&gt;"))
