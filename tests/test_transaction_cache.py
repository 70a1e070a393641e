"""A figure input is reused only within one transaction, and never once anything is written."""

from sqlalchemy import func, select

from portal.auth.models import Contractor
from portal.transaction_cache import within_transaction


def counting(session):
    calls = []

    def compute():
        calls.append(1)
        return session.scalar(select(func.count()).select_from(Contractor))

    return calls, compute


def test_an_input_read_twice_in_one_transaction_is_computed_once(session):
    calls, compute = counting(session)
    assert within_transaction(session, "contractors", compute) == 0
    assert within_transaction(session, "contractors", compute) == 0
    assert len(calls) == 1


def test_the_input_is_read_again_after_the_transaction_ends(session):
    calls, compute = counting(session)
    within_transaction(session, "contractors", compute)
    session.add(Contractor(name="Red Rose Business Growth Ltd"))
    session.commit()
    assert within_transaction(session, "contractors", compute) == 1
    session.rollback()
    assert within_transaction(session, "contractors", compute) == 1
    assert len(calls) == 3


def test_a_flush_or_an_unflushed_change_is_never_hidden(session):
    calls, compute = counting(session)
    within_transaction(session, "contractors", compute)
    session.add(Contractor(name="Red Rose Business Growth Ltd"))
    # Unflushed: the query flushes it first and counts it; nothing is kept.
    assert within_transaction(session, "contractors", compute) == 1
    session.add(Contractor(name="Pennine Growth Partners"))
    session.flush()
    assert within_transaction(session, "contractors", compute) == 2
    assert len(calls) == 3
    session.rollback()
