"""Scaling past one process: two ``writecarenotes-server serve`` processes on one PostgreSQL
database, with Redis for live updates and one shared JWT secret. Two ward PCs, each talking
to a different process, see each other's notes, as soon as they are synced (live updates
cross processes through Redis), and a session started on one process goes on on the other.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from desktop.services.app import DesktopServices
from desktop.services.enrolment import enrol
from desktop.services.live_updates import LiveUpdates
from desktop.store import meta
from shared.demo_data import DEMO_PASSWORD, DemoProvider
from shared.protocol import DEVICE_AUTH_SCHEME
from syncserver.db.engine import Database
from tests.helpers import postgres as pg
from tests.helpers.live_server import free_port
from tests.helpers.server import JWT_SECRET, MASTER_KEY, issue_code, staff_of

REDIS_URL = os.environ.get("WCN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 30.0

pytestmark = pytest.mark.parametrize(
    "server_db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        message = f"Redis not reachable at {REDIS_URL}: {exc}"
        if pg.postgres_required():
            pytest.fail(f"{message} (and WCN_REQUIRE_POSTGRES=1 is set)", pytrace=False)
        pytest.skip(message)


def _wait_until(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@contextmanager
def _server_processes(database_url: str, logs: list[Path]) -> Iterator[list[str]]:
    """``python -m syncserver.cli.main serve --port P`` as IT would run it, once per log
    file, started together; their addresses once every one is ready."""
    env = {
        **os.environ,
        "WCN_DATABASE_URL": database_url,
        "WCN_REDIS_URL": REDIS_URL,
        "WCN_JWT_SECRET": JWT_SECRET,
        "WCN_MASTER_KEY": MASTER_KEY,
        "WCN_HOST": "127.0.0.1",
        "PYTHONPATH": str(ROOT),
    }
    started: list[tuple[subprocess.Popen[bytes], str, Path]] = []
    try:
        for log in logs:
            port = free_port()
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [sys.executable, "-m", "syncserver.cli.main", "serve", "--port", str(port)],
                    env=env,
                    cwd=ROOT,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            started.append((process, f"http://127.0.0.1:{port}", log))
        for process, url, log in started:
            _wait_ready(process, url, log)
        yield [url for _, url, _ in started]
    finally:
        for process, _, _ in started:
            process.terminate()
        for process, _, _ in started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def _wait_ready(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if process.poll() is not None:
            raise AssertionError(f"the server stopped:\n{log.read_text()}")
        try:
            if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"the server did not become ready:\n{log.read_text()}")
        time.sleep(0.1)


def _listen(pc: DesktopServices) -> tuple[LiveUpdates, threading.Thread]:
    live = LiveUpdates(pc.context, pc.sync)
    thread = threading.Thread(target=live.run, name="live-updates", daemon=True)
    thread.start()
    _wait_until(live.connected.is_set, "the live-update stream")
    return live, thread


def test_two_processes_share_changes_live_and_sign_ins(
    seeded_db: Database,
    demo_provider: DemoProvider,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _redis_or_skip()
    monkeypatch.setenv("WCN_KEY_DIR", str(tmp_path / "keys"))
    home = demo_provider.homes[0].record_id
    carer = staff_of(demo_provider, "care_assistant", home)
    tenant = demo_provider.tenant_id
    listeners: list[tuple[LiveUpdates, threading.Thread]] = []
    logs = [tmp_path / "server-a.log", tmp_path / "server-b.log"]
    with _server_processes(seeded_db.url, logs) as (url_a, url_b):
        pc1 = DesktopServices(
            enrol(url_a, issue_code(seeded_db, tenant, home), tmp_path / "pc1", name="PC 1")
        )
        pc2 = DesktopServices(
            enrol(url_b, issue_code(seeded_db, tenant, home), tmp_path / "pc2", name="PC 2")
        )
        try:
            pc1.session.sign_in(carer.username, DEMO_PASSWORD)
            pc2.session.sign_in(carer.username, DEMO_PASSWORD)
            resident = pc1.residents.list_residents()[0].resident_id
            listeners = [_listen(pc1), _listen(pc2)]

            # PC 1 -> process A -> Redis -> process B -> PC 2, with no sync on PC 2.
            first = pc1.notes.record_note(resident, "general", "Enjoyed the music group.")
            pc1.sync.sync_now()
            _wait_until(
                lambda: any(e.record_id == first for e in pc2.notes.timeline(resident)),
                "PC 2 to receive PC 1's note live",
            )
            # And back: PC 2 -> process B -> Redis -> process A -> PC 1.
            second = pc2.notes.record_note(resident, "mood", "Calm and chatty this evening.")
            pc2.sync.sync_now()
            _wait_until(
                lambda: any(e.record_id == second for e in pc1.notes.timeline(resident)),
                "PC 1 to receive PC 2's note live",
            )
            assert pc1.sync.status().waiting == pc2.sync.status().waiting == 0
            with pc1.context.store.read() as conn:
                credential = f"{meta.get(conn, 'device_id')}.{meta.get(conn, 'device_secret')}"
            device_headers = {"authorization": f"{DEVICE_AUTH_SCHEME} {credential}"}
        finally:
            for live, _thread in listeners:
                live.stop.set()

        # A session started on process A goes on on process B: one signing secret.
        login = httpx.post(
            url_a + "/v1/auth/login",
            json={"username": carer.username, "password": DEMO_PASSWORD},
            headers=device_headers,
            timeout=10,
        )
        assert login.status_code == 200, login.text
        refreshed = httpx.post(
            url_b + "/v1/auth/refresh",
            json={"refresh_token": login.json()["refresh_token"]},
            timeout=10,
        )
        assert refreshed.status_code == 200, refreshed.text
        assert refreshed.json()["access_token"]
    # The servers have stopped, which ends the streams the listeners were waiting on.
    for _live, thread in listeners:
        thread.join(timeout=30)
        assert not thread.is_alive()
    pc1.close()
    pc2.close()
