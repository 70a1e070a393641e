"""Long lists a page at a time (portal/paging.py, pure)."""

import pytest

from portal.paging import ResultsPage, page_items, requested_page, within_pages


def test_a_page_knows_where_it_sits():
    page = ResultsPage(rows=["c"], total=3, page=2, per_page=2)
    assert (page.pages, page.first_number, page.last_number) == (2, 3, 3)
    assert ResultsPage(rows=[], total=0, page=1, per_page=50).pages == 1


@pytest.mark.parametrize(("asked", "shown"), [(0, 1), (1, 1), (3, 3), (4, 3), (99, 3)])
def test_a_page_past_the_end_shows_the_last(asked, shown):
    assert within_pages(asked, total=101, per_page=50) == shown


@pytest.mark.parametrize(
    ("value", "page"), [("2", 2), ("", 1), ("0", 1), ("-3", 1), ("two", 1), ("100000", 1)]
)
def test_only_a_page_number_is_taken_from_the_address(value, page):
    assert requested_page(value) == page


def test_the_pagination_numbers_leave_gaps_between_far_pages():
    assert page_items(5, 9) == [1, None, 4, 5, 6, None, 9]
