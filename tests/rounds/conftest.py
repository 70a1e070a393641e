"""Rounds for tests: the reference lists loaded, and a factory of rounds at their defaults."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from portal.reference import services as reference
from portal.rounds.models import Round, RoundStatus
from portal.rounds.services import create_round


@pytest.fixture
def reference_data(session: Session) -> None:
    reference.load_all(session)
    session.commit()


@pytest.fixture
def make_round(session: Session, reference_data: None) -> Callable[..., Round]:
    """``make_round(name="Round 2", status=RoundStatus.OPEN)``: a committed round."""

    def factory(**fields: Any) -> Round:
        details = {
            "name": "Round 2",
            "year_label": "2021-22",
            "starts_on": dt.date(2021, 6, 1),
            "ends_on": dt.date(2022, 3, 31),
            "funder": "Department for Business, Energy and Industrial Strategy",
            "grant_pence": 39_000_000,
            "status": RoundStatus.PLANNED,
        }
        details.update(fields)
        made = create_round(session, actor=None, **details)
        session.commit()
        return made

    return factory
