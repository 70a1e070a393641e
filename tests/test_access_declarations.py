"""Every route declares who may use it; the app refuses to start otherwise."""

import pytest

import portal
from portal.auth.access import rule_for, undeclared_endpoints


def test_every_endpoint_declares_an_access_rule(app):
    assert undeclared_endpoints(app) == []
    assert rule_for(app.view_functions["pages.start"]).describe() == "public"


def test_an_app_with_an_undeclared_route_refuses_to_start(app, monkeypatch):
    register_blueprints = portal._register_blueprints

    def with_an_unguarded_route(new_app):
        register_blueprints(new_app)
        new_app.add_url_rule("/unguarded", "unguarded", lambda: "nobody said who may see this")

    monkeypatch.setattr(portal, "_register_blueprints", with_an_unguarded_route)
    with pytest.raises(RuntimeError, match="declare no access rule: unguarded"):
        portal.create_app(dict(app.config))
