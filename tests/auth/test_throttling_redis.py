"""Sign-in throttling kept in Redis, as production does with several app servers."""

import uuid

import pytest
import redis

from portal.auth.models import Role
from tests.fixtures.environment import skip_or_fail

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def app_config():
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError:
        skip_or_fail("the Redis throttling test needs Redis on 127.0.0.1:6379")
    return {"RATELIMIT_STORAGE_URI": REDIS_URL}


def test_failed_sign_ins_are_counted_in_redis_per_account(app, client, make_user):
    email = f"owner-{uuid.uuid4().hex[:12]}@example.com"
    make_user(Role.PARTICIPANT, email=email)
    server = redis.Redis.from_url(REDIS_URL)
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
        for key in server.scan_iter(f"*{email}*"):
            server.delete(key)
