"""The satisfaction figures from survey answers match values worked out by hand.

The hand-computed fixture: 12 participants invited to the exit survey. 10 answered overall
satisfaction: 6 very satisfied, 3 fairly satisfied, 1 neither. The other 2 are
non-respondents: 1 never answered, and 1 sent a paper form (keyed in) with that question
left blank, a skipped answer. So:

- satisfaction rating = (3 + 6) / 10 = 90.0% (n = 10)
- very satisfied = 6 / 10 = 60.0% (n = 10)
- response rate = 10 / 12 = 83.3%
- would recommend (0-10): 11 answered it (the paper form did): 10 said 9 and 1 said 5, so
  promoters 10, detractors 1 → NPS = (10 - 1) / 11 = 81.8
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from portal.auth.models import Role
from portal.db_base import utcnow
from portal.outcomes.figures_inputs import (
    MeasureCounts,
    answer_counts,
    percent,
    recommend_figures,
    satisfaction_figures,
)
from portal.surveys.invitations import invite_to_baseline, invite_to_exit
from portal.surveys.models import SurveyTiming
from tests.fixtures.factories import answer_exit

OVERALL = ["very_satisfied"] * 6 + ["fairly_satisfied"] * 3 + ["neither"]


@pytest.fixture
def answered(app, session, make_group, make_user):
    """The fixture in the module docstring, in one round of two cohorts."""
    now = utcnow()
    first = make_group(members=7, held=1)
    second = make_group(members=5, held=1, programme_round=first.round)
    officer = make_user(Role.OFFICER)
    places = first.places + second.places
    with app.app_context():
        invitations = [invite_to_exit(session, place, now=now) for place in places]
        for invitation, overall in zip(invitations, OVERALL, strict=False):
            answer_exit(
                session,
                invitation,
                now=now,
                overall=overall,
                recommend=5 if overall == "neither" else 9,
            )
        answer_exit(session, invitations[10], now=now, overall=None, keyed_in_by=officer)
        # invitations[11]: never answered.
    session.commit()
    return first.round, now


def test_the_satisfaction_figures_match_hand_computed_values(session, answered):
    programme_round, now = answered
    (counts,) = answer_counts(session, as_at=now)
    assert counts.round_id == programme_round.id
    assert counts.answers == {"fairly_satisfied": 3, "neither": 1, "very_satisfied": 6}
    assert (counts.respondents, counts.invited) == (10, 12)

    figures = satisfaction_figures(counts)
    assert figures.satisfaction_rating == Decimal("90.0")
    assert figures.very_satisfied_rate == Decimal("60.0")
    assert figures.response_rate == Decimal("83.3")
    assert (figures.satisfied, figures.very_satisfied, figures.respondents) == (9, 6, 10)

    (recommend,) = answer_counts(session, as_at=now, measure_code="would_recommend")
    assert recommend.answers == {"5": 1, "9": 10}  # the paper form answered it
    nps = recommend_figures(recommend)
    assert (nps.promoters, nps.detractors, nps.respondents) == (10, 1, 11)
    assert nps.net_promoter_score == Decimal("81.8")


def test_only_answers_sent_by_the_date_count(app, session, answered, make_group):
    programme_round, now = answered
    before = now - dt.timedelta(seconds=1)
    assert answer_counts(session, as_at=before) == []  # nobody invited yet then

    # An answer still in progress, and an answer in another timing, do not count.
    late = make_group(members=2, held=1, programme_round=programme_round)
    later = now + dt.timedelta(days=1)
    with app.app_context():
        one, two = (invite_to_exit(session, place, now=later) for place in late.places)
        answer_exit(session, one, now=later, overall="very_dissatisfied", submit=False)
        answer_exit(session, two, now=later + dt.timedelta(days=1), overall="very_satisfied")
        invite_to_baseline(session, late.places[0], now=later)
    session.commit()

    (as_then,) = answer_counts(session, as_at=now)
    assert (as_then.respondents, as_then.invited) == (10, 12)
    (next_day,) = answer_counts(session, as_at=later)
    assert (next_day.respondents, next_day.invited) == (10, 14)
    (after,) = answer_counts(session, as_at=later + dt.timedelta(days=2))
    assert after.answers["very_satisfied"] == 7
    assert (after.respondents, after.invited) == (11, 14)
    assert answer_counts(session, as_at=after.as_at, timing=SurveyTiming.BASELINE)[0].invited == 1
    assert answer_counts(session, as_at=now, round_ids=[programme_round.id + 1]) == []


def test_percentages_round_half_up_on_exact_decimals():
    assert percent(193, 200) == Decimal("96.5")
    assert percent(1, 8) == Decimal("12.5")
    assert percent(1, 3) == Decimal("33.3")
    assert percent(2, 3) == Decimal("66.7")
    assert percent(0, 0) is None
    counts = MeasureCounts(1, SurveyTiming.EXIT, "overall_satisfaction", utcnow(), {}, 0, 4)
    assert satisfaction_figures(counts).satisfaction_rating is None
    assert satisfaction_figures(counts).response_rate == Decimal("0.0")
