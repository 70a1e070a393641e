"""Case studies' test data: the answers to every question page. Participants with places
in a facilitator's group (``make_member``) are made by ``tests/fixtures/factories.py``."""

from __future__ import annotations

STORY = {
    "title": {"title": "How a Preston bakery found its bakers"},
    "challenge": {"challenge": "We could not recruit.\n\nOrders went unmet."},
    "help": {"group_help": "Others shared what worked.", "one_to_one_help": ""},
    "actions": {"actions": "We started an apprenticeship."},
    "outcomes": {"outcomes": "Two apprentices joined and orders are met."},
    "figures": {
        "jobs_created": "2",
        "jobs_safeguarded": "",
        "turnover_change_pounds": "25,000",
        "cost_savings_pounds": "",
        "new_markets": "",
    },
    "issues": {"issues": ["staffing"]},
    "quote": {"quote": "The group changed how I hire."},
}
CONSENT = {
    "named": {"named": "named"},
    "uses": {"uses": ["website", "reports"]},
    "period": {"years": "5"},
    "confirm": {"confirm": ["agree", "may_agree_for_business"]},
}


def answer_pages(client, base: str, pages: dict[str, dict]) -> str:
    """Answer each page in order; returns where the last one led."""
    location = ""
    for slug, data in pages.items():
        response = client.submit_form(f"{base}/question/{slug}", data)
        assert response.status_code == 302, (slug, response.get_data(as_text=True)[:2000])
        location = response.headers["Location"]
    return location
