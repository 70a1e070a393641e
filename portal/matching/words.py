"""Plain-English pieces the engine's messages are built from."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from portal.matching.model import WEEKDAYS, Slot

_SMALL_WORDS = {"with", "and", "of", "upon", "on", "the"}


def tidy_code(code: str) -> str:
    """ "south-ribble" as "South Ribble", "blackburn-with-darwen" as "Blackburn with Darwen"."""
    words = code.replace("_", " ").replace("-", " ").split()
    return " ".join(
        word if index and word in _SMALL_WORDS else word[:1].upper() + word[1:]
        for index, word in enumerate(words)
    )


def label(code: str, labels: Mapping[str, str]) -> str:
    """The display name of a code."""
    return labels.get(code) or tidy_code(code)


def join_words(items: Iterable[str], conjunction: str = "and") -> str:
    """ "a", "a and b", "a, b and c"."""
    words = list(items)
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def slot_phrase(slot: Slot) -> str:
    """(1, "morning") as "Tuesday mornings"."""
    weekday, part = slot
    return f"{WEEKDAYS[weekday]} {part}s"


def slot_adjective(slot: Slot) -> str:
    """(1, "evening") as "Tuesday-evening" (as in "a Tuesday-evening group")."""
    weekday, part = slot
    return f"{WEEKDAYS[weekday]}-{part}"


def slots_phrase(slots: Iterable[Slot]) -> str:
    """Several slots, in week order, joined with "or"."""
    return join_words([slot_phrase(slot) for slot in sorted(slots, key=slot_order)], "or")


def slot_order(slot: Slot) -> tuple[int, int]:
    """Sort key: by weekday, then morning, afternoon, evening."""
    parts = {"morning": 0, "afternoon": 1, "evening": 2}
    return (slot[0], parts.get(slot[1], 3))


def delivery_phrase(delivery: str) -> str:
    """How a cohort meets, as words."""
    return "in person" if delivery == "in_person" else "online"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """ "1 member", "2 members"."""
    word = singular if count == 1 else (plural_form or f"{singular}s")
    return f"{count} {word}"
