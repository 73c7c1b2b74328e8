"""Sign-in endpoints are rate-limited per PC and username, per person at the MFA step, and per
client address: the excess gets 429 ``too_many_requests`` with a Retry-After. In one process
the buckets live in memory; with Redis they are shared by every server process."""

from __future__ import annotations

import os
import secrets

import pytest
import redis
from fastapi.testclient import TestClient

from shared.demo_data import DEMO_PASSWORD, DemoProvider
from syncserver.db.engine import Database
from syncserver.security.ratelimit import MemoryBuckets, Rate, RedisBuckets, SignInLimiter
from tests.helpers.server import EnrolledDevice, footprint, make_app, staff_of

REDIS_URL = os.environ.get("WCN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_its_capacity_then_refills_over_time() -> None:
    clock = Clock()
    buckets = MemoryBuckets(clock)
    rate = Rate(3, 60.0)
    assert [buckets.take("k", rate) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("k", rate) == pytest.approx(20.0)  # one token every 20 s
    assert buckets.take("other", rate) == 0.0  # buckets are separate
    clock.now += 20.0
    assert buckets.take("k", rate) == 0.0
    assert buckets.take("k", rate) > 0
    clock.now += 3600.0
    assert [buckets.take("k", rate) for _ in range(3)] == [0.0, 0.0, 0.0]  # never above capacity
    assert buckets.take("k", rate) > 0


def _login(
    client: TestClient, pc: EnrolledDevice, username: str, password: str = "wrong"
) -> tuple[int, str, str | None]:
    response = client.post(
        "/v1/auth/login", json={"username": username, "password": password}, headers=pc.headers
    )
    return (
        response.status_code,
        response.json().get("code", ""),
        response.headers.get("retry-after"),
    )


def test_sign_in_is_limited_per_pc_and_username(
    seeded_db: Database, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    carer = staff_of(demo_provider, "care_assistant", pc_a.home_id)
    other = staff_of(demo_provider, "senior_carer", pc_a.home_id)
    app = make_app(seeded_db, signin_attempts_per_minute=3, max_login_failures=50)
    with TestClient(app) as client:
        assert [_login(client, pc_a, carer.username)[:2] for _ in range(3)] == [
            (401, "bad_credentials")
        ] * 3
        before = footprint(seeded_db, demo_provider.tenant_id)
        status, code, retry_after = _login(client, pc_a, carer.username, DEMO_PASSWORD)
        assert (status, code) == (429, "too_many_requests")
        assert retry_after is not None and int(retry_after) >= 1
        assert footprint(seeded_db, demo_provider.tenant_id) == before
        # Someone else at the same PC is not held up by it.
        assert _login(client, pc_a, other.username, DEMO_PASSWORD)[0] == 200


def test_sign_in_is_limited_per_address(
    seeded_db: Database, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    staff = [s for s in demo_provider.staff if pc_a.home_id in s.home_ids]
    app = make_app(seeded_db, signin_attempts_per_ip_per_minute=4, max_login_failures=50)
    with TestClient(app) as client:
        codes = [_login(client, pc_a, person.username)[1] for person in staff[:5]]
    assert codes == ["bad_credentials"] * 4 + ["too_many_requests"]


def test_enrolment_codes_cannot_be_guessed_at_speed(seeded_db: Database) -> None:
    app = make_app(seeded_db, signin_attempts_per_ip_per_minute=2)
    body = {"code": "AAAA-BBBB-CCCC", "device_name": "PC", "app_version": "0.1.0"}
    with TestClient(app) as client:
        codes = [client.post("/v1/devices/enrol", json=body).json()["code"] for _ in range(3)]
    assert codes == ["enrol_code_invalid", "enrol_code_invalid", "too_many_requests"]


def test_the_mfa_step_is_limited_per_person(
    seeded_db: Database, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    manager = staff_of(demo_provider, "home_manager", pc_a.home_id)
    app = make_app(seeded_db, signin_attempts_per_minute=3, max_login_failures=50)
    with TestClient(app) as client:
        challenge = client.post(
            "/v1/auth/login",
            json={"username": manager.username, "password": DEMO_PASSWORD},
            headers=pc_a.headers,
        ).json()
        codes = [
            client.post(
                "/v1/auth/mfa", json={"mfa_token": challenge["mfa_token"], "code": "000000"}
            ).json()["code"]
            for _ in range(4)
        ]
    assert codes == ["mfa_invalid"] * 3 + ["too_many_requests"]


def _redis() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    return client


def test_redis_buckets_are_shared_between_server_processes() -> None:
    probe = _redis()
    prefix = f"wcn:test:{secrets.token_hex(6)}:"
    first, second = RedisBuckets(REDIS_URL, prefix), RedisBuckets(REDIS_URL, prefix)
    try:
        rate = Rate(4, 60.0)
        taken = [first.take("k", rate), second.take("k", rate), first.take("k", rate)]
        assert taken == [0.0, 0.0, 0.0]
        assert second.take("k", rate) == 0.0
        assert first.take("k", rate) > 0 and second.take("k", rate) > 0
        limiter = SignInLimiter(first, Rate(1), Rate(100))
        limiter.check("10.0.0.1", "pc:someone")
        with pytest.raises(Exception, match="Too many sign-in attempts"):
            SignInLimiter(second, Rate(1), Rate(100)).check("10.0.0.1", "pc:someone")
    finally:
        for key in probe.scan_iter(prefix + "*"):
            probe.delete(key)
        probe.close()
        first.close()
        second.close()


def test_without_redis_a_process_falls_back_to_its_own_buckets() -> None:
    buckets = RedisBuckets("redis://127.0.0.1:9/0")  # nothing listens there
    try:
        assert buckets.take("k", Rate(1)) == 0.0
        assert buckets.take("k", Rate(1)) > 0
    finally:
        buckets.close()
