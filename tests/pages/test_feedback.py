"""Feedback from the phase banner: the form machinery every later form relies on."""

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from portal.pages.models import Feedback, FeedbackRating
from tests.fixtures.pages import check_page, error_messages


def count_feedback(session):
    """How many are stored, read in a transaction of its own (so later reads are fresh)."""
    count = session.scalar(select(func.count()).select_from(Feedback))
    session.rollback()
    return count


def test_feedback_is_saved_and_the_person_returns_to_the_page_they_were_reading(client, session):
    response = client.submit_form(
        "/feedback?from_path=/cookies",
        {"rating": "very_satisfied", "comments": "  Clear and quick.  "},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/cookies"
    saved = session.scalars(select(Feedback)).one()
    assert saved.rating is FeedbackRating.VERY_SATISFIED
    assert saved.comments == "Clear and quick."
    assert saved.page == "/cookies"
    assert saved.created_at.tzinfo is not None

    banner = check_page(client.get("/cookies")).select_one(".govuk-notification-banner--success")
    assert "Thank you for your feedback" in banner.get_text()


def test_missing_answer_is_shown_with_a_govuk_message_and_what_was_typed_is_kept(client, session):
    response = client.submit_form("/feedback", {"comments": "Ünïcode & <b>bold</b> kept"})
    page = check_page(response, status=400)
    assert error_messages(page) == ["Select how you feel about this service"]
    assert (
        page.select_one("#rating-error")
        .get_text(strip=True)
        .endswith("Select how you feel about this service")
    )
    assert page.select_one("textarea#comments").get_text() == "Ünïcode & <b>bold</b> kept"
    assert count_feedback(session) == 0


def test_too_long_comments_are_refused_with_the_limit(client, session):
    response = client.submit_form("/feedback", {"rating": "neither", "comments": "a" * 1201})
    page = check_page(response, status=400)
    assert error_messages(page) == ["Improvements must be 1,200 characters or fewer"]
    assert count_feedback(session) == 0


def test_a_post_without_a_csrf_token_saves_nothing_and_keeps_the_answers(client, session):
    response = client.post("/feedback", data={"rating": "satisfied", "comments": "Kept"})
    page = check_page(response, status=400)
    assert error_messages(page) == [
        "This page was open for too long or was sent from somewhere else. "
        "Check your answers and submit them again."
    ]
    assert page.select_one("input[value=satisfied]").has_attr("checked")
    assert page.select_one("textarea#comments").get_text() == "Kept"
    assert page.select_one(".govuk-error-summary a")["href"] == "#rating"
    assert count_feedback(session) == 0

    # The page now carries a fresh token, so sending it again works.
    resent = client.submit_form("/feedback", {"rating": "satisfied", "comments": "Kept"})
    assert resent.status_code == 302
    assert count_feedback(session) == 1


def test_a_token_from_another_session_is_refused(app, client, session):
    other_token = app.test_client().csrf_token_from("/feedback")
    response = client.post("/feedback", data={"csrf_token": other_token, "rating": "satisfied"})
    assert response.status_code == 400
    assert count_feedback(session) == 0


def test_a_return_address_on_another_site_is_ignored(client):
    for target in ["https://evil.example/", "//evil.example/", "/\\evil.example"]:
        response = client.submit_form(
            f"/feedback?from_path={target}", {"rating": "satisfied", "comments": ""}
        )
        assert response.headers["Location"] == "/"


@given(
    rating=st.one_of(st.sampled_from([r.value for r in FeedbackRating]), st.text(max_size=40)),
    comments=st.text(max_size=1500),
)
def test_no_answer_a_person_can_send_causes_an_error_page(client, rating, comments):
    response = client.submit_form("/feedback", {"rating": rating, "comments": comments})
    assert response.status_code in {302, 400}


def test_invisible_control_characters_are_removed_before_saving(client, session):
    client.submit_form("/feedback", {"rating": "satisfied", "comments": "a\x00b\x07c\nd"})
    assert session.scalars(select(Feedback.comments)).one() == "abc\nd"
