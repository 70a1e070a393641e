"""By keyboard alone (WCAG 2.1.1), with focus always visible (2.4.7) and never hidden (2.4.11):
the journeys of the roles that had no keyboard journey yet.

After the first ``page.goto`` every step is a key: Tab (or Shift+Tab) until the control
wanted has focus, then Enter, Space, the arrow keys or typing. After every key the focused
element is checked: it is not the page itself (focus lost), it shows GOV.UK's focus style
(the yellow #ffdd00 outline, shadow or background; for a radio or checkbox, on the circle or
box its label draws), its box is inside the viewport, and nothing covers it at its centre
(``document.elementFromPoint``). axe checks every page on the way. Where the portal moves
focus itself (the error summary, a success banner), the journey checks it is there.

Two problems these journeys found are fixed in static/js/focus.mjs: the skip link put
``#main-content`` in the address, which took focus away from the error summary or success
banner on the next page; and a control that took focus while partly below the window (a
text area) stayed cut off.

The data comes from the builders of the mouse journeys (test_coaching, test_surveys,
test_forming, test_case_studies, test_dashboard), so the pages are the same ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import pyotp
import pytest
from sqlalchemy import select

from portal.auth.models import Role
from portal.casestudies.models import CaseStudy, CaseStudyStatus
from portal.coaching.models import Booking, BookingStatus
from portal.cohorts.models import Cohort
from portal.surveys.models import ResponseStatus, SurveyResponse
from portal.timefmt import govuk_date
from tests.browser.test_coaching import booking_day
from tests.browser.test_coaching import programme as programme  # the fixture
from tests.browser.test_dashboard import tiny_round as tiny_round  # the fixture
from tests.browser.test_surveys import invited as invited  # the fixture, and those it uses
from tests.casestudies.conftest import CONSENT, STORY, answer_pages
from tests.fixtures.browser import assert_accessible
from tests.fixtures.factories import set_up_coach
from tests.fixtures.users import PASSWORD, TOTP_SECRET
from tests.fixtures.users import sign_in as sign_in_client
from tests.surveys.conftest import survey_path

pytestmark = pytest.mark.browser

# More Tab presses than this to reach a control means it cannot be reached (or focus is stuck).
MOST_TABS = 80

FOCUSED = """
(targets) => {
  const FOCUS_COLOUR = "rgb(255, 221, 0)";  // GOV.UK's $govuk-focus-colour, #ffdd00
  const element = document.activeElement;
  const describe = (node) => {
    if (!node) return "nothing";
    const id = node.id ? "#" + node.id : "";
    const text = (node.getAttribute("aria-label") || node.innerText || node.value || "")
      .replace(/\\s+/g, " ").trim().slice(0, 60);
    return node.tagName.toLowerCase() + id + (text ? ` "${text}"` : "");
  };
  if (!element || element === document.body || element === document.documentElement) {
    return {element: null, problems: ["focus is lost (on the page itself)"], reached: false};
  }
  const problems = [];
  const choice = element.matches(".govuk-radios__input, .govuk-checkboxes__input");
  // Where focus shows: a radio or checkbox is drawn by its label, the input is transparent.
  const label = choice ? element.labels[0] : null;
  const shown = [element, ...(label ? [label] : [])];
  const styles = shown.flatMap((node) => [
    getComputedStyle(node),
    getComputedStyle(node, "::before"),
    getComputedStyle(node, "::after"),
  ]);
  const indicated = styles.some(
    (style) =>
      (style.outlineStyle !== "none" &&
        parseFloat(style.outlineWidth) >= 2 &&
        style.outlineColor === FOCUS_COLOUR) ||
      style.boxShadow.includes(FOCUS_COLOUR) ||
      style.backgroundColor === FOCUS_COLOUR,
  );
  // The skip link's target (main) takes focus only to move the starting point, as GOV.UK does.
  const skipTarget = element.classList.contains("govuk-skip-link-focused-element");
  if (!indicated && !skipTarget) problems.push("no visible focus indicator");
  const style = getComputedStyle(element);
  if (style.visibility === "hidden" || style.display === "none") problems.push("hidden");
  const boxes = [...element.getClientRects()].filter((box) => box.width > 0 && box.height > 0);
  if (!boxes.length) {
    problems.push("has no size");
  } else if (!skipTarget) {
    const whole = element.getBoundingClientRect();
    if (
      whole.top < -1 || whole.left < -1 ||
      whole.bottom > window.innerHeight + 1 || whole.right > window.innerWidth + 1
    ) {
      problems.push(
        `not wholly in the viewport (${Math.round(whole.left)},${Math.round(whole.top)} to ` +
        `${Math.round(whole.right)},${Math.round(whole.bottom)})`,
      );
    }
    const box = boxes[0];
    const x = Math.min(Math.max(box.left + box.width / 2, 0), window.innerWidth - 1);
    const y = Math.min(Math.max(box.top + box.height / 2, 0), window.innerHeight - 1);
    const top = document.elementFromPoint(x, y);
    const ours =
      top && (element === top || element.contains(top) || (label && label.contains(top)));
    if (!ours) problems.push(`covered at its centre by ${describe(top)}`);
  }
  return {element: describe(element), problems, reached: targets.includes(element)};
}
"""


def focus_now(page, targets: Sequence[Any] = ()) -> dict[str, Any]:
    """What has focus, whether it is one of ``targets`` and what is wrong with how it shows."""
    return page.evaluate(FOCUSED, list(targets))


def assert_focus_visible(
    page, state: dict[str, Any] | None = None, passed: Sequence[str] = ()
) -> str:
    """The focused element shows its focus and is not hidden or covered; returns its name."""
    state = state or focus_now(page)
    assert not state["problems"], (
        f"focus on {state['element']} at {page.url}: {state['problems']}"
        + (f" (after {list(passed)})" if passed else "")
    )
    return state["element"]


def assert_focused(page, target) -> None:
    """``target`` has focus (put there by the page, not by the test), and shows it."""
    assert has_focus(target), f"{target} should have focus on {page.url}, not {focus_now(page)}"
    assert_focus_visible(page)


def told(page) -> str:
    """GOV.UK Frontend moves focus to a success banner so it is read out: its text."""
    banner = page.locator(".govuk-notification-banner--success")
    assert_focused(page, banner)
    return banner.inner_text()


def has_focus(target) -> bool:
    """Whether the element (or one of the elements) ``target`` finds has focus."""
    return target.evaluate_all("found => found.includes(document.activeElement)")


def press(page, key: str) -> None:
    page.keyboard.press(key)
    assert_focus_visible(page)


def tab_to(page, target, *, key: str = "Tab") -> None:
    """Tab (or Shift+Tab) until ``target`` has focus, checking focus at every stop."""
    targets = target.element_handles()
    assert targets, f"{target} is not on {page.url}"
    passed: list[str] = []
    for _ in range(MOST_TABS):
        page.keyboard.press(key)
        state = focus_now(page, targets)
        passed.append(assert_focus_visible(page, state, passed))
        if state["reached"]:
            return
    raise AssertionError(f"{target} never had focus after {MOST_TABS} presses of {key}: {passed}")


def after_loading(page) -> None:
    """A new page: axe checks it, and what has focus (if anything) shows it."""
    assert_accessible(page)
    if page.evaluate("document.activeElement !== document.body"):
        assert_focus_visible(page)


def activate(page, target, key: str = "Enter") -> None:
    """Tab to a link or button and press Enter (or Space): the next page loads."""
    tab_to(page, target)
    with page.expect_navigation():
        page.keyboard.press(key)
    after_loading(page)


def activate_backwards(page, target, key: str = "Enter") -> None:
    """Shift+Tab back to a link or button and press Enter: the next page loads."""
    tab_to(page, target, key="Shift+Tab")
    with page.expect_navigation():
        page.keyboard.press(key)
    after_loading(page)


def type_into(page, field, text: str) -> None:
    """Tab to a field and type, replacing what it held."""
    tab_to(page, field)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    assert field.input_value() == text


def choose(page, group, option: str) -> None:
    """Tab into a radio group (at its chosen or first option), then arrow keys to ``option``."""
    radios = group.get_by_role("radio")
    wanted = group.get_by_label(option, exact=True)
    tab_to(page, radios)
    if not wanted.is_checked():
        press(page, "Space")  # the option Tab landed on, if none was chosen yet
    for _ in range(radios.count()):
        if wanted.is_checked():
            break
        press(page, "ArrowDown")  # moves to the next option and chooses it
    assert wanted.is_checked(), option
    assert has_focus(wanted)


def tick(page, checkbox) -> None:
    tab_to(page, checkbox)
    press(page, "Space")
    assert checkbox.is_checked()


def skip_to_main(page) -> None:
    """The first Tab on a page reaches the skip link; Enter moves the start to the content.

    The address does not change: with ``#main-content`` in it, the next page (after a form
    is sent, even through a redirect) kept the fragment, and scrolling to it there took focus
    away from the error summary or success banner GOV.UK Frontend had focused.
    """
    press(page, "Tab")
    assert_focused(page, page.get_by_role("link", name="Skip to main content"))
    address = page.url
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
    assert page.url == address


def heading(page) -> str:
    return page.get_by_role("heading", level=1).inner_text().strip()


def main_text(page) -> str:
    return page.locator("main").inner_text()


def sign_in_to(page, path: str, email: str, *, code: bool = False) -> None:
    """Open ``path`` (the only ``goto``): it asks for sign-in, by keyboard, then shows."""
    page.goto(path)
    after_loading(page)
    assert heading(page) == "Sign in"
    skip_to_main(page)
    type_into(page, page.get_by_label("Email address"), email)
    type_into(page, page.get_by_label("Password", exact=True), PASSWORD)
    activate(page, page.get_by_role("button", name="Sign in"))
    if code:
        assert heading(page) == "Enter your security code"
        skip_to_main(page)
        type_into(page, page.get_by_label("Security code"), pyotp.TOTP(TOTP_SECRET).now())
        activate(page, page.get_by_role("button", name="Continue"))
    assert urlsplit(page.url).path == path


def link_or_button(page, name: str, **kwargs: Any):
    """A link, or a link that looks like a button (GOV.UK's start and action links)."""
    return page.get_by_role("link", name=name, **kwargs).or_(
        page.get_by_role("button", name=name, **kwargs)
    )


def test_a_participant_books_and_cancels_one_to_one_support_by_keyboard(page, session, programme):
    coach, priya = programme["coach"], programme["priya"]
    day = booking_day()
    set_up_coach(session, coach, days=(day.weekday(),), hours=("09:00", "12:00"))
    session.commit()

    sign_in_to(page, "/one-to-one/", priya.email)
    assert heading(page) == "Your one-to-one support"
    activate(page, link_or_button(page, "Book one-to-one support"))
    activate(page, page.get_by_role("link", name="See free times with Colin Coach"))
    activate(page, page.get_by_role("link", name=f"9am on {govuk_date(day, weekday=True)}"))
    assert heading(page) == "Book this time"
    choose(page, page.get_by_role("group", name="What kind of support do you want?"), "Coaching")
    type_into(
        page,
        page.get_by_label("What would you like to talk about?"),
        "Winning our first export order",
    )
    activate(page, page.get_by_role("button", name="Confirm booking"))
    assert "is booked for" in told(page)

    activate(page, link_or_button(page, "Cancel this booking"))
    type_into(
        page, page.get_by_label("Why are you cancelling? (optional)"), "A customer visit came up"
    )
    activate(page, page.get_by_role("button", name="Cancel my booking"))
    assert "Your booking is cancelled" in told(page)

    session.rollback()
    booking = session.scalars(select(Booking).where(Booking.participant_id == priya.id)).one()
    assert (booking.status, booking.support_type) == (BookingStatus.CANCELLED, "coaching")


def test_a_participant_answers_a_survey_from_the_emailed_link_by_keyboard(
    page, session, invited, outbox
):
    page.goto(survey_path(outbox, invited.people[0]))
    after_loading(page)
    assert heading(page) == "How Peer Networks went for you"
    skip_to_main(page)
    activate(page, page.get_by_role("button", name="Start now"))
    save = page.get_by_role("button", name="Save and continue")

    assert heading(page) == "Overall, how satisfied are you with Peer Networks?"
    choose(page, page.get_by_role("group", name=heading(page)), "Very satisfied")
    activate(page, save)
    assert heading(page) == "Your group"
    activate(page, save)  # nothing chosen: the error summary takes focus
    assert page.title().startswith("Error: ")
    assert_focused(page, page.locator(".govuk-error-summary"))
    choose(
        page,
        page.get_by_role("group", name="How satisfied are you with your facilitator?"),
        "Fairly satisfied",
    )
    choose(
        page,
        page.get_by_role("group", name="How satisfied are you with the group sessions?"),
        "Very satisfied",
    )
    activate(page, save)
    choose(
        page,
        page.get_by_role(
            "group", name="Did you have any one-to-one support (coaching, mentoring or advice)?"
        ),
        "Yes",
    )
    activate(page, save)
    assert heading(page) == "How satisfied are you with your one-to-one support?"
    choose(page, page.get_by_role("group", name=heading(page)), "Fairly satisfied")
    activate(page, save)
    assert heading(page) == "Which issues did the programme help you address?"
    tick(page, page.get_by_label("Staffing and recruitment"))
    tick(page, page.get_by_label("Exporting"))
    activate(page, save)
    tick(page, page.get_by_label("Written or changed a business plan"))
    type_into(
        page,
        page.get_by_label("Tell us more about what you did (optional)"),
        "We wrote a plan with our bank.",
    )
    activate(page, save)
    assert heading(page) == (
        "How likely are you to recommend Peer Networks to another business owner?"
    )
    choose(page, page.get_by_role("group", name=heading(page)), "9")
    activate(page, save)
    activate(page, save)  # "What could we do better?" is optional
    assert heading(page) == "Check your answers"
    activate(page, page.get_by_role("button", name="Send answers"))
    assert heading(page) == "Thank you for your answers"

    session.rollback()
    sent = session.scalars(
        select(SurveyResponse).where(SurveyResponse.status == ResponseStatus.SUBMITTED)
    ).one()
    answers = {answer.measure_code: answer for answer in sent.answers}
    assert int(answers["would_recommend"].number) == 9


def test_an_officer_runs_the_matching_and_confirms_a_cohort_by_keyboard(
    page, session, open_round, make_application, make_user
):
    for n in range(10):
        make_application(open_round, business_name=f"Firm {n} Ltd", name=f"Member {n:02d}")
    make_user(Role.OFFICER, email="officer@example.com", name="Olivia Officer")

    sign_in_to(page, "/cohorts/", "officer@example.com", code=True)
    assert heading(page) == "Cohorts"
    activate(page, link_or_button(page, "Run the matching"))
    assert "10 eligible people without a place" in main_text(page)
    activate(page, page.get_by_role("button", name="Run the matching"))
    assert heading(page) == "Matching run"  # a background task: its progress, then the result
    result = page.get_by_role("link", name="Review the proposed cohorts")
    result.wait_for(timeout=30_000)
    assert "The matching proposed 1 cohort placing 10 people" in main_text(page)
    activate(page, result)
    assert heading(page).startswith("Proposed cohorts")
    activate(page, page.get_by_role("link", name="Confirm").first)
    type_into(page, page.get_by_label("Name of the cohort"), "Makers of Preston")
    activate(page, page.get_by_role("button", name="Confirm and send offers"))
    assert "Makers of Preston" in told(page)

    session.rollback()
    assert session.scalars(select(Cohort.name)).all() == ["Makers of Preston"]


def test_an_officer_reviews_and_publishes_a_case_study_by_keyboard(
    page, client, session, make_member, make_user
):
    member = make_member(sector_code="C")
    sign_in_client(client, member.person)
    client.submit_form("/case-study/start", {}, from_page="/case-study/")
    answer_pages(client, "/case-study", {**STORY, **CONSENT})
    client.submit_form("/case-study/check-your-answers", {})
    make_user(Role.OFFICER, email="officer@example.com")

    sign_in_to(page, "/case-studies/", "officer@example.com", code=True)
    activate(page, page.get_by_role("link", name=STORY["title"]["title"]))
    activate(page, page.get_by_role("button", name="Start review"))
    assert told(page)
    activate(page, link_or_button(page, "Decide on this story"))
    choose(page, page.get_by_role("group", name="What is your decision?"), "Approve it")
    activate(page, page.get_by_role("button", name="Save decision"))
    assert told(page)
    activate(page, link_or_button(page, "Publish this story"))
    activate(page, page.get_by_role("button", name="Publish story"))
    assert "The story is published" in told(page)

    session.rollback()
    assert session.scalars(select(CaseStudy.status)).one() == CaseStudyStatus.PUBLISHED


def test_an_officer_changes_the_dashboard_date_and_follows_a_figure_by_keyboard(
    page, make_user, tiny_round
):
    make_user(Role.OFFICER, email="olivia@example.com")

    sign_in_to(page, "/outcomes/", "olivia@example.com", code=True)
    assert heading(page) == "Outcomes"
    assert "Round 9 (2019-20) as at" in main_text(page)

    # As at 19 October 2019: one session held, and Ben had not yet left.
    type_into(page, page.get_by_label("Day"), "19")
    type_into(page, page.get_by_label("Month"), "10")
    type_into(page, page.get_by_label("Year"), "2019")
    activate(page, page.get_by_role("button", name="Show figures"))
    assert "as at 19 October 2019" in main_text(page)
    withdrawn = page.get_by_role("row", name="Withdrawn")
    assert withdrawn.get_by_role("cell").inner_text().split()[0] == "0"

    activate(page, page.get_by_role("link", name="participants: see the records"))
    assert heading(page) == "Participants in Round 9"
    assert "Ann Ashworth" in main_text(page)
    # Back to the dashboard by the back link (Shift+Tab: it is above the content), at that date.
    activate_backwards(page, page.locator("a.govuk-back-link"))
    assert heading(page) == "Outcomes"
    assert "as at 19 October 2019" in main_text(page)
