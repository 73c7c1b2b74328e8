"""An inspector's time-limited access: until its end they sign in, refresh and make requests
like anyone else; after it (or after IT ends it) each of those is refused with 403
``access_expired``, a message naming the end, and an audit entry."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from shared.demo_data import DEMO_PASSWORD, DemoProvider
from syncserver import tenancy
from syncserver.db.engine import Database
from syncserver.db.tables import users
from syncserver.errors import BadRequest
from tests.helpers.server import EnrolledDevice, audit_rows, stored_record

INSPECTOR = "ins.pector"


def _add_inspector(db: Database, provider: DemoProvider, home_id: str, until: dt.datetime) -> str:
    with db.writer.begin() as conn:
        return tenancy.add_user(
            conn,
            provider.tenant_id,
            username=INSPECTOR,
            display_name="Ina Spector",
            role="inspector",
            home_ids=[home_id],
            password=DEMO_PASSWORD,
            access_until=until,
        )


@pytest.fixture
def inspector(seeded_db: Database, demo_provider: DemoProvider, home_a: str) -> str:
    """An inspector whose access ends tomorrow."""
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    return _add_inspector(seeded_db, demo_provider, home_a, tomorrow)


def _login(client: TestClient, pc: EnrolledDevice) -> httpx.Response:
    response: httpx.Response = client.post(
        "/v1/auth/login",
        json={"username": INSPECTOR, "password": DEMO_PASSWORD},
        headers=pc.headers,
    )
    return response


def _devices(client: TestClient, access_token: str) -> httpx.Response:
    response: httpx.Response = client.get(
        "/v1/admin/devices", headers={"authorization": f"Bearer {access_token}"}
    )
    return response


def _refresh(client: TestClient, refresh_token: str) -> httpx.Response:
    response: httpx.Response = client.post(
        "/v1/auth/refresh", json={"refresh_token": refresh_token}
    )
    return response


def _end_access(db: Database, user_id: str, minutes_ago: int = 1) -> dt.datetime:
    """Time passes: the end is now in the past."""
    ended = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=minutes_ago)
    with db.writer.begin() as conn:
        conn.execute(sa.update(users).where(users.c.id == user_id).values(access_until=ended))
    return ended


def test_before_its_end_an_inspector_signs_in_refreshes_and_is_authenticated(
    client: TestClient, inspector: str, pc_a: EnrolledDevice
) -> None:
    signed_in = _login(client, pc_a)
    assert signed_in.status_code == 200, signed_in.text
    body = signed_in.json()
    assert body["role"] == "inspector"
    refreshed = _refresh(client, body["refresh_token"])
    assert refreshed.status_code == 200, refreshed.text
    # Authenticated, then refused only because the PC list is for managers and IT.
    listed = _devices(client, refreshed.json()["access_token"])
    assert (listed.status_code, listed.json()["code"]) == (403, "permission_denied")


def test_after_its_end_sign_in_is_refused_and_audited(
    client: TestClient,
    seeded_db: Database,
    demo_provider: DemoProvider,
    inspector: str,
    pc_a: EnrolledDevice,
) -> None:
    _end_access(seeded_db, inspector)
    refused = _login(client, pc_a)
    assert refused.status_code == 403
    assert refused.json()["code"] == "access_expired"
    assert refused.json()["message"].startswith("Your inspection access ended on ")
    assert "access_token" not in refused.text
    failed = audit_rows(seeded_db, demo_provider.tenant_id, "signin.failed")
    assert [(r.user_id, r.detail["code"]) for r in failed] == [(inspector, "access_expired")]
    assert audit_rows(seeded_db, demo_provider.tenant_id, "signin.ok") == []


def test_a_session_opened_before_the_end_is_refused_after_it(
    client: TestClient,
    seeded_db: Database,
    demo_provider: DemoProvider,
    inspector: str,
    pc_a: EnrolledDevice,
) -> None:
    body = _login(client, pc_a).json()
    _end_access(seeded_db, inspector)
    request = _devices(client, body["access_token"])
    assert (request.status_code, request.json()["code"]) == (403, "access_expired")
    refresh = _refresh(client, body["refresh_token"])
    assert (refresh.status_code, refresh.json()["code"]) == (403, "access_expired")
    assert "access_token" not in refresh.text
    refusals = audit_rows(seeded_db, demo_provider.tenant_id, "access.refused_expired")
    assert [(r.user_id, r.device_id, r.detail) for r in refusals] == [
        (inspector, pc_a.device_id, {"code": "access_expired", "via": "request"}),
        (inspector, None, {"code": "access_expired", "via": "refresh"}),
    ]


def test_it_ending_access_refuses_at_once_and_reaches_the_staff_record(
    client: TestClient,
    seeded_db: Database,
    demo_provider: DemoProvider,
    inspector: str,
    pc_a: EnrolledDevice,
) -> None:
    body = _login(client, pc_a).json()
    with seeded_db.writer.begin() as conn:
        tenancy.set_access_until(conn, demo_provider.tenant_id, INSPECTOR, None)
    assert _devices(client, body["access_token"]).json()["code"] == "access_expired"
    assert _login(client, pc_a).json()["code"] == "access_expired"
    stored = stored_record(seeded_db, demo_provider.tenant_id, inspector)
    assert stored is not None
    ended = dt.datetime.fromisoformat(stored.fields["access_until"])
    assert abs(ended - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    assert len(audit_rows(seeded_db, demo_provider.tenant_id, "user.access_ended")) == 1


def test_extending_lets_an_expired_inspector_back_in(
    client: TestClient,
    seeded_db: Database,
    demo_provider: DemoProvider,
    inspector: str,
    pc_a: EnrolledDevice,
) -> None:
    _end_access(seeded_db, inspector)
    assert _login(client, pc_a).status_code == 403
    new_end = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=7)
    with seeded_db.writer.begin() as conn:
        tenancy.set_access_until(conn, demo_provider.tenant_id, INSPECTOR, new_end)
    assert _login(client, pc_a).status_code == 200
    stored = stored_record(seeded_db, demo_provider.tenant_id, inspector)
    assert stored is not None
    assert dt.datetime.fromisoformat(stored.fields["access_until"]) == new_end
    assert len(audit_rows(seeded_db, demo_provider.tenant_id, "user.access_extended")) == 1


@pytest.mark.parametrize(
    "case",
    [
        ("inspector", None, "An inspector's access must end"),
        ("inspector", 91, "at most 90 days"),
        ("inspector", -1, "already past"),
        ("nurse", -1, "already past"),
    ],
)
def test_an_end_that_is_missing_too_far_or_past_is_refused(
    seeded_db: Database,
    demo_provider: DemoProvider,
    home_a: str,
    case: tuple[str, int | None, str],
) -> None:
    role, days, message = case
    until = None if days is None else dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
    with seeded_db.writer.begin() as conn, pytest.raises(BadRequest, match=message):
        tenancy.add_user(
            conn,
            demo_provider.tenant_id,
            username="someone.new",
            display_name="Someone New",
            role=role,
            home_ids=[home_a],
            password=DEMO_PASSWORD,
            access_until=until,
        )
    with seeded_db.reader.connect() as conn:
        assert (
            conn.execute(sa.select(users.c.id).where(users.c.username == "someone.new")).all() == []
        )
