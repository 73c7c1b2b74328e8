"""Live notifications that carry their changes: the page is what a pull from just before
the push returns, only PCs that asked for pages get it, and only while they are in service."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
import uuid
from collections.abc import Callable

import pytest
import redis
from fastapi.testclient import TestClient

from shared.demo_data import DemoProvider
from shared.pull_page import decode_live_page, state_of_row
from syncserver import tenancy
from syncserver.api.deps import ServerState, device_is_active
from syncserver.db.engine import Database
from syncserver.live import LiveHub
from syncserver.sync.live_pages import for_subscriber, notification_with_page
from tests.helpers.server import (
    ChangeMaker,
    EnrolledDevice,
    pull,
    pull_all,
    push_ok,
    residents_of,
    server_cipher,
    staff_of,
)


def test_a_notification_carries_what_a_pull_from_before_the_push_returns(
    client: TestClient,
    seeded_db: Database,
    demo_provider: DemoProvider,
    pc_a: EnrolledDevice,
    pc_a2: EnrolledDevice,
) -> None:
    home = pc_a.home_id
    _, before = pull_all(client, pc_a2.headers)
    carer = staff_of(demo_provider, "care_assistant", home).user_id
    maker = ChangeMaker()
    notes = [maker.note(r.record_id, carer) for r in residents_of(demo_provider, home)[:3]]
    pushed = push_ok(client, pc_a.headers, notes)
    with seeded_db.reader.connect() as conn:
        cipher = server_cipher().for_tenant(conn, demo_provider.tenant_id)
        payload = notification_with_page(
            conn, demo_provider.tenant_id, home, pushed.server_seq, from_seq=before, cipher=cipher
        )
    text, has_records = for_subscriber(payload, pages=True)
    notified = decode_live_page(text)
    assert has_records and notified is not None
    assert notified.from_cursor == before
    pulled = pull(client, pc_a2.headers, cursor=before)
    assert [state_of_row(row) for row in notified.page.rows] == pulled.records
    assert (notified.page.cursor, notified.page.has_more) == (pulled.cursor, False)
    assert {n.record_id for n in notes} <= {r.record_id for r in pulled.records}

    plain, has_records = for_subscriber(payload, pages=False)
    assert not has_records
    assert json.loads(plain) == {"server_seq": pushed.server_seq}
    assert decode_live_page(plain) is None


def test_records_go_only_to_a_pc_in_service(
    client: TestClient, seeded_db: Database, pc_a: EnrolledDevice
) -> None:
    state: ServerState = client.app.state.wcn  # type: ignore[attr-defined]
    assert device_is_active(state, pc_a.device_id)
    with seeded_db.writer.begin() as conn:
        tenancy.revoke_device(conn, pc_a.device_id)
    assert not device_is_active(state, pc_a.device_id)
    assert not device_is_active(state, "no-such-device")


def test_the_hub_knows_which_homes_have_pcs_that_take_pages() -> None:
    hub = LiveHub()

    async def listen() -> None:
        plain = hub.subscribe("t", "h1")
        assert not hub.wants_pages("t", "h1")
        paged = hub.subscribe("t", "h1", pages=True)
        assert hub.wants_pages("t", "h1")
        assert not hub.wants_pages("t", "h2")
        hub.unsubscribe("t", "h1", paged, pages=True)
        assert not hub.wants_pages("t", "h1")
        hub.unsubscribe("t", "h1", plain)

    asyncio.run(listen())


def test_through_redis_a_process_knows_the_homes_where_another_has_page_readers() -> None:
    """Two server processes (two hubs on one Redis): pages are built only for homes where a
    PC listening to either takes them, not for every push."""
    url = os.environ.get("WCN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis not reachable at {url}: {exc}")
    tenant = uuid.uuid4().hex
    listening, pushing = LiveHub(url), LiveHub(url)
    listening.start()
    pushing.start()

    def eventually(condition: Callable[[], bool]) -> bool:
        deadline = time.monotonic() + 20
        while not condition():
            if time.monotonic() > deadline:
                return False
            threading.Event().wait(0.05)
        return True

    async def listen() -> None:
        assert not pushing.wants_pages(tenant, "h1")
        paged = listening.subscribe(tenant, "h1", pages=True)
        assert eventually(lambda: pushing.wants_pages(tenant, "h1"))
        assert not pushing.wants_pages(tenant, "h2")
        listening.unsubscribe(tenant, "h1", paged, pages=True)
        assert eventually(lambda: not pushing.wants_pages(tenant, "h1"))

    try:
        asyncio.run(listen())
    finally:
        listening.stop()
        pushing.stop()
