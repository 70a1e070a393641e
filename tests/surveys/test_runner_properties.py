"""Whatever is sent to the survey runner: never an error page, and a refused page changes
nothing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from portal.db_base import utcnow
from portal.surveys.definitions import load_definitions
from portal.surveys.invitations import invite_to_exit
from portal.surveys.models import SurveyAnswer, SurveyResponse
from tests.surveys.conftest import survey_path

PAGES = [
    "overall",
    "group",
    "one-to-one",
    "one-to-one-satisfaction",
    "issues-addressed",
    "actions",
    "recommend",
    "improve",
    "check-your-answers",
    "..",
    "%00",
]
FIELDS = [
    "overall_satisfaction",
    "facilitator_satisfaction",
    "sessions_satisfaction",
    "one_to_one_used",
    "one_to_one_satisfaction",
    "issues_addressed",
    "actions_taken",
    "actions_detail",
    "would_recommend",
    "improvements",
    "submit",
]
values = st.one_of(
    st.text(max_size=2100),
    st.sampled_from(
        ["", "yes", "no", "none", "very_satisfied", "staffing", "10", "11", "-1", "1e3", "９"]
    ),
)


@pytest.fixture
def started(app, client, session, make_group, outbox):
    group = make_group(members=1, held=1)
    with app.app_context():
        load_definitions(session)
        invite_to_exit(session, group.places[0], now=utcnow())
    session.commit()
    path = survey_path(outbox, group.people[0])
    client.submit_form(path, {})
    return path, client.csrf_token_from(f"{path}/page/overall")


def _snapshot(session):
    session.rollback()
    session.expire_all()
    response = session.scalars(select(SurveyResponse)).one()
    answers = sorted(
        (a.measure_code, a.choice, tuple(a.choices or ()), a.number, a.text)
        for a in session.scalars(select(SurveyAnswer))
    )
    session.commit()
    return response.status, tuple(response.answered_pages), answers


@given(
    page=st.sampled_from(PAGES),
    answers=st.dictionaries(
        st.sampled_from(FIELDS), st.one_of(values, st.lists(values, max_size=4))
    ),
)
def test_no_answer_causes_an_error_page_or_a_half_saved_page(
    client, session, started, page, answers
):
    path, token = started
    before = _snapshot(session)
    target = f"{path}/{page}" if page == "check-your-answers" else f"{path}/page/{page}"
    response = client.post(target, data={"csrf_token": token, **answers})
    assert response.status_code in {200, 302, 400, 404}, response.get_data(as_text=True)[:1000]
    if response.status_code in {400, 404}:
        assert _snapshot(session) == before, "a refused page changed nothing"
