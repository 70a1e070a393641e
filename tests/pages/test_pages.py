"""The public pages every service needs, checked the same way."""

import pytest

from portal.auth.models import Role
from tests.fixtures.pages import check_page

PUBLIC_PAGES = [
    ("/", "Join a Peer Networks group"),
    ("/accessibility", "Accessibility statement for Boost Peer Networks"),
    ("/privacy", "Privacy notice"),
    ("/cookies", "Cookies"),
    ("/feedback", "Give feedback on Boost Peer Networks"),
    ("/start", "Do you have an account?"),
]


@pytest.mark.parametrize(("path", "heading"), PUBLIC_PAGES)
def test_public_page_follows_the_page_rules(client, path, heading):
    page = check_page(client.get(path))
    assert page.h1.get_text(strip=True) == heading


def test_start_now_offers_the_choice_of_creating_an_account_or_signing_in(client):
    start = check_page(client.get("/"))
    assert start.select_one("a.govuk-button--start")["href"] == "/start"
    choice = check_page(client.get("/start"))
    links = {link.get_text(strip=True): link["href"] for link in choice.select("main a")}
    assert links["Create an account"] == "/create-account?next=/register/"
    assert links["Sign in"] == "/sign-in?next=/register/"


def test_someone_already_signed_in_goes_straight_to_registering(client, signed_in_as):
    signed_in_as(Role.PARTICIPANT)
    assert client.get("/start").headers["Location"] == "/register/"


def test_footer_links_to_the_pages_every_service_needs_and_has_no_crown(client):
    page = check_page(client.get("/"))
    footer_links = {link.get_text(strip=True): link["href"] for link in page.select("footer a")}
    assert footer_links["Accessibility statement"] == "/accessibility"
    assert footer_links["Privacy notice"] == "/privacy"
    assert footer_links["Cookies"] == "/cookies"
    assert "Crown copyright" not in page.get_text()
    assert not page.select(".govuk-footer__crown, .govuk-logo, .govuk-header__logotype")
    assert page.select_one(".govuk-generic-header").get_text(strip=True) == "Boost Peer Networks"


def test_phase_banner_links_to_feedback_about_the_page_being_read(client):
    page = check_page(client.get("/cookies"))
    link = page.select_one(".govuk-phase-banner a")
    assert link["href"] == "/feedback?from_path=/cookies"


def test_privacy_notice_names_controller_basis_processors_and_rights(client):
    text = check_page(client.get("/privacy")).get_text(" ")
    assert "Lancashire County Council is the data controller" in text
    assert "public interest (UK GDPR Article 6(1)(e))" in text
    assert "process your information only on our instructions" in text
    assert "How long we keep it" in text
    assert "Information Commissioner" in text


def test_accessibility_statement_follows_the_model_statement(client):
    page = check_page(client.get("/accessibility"))
    headings = [heading.get_text(strip=True) for heading in page.select("h2, h3")]
    for expected in [
        "How accessible this website is",
        "Feedback and contact information",
        "Reporting accessibility problems with this website",
        "Enforcement procedure",
        "Compliance status",
        "Preparation of this accessibility statement",
    ]:
        assert expected in headings


def test_unknown_page_gets_the_designed_404_page(client):
    page = check_page(client.get("/no-such-page"), status=404)
    assert page.h1.get_text(strip=True) == "Page not found"


def test_wrong_method_gets_a_designed_405_page(client):
    response = client.delete("/cookies")
    check_page(response, status=405)
    assert "GET" in response.headers["Allow"]


def test_oversized_request_is_refused_with_a_clear_page(client):
    response = client.post("/feedback", data={"comments": "x" * (3 * 1024 * 1024)})
    page = check_page(response, status=413)
    assert page.h1.get_text(strip=True) == "What you sent is too large"


def test_security_headers_and_a_csp_nonce_that_matches_the_inline_script(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    page = check_page(response)
    inline = [script for script in page.find_all("script") if not script.get("src")]
    assert len(inline) == 1
    assert f"'nonce-{inline[0]['nonce']}'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/").headers["Content-Security-Policy"] != policy, "nonce is per response"


def test_user_content_in_a_query_string_is_escaped(client):
    response = client.get("/feedback?from_path=/%3Cscript%3Ealert(1)%3C/script%3E")
    assert b"<script>alert(1)" not in response.data


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_two_messages_on_one_page_have_banners_with_their_own_titles(client):
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Note added."), ("message", "Email sent.")]

    page = check_page(client.get("/"))  # fails on a repeated id

    banners = page.select(".govuk-notification-banner")
    assert [banner.get_text(" ", strip=True).split()[-2:] for banner in banners] == [
        ["Note", "added."],
        ["Email", "sent."],
    ]
    titles = [banner["aria-labelledby"] for banner in banners]
    assert len(set(titles)) == 2
    assert all(page.find(id=title) is not None for title in titles)
