"""Links: safe redirect targets, and absolute links built outside a request."""

from __future__ import annotations

from typing import Any, TypeGuard
from urllib.parse import urlsplit

from flask import current_app


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
