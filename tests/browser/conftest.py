"""Browser journeys run against SQLite; the ones marked ``both_databases`` run on PostgreSQL too.

Every route is already exercised on both databases through the test client (tests/ outside
this folder), so driving Chromium through each journey twice would only double the slowest
part of the suite. A few journeys stay on both, so the live server is proven on PostgreSQL.
The PostgreSQL copies of the others are deselected (pytest reports how many).
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("database_url") == "postgresql"
        in_browser_folder = HERE in item.path.parents
        if on_postgres and in_browser_folder and not item.get_closest_marker("both_databases"):
            dropped.append(item)
        else:
            keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
