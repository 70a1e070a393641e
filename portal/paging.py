"""Long lists shown a page at a time: one page of results and where it sits (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from portal.urls import whole_number

Row = TypeVar("Row")


@dataclass(frozen=True)
class ResultsPage(Generic[Row]):
    """One page of a long list: its rows and where it sits among the pages."""

    rows: Sequence[Row]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)

    @property
    def first_number(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_number(self) -> int:
        return min(self.total, self.page * self.per_page)


def page_count(total: int, per_page: int) -> int:
    """How many pages ``total`` rows fill (one, even when there are none)."""
    return max(1, -(-total // per_page))


def within_pages(page: int, total: int, per_page: int) -> int:
    """``page`` brought within the pages there are: a page past the end shows the last."""
    return max(1, min(page, page_count(total, per_page)))


def requested_page(value: str) -> int:
    """The page number a ``?page=`` argument asks for; 1 for anything that is not one."""
    number = whole_number(value, largest=99_999)
    return number if number else 1


def page_items(page: int, pages: int) -> list[int | None]:
    """Page numbers for the GOV.UK pagination: the first, the last and those next to the
    current page, with None where numbers are left out."""
    wanted = sorted({1, pages, page - 1, page, page + 1} & set(range(1, pages + 1)))
    items: list[int | None] = []
    for number in wanted:
        if items and number - (items[-1] or 0) > 1:
            items.append(None)
        items.append(number)
    return items
