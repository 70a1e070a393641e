"""Links: redirect targets stay on this site; links built outside a request use BASE_URL."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.urls import external_url, is_safe_local_path


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
