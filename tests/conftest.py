import os

import pytest
from hypothesis import HealthCheck, settings

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.app",
    "tests.fixtures.smtp",
    "tests.fixtures.users",
    "tests.fixtures.samples",
    "tests.fixtures.outbox",
    "tests.fixtures.factories",
    "tests.fixtures.browser",
    "tests.fixtures.tasks",
]

# "ci": derandomised so a run can be repeated exactly; "dev": quicker while working.
settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "dev",
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The browser journeys (the slowest tests) first within each database's tests, so the
    parallel workers finish on short tests instead of one waiting for a long journey.

    Items stay grouped by database as pytest ordered them: its session-scoped database is
    made once per group, and mixing the groups would make it again and again.
    """
    groups: dict[object, int] = {}

    def key(item: pytest.Item) -> tuple[int, int]:
        callspec = getattr(item, "callspec", None)
        database = callspec.params.get("database_url") if callspec is not None else None
        group = groups.setdefault(database, len(groups))
        return group, 0 if item.get_closest_marker("browser") else 1

    for item in items:
        key(item)  # number the groups in the order pytest put them
    items.sort(key=key)
