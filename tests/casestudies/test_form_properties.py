"""Whatever is sent to the case study's pages: never an error page, and a refused page
changes nothing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from portal.casestudies import journey
from portal.casestudies.models import CaseStudy
from tests.fixtures.users import sign_in

FIELDS = [
    "title",
    "challenge",
    "group_help",
    "one_to_one_help",
    "actions",
    "outcomes",
    "jobs_created",
    "jobs_safeguarded",
    "turnover_change_pounds",
    "cost_savings_pounds",
    "new_markets",
    "issues",
    "quote",
    "named",
    "uses",
    "years",
    "confirm",
]
values = st.one_of(
    st.text(max_size=2100),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "1,000",
            "£5",
            "1e9",
            "99999999999999999999",
            "staffing",
            "website",
            "named",
            "anonymous",
            "5",
            "4",
            "agree",
            "may_agree_for_business",
            "<b>x</b>",
        ]
    ),
)


@pytest.fixture
def writing(client, session, make_member):
    member = make_member()
    sign_in(client, member.person)
    client.submit_form("/case-study/start", {}, from_page="/case-study/")
    return client.csrf_token_from("/case-study/question/title")


def _snapshot(session):
    session.rollback()
    session.expire_all()
    story = session.scalars(select(CaseStudy)).one()
    session.commit()
    return tuple(
        getattr(story, name)
        if not isinstance(getattr(story, name), list)
        else tuple(getattr(story, name))
        for name in (
            "status",
            "title",
            "challenge",
            "group_help",
            "one_to_one_help",
            "actions",
            "outcomes",
            "jobs_created",
            "jobs_safeguarded",
            "turnover_change_pounds",
            "cost_savings_pounds",
            "new_markets",
            "issue_codes",
            "quote",
            "named",
            "uses",
            "consent_years",
            "answered_steps",
        )
    )


@given(
    slug=st.sampled_from([step.slug for step in journey.STEPS] + ["nothing", "..", "check"]),
    answers=st.dictionaries(
        st.sampled_from(FIELDS), st.one_of(values, st.lists(values, max_size=4))
    ),
)
def test_no_answer_causes_an_error_page_or_a_half_saved_page(
    client, session, writing, slug, answers
):
    before = _snapshot(session)
    response = client.post(f"/case-study/question/{slug}", data={"csrf_token": writing, **answers})
    assert response.status_code in {302, 400, 404}, response.get_data(as_text=True)[:1000]
    if response.status_code != 302:
        assert _snapshot(session) == before, "a refused page changed nothing"
