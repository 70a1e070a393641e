"""Addresses: what the portal reads from them (ids in the path, values in the query string),
safe redirect targets, and absolute links built outside a request."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeGuard
from urllib.parse import urlsplit

from flask import Request, current_app
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property

from portal.forms import without_control_characters

if TYPE_CHECKING:
    from flask import Flask

# Every id column is an INTEGER (PostgreSQL's is 32 bits; SQLite's 64): a larger number in an
# address names nothing, and asking the database for it would be an error.
LARGEST_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: a record's id, so a number beyond any id answers 404."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(map, *args, **kwargs)


class PortalRequest(Request):
    """A request whose query values are tidy before any view reads them.

    Each value loses its surrounding spaces and any control characters, so a value of only
    spaces reads as the empty answer a browser sends for "any" (never as a choice or a
    number to look up). Values may still be wrong; each view says so or ignores them.
    """

    @cached_property
    def args(self) -> ImmutableMultiDict[str, str]:
        raw: ImmutableMultiDict[str, str] = Request.args.fget(self)  # type: ignore[attr-defined]
        return ImmutableMultiDict(
            (name, without_control_characters(value).strip())
            for name, value in raw.items(multi=True)
        )


def whole_number(value: str, *, largest: int = LARGEST_ID) -> int | None:
    """``value`` read as a number from 0 to ``largest`` (an id, by default), or None when it is
    not one: written in ASCII digits only ("²" and "٣" count as digits to Python, and the
    first cannot be read as a number), no larger than ``largest``."""
    if not (value.isascii() and value.isdigit()) or len(value) > len(str(largest)):
        return None
    number = int(value)
    return number if number <= largest else None


def init_app(app: Flask) -> None:
    """Before any route is added: ids through IdConverter, query values through PortalRequest."""
    app.url_map.converters["int"] = IdConverter
    app.request_class = PortalRequest


def is_safe_local_path(target: str | None) -> TypeGuard[str]:
    """True for a path on this site ("/cohorts/3"), false for anything with a host.

    Refuses scheme-relative ("//evil.example") and backslash tricks ("/\\evil.example")
    that browsers treat as another host.
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(ord(char) < 32 for char in target) or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link from PORTAL_BASE_URL, for emails sent by commands and jobs."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)
