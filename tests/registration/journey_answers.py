"""Answers for walking the registration journey in tests: an eligible business by default."""

from __future__ import annotations

from typing import Any

ELIGIBLE_ANSWERS: dict[str, dict[str, Any]] = {
    "role": {"role_in_business": "owner"},
    "phone": {"phone": "01632 960 001"},
    "business": {"business_name": "O'Neill & Daughters Bakery Ltd", "company_number": "1234567"},
    "location": {"postcode": "pr1 2he", "district": "preston"},
    "sector": {"sector": "I", "sic_code": ""},
    "employees": {"employees": "7.5"},
    "turnover": {"turnover_band": "250k_to_1m"},
    "trading": {"started_trading_on": ["1", "3", "2015"]},
    "legal-form": {"legal_form": "limited_company"},
    "ownership": {
        "fact_women_led": "yes",
        "fact_ethnic_minority_led": "prefer_not_to_say",
        "fact_family_owned": "yes",
        "fact_social_enterprise": "no",
        "fact_disabled_led": "prefer_not_to_say",
        "fact_young_owner": "no",
    },
    "organisations": {"organisations": ["nw-lancs-chamber"], "organisations_other": ""},
    "issues": {"issues": ["staffing", "marketing"], "issues_other": "Energy costs"},
    "delivery": {"delivery": "either"},
    "availability": {"morning": ["1", "3"], "afternoon": [], "evening": ["0"]},
    "conflicts": {"competitors": "Bun Shop Ltd\nPreston Pies", "customers": "", "suppliers": ""},
    "choices": {"choices": ["share_with_cohort"]},
}


def answer_every_question(client, *, base: str = "/register", overrides=None) -> None:
    """POST each question page's answers in order, checking each is accepted."""
    answers = {step: dict(values) for step, values in ELIGIBLE_ANSWERS.items()}
    for step, values in (overrides or {}).items():
        answers[step].update(values)
    for step, values in answers.items():
        path = f"{base}/question/{step}"
        response = client.submit_form(path, values)
        assert response.status_code == 302, (step, response.get_data(as_text=True)[:2000])
