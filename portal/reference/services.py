"""Reference data: editable lists (districts, sectors, issues ...) and UK bank holidays.

Lists are shipped as files in ``portal/reference/data`` and loaded by ``flask portal init``;
admins edit them afterwards. Items are retired, never deleted, so old records keep their
meaning. Loading is idempotent: a shipped label change updates the item, and an item an
admin added or retired is left as it is.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.reference.models import BankHoliday, ReferenceItem, ReferenceKind
from portal.reference.shipped import SHIPPED_DATA

BANK_HOLIDAY_DIVISION = "england-and-wales"
# Warn when the shipped bank holidays end within this many days.
BANK_HOLIDAY_WARNING_DAYS = 365


def active_items(session: Session, kind: ReferenceKind) -> list[ReferenceItem]:
    return list(
        session.scalars(
            select(ReferenceItem)
            .where(ReferenceItem.kind == kind, ReferenceItem.retired_at.is_(None))
            .order_by(ReferenceItem.position, ReferenceItem.label)
        )
    )


def load_all(session: Session) -> int:
    """Load every shipped list and the bank holidays. Returns how many rows changed.

    Side effects: adds and flushes ReferenceItem and BankHoliday rows.
    """
    changed = sum(load_list(session, kind) for kind in ReferenceKind)
    changed += load_bank_holidays(session, SHIPPED_DATA / "bank-holidays.json")
    return changed


def load_list(session: Session, kind: ReferenceKind) -> int:
    existing = {
        item.code: item
        for item in session.scalars(select(ReferenceItem).where(ReferenceItem.kind == kind))
    }
    changed = 0
    with kind.shipped_file.open(encoding="utf-8", newline="") as handle:
        for position, row in enumerate(csv.DictReader(handle)):
            item = existing.get(row["code"])
            if item is None:
                session.add(
                    ReferenceItem(
                        kind=kind,
                        code=row["code"],
                        label=row["label"],
                        note=row.get("note") or "",
                        position=position,
                    )
                )
                changed += 1
            elif item.label != row["label"] or item.note != (row.get("note") or ""):
                item.label = row["label"]
                item.note = row.get("note") or ""
                changed += 1
    session.flush()
    return changed


def load_bank_holidays(session: Session, path: Path) -> int:
    """Load a file in the format of https://www.gov.uk/bank-holidays.json.

    To update: download that file over ``portal/reference/data/bank-holidays.json`` and
    run ``flask --app wsgi portal init``.
    """
    events = json.loads(path.read_text(encoding="utf-8"))[BANK_HOLIDAY_DIVISION]["events"]
    known = set(
        session.scalars(
            select(BankHoliday.day).where(BankHoliday.division == BANK_HOLIDAY_DIVISION)
        )
    )
    added = 0
    for event in events:
        day = dt.date.fromisoformat(event["date"])
        if day not in known:
            session.add(BankHoliday(division=BANK_HOLIDAY_DIVISION, day=day, title=event["title"]))
            known.add(day)
            added += 1
    session.flush()
    return added


def bank_holidays_between(session: Session, start: dt.date, end: dt.date) -> set[dt.date]:
    return set(
        session.scalars(
            select(BankHoliday.day).where(
                BankHoliday.division == BANK_HOLIDAY_DIVISION,
                BankHoliday.day >= start,
                BankHoliday.day <= end,
            )
        )
    )


def bank_holidays_warning(session: Session, today: dt.date) -> str | None:
    """A warning for admins when the bank holiday data is about to run out."""
    last = session.scalar(
        select(BankHoliday.day)
        .where(BankHoliday.division == BANK_HOLIDAY_DIVISION)
        .order_by(BankHoliday.day.desc())
        .limit(1)
    )
    if last is None:
        return "There are no bank holidays loaded. Schedules will not skip bank holidays."
    if (last - today).days < BANK_HOLIDAY_WARNING_DAYS:
        return (
            f"Bank holidays are only known until {last.day} {last:%B %Y}. "
            "Update portal/reference/data/bank-holidays.json and run the init command."
        )
    return None
