"""Feedback left from the phase banner: anonymous, no personal data asked for."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db_base import Base, enum_column, utcnow


class FeedbackRating(enum.StrEnum):
    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    NEITHER = "neither"
    DISSATISFIED = "dissatisfied"
    VERY_DISSATISFIED = "very_dissatisfied"

    @property
    def label(self) -> str:
        return {
            "very_satisfied": "Very satisfied",
            "satisfied": "Satisfied",
            "neither": "Neither satisfied nor dissatisfied",
            "dissatisfied": "Dissatisfied",
            "very_dissatisfied": "Very dissatisfied",
        }[self.value]


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    rating: Mapped[FeedbackRating] = mapped_column(enum_column(FeedbackRating))
    comments: Mapped[str] = mapped_column(Text, default="")
    page: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
