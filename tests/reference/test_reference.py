"""Reference data: loaded from the shipped files, idempotent, retired never deleted."""

import datetime as dt

from sqlalchemy import func, select

from portal.reference import services as reference
from portal.reference.models import BankHoliday, ReferenceItem, ReferenceKind


def test_the_shipped_lists_load_once(session):
    first = reference.load_all(session)
    session.commit()
    assert first > 0
    assert reference.load_all(session) == 0
    districts = [item.label for item in reference.active_items(session, ReferenceKind.DISTRICT)]
    assert len(districts) == 14
    assert districts[0] == "Burnley"
    assert "Blackburn with Darwen" in districts
    sectors = reference.active_items(session, ReferenceKind.SECTOR)
    assert [item.code for item in sectors][:3] == ["A", "B", "C"]


def test_a_retired_item_stays_retired_and_keeps_its_meaning(session):
    reference.load_all(session)
    exporting = session.scalars(
        select(ReferenceItem).where(ReferenceItem.code == "exporting")
    ).one()
    exporting.retired_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    session.commit()
    reference.load_all(session)
    assert session.get(ReferenceItem, exporting.id).retired_at is not None
    codes = {item.code for item in reference.active_items(session, ReferenceKind.ISSUE)}
    assert "exporting" not in codes


def test_bank_holidays_cover_the_programme_years_and_warn_before_they_run_out(session):
    reference.load_all(session)
    days = reference.bank_holidays_between(session, dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    assert dt.date(2022, 6, 3) in days
    assert dt.date(2022, 9, 19) in days
    assert session.scalar(select(func.count()).select_from(BankHoliday)) == 75
    assert reference.bank_holidays_warning(session, dt.date(2026, 11, 26)) is None
    warning = reference.bank_holidays_warning(session, dt.date(2028, 3, 1))
    assert warning
    assert "26 December 2028" in warning
