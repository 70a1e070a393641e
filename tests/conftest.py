import os

from hypothesis import HealthCheck, settings

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.app",
    "tests.fixtures.smtp",
    "tests.fixtures.users",
    "tests.fixtures.rounds",
    "tests.fixtures.applications",
    "tests.fixtures.outbox",
    "tests.fixtures.browser",
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
