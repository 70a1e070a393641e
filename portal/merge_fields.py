"""Merge fields in wording officers write: ``{first_name}`` becomes each person's first name.

Plain Python, used by messages to groups and by the standard emails' wording. A field is a
name in braces (``{cohort}``); each use of the wording says which names it offers. Text is
substituted, never evaluated: ``str.format`` would let ``{0.__class__}`` reach into objects,
so this reads names with a pattern and replaces only the ones it knows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# Anything in braces counts as a field, so a typing slip ("{firstname}", "{ cohort }") is
# reported rather than sent to hundreds of people as it stands.
_FIELD = re.compile(r"\{([^{}\n]{0,40})\}")


def fields_in(text: str) -> list[str]:
    """The field names used in ``text``, in order of first use, each once."""
    found: list[str] = []
    for match in _FIELD.finditer(text):
        name = match.group(1)
        if name not in found:
            found.append(name)
    return found


def braces_listed(names: list[str]) -> str:
    """ "{first_name}, {cohort} or {next_session}"."""
    shown = [f"{{{name}}}" for name in names]
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " or " + shown[-1]


def unknown_fields_error(text: str, allowed: list[str]) -> str | None:
    """A GOV.UK error message naming any field that is not in ``allowed``, or None."""
    unknown = [name for name in fields_in(text) if name not in allowed]
    if not unknown:
        return None
    named = ", ".join(f"{{{name}}}" for name in unknown)
    noun = "merge field" if len(unknown) == 1 else "merge fields"
    if not allowed:
        return f"Remove {named}: this message has no merge fields"
    return f"Remove or correct the {noun} {named}: you can use {braces_listed(allowed)}"


def merge(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each known field replaced by its value (unknown ones left as written)."""
    return _FIELD.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def paragraphs(text: str) -> list[str]:
    """Text split where a blank line is: each paragraph with its lines joined by newlines."""
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    return [block.strip() for block in blocks if block.strip()]
