"""The audit log: administrators search it; nobody can change it."""

from portal.auth.models import Role
from tests.fixtures.pages import check_page, error_messages


def test_the_audit_log_can_be_searched_but_not_changed(client, signed_in_as, make_user, app):
    signed_in_as(Role.ADMIN, email="admin@example.com")
    person = make_user(Role.PARTICIPANT)
    client.submit_form(f"/admin/users/{person.id}/deactivate", {"reason": "Duplicate account"})
    page = check_page(client.get("/admin/audit/?action=user.deactivated"))
    rows = page.select("tbody tr")
    assert len(rows) == 1
    assert "admin@example.com" in rows[0].get_text()
    assert "Duplicate account" in rows[0].get_text()
    bad_date = check_page(
        client.get("/admin/audit/?date_from=31&date_from=2&date_from=2026"), status=400
    )
    assert error_messages(bad_date) == ["The from date must be a real date"]
    only_two_parts = client.get("/admin/audit/?date_from=1&date_from=2")
    assert only_two_parts.status_code == 400
    methods = {rule.endpoint: rule.methods for rule in app.url_map.iter_rules()}
    assert methods["audit.events"] <= {"GET", "HEAD", "OPTIONS"}
