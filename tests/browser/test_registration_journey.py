"""In a real browser: registering interest in Peer Networks, from the start page to the status.

An eligible owner by keyboard alone (account created on the way), an ineligible business that
corrects its answers, a draft resumed later, a second person from the same business, and an
officer registering someone on their behalf. axe checks every page.

The first test shows and answers every question page by keyboard. The other tests show only
the pages that matter to them and answer the rest with form posts from the same browser
session (see ``answer_the_other_questions``), which keeps the file quick.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pyotp
import pytest
from sqlalchemy import select

from portal.auth.models import Role
from portal.registration.models import Application, ApplicationStatus
from tests.fixtures.browser import CheckedPage, assert_accessible, screenshot
from tests.fixtures.users import PASSWORD, TOTP_SECRET
from tests.fixtures.users import sign_in as sign_in_client
from tests.registration.journey_answers import ELIGIBLE_ANSWERS
from tests.registration.journey_answers import answer_every_question as answer_over_http

pytestmark = pytest.mark.browser

NEW_PASSWORD = "copper kettles hum at noon"


# Small steps, each checking the page it arrives at


def heading(page) -> str:
    return page.get_by_role("heading", level=1).inner_text().strip()


def main_text(page) -> str:
    return " ".join(page.inner_text("main").split())


def answer_shown(page, key: str) -> str:
    """The value of one row of the check answers page."""
    row = page.locator(".govuk-summary-list__row").filter(
        has=page.locator(".govuk-summary-list__key", has_text=key)
    )
    return row.locator(".govuk-summary-list__value").inner_text().strip()


def status_tag(page) -> str:
    return page.locator("main .govuk-tag").inner_text().strip()


def go(page, path: str) -> None:
    page.goto(path)
    assert_accessible(page)


def next_of(page) -> str | None:
    """Where the page's address says to go after signing in."""
    return parse_qs(urlsplit(page.url).query).get("next", [None])[0]


def path_of(link: str) -> str:
    return link.split("peernetworks.example.org.uk", 1)[1]


def group(page, legend: str):
    return page.get_by_role("group", name=legend, exact=True)


class Keyboard:
    """Someone using the keyboard alone: focus a control, then type or press a key."""

    def __init__(self, page) -> None:
        self.page = page

    def type(self, field, text: str) -> None:
        field.focus()
        if field.input_value():
            self.page.keyboard.press("Control+A")
            self.page.keyboard.press("Backspace")
        self.page.keyboard.type(text)

    def lines(self, field, lines: list[str]) -> None:
        field.focus()
        for number, line in enumerate(lines):
            if number:
                self.page.keyboard.press("Enter")  # a new line in a text area, not a submission
            self.page.keyboard.type(line)

    def choose(self, control) -> None:
        """A radio or checkbox: focus it and press Space."""
        control.focus()
        self.page.keyboard.press("Space")
        assert control.is_checked()

    def choose_in_group(self, radios, option: str, key: str = "ArrowDown") -> None:
        """Into a radio group at its first option, then the arrow keys to the one wanted."""
        wanted = radios.get_by_label(option, exact=True)
        radios.get_by_role("radio").first.focus()
        self.page.keyboard.press("Space")
        for _ in range(radios.get_by_role("radio").count()):
            if wanted.is_checked():
                break
            self.page.keyboard.press(key)  # moves to the next option and selects it
        assert wanted.is_checked(), option

    def pick(self, field, option: str) -> None:
        """A closed drop-down list: typing the start of an option selects it."""
        field.focus()
        self.page.keyboard.type(option)
        assert field.evaluate("select => select.selectedOptions[0].text") == option

    def date(self, day: str, month: str, year: str) -> None:
        self.page.get_by_label("Day").focus()
        self.page.keyboard.type(day)
        self.page.keyboard.press("Tab")
        self.page.keyboard.type(month)
        self.page.keyboard.press("Tab")
        self.page.keyboard.type(year)

    def follow(self, target) -> None:
        """A link or button: focus it and press Enter; the next page is checked by axe."""
        target.focus()
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")
        assert_accessible(self.page)


class Mouse(Keyboard):
    """Someone with a mouse, who fills fields in one go and clicks."""

    def type(self, field, text: str) -> None:
        field.fill(text)

    def choose(self, control) -> None:
        control.check()

    def pick(self, field, option: str) -> None:
        field.select_option(label=option)

    def follow(self, target) -> None:
        with self.page.expect_navigation():
            target.click()
        assert_accessible(self.page)


def sign_in(page, email: str, password: str = PASSWORD, code: str | None = None) -> None:
    """From the sign-in page already shown, with the mouse (not the subject of the test)."""
    mouse = Mouse(page)
    assert heading(page) == "Sign in"
    mouse.type(page.get_by_label("Email address"), email)
    mouse.type(page.get_by_label("Password", exact=True), password)
    mouse.follow(page.get_by_role("button", name="Sign in"))
    if code is not None:
        mouse.type(page.get_by_label("Security code"), code)
        mouse.follow(page.get_by_role("button", name="Continue"))


def sign_in_to_register(page, email: str) -> None:
    """Visiting the registration pages signed out asks for sign-in, then carries on there."""
    go(page, "/register/")
    assert next_of(page) == "/register/"
    sign_in(page, email)
    assert page.url.endswith("/register/")
    assert heading(page) == "Register your interest in Peer Networks"


def start_registering(hands: Keyboard) -> None:
    """From the registration start page: on to the first question not answered yet."""
    assert "Round 3 (2026-27)" in main_text(hands.page)
    hands.follow(hands.page.get_by_role("button", name="Start"))


@contextmanager
def another_browser(page, base_url: str) -> Iterator[Any]:
    """A second person's browser: its own cookies, every page it loads checked by axe too."""
    context = page.context.browser.new_context(
        base_url=base_url, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    other = context.new_page()
    record = CheckedPage()
    other.portal_record = record
    other.on("load", lambda loaded: record.loaded.append(loaded.url))
    try:
        yield other
        assert not record.unchecked(), f"pages visited without an axe check: {record.unchecked()}"
    finally:
        context.close()


# The 16 question pages


def expect_question(page, title: str, caption: str) -> None:
    assert heading(page) == title
    assert page.locator(".govuk-caption-l").inner_text() == caption


def answer_every_question(hands: Keyboard) -> None:
    """Answer each question page in order and continue, arriving at the check answers page."""
    page = hands.page
    caption = "Register your interest"

    def next_question() -> None:
        hands.follow(page.get_by_role("button", name="Continue", exact=True))
        assert not page.title().startswith("Error"), main_text(page)[:500]

    expect_question(page, "What is your role in the business?", caption)
    hands.choose(page.get_by_label("Owner", exact=True))
    next_question()

    expect_question(page, "What is your phone number?", caption)
    hands.type(page.get_by_label("What is your phone number?"), "01632 960 001")
    next_question()

    expect_question(page, "What is your business called?", caption)
    hands.type(page.get_by_label("Business name"), "O'Neill & Daughters Bakery Ltd")
    hands.type(page.get_by_label("Companies House number (optional)"), "1234567")
    next_question()

    expect_question(page, "Where is your business?", caption)
    hands.type(page.get_by_label("Postcode of the business's trading address"), "pr1 2he")
    hands.pick(page.get_by_label("Which area is it in?"), "Preston")
    next_question()

    expect_question(page, "What does your business mainly do?", caption)
    hands.choose(page.get_by_label("Accommodation and food services"))
    next_question()

    expect_question(page, "How many people work in the business?", caption)
    hands.type(page.get_by_label("How many people work in the business?"), "7.5")
    next_question()

    expect_question(page, "What was the business's turnover in its last financial year?", caption)
    turnover = group(page, "What was the business's turnover in its last financial year?")
    hands.choose_in_group(turnover, "£250,001 to £1,000,000")
    next_question()

    expect_question(page, "When did the business start trading?", caption)
    hands.date("1", "3", "2015")
    next_question()

    expect_question(page, "What type of business is it?", caption)
    hands.choose(page.get_by_label("Limited company", exact=True))
    next_question()

    expect_question(page, "Who owns and runs the business", caption)
    for fact, answer in [
        ("Women-led", "Yes"),
        ("Ethnic-minority-led", "Prefer not to say"),
        ("Family-owned", "Yes"),
        ("Social enterprise", "No"),
        ("Disabled-led", "Prefer not to say"),
        ("Young business owner", "No"),
    ]:
        hands.choose_in_group(group(page, fact), answer, key="ArrowRight")
    next_question()

    expect_question(page, "Is the business a member of any of these organisations?", caption)
    hands.choose(page.get_by_label("North and Western Lancashire Chamber of Commerce"))
    next_question()

    expect_question(page, "What would you like help with?", caption)
    hands.choose(page.get_by_label("Staffing and recruitment"))
    hands.choose(page.get_by_label("Marketing", exact=True))
    hands.type(page.get_by_label("Anything else (optional)"), "Energy costs")
    next_question()

    expect_question(page, "How would you like to meet your group?", caption)
    hands.choose(page.get_by_label("Either", exact=True))
    next_question()

    expect_question(page, "When could you meet?", caption)
    mornings = group(page, "Mornings (9am to midday)")
    hands.choose(mornings.get_by_label("Tuesday"))
    hands.choose(mornings.get_by_label("Thursday"))
    hands.choose(group(page, "Evenings (5pm to 8pm)").get_by_label("Monday"))
    next_question()

    expect_question(page, "Are there businesses you would not want in your group?", caption)
    hands.lines(page.get_by_label("Competitors (optional)"), ["Bun Shop Ltd", "Preston Pies"])
    next_question()

    expect_question(page, "Your choices", caption)
    hands.choose(
        page.get_by_label("Show my name and business name to the other members of my group")
    )
    next_question()


def send_registration(hands: Keyboard) -> str:
    """From the check answers page; returns the reference on the confirmation panel."""
    page = hands.page
    hands.follow(page.get_by_role("button", name="Send registration"))
    assert page.url.endswith("/register/sent")
    panel = page.locator(".govuk-panel")
    assert panel.get_by_role("heading", level=1).inner_text() == "Registration sent"
    reference = panel.locator("strong").inner_text().strip()
    assert reference.startswith("PN-")
    return reference


def answer_the_other_questions(page, *, except_for: set[str], base: str = "/register") -> None:
    """Answer the questions not being tested with plain form posts from the browser's own
    session (starting the applicant's draft first): no page is shown, so it is quick. Every
    question page is shown, answered by keyboard and checked by axe in the first test."""
    csrf = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')

    def post(path: str, values: dict[str, Any], from_page: str | None = None) -> None:
        token = csrf.search(page.request.get(from_page or path).text()).group(1)
        response = page.request.post(
            path,
            data=urlencode({"csrf_token": token, **values}, doseq=True),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            max_redirects=0,
        )
        assert response.status == 302, (path, response.text()[:1000])

    if base == "/register":
        post("/register/start", {}, from_page="/register/")
    for step, values in ELIGIBLE_ANSWERS.items():
        if step not in except_for:
            post(f"{base}/question/{step}", values)


# The tests


def test_an_eligible_owner_registers_from_the_start_page_by_keyboard_alone(
    page, open_round, outbox
):
    keyboard = Keyboard(page)
    go(page, "/")
    assert heading(page) == "Join a Peer Networks group"
    keyboard.follow(page.get_by_role("button", name="Start now"))
    assert heading(page) == "Do you have an account?"
    keyboard.follow(page.get_by_role("button", name="Create an account"))
    assert heading(page) == "Create an account"
    assert next_of(page) == "/register/"
    keyboard.type(page.get_by_label("Full name"), "Siobhan O'Neill")
    keyboard.type(page.get_by_label("Email address"), "siobhan@example.com")
    keyboard.type(page.get_by_label("Create a password"), NEW_PASSWORD)
    keyboard.follow(page.get_by_role("button", name="Create account"))
    assert heading(page) == "Check your email"
    assert "We have sent an email to siobhan@example.com" in main_text(page)

    [confirm] = [
        link
        for link in outbox.links(outbox.last("siobhan@example.com"))
        if "/confirm-email/" in link
    ]
    go(page, path_of(confirm))
    assert heading(page) == "Confirm your email address"
    keyboard.follow(page.get_by_role("button", name="Confirm my email address"))
    # Confirmed in the browser that created the account: no second sign-in.
    assert page.url.endswith("/register/"), "where they were going is carried through"
    assert "Your email address is confirmed" in main_text(page)
    assert heading(page) == "Register your interest in Peer Networks"

    start_registering(keyboard)
    assert page.url.endswith("/register/question/role")
    answer_every_question(keyboard)

    assert heading(page) == "Check your answers"
    answers = main_text(page)
    for shown in [
        "Owner",
        "01632 960 001",
        "O'Neill & Daughters Bakery Ltd",
        "01234567",
        "PR1 2HE",
        "Preston",
        "Accommodation and food services",
        "£250,001 to £1,000,000",
        "1 March 2015",
        "Limited company",
        "Women-led: yes",
        "Ethnic-minority-led: prefer not to say",
        "North and Western Lancashire Chamber of Commerce",
        "Staffing and recruitment",
        "Energy costs",
        "Mornings: Tuesday and Thursday",
        "Evenings: Monday",
        "Bun Shop Ltd (competitor)",
        "Preston Pies (competitor)",
        "Show my name and business to my group",
    ]:
        assert shown in answers, shown
    screenshot(page, "registration-check-answers")

    reference = send_registration(keyboard)
    done = main_text(page)
    assert "Your business can take part" in done
    assert "We have sent you a confirmation email" in done
    screenshot(page, "registration-confirmation")
    assert reference in outbox.last("siobhan@example.com").subject

    keyboard.follow(page.get_by_role("link", name="See your registration"))
    assert heading(page) == "Your registration"
    status = main_text(page)
    assert f"Reference: {reference}" in status
    assert status_tag(page) == "Eligible"
    assert "You can take part: we are finding the right group for you." in status
    screenshot(page, "registration-status")


def test_an_ineligible_business_is_told_why_and_can_correct_its_answers(
    page, open_round, make_user
):
    mouse = Mouse(page)
    make_user(Role.PARTICIPANT, email="kai@example.com", name="Kai Brennan")
    sign_in_to_register(page, "kai@example.com")
    answer_the_other_questions(page, except_for={"location", "employees"})
    start_registering(mouse)
    assert heading(page) == "Where is your business?", "the first question not answered"
    mouse.type(page.get_by_label("Postcode of the business's trading address"), "pr1 2he")
    mouse.pick(
        page.get_by_label("Which area is it in?"), "My business is not in any of these areas"
    )
    mouse.follow(page.get_by_role("button", name="Continue"))
    assert heading(page) == "How many people work in the business?"
    mouse.type(page.get_by_label("How many people work in the business?"), "3")
    mouse.follow(page.get_by_role("button", name="Continue"))
    assert heading(page) == "Check your answers"
    assert answer_shown(page, "Area") == "Not in any of the listed areas"
    assert answer_shown(page, "People working in it") == "3"
    send_registration(mouse)

    done = main_text(page)
    assert "You cannot take part this time" in done
    assert "Your business can take part" not in done
    for reason in [
        "Your business needs to be in one of the districts we listed. "
        "You told us it is not in any of them.",
        "Your business needs to have more than 5 employees. You told us it has 3.",
    ]:
        assert reason in done
    for help_heading in [
        "Other help",
        "Your local Growth Hub",
        "Other support from the Growth Hub",
    ]:
        assert page.get_by_role("heading", name=help_heading, exact=True).is_visible()
    screenshot(page, "registration-ineligible")

    mouse.follow(page.get_by_role("link", name="See your registration"))
    assert status_tag(page) == "Not eligible"
    assert "You cannot take part this time." in main_text(page)

    mouse.follow(page.get_by_role("link", name="Check and change your answers"))
    assert heading(page) == "Check your answers"
    mouse.follow(page.get_by_role("link", name="Change people working in it"))
    assert heading(page) == "How many people work in the business?"
    mouse.type(page.get_by_label("How many people work in the business?"), "12")
    mouse.follow(page.get_by_role("button", name="Continue"))
    assert heading(page) == "Check your answers", "a change goes straight back to the answers"
    assert answer_shown(page, "People working in it") == "12"

    mouse.follow(page.get_by_role("link", name="Change area"))
    assert heading(page) == "Where is your business?"
    mouse.type(page.get_by_label("Postcode of the business's trading address"), "BB11 1AA")
    mouse.pick(page.get_by_label("Which area is it in?"), "Burnley")
    mouse.follow(page.get_by_role("button", name="Continue"))
    assert heading(page) == "Check your answers"
    assert answer_shown(page, "Postcode") == "BB11 1AA"
    assert answer_shown(page, "Area") == "Burnley"

    mouse.follow(page.get_by_role("link", name="Back to your registration"))
    assert heading(page) == "Your registration"
    assert status_tag(page) == "Eligible"
    status = main_text(page)
    assert "You can take part: we are finding the right group for you." in status
    assert "You cannot take part" not in status
    assert "Other help" not in status


def test_a_draft_is_kept_and_resumes_at_the_first_question_not_answered(
    page, open_round, make_user
):
    mouse = Mouse(page)
    make_user(Role.PARTICIPANT, email="dev@example.com", name="Dev Patel")
    sign_in_to_register(page, "dev@example.com")
    start_registering(mouse)
    expect_question(page, "What is your role in the business?", "Register your interest")
    mouse.choose(page.get_by_label("Director", exact=True))
    mouse.follow(page.get_by_role("button", name="Continue"))
    mouse.type(page.get_by_label("What is your phone number?"), "07700 900 982")
    mouse.follow(page.get_by_role("button", name="Continue"))
    mouse.type(page.get_by_label("Business name"), "Patel Print Works")
    mouse.follow(page.get_by_role("button", name="Continue"))
    assert heading(page) == "Where is your business?"

    go(page, "/account/")
    assert heading(page) == "Your account"
    mouse.follow(page.get_by_role("link", name="Register your interest, or see your registration"))
    assert page.url.endswith("/register/")
    assert "You have started registering. Your answers are saved" in main_text(page)
    mouse.follow(page.get_by_role("button", name="Continue"))
    assert page.url.endswith("/register/question/location")
    assert heading(page) == "Where is your business?"

    mouse.follow(page.get_by_role("link", name="Back", exact=True))
    assert heading(page) == "What is your business called?"
    assert page.get_by_label("Business name").input_value() == "Patel Print Works"


def test_a_second_person_from_the_same_business_is_told_kindly(
    page, open_round, make_user, client, live_server, session
):
    # The first person registered earlier, answering the same questions (HTTP tests cover it).
    first = make_user(Role.PARTICIPANT, email="siobhan@example.com", name="Siobhan O'Neill")
    sign_in_client(client, first)
    client.submit_form("/register/start", {}, from_page="/register/")
    answer_over_http(client, overrides={"business": {"company_number": ""}})
    assert client.submit_form("/register/check-your-answers", {}).status_code == 302

    second = make_user(Role.PARTICIPANT, email="aoife@example.com", name="Aoife O'Neill")
    with another_browser(page, live_server.url) as other:
        mouse = Mouse(other)
        sign_in_to_register(other, "aoife@example.com")
        answer_the_other_questions(other, except_for={"business"})
        start_registering(mouse)
        assert heading(other) == "What is your business called?"
        mouse.type(other.get_by_label("Business name"), "O’NEILL AND DAUGHTERS BAKERY LIMITED")
        mouse.follow(other.get_by_role("button", name="Continue"))
        assert heading(other) == "Check your answers"
        assert answer_shown(other, "Business name") == "O’NEILL AND DAUGHTERS BAKERY LIMITED"
        assert answer_shown(other, "Companies House number") == "None"
        assert answer_shown(other, "Postcode") == "PR1 2HE"
        send_registration(mouse)
        done = main_text(other)
        assert "You cannot take part this time" in done
        assert (
            "Only 1 person from each business can take part in this round, and someone else "
            "from your business has already applied." in done
        )
        assert "If you want to take the place of someone else from your business, contact us" in (
            done
        )
        screenshot(other, "registration-duplicate")

    session.rollback()
    theirs = session.scalars(select(Application).where(Application.person_id == second.id)).one()
    original = session.scalars(select(Application).where(Application.person_id == first.id)).one()
    assert theirs.business_id == original.business_id
    assert theirs.duplicate_of_id == original.id
    assert theirs.status == ApplicationStatus.INELIGIBLE
    assert original.status == ApplicationStatus.ELIGIBLE


def test_an_officer_registers_someone_on_their_behalf(
    page, open_round, make_user, outbox, live_server
):
    mouse = Mouse(page)
    make_user(Role.OFFICER, email="officer@example.com")
    go(page, "/sign-in")
    sign_in(page, "officer@example.com", code=pyotp.TOTP(TOTP_SECRET).now())
    assert heading(page) == "What needs you"

    go(page, "/register/on-behalf")
    assert heading(page) == "Register someone who contacted us"
    mouse.type(page.get_by_label("Their full name"), "Amrit Kaur")
    mouse.type(page.get_by_label("Their email address"), "Amrit@Example.com")
    mouse.follow(page.get_by_role("button", name="Continue"))
    expect_question(page, "What is your role in the business?", "Registering Amrit Kaur")
    base = page.url.split("/question/")[0].removeprefix(live_server.url)
    assert re.fullmatch(r"/register/on-behalf/\d+", base)
    mouse.choose(page.get_by_label("Owner", exact=True))
    mouse.follow(page.get_by_role("button", name="Continue"))
    expect_question(page, "What is your phone number?", "Registering Amrit Kaur")
    answer_the_other_questions(page, except_for={"role", "phone"}, base=base)
    mouse.type(page.get_by_label("What is your phone number?"), "07700 900 982")
    mouse.follow(page.get_by_role("button", name="Continue"))

    assert heading(page) == "Check Amrit Kaur's answers"
    assert answer_shown(page, "Email address") == "amrit@example.com"
    assert answer_shown(page, "Phone number") == "07700 900 982"
    assert answer_shown(page, "Business name") == "O'Neill & Daughters Bakery Ltd"
    screenshot(page, "registration-on-behalf-check-answers")
    mouse.follow(page.get_by_role("button", name="Send registration"))
    assert heading(page) == "Amrit Kaur is registered"
    reference = page.locator(".govuk-panel strong").inner_text().strip()
    assert reference.startswith("PN-")
    registered = main_text(page)
    assert "We have emailed amrit@example.com a link to take over their account" in registered
    assert "Their registration is eligible." in registered
    screenshot(page, "registration-on-behalf-registered")

    subjects = [message.subject for message in outbox.messages("amrit@example.com")]
    assert "Take over your Peer Networks account" in subjects
    assert any(reference in subject for subject in subjects)
