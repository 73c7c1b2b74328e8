"""Server faults that lose nothing but make a routine event look like an outage or a bug:
each was a strict xfail until fixed and stays as a regression test (see
docs/reliability.md)."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
import redis

from desktop.store import meta
from desktop.sync.errors import ServerRefused
from syncserver.live import CHANNEL, LiveHub
from tests.helpers import postgres as pg
from tests.helpers.live_server import serving
from tests.helpers.server import make_app, open_migrated
from tests.helpers.sync_world import make_tenant
from tests.reliability.processes import wait_until
from tests.reliability.test_server_faults import BackendKiller
from tests.reliability.world import enrol_pc, plain_engine, record_notes

REDIS_URL = "redis://127.0.0.1:6379/0"


def test_a_batch_cut_off_by_the_network_is_not_logged_as_a_server_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = open_migrated(f"sqlite:///{tmp_path / 'server.db'}")
    tenant = make_tenant(db, residents=1)
    try:
        with serving(make_app(db)) as url, httpx.Client(timeout=10) as http:
            pc = enrol_pc(db, url, tenant, tmp_path / "pc", tmp_path / "keys", http=http)
            with pc.store.read() as conn:
                secret = str(meta.get(conn, "device_secret"))
            pc.close()
            port = int(url.rsplit(":", 1)[1])
            head = (
                f"POST /v1/sync/push HTTP/1.1\r\nhost: 127.0.0.1\r\n"
                f"authorization: Device {pc.device.device_id}.{secret}\r\n"
                "content-type: application/json\r\ncontent-length: 5000\r\n\r\n"
            ).encode()
            with caplog.at_level(logging.ERROR):
                with socket.create_connection(("127.0.0.1", port)) as sock:
                    sock.sendall(head + b'{"protocol":2,"changes":[')  # and the link drops
                # The server notices on its next read; a second request proves it moved on.
                assert http.get(url + "/healthz").status_code == 200
                with contextlib.suppress(TimeoutError):  # it may (rightly) never log
                    wait_until(
                        lambda: any("unexpected" in r.getMessage() for r in caplog.records),
                        1.0,
                        "the server to log the dropped request",
                    )
            assert not [r for r in caplog.records if "unexpected" in r.getMessage()]
    finally:
        db.dispose()


def _redis_reachable() -> bool:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False
    return True


def test_live_updates_stop_quietly() -> None:
    if not _redis_reachable():
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    died: list[str] = []
    previous = threading.excepthook

    def hook(args: threading.ExceptHookArgs) -> None:
        died.append(f"{args.exc_type.__name__}: {args.exc_value}")

    threading.excepthook = hook
    try:
        hub = LiveHub(REDIS_URL)
        hub.start()
        listener = cast(Any, hub)._listener
        probe = redis.Redis.from_url(REDIS_URL)
        try:
            wait_until(
                lambda: any(n > 0 for _c, n in probe.pubsub_numsub(CHANNEL)),
                10,
                "the live-update listener to subscribe",
            )
        finally:
            probe.close()
        hub.stop()
        listener.join(timeout=10)
    finally:
        threading.excepthook = previous
    assert not died, died


def test_a_lost_database_connection_is_a_503(
    pg_database: pg.ScratchDatabase, tmp_path: Path
) -> None:
    db = open_migrated(pg_database.url)
    tenant = make_tenant(db, residents=2)
    killer = BackendKiller(pg_database, seed=1)
    status = None
    try:
        with serving(make_app(db)) as url, httpx.Client(timeout=30) as http:
            pc = enrol_pc(db, url, tenant, tmp_path / "pc", tmp_path / "keys", http=http)
            try:
                for _ in range(5):
                    record_notes(pc, tenant, 1000, "Batch")
                    killer.armed.set()
                    client = pc.client()
                    try:
                        plain_engine(pc, client).push()
                    except ServerRefused as exc:
                        status = exc.status
                        break
                    finally:
                        client.close()
                        killer.armed.clear()
            finally:
                pc.close()
    finally:
        killer.close()
        db.dispose()
    assert status is not None, "no kill landed inside a push"
    assert status == 503
