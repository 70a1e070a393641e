"""The reference lists as shipped in portal/reference/data/ (plain Python: pure modules read
them too, so each list is written down once)."""

from __future__ import annotations

import csv
from pathlib import Path

# The lists and bank holidays shipped with the portal (loaded by portal.reference.services).
SHIPPED_DATA = Path(__file__).resolve().parent / "data"


def shipped_codes(file_name: str) -> tuple[str, ...]:
    """The codes of one shipped list (``districts.csv``: its ``code`` column), in its order."""
    with (SHIPPED_DATA / file_name).open(newline="", encoding="utf-8") as rows:
        return tuple(row["code"] for row in csv.DictReader(rows))
