"""Password fields say which password they want, once, so password managers and assistive
technology fill and announce them rightly (WCAG 1.3.5)."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

from portal.auth import tokens
from portal.auth.models import Role, TokenPurpose, UserStatus
from portal.db_base import utcnow
from tests.fixtures.pages import check_page


class _PasswordInputs(HTMLParser):
    """Every password input's attributes as written, duplicates kept (BeautifulSoup keeps only
    one of a repeated attribute, which is the defect this test looks for)."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") == "password":
            self.inputs[attributes["name"] or ""] = [
                value or "" for name, value in attrs if name == "autocomplete"
            ]


def autocomplete_of_password_inputs(response) -> dict[str, list[str]]:
    check_page(response)
    parser = _PasswordInputs()
    parser.feed(response.get_data(as_text=True))
    return parser.inputs


def test_signing_in_and_confirming_it_is_you_ask_for_the_current_password(client, signed_in_as):
    assert autocomplete_of_password_inputs(client.get("/sign-in")) == {
        "password": ["current-password"]
    }
    signed_in_as(Role.PARTICIPANT)
    assert autocomplete_of_password_inputs(client.get("/account/email")) == {
        "password": ["current-password"]
    }
    assert autocomplete_of_password_inputs(client.get("/account/password")) == {
        "current_password": ["current-password"],
        "password": ["new-password"],
    }


def test_creating_an_account_and_setting_a_password_from_a_link_ask_for_a_new_one(
    app, client, session, make_user
):
    assert autocomplete_of_password_inputs(client.get("/create-account")) == {
        "password": ["new-password"]
    }
    owner = make_user(Role.PARTICIPANT)
    invited = make_user(Role.PARTICIPANT, status=UserStatus.INVITED, password=None)
    with app.app_context():
        reset = tokens.issue(
            session, owner, TokenPurpose.RESET_PASSWORD, dt.timedelta(hours=1), utcnow()
        )
        invitation = tokens.issue(
            session, invited, TokenPurpose.INVITATION, dt.timedelta(hours=1), utcnow()
        )
    session.commit()
    for path in (f"/reset-password/{reset}", f"/invitation/{invitation}"):
        assert autocomplete_of_password_inputs(client.get(path)) == {
            "password": ["new-password"]
        }, path
