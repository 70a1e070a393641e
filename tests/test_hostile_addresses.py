"""Hostile addresses: every GET route, as every role, never answers 5xx.

Beside ``test_hostile_inputs`` (hostile form answers), this sends hostile values where an
address carries them: each value the path takes (ids, tokens, names), and each query parameter
the view reads. The routes are the access inventory's (every endpoint is in it, a test there
makes sure); the query parameters are found by watching each view answer a plain request:
every name it asks ``request.args`` for, and every field of a form it fills from the query
string. Names the code asks for in other branches (found in the source) are sent too. So a new
route, a new filter or a new form on a GET page joins the sweep by itself.

Every role asks for every route's plain address. The hostile values are shared out: each one
is sent once for each parameter (and each place in the path), by one of the roles the view
answered, taking turns, so each role meets each value on some routes without every role
sending every value everywhere (that was 5,000 requests a database).
"""

from __future__ import annotations

import re
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask, url_for
from flask import request as current_request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.utils import cached_property
from wtforms.form import BaseForm

import portal
from portal.auth.models import Role
from portal.urls import IdConverter
from tests.fixtures.users import sign_in
from tests.test_access_inventory import ANONYMOUS, EVERY_ROLE, INVENTORY, Declared, World
from tests.test_access_inventory import world as world  # the fixture: records to visit

HUGE = "x" * 5000
# In place of each value the path takes, as they appear in the address: numbers beyond any id,
# and (where it takes words: a token, a page's name) a space, bytes that are not UTF-8 and a
# very long word.
NUMBERS = ["0", "-1", str(2**31), str(2**63), str(10**20)]
PATH_VALUES = [*NUMBERS, "%20", "%FF", HUGE]
# In place of each query parameter, one at a time (an early refusal of one would hide the
# others), as they appear in the address.
QUERY_VALUES = [
    "%20%20",
    "-1",
    str(2**31),
    str(2**63),
    "9999-12-31",
    "31%2F12%2F9999",
    "0001-01-01",
    "%FF%FE",  # not UTF-8
    "%00",
    "%C2%B2",  # "²": a digit to str.isdigit(), not a number to int()
    HUGE,
]
# A GOV.UK date input sends three parts under one name: the last day of the calendar.
FAR_DATE_PARTS = ["31", "12", "9999"]

_PLACEHOLDER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
_NAMED_IN_CODE = re.compile(r"""request\.args(?:\.get(?:list)?\(|\[)\s*["'](\w+)["']""")


def names_the_code_asks_for() -> dict[Path, set[str]]:
    """By module: every query parameter it names in ``request.args.get("...")`` or
    ``request.args["..."]`` (some are read only on a branch a plain request does not take)."""
    source = Path(portal.__file__).parent
    found: dict[Path, set[str]] = {}
    for path in source.rglob("*.py"):
        names = set(_NAMED_IN_CODE.findall(path.read_text(encoding="utf-8")))
        if names:
            found[path] = names
    return found


def names_for(app: Flask, endpoint: str, in_code: dict[Path, set[str]]) -> set[str]:
    """The names read by the endpoint's view module, or by a module of its package that
    declares no blueprint (pages a feature's views share)."""
    view_module = Path(sys.modules[app.view_functions[endpoint].__module__].__file__ or "")
    return {
        name
        for path, names in in_code.items()
        if path == view_module
        or (path.parent == view_module.parent and "Blueprint(" not in path.read_text("utf-8"))
        for name in names
    }


class Watcher:
    """The query parameters views read while it watches."""

    def __init__(self) -> None:
        self.read: set[str] = set()
        self.watching = False

    def note(self, names: Any) -> None:
        if self.watching:
            self.read.update(str(name) for name in names)


def watching_request_class(app: Flask, watcher: Watcher) -> type[Any]:
    base = app.request_class

    class WatchedArgs(ImmutableMultiDict[str, str]):
        def __contains__(self, key: object) -> bool:
            watcher.note([key])
            return super().__contains__(key)

        def __getitem__(self, key: str) -> str:
            watcher.note([key])
            return super().__getitem__(key)

        def get(self, key: str, default: Any = None, type: Any = None) -> Any:
            watcher.note([key])
            return super().get(key, default, type)

        def getlist(self, key: str, type: Any = None) -> Any:
            watcher.note([key])
            return super().getlist(key, type)

    class WatchedRequest(base):  # type: ignore[valid-type,misc]
        @cached_property
        def args(self) -> WatchedArgs:
            return WatchedArgs(base.args.fget(self))

    return WatchedRequest


@pytest.fixture
def watcher(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Watcher:
    """Watches ``request.args`` and every form filled from a GET request's query string."""
    found = Watcher()
    monkeypatch.setattr(app, "request_class", watching_request_class(app, found))
    process = BaseForm.process

    def watched_process(form: BaseForm, formdata: Any = None, *args: Any, **kwargs: Any) -> None:
        # A GET form filled from the query string (a form posted is filled from an "auto"
        # marker, and from nothing on a GET).
        if isinstance(formdata, MultiDict) and current_request.method == "GET":
            found.note(form._fields)
        process(form, formdata, *args, **kwargs)

    monkeypatch.setattr(BaseForm, "process", watched_process)
    return found


def get_endpoints(app: Flask) -> list[str]:
    return sorted(
        {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())}
        - {"static"}
    )


def hostile_paths(app: Flask, endpoint: str) -> list[str]:
    """The endpoint's address with each hostile value in every place the path takes one
    (numbers only where it takes only ids: anything else is not found before any view)."""
    paths = []
    for rule in app.url_map.iter_rules(endpoint):
        if not rule.arguments:
            continue
        only_ids = all(isinstance(c, IdConverter) for c in rule._converters.values())
        for value in NUMBERS if only_ids else PATH_VALUES:
            paths.append(_PLACEHOLDER.sub(value, rule.rule))
    return paths


def hostile_queries(name: str) -> list[str]:
    """Each hostile value for the query parameter ``name``, as it appears in the address."""
    return [
        *(f"{name}={value}" for value in QUERY_VALUES),
        "&".join(f"{name}={part}" for part in FAR_DATE_PARTS),
    ]


def shared_out(values: list[str], takers: list[Sweep], turn: int) -> Iterator[tuple[Sweep, str]]:
    """Each value once, to the takers in turn, starting at the ``turn``-th: every value is
    sent, and the roles share them (a different share at each turn) instead of each sending
    all of them."""
    for index, value in enumerate(values):
        yield takers[(turn + index) % len(takers)], value


def answer_of(client: Any, path: str) -> tuple[int, str, str | None]:
    """The status and redirect of the answer to ``path``, and what went wrong (None below
    500)."""
    shown = path if len(path) < 200 else f"{path[:120]}...({len(path):,} characters)"
    try:
        response = client.get(path)
    except Exception as error:  # in production, an error page
        where = traceback.extract_tb(error.__traceback__)
        ours = [frame for frame in where if "/portal/" in frame.filename] or where
        line = f"{Path(ours[-1].filename).name}:{ours[-1].lineno}"
        return 500, "", f"GET {shown}: {type(error).__name__} at {line}: {str(error)[:150]}"
    location = urlsplit(response.headers.get("Location", "")).path
    if response.status_code >= 500:
        return response.status_code, location, f"GET {shown}: {response.status_code}"
    return response.status_code, location, None


def refused_before_any_view(status: int, location: str) -> bool:
    """Access is checked before the view: a role refused for the record the inventory names
    is refused for any other, so hostile values could reach nothing."""
    return status == 403 or (status == 302 and location == "/sign-in")


def sweeps_the_query(declared: Declared, role: Role | str) -> bool:
    """A view any visitor (or any signed-in person) may see reads its query string the same
    whoever asks: its query is swept once, as an anonymous visitor (or a participant). A view
    for some roles is swept as each of them (their scopes differ)."""
    if declared.roles is None:
        return role == ANONYMOUS
    if not declared.roles:
        return role == Role.PARTICIPANT
    return True


@dataclass
class Answered:
    """A role's answer to the plain address of an endpoint, and the names its view read."""

    sweep: Sweep
    status: int
    names: set[str]


class Sweep:
    """One role's requests, and the ones that failed."""

    def __init__(self, app: Flask, world: World, watcher: Watcher, role: Role | str) -> None:
        self.app, self.world, self.watcher, self.role = app, world, watcher, role
        self.client = app.test_client()
        if role != ANONYMOUS:
            sign_in(self.client, world.users[role])
        self.problems: list[str] = []
        self.requests = 0

    def get(self, path: str) -> tuple[int, str]:
        self.requests += 1
        status, location, problem = answer_of(self.client, path)
        if problem:
            self.problems.append(f"{self.role}: {problem}")
        return status, location

    def plain(self, endpoint: str, path: str, in_code: dict[Path, set[str]]) -> Answered | None:
        """The endpoint's own address as this role; None if refused before any view."""
        self.watcher.read.clear()
        self.watcher.watching = True
        status, location = self.get(path)
        self.watcher.watching = False
        if refused_before_any_view(status, location):
            return None  # whatever the address holds
        names = set()
        if sweeps_the_query(INVENTORY[endpoint], self.role):
            names = self.watcher.read | names_for(self.app, endpoint, in_code)
        return Answered(self, status, names)


def preferred(answers: list[Answered]) -> list[Answered]:
    """The roles the view answered with a page or a redirect, if any (a role whose record is
    out of its scope is answered 404 whatever the address holds)."""
    return [answer for answer in answers if answer.status < 400] or answers


def sweep_endpoint(
    app: Flask, world: World, sweeps: list[Sweep], endpoint: str, in_code: dict[Path, set[str]]
) -> None:
    """The endpoint's plain address as every role; then every hostile value of every query
    parameter and of every place in the path, each sent once, shared out among the roles
    the view answered (each role's requests go through its own scope)."""
    declared = INVENTORY[endpoint]
    with app.test_request_context():
        path = url_for(endpoint, **declared.url(world))
    base, _, query = path.partition("?")
    answers = []
    for sweep in sweeps:
        if declared.ends_at_sign_in and sweep.role != ANONYMOUS:
            continue  # a sign-in step out of turn ends the session
        if (answer := sweep.plain(endpoint, path, in_code)) is not None:
            answers.append(answer)
    turn = sorted(INVENTORY).index(endpoint)
    names = sorted(set().union(*(answer.names for answer in answers)))
    for position, name in enumerate(names):
        takers = [answer.sweep for answer in preferred(answers) if name in answer.names]
        takers = takers or [answer.sweep for answer in answers if name in answer.names]
        kept = "&".join(part for part in query.split("&") if part.split("=")[0] != name)
        for sweep, hostile in shared_out(hostile_queries(name), takers, turn + position):
            sweep.get(f"{base}?{kept + '&' if kept else ''}{hostile}")
    if answers:
        takers = [answer.sweep for answer in preferred(answers)]
        for sweep, hostile_path in shared_out(hostile_paths(app, endpoint), takers, turn):
            sweep.get(hostile_path)


def test_no_hostile_address_gives_a_server_error(app, world: World, watcher: Watcher):
    """Every GET route of the access inventory, as every role (one signed-in client each)."""
    in_code = names_the_code_asks_for()
    sweeps = [Sweep(app, world, watcher, role) for role in EVERY_ROLE]
    for endpoint in get_endpoints(app):
        sweep_endpoint(app, world, sweeps, endpoint, in_code)
    problems = sorted({problem for sweep in sweeps for problem in sweep.problems})
    requests = sum(sweep.requests for sweep in sweeps)
    assert requests > 2500
    assert not problems, f"{len(problems)} of {requests} requests failed:\n" + "\n".join(
        problems[:60]
    )


def test_the_sweep_finds_the_query_parameters_views_read(app, world: World, watcher: Watcher):
    """The watcher sees names asked of ``request.args`` and the fields of a GET form."""
    client = app.test_client()
    sign_in(client, world.users[Role.OFFICER])
    watcher.watching = True
    assert client.get("/applicants/").status_code == 200
    assert {"round", "status", "delivery", "search", "page"} <= watcher.read
    watcher.read.clear()
    assert client.get("/outcomes/").status_code == 200
    assert {"round", "as_at"} <= watcher.read
    watcher.read.clear()
    assert client.get("/admin/outbox/").status_code == 403
    assert client.get("/account/password").status_code == 200
    assert watcher.read == set(), "a form posted is not read from the query string"
    in_code = names_the_code_asks_for()
    assert {"next", "timed_out"} <= names_for(app, "auth.sign_in", in_code)
    assert "change" in names_for(app, "case_study.question", in_code)  # read in pages.py


def test_the_roles_share_out_every_hostile_value():
    """Each value is sent once, the roles take turns, and the turn moves on each time."""
    takers = ["a", "b", "c"]
    values = hostile_queries("round")
    first = list(shared_out(values, takers, 0))
    assert [value for _, value in first] == values
    assert [taker for taker, _ in first][:4] == ["a", "b", "c", "a"]
    assert {taker: [t for t, _ in first].count(taker) for taker in takers} == {
        "a": 4,
        "b": 4,
        "c": 4,
    }
    assert [taker for taker, _ in shared_out(values, takers, 1)][:3] == ["b", "c", "a"]
