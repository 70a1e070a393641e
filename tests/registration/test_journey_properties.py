"""Whatever a person sends to a question page: never an error page, never half an answer."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from portal.auth.models import Role
from portal.registration import journey
from portal.registration.models import Application
from portal.rounds.models import RoundStatus
from tests.registration.journey_answers import ELIGIBLE_ANSWERS

FIELDS = sorted({name for answers in ELIGIBLE_ANSWERS.values() for name in answers})
values = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", "0", "-1", "1e9", "NaN", "31", "2", "outside", "preston", "yes", "I"]),
)


@pytest.fixture
def started(client, make_round, signed_in_as, session):
    make_round(
        name="Round 3",
        year_label="2026-27",
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2027, 3, 31),
        status=RoundStatus.OPEN,
    )
    signed_in_as(Role.PARTICIPANT)
    client.submit_form("/register/start", {}, from_page="/register/")
    token = client.csrf_token_from("/register/question/role")
    return token


@given(
    step=st.sampled_from([step.slug for step in journey.STEPS]),
    answers=st.dictionaries(
        st.sampled_from(FIELDS), st.one_of(values, st.lists(values, max_size=4))
    ),
)
def test_no_answer_causes_an_error_page_or_a_half_saved_step(
    client, started, session, step, answers
):
    before = _snapshot(session)
    response = client.post(f"/register/question/{step}", data={"csrf_token": started, **answers})
    assert response.status_code in {302, 400}, response.get_data(as_text=True)[:1000]
    if response.status_code == 400:
        assert _snapshot(session) == before, "a refused page changed nothing"


def _snapshot(session):
    session.rollback()
    session.expire_all()
    application = session.scalars(select(Application)).one()
    return (
        application.phone,
        application.business_name,
        application.postcode,
        application.employees,
        application.started_trading_on,
        tuple(sorted(application.answered_steps)),
        len(application.issues),
        len(application.availability),
        len(application.conflicts),
        len(application.ownership),
    )
