"""Sign-in throttling kept in Redis, as production does with several app servers."""

import uuid

import pytest
import redis

from portal.auth.models import Role
from tests.fixtures.environment import skip_or_fail


def redis_url(database_url: str) -> str:
    """Redis databases 14 and 15 are the tests' own, one per run of this test (SQLite and
    PostgreSQL may run at once on two test workers); each is emptied before and after."""
    return f"redis://127.0.0.1:6379/{14 if database_url.startswith('sqlite') else 15}"


@pytest.fixture
def app_config(database_url):
    try:
        redis.Redis.from_url(redis_url(database_url)).ping()
    except redis.RedisError:
        skip_or_fail("the Redis throttling test needs Redis on 127.0.0.1:6379")
    return {"RATELIMIT_STORAGE_URI": redis_url(database_url)}


def test_failed_sign_ins_are_counted_in_redis_per_account(app, client, make_user):
    email = f"owner-{uuid.uuid4().hex[:12]}@example.com"
    make_user(Role.PARTICIPANT, email=email)
    server = redis.Redis.from_url(app.config["RATELIMIT_STORAGE_URI"])
    server.flushdb()
    try:
        for _ in range(5):
            response = client.submit_form(
                "/sign-in", {"email": email, "password": "wrong password"}
            )
            assert response.status_code == 400
        assert list(server.scan_iter(f"*sign-in:{email}*")), "the count is kept in Redis"
        # Another browser is blocked too: the count belongs to the account.
        other = app.test_client()
        token = other.csrf_token_from("/sign-in")
        blocked = other.post(
            "/sign-in", data={"csrf_token": token, "email": email, "password": "x"}
        )
        assert blocked.status_code == 429
    finally:
        server.flushdb()
