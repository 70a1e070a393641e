"""One name per thing: a blueprint, its view module and its templates folder share a name.

A blueprint named after its feature package lives in the package's ``views.py``; any other
lives in ``<blueprint>_views.py`` beside it, one blueprint per module. Its templates are in
``templates/<blueprint>/``; templates several blueprints of one feature share are in
``templates/<package>/``. So a newcomer who knows a page's endpoint (or its URL, which the
map in docs/architecture.md pairs with the blueprint) knows which files to open.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from flask import Blueprint, Flask

import portal

TEMPLATES = Path(portal.__file__).parent.parent / "templates"
# Folders of templates used across the site rather than by one blueprint.
SITE_WIDE = {"components", "errors", "email"}
# Template folders another feature's pages reuse on purpose: the account pages show the
# sign-in pages' "link problem" page and two-factor set-up.
REUSED = {("account", "auth")}
_TEMPLATE_NAME = re.compile(r"[\"']([\w-]+)/[\w/-]*\.html[\"']")


def _view_modules(app: Flask) -> dict[str, tuple[Blueprint, Path]]:
    found = {}
    for name, blueprint in app.blueprints.items():
        module = sys.modules[blueprint.import_name]
        assert module.__file__ is not None
        found[name] = (blueprint, Path(module.__file__))
    return found


def test_each_blueprint_has_a_view_module_named_after_it(app):
    misnamed = []
    for name, (_blueprint, path) in _view_modules(app).items():
        package = path.parent.name
        expected = "views.py" if name == package else f"{name}_views.py"
        if path.name != expected:
            misnamed.append(f"{name}: {package}/{path.name}, expected {package}/{expected}")
    assert misnamed == []


def test_each_view_module_declares_one_blueprint(app):
    crowded = []
    for name, (blueprint, _path) in _view_modules(app).items():
        module = sys.modules[blueprint.import_name]
        declared = [value for value in vars(module).values() if isinstance(value, Blueprint)]
        if len(declared) != 1:
            crowded.append(f"{name}: {[b.name for b in declared]}")
    assert crowded == []


def test_a_blueprints_templates_are_in_its_own_folder(app):
    strays = []
    for name, (_blueprint, path) in _view_modules(app).items():
        allowed = {name, path.parent.name} | SITE_WIDE
        for folder in sorted(set(_TEMPLATE_NAME.findall(path.read_text()))):
            if folder not in allowed and (name, folder) not in REUSED:
                strays.append(f"{path.parent.name}/{path.name} renders {folder}/")
    assert strays == []


def test_every_templates_folder_belongs_to_a_blueprint_or_is_shared(app):
    packages = {
        Path(sys.modules[blueprint.import_name].__file__ or "").parent.name
        for blueprint in app.blueprints.values()
    }
    folders = {path.name for path in TEMPLATES.iterdir() if path.is_dir()}
    assert folders - set(app.blueprints) - packages - SITE_WIDE == set()
