"""Addresses: ids in paths are bounded, query values are tidy, redirect targets stay on this
site, and links built outside a request use BASE_URL."""

import pytest
from flask import request
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.routing.converters import NumberConverter

from portal.auth.models import Role
from portal.urls import LARGEST_ID, IdConverter, external_url, is_safe_local_path, whole_number
from tests.fixtures.users import sign_in


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/cohorts/3", True),
        ("/feedback?from_path=/x", True),
        ("", False),
        (None, False),
        ("cohorts", False),
        ("//evil.example", False),
        ("/\\evil.example", False),
        ("https://evil.example/", False),
        ("/ok\r\nLocation: https://evil.example", False),
        ("javascript:alert(1)", False),
    ],
)
def test_safe_local_paths(target, safe):
    assert is_safe_local_path(target) is safe


@given(st.text())
def test_nothing_with_a_host_is_ever_safe(target):
    if is_safe_local_path(target):
        assert target.startswith("/")
        assert not target.startswith("//")
        assert "\\" not in target


def test_links_outside_a_request_use_the_configured_base_url(app):
    with app.app_context():
        assert external_url("pages.privacy") == "https://peernetworks.example.org.uk/privacy"


def test_every_number_in_an_address_is_an_id_no_larger_than_any_id_column(app):
    numbers = [
        (rule.rule, converter)
        for rule in app.url_map.iter_rules()
        for converter in rule._converters.values()
        if isinstance(converter, NumberConverter)
    ]
    assert len(numbers) > 50
    unbounded = [
        rule
        for rule, converter in numbers
        if not isinstance(converter, IdConverter) or converter.max != LARGEST_ID
    ]
    assert unbounded == []


@pytest.mark.parametrize("number", ["2147483648", "9223372036854775808", "1" + "0" * 20])
def test_an_id_beyond_any_record_is_not_found(app, make_user, number):
    """PostgreSQL refused to look up 2^31 in an INTEGER column (and SQLite 2^63): a 500."""
    assert app.test_client().get(f"/stories/{number}").status_code == 404
    participant = app.test_client()
    sign_in(participant, make_user(Role.PARTICIPANT))
    assert participant.get(f"/one-to-one/bookings/{number}").status_code == 404
    admin = app.test_client()
    sign_in(admin, make_user(Role.ADMIN))
    assert admin.get(f"/admin/users/{number}").status_code == 404
    assert admin.get(f"/admin/users/{LARGEST_ID}").status_code == 404


def test_query_values_lose_surrounding_spaces_and_control_characters(app):
    with app.test_request_context("/?round=%20&status=%20%20&search=%20a%00b%20&search=c"):
        assert request.args.getlist("round") == [""]
        assert request.args["status"] == ""
        assert request.args.getlist("search") == ["ab", "c"]


def test_a_filter_of_only_spaces_reads_as_any(app, make_user):
    """Each was a 500: the space was taken for a round id or a status."""
    officer = app.test_client()
    sign_in(officer, make_user(Role.OFFICER))
    for name in ("round", "status", "delivery", "district", "sort"):
        assert officer.get(f"/applicants/?{name}=%20").status_code == 200, name
    admin = app.test_client()
    sign_in(admin, make_user(Role.ADMIN))
    assert admin.get("/admin/users?status=%20&role=%20").status_code == 200


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("7", 7),
        ("0", 0),
        (str(LARGEST_ID), LARGEST_ID),
        (str(LARGEST_ID + 1), None),
        (str(2**63), None),
        ("-1", None),
        ("", None),
        ("\u00b2", None),  # a digit to str.isdigit(), and int() cannot read it
        ("\u0663", None),  # Arabic-Indic three: ASCII digits only
        ("1e3", None),
    ],
)
def test_a_whole_number_from_an_address_is_an_id_or_nothing(value, number):
    assert whole_number(value) == number
