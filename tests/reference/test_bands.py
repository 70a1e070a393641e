"""One set of turnover bands: every turnover in exactly one band, labels that do not
overlap, and registration and the surveys asking the same bands (issue 21, section 4)."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest

from portal.reference.bands import TurnoverBand, turnover_options
from portal.registration.forms import TurnoverForm
from portal.surveys.definitions import current_version, definition_file, read_definition
from portal.surveys.models import SurveyTiming


def pounds_in(label: str) -> list[int]:
    return [int(n.replace(",", "")) for n in re.findall(r"£([\d,]+)", label)]


def test_every_turnover_is_in_exactly_one_band_and_the_labels_say_so():
    bands = list(TurnoverBand)
    assert bands[0].lower_pounds == 0
    assert bands[-1].upper_pounds is None
    for lower, upper in pairwise(bands):
        assert upper.lower_pounds == lower.upper_pounds + 1  # no gap, no overlap
    for band in bands:
        named = pounds_in(band.label)
        if band.upper_pounds is None:
            assert named == [band.lower_pounds - 1]  # "Over £5,000,000"
        elif band.lower_pounds == 0:
            assert named == [band.upper_pounds + 1]  # "Under £50,000"
        else:
            assert named == [band.lower_pounds, band.upper_pounds]
    for pounds in (0, 49_999, 50_000, 100_000, 100_001, 250_000, 1_000_000, 1_000_001, 10**9):
        (band,) = [
            b
            for b in bands
            if b.lower_pounds <= pounds and (b.upper_pounds is None or pounds <= b.upper_pounds)
        ]
        assert TurnoverBand.containing(pounds) is band
    with pytest.raises(ValueError, match="negative"):
        TurnoverBand.containing(-1)


def test_registration_and_the_surveys_ask_the_same_bands():
    registration = [(c.value, c.label) for c in TurnoverForm.turnover_band.kwargs["choices"]]
    bands = [(option["value"], option["label"]) for option in turnover_options()]
    assert registration == bands
    for timing in (SurveyTiming.BASELINE, SurveyTiming.FOLLOW_UP):
        data = read_definition(definition_file(timing))
        (question,) = [
            q
            for page in data["pages"]
            for q in page["questions"]
            if q["measure_code"] == "turnover_band"
        ]
        assert question["options_from"] == "turnover_bands"


def test_a_loaded_survey_offers_the_bands_then_prefer_not_to_say(app, session, surveys_loaded):
    with app.app_context():
        version = current_version(session, SurveyTiming.BASELINE)
    (question,) = [q for q in version.questions if q.measure_code == "turnover_band"]
    assert [o["label"] for o in question.options] == [
        "Under £50,000",
        "£50,000 to £100,000",
        "£100,001 to £250,000",
        "£250,001 to £1,000,000",
        "£1,000,001 to £5,000,000",
        "Over £5,000,000",
        "Prefer not to say",
    ]
