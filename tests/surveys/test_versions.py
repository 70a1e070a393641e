"""Officers publish a new version of a survey without code: reword, retire, add. Responses
keep the version they started on; measure codes keep their meaning."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.auth.models import Role
from portal.db_base import utcnow
from portal.surveys.definitions import current_version, load_definitions
from portal.surveys.invitations import invite_to_exit
from portal.surveys.models import SurveyQuestion, SurveyResponse, SurveyTiming, SurveyVersion
from portal.surveys.questions import DefinitionProblem, check_questions
from tests.fixtures.pages import check_page, error_messages
from tests.surveys.conftest import survey_path

DRAFT = "/surveys/questions/exit/draft"


def question_id(session, code: str, published: bool = False) -> int:
    session.rollback()
    query = (
        select(SurveyQuestion.id)
        .join(SurveyVersion, SurveyVersion.id == SurveyQuestion.version_id)
        .where(SurveyQuestion.measure_code == code)
    )
    if published:
        query = query.where(SurveyVersion.published_at.is_not(None))
    else:
        query = query.where(SurveyVersion.published_at.is_(None))
    found = session.scalar(query.order_by(SurveyQuestion.id.desc()))
    session.commit()
    return found


def test_loading_the_definitions_twice_adds_nothing(app, session, surveys_loaded):
    with app.app_context():
        assert load_definitions(session) == 0
    exit_version = current_version(session, SurveyTiming.EXIT)
    kinds = {q.measure_code: q.kind.value for q in exit_version.questions}
    assert kinds["overall_satisfaction"] == "satisfaction"
    assert kinds["would_recommend"] == "recommend"
    assert exit_version.number == 1


def test_an_officer_rewords_retires_and_adds_then_publishes(
    app, client, session, signed_in_as, make_group, outbox
):
    group = make_group(members=2, held=1)
    with app.app_context():
        started = invite_to_exit(session, group.places[0], now=utcnow())
        later = invite_to_exit(session, group.places[1], now=utcnow())
    session.commit()
    early_link = survey_path(outbox, group.people[0])
    client.submit_form(early_link, {})  # starts on version 1

    signed_in_as(Role.OFFICER)
    client.submit_form(
        "/surveys/questions/exit/draft/start", {}, from_page="/surveys/questions/exit"
    )
    overall = question_id(session, "overall_satisfaction")
    reword = f"{DRAFT}/questions/{overall}/wording"
    emptied = client.submit_form(reword, {"text": "  "})
    assert error_messages(check_page(emptied, status=400)) == ["Enter the question"]
    client.submit_form(reword, {"text": "All in all, how satisfied are you with Peer Networks?"})

    retire_overall = client.submit_form(f"{DRAFT}/questions/{overall}/retire", {})
    assert "cannot be retired" in check_page(retire_overall, status=400).text
    used = question_id(session, "one_to_one_used")
    depended_on = client.submit_form(f"{DRAFT}/questions/{used}/retire", {})
    assert "Retire that question first" in check_page(depended_on, status=400).text
    improvements = question_id(session, "improvements")
    assert client.submit_form(f"{DRAFT}/questions/{improvements}/retire", {}).status_code == 302

    add = f"{DRAFT}/questions/add"
    clash = client.submit_form(
        add,
        {
            "kind": "number",
            "text": "How satisfied?",
            "required": "yes",
            "measure_code": "facilitator_satisfaction",
            "after": str(overall),
        },
    )
    assert error_messages(check_page(clash, status=400)) == [
        "This survey already has a question with this measure code"
    ]
    inside_group = client.submit_form(
        add,
        {
            "kind": "satisfaction",
            "text": "How satisfied are you with the venue?",
            "required": "no",
            "measure_code": "venue_satisfaction",
            "after": str(question_id(session, "facilitator_satisfaction")),
        },
    )
    assert "would split a page" in check_page(inside_group, status=400).text
    added = client.submit_form(
        add,
        {
            "kind": "single_choice",
            "text": "How did you hear about Peer Networks?",
            "options": "From the Growth Hub\nFrom a business network\nSomewhere else",
            "required": "yes",
            "error_message": "Select how you heard about Peer Networks",
            "measure_code": "heard_from",
            "after": str(overall),
        },
    )
    assert added.status_code == 302, added.get_data(as_text=True)[:2000]
    client.submit_form(f"{DRAFT}/publish", {"note": "Reworded overall; asked how people heard"})

    session.rollback()
    version = current_version(session, SurveyTiming.EXIT)
    assert version.number == 2
    assert version.change_note.startswith("Reworded overall")
    codes = [q.measure_code for q in version.questions]
    assert codes[:2] == ["overall_satisfaction", "heard_from"]
    assert "improvements" not in codes
    heard = version.questions[1]
    assert [o["value"] for o in heard.options] == [
        "from_the_growth_hub",
        "from_a_business_network",
        "somewhere_else",
    ]
    session.commit()

    # The person who started keeps version 1; a new starter gets version 2.
    other = app.test_client()
    late_link = survey_path(outbox, group.people[1])
    other.submit_form(late_link, {})
    session.rollback()
    by_invitation = {
        r.invitation_id: r.version.number for r in session.scalars(select(SurveyResponse))
    }
    assert by_invitation == {started.id: 1, later.id: 2}
    page = check_page(other.get(f"{late_link}/page/overall"))
    assert page.h1.get_text(strip=True) == "All in all, how satisfied are you with Peer Networks?"


def test_a_draft_question_of_another_version_is_not_found(
    client, session, signed_in_as, surveys_loaded
):
    signed_in_as(Role.OFFICER)
    client.submit_form(
        "/surveys/questions/exit/draft/start", {}, from_page="/surveys/questions/exit"
    )
    published = question_id(session, "overall_satisfaction", published=True)
    assert client.get(f"{DRAFT}/questions/{published}/wording").status_code == 404
    assert client.get("/surveys/questions/nonsense").status_code == 404


def test_draft_pages_without_a_draft_lead_back_to_start_one(
    client, session, signed_in_as, surveys_loaded
):
    signed_in_as(Role.OFFICER)
    question = question_id(session, "overall_satisfaction", published=True)
    for path in (DRAFT, f"{DRAFT}/questions/{question}/wording", f"{DRAFT}/questions/add"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].endswith("/surveys/questions/exit"), path
        page = check_page(client.get("/surveys/questions/exit"))
        assert "Start a new version to change the questions." in page.get_text(), path


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"measure_code": "Bad Code"}, "is not a measure code"),
        ({"options": [{"value": "a", "label": "A"}]}, "needs at least 2 options"),
        ({"show_if": {"measure_code": "missing", "any_of": ["yes"]}}, "earlier page"),
        ({"min_value": 10, "max_value": 1, "kind": "number"}, "above the largest"),
    ],
)
def test_a_definition_that_breaks_a_rule_is_refused(change, problem):
    from portal.surveys.models import QuestionKind

    fields = {
        "measure_code": "choice",
        "kind": "single_choice",
        "text": "Which?",
        "required": True,
        "page_key": "one",
        "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
        "min_value": None,
        "max_value": None,
        "max_length": None,
        "show_if": {},
    }
    fields.update(change)
    fields["kind"] = QuestionKind(fields["kind"])
    with pytest.raises(DefinitionProblem, match=problem):
        check_questions([SurveyQuestion(**fields)])
