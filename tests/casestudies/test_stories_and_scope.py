"""The public Stories page shows only published stories with consent for the website,
filtered by sector and issue; and nobody reaches a case study outside their scope."""

from __future__ import annotations

from sqlalchemy import select

from portal.auth.models import Role
from portal.casestudies.models import CaseStudy
from tests.fixtures.factories import published_story
from tests.fixtures.pages import check_page
from tests.fixtures.users import sign_in


def titles(page) -> list[str]:
    return [h.get_text(strip=True) for h in page.select("main h2 a")]


def test_stories_are_filtered_by_sector_and_issue_and_need_website_consent(
    app, client, session, make_member, make_user
):
    bakery = make_member(sector_code="C")
    shop = make_member(sector_code="G")
    quiet = make_member(sector_code="C")
    published_story(app, session, bakery, make_user, title="Bakers", issue_codes=["staffing"])
    published_story(app, session, shop, make_user, title="Shop", issue_codes=["exporting"])
    published_story(
        app,
        session,
        quiet,
        make_user,
        title="Reports only",
        uses=["reports"],
        issue_codes=["staffing"],
    )
    every = check_page(client.get("/stories/"))
    assert sorted(titles(every)) == ["Bakers", "Shop"]
    assert titles(check_page(client.get("/stories/?sector=C"))) == ["Bakers"]
    assert titles(check_page(client.get("/stories/?issue=exporting"))) == ["Shop"]
    assert titles(check_page(client.get("/stories/?sector=C&issue=exporting"))) == []
    tampered = check_page(client.get("/stories/?sector=<script>&issue[]=x"))
    assert sorted(titles(tampered)) == ["Bakers", "Shop"]
    hidden = session.scalars(select(CaseStudy).where(CaseStudy.title == "Reports only")).one()
    assert client.get(f"/stories/{hidden.id}").status_code == 404
    assert client.get("/stories/999999").status_code == 404


def test_nobody_reaches_a_case_study_outside_their_scope(
    app, client, session, make_member, make_user
):
    member = make_member()
    sign_in(client, member.person)
    started = client.submit_form("/case-study/start", {}, from_page="/case-study/")
    assert started.headers["Location"].endswith("/case-study/question/title")
    session.rollback()
    session.expire_all()
    story = session.scalars(select(CaseStudy)).one()
    session.commit()

    # Another participant sees only their own (none), and cannot start without a place.
    stranger = app.test_client()
    sign_in(stranger, make_user(Role.PARTICIPANT))
    page = check_page(stranger.get("/case-study/"))
    assert "once you have a place in a group" in page.text
    assert (
        stranger.submit_form("/case-study/start", {}, from_page="/case-study/").status_code == 302
    )
    assert stranger.get("/case-study/question/title").status_code == 302
    session.rollback()
    assert session.scalars(select(CaseStudy)).all() == [story]

    # A facilitator of another group: 404 for the place and for drafts not theirs.
    other_facilitator = app.test_client()
    sign_in(other_facilitator, make_user(Role.FACILITATOR))
    start = f"/facilitation/case-studies/places/{member.place.id}/start"
    token = other_facilitator.csrf_token_from("/facilitation/case-studies/")
    assert other_facilitator.post(start, data={"csrf_token": token}).status_code == 404
    assert other_facilitator.get(f"/facilitation/case-studies/{story.id}/check").status_code == 404

    # Officers see a story only once it is sent; participants never reach review pages.
    officer = app.test_client()
    sign_in(officer, make_user(Role.OFFICER))
    assert officer.get(f"/case-studies/{story.id}").status_code == 404
    assert client.get(f"/case-studies/{story.id}").status_code == 403
    assert client.get(f"/case-studies/{story.id}/decision").status_code == 403
