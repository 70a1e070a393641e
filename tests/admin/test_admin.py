"""Administrators invite people, change their access, deactivate them and manage contractors."""

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import Contractor, Role, User, UserStatus
from tests.fixtures.app import reload
from tests.fixtures.pages import check_page, error_messages
from tests.fixtures.users import sign_in


def events_for(session, entity_type, entity_id):
    session.rollback()
    return session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id)
        )
    ).all()


def test_inviting_needs_a_role_and_an_organisation_for_contractor_roles(
    client, signed_in_as, make_contractor
):
    signed_in_as(Role.ADMIN)
    make_contractor("Red Rose Business Growth Ltd")
    page = check_page(
        client.submit_form("/admin/users/invite", {"name": "", "email": "x"}), status=400
    )
    assert error_messages(page) == [
        "Enter their full name",
        "Enter an email address in the correct format, like name@example.com",
    ]
    page = check_page(
        client.submit_form(
            "/admin/users/invite",
            {"name": "Fay", "email": "fay@example.com", "roles": ["facilitator"]},
        ),
        status=400,
    )
    assert error_messages(page)[0].startswith("Select the organisation this person works for")
    assert page.select_one("input[name=roles][value=facilitator]").has_attr("checked")
    assert page.select_one("input#name")["value"] == "Fay"


def test_inviting_an_existing_address_is_refused(client, signed_in_as, make_user):
    signed_in_as(Role.ADMIN)
    make_user(Role.PARTICIPANT, email="known@example.com")
    page = check_page(
        client.submit_form(
            "/admin/users/invite", {"name": "K", "email": "known@example.com", "roles": ["officer"]}
        ),
        status=400,
    )
    assert error_messages(page) == ["There is already an account with this email address"]


def test_changing_roles_is_audited_and_ends_the_persons_sessions(
    app, client, signed_in_as, make_user, make_contractor, session
):
    admin = signed_in_as(Role.ADMIN)
    red_rose = make_contractor("Red Rose Business Growth Ltd")
    person = make_user(Role.PARTICIPANT, email="person@example.com")
    their_device = app.test_client()
    sign_in(their_device, person)

    page = check_page(client.get(f"/admin/users/{person.id}/access"))
    assert page.select_one("input[name=roles][value=participant]").has_attr("checked")
    response = client.submit_form(
        f"/admin/users/{person.id}/access",
        {"roles": ["participant", "coach"], "contractors": [str(red_rose.id)]},
    )
    assert response.headers["Location"] == f"/admin/users/{person.id}"
    changed = reload(session, User, person.id)
    assert changed.roles == {Role.PARTICIPANT, Role.COACH}
    assert changed.contractor_ids == {red_rose.id}
    [event] = [
        e for e in events_for(session, "user", person.id) if e.action == "user.access_changed"
    ]
    assert event.actor_id == admin.id
    assert event.fields == ["contractors", "roles"]
    assert their_device.get("/account/").status_code == 302

    detail = check_page(client.get(f"/admin/users/{person.id}"))
    assert "Access changed (contractors, roles)" in detail.get_text()


def test_an_admin_cannot_remove_their_own_admin_role(client, signed_in_as):
    admin = signed_in_as(Role.ADMIN)
    page = check_page(
        client.submit_form(f"/admin/users/{admin.id}/access", {"roles": ["officer"]}), status=400
    )
    assert error_messages(page) == ["You cannot remove your own administrator role"]


def test_deactivating_needs_a_reason_signs_the_person_out_and_can_be_undone(
    app, client, signed_in_as, make_user, session, outbox
):
    signed_in_as(Role.ADMIN)
    person = make_user(Role.FACILITATOR, email="fac@example.com")
    their_device = app.test_client()
    sign_in(their_device, person)
    page = check_page(
        client.submit_form(f"/admin/users/{person.id}/deactivate", {"reason": ""}), status=400
    )
    assert error_messages(page) == ["Enter why you are deactivating this account"]
    client.submit_form(f"/admin/users/{person.id}/deactivate", {"reason": "Left the contractor"})
    assert reload(session, User, person.id).status == UserStatus.DEACTIVATED
    assert their_device.get("/account/").status_code == 302
    [event] = [e for e in events_for(session, "user", person.id) if e.action == "user.deactivated"]
    assert event.reason == "Left the contractor"

    client.submit_form(f"/admin/users/{person.id}/reactivate", {"reason": "Rejoined"})
    assert reload(session, User, person.id).status == UserStatus.ACTIVE


def test_an_admin_cannot_deactivate_themselves(client, signed_in_as):
    admin = signed_in_as(Role.ADMIN)
    page = check_page(
        client.submit_form(f"/admin/users/{admin.id}/deactivate", {"reason": "Oops"}), status=400
    )
    assert error_messages(page) == ["You cannot deactivate your own account"]


def test_user_list_filters_and_unknown_ids(client, signed_in_as, make_user):
    signed_in_as(Role.ADMIN, name="Ada Admin")
    make_user(Role.COACH, name="Colin Coach", email="colin@example.com")
    make_user(Role.PARTICIPANT, name="Priya Participant")
    page = check_page(client.get("/admin/users?role=coach"))
    assert [a.get_text(strip=True) for a in page.select("tbody a")] == ["Colin Coach"]
    page = check_page(client.get("/admin/users?search=PRIYA"))
    assert [a.get_text(strip=True) for a in page.select("tbody a")] == ["Priya Participant"]
    # % and _ match themselves, not any characters.
    for wildcard in ("%", "_", "pri_ya"):
        page = check_page(client.get(f"/admin/users?search={wildcard}"))
        assert page.select("tbody a") == [], wildcard
    assert check_page(client.get("/admin/users?role=emperor"), status=400)
    assert client.get("/admin/users/999999").status_code == 404
    assert client.get("/admin/users?page=abc").status_code == 200


def test_contractors_are_added_renamed_and_ended_never_deleted(client, signed_in_as, session):
    signed_in_as(Role.ADMIN)
    response = client.submit_form(
        "/admin/contractors/add", {"name": "Pennine Peer Learning CIC", "contact_email": ""}
    )
    contractor = session.scalars(select(Contractor)).one()
    assert response.headers["Location"] == f"/admin/contractors/{contractor.id}"
    duplicate = client.submit_form(
        "/admin/contractors/add", {"name": "pennine peer learning cic", "contact_email": ""}
    )
    assert error_messages(check_page(duplicate, status=400)) == [
        "There is already a contractor with this name"
    ]
    bad_email = client.submit_form(
        "/admin/contractors/add", {"name": "Other", "contact_email": "not an email"}
    )
    assert error_messages(check_page(bad_email, status=400)) == [
        "Enter an email address in the correct format, like name@example.com"
    ]
    client.submit_form(
        f"/admin/contractors/{contractor.id}/end", {"reason": "Contract finished March 2022"}
    )
    ended = reload(session, Contractor, contractor.id)
    assert ended.ended_at is not None
    page = check_page(client.get("/admin/contractors"))
    assert "Ended" in page.select_one("tbody").get_text()
