"""``writecarenotes-server serve --workers 2``: two server processes behind one port, as IT
runs it, sharing the database, the sign-in secret and Redis. A PC enrols, pushes and pulls
over several connections, whichever process answers each."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.demo_data import DemoProvider, generate_provider
from shared.protocol import DEVICE_AUTH_SCHEME, PROTOCOL_VERSION
from tests.helpers.live_server import free_port
from tests.helpers.server import (
    JWT_SECRET,
    MASTER_KEY,
    ChangeMaker,
    issue_code,
    open_migrated,
    parse_pull_reply,
    push_body,
    residents_of,
    seed,
    staff_of,
)
from tests.reliability.processes import wait_until

REDIS_URL = os.environ.get("WCN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ROOT = Path(__file__).resolve().parents[3]


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(child) for child in text]
    return found


def _workers(pid: int) -> list[int]:
    """The supervisor's children that run the app (not multiprocessing's helpers)."""
    workers = []
    for child in _children(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
        except FileNotFoundError:
            continue
        if b"spawn_main" in command or b"syncserver" in command:
            workers.append(child)
    return workers


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes], str, DemoProvider]]:
    _redis_or_skip()
    url = f"sqlite:///{tmp_path / 'server.db'}"
    db = open_migrated(url)
    provider = generate_provider(residents_per_home=5, days=0)
    seed(db, provider)
    home = provider.homes[0].record_id
    code = issue_code(db, provider.tenant_id, home)
    db.dispose()
    port = free_port()
    env = {
        **os.environ,
        "WCN_REDIS_URL": REDIS_URL,
        "WCN_JWT_SECRET": JWT_SECRET,
        "WCN_MASTER_KEY": MASTER_KEY,
        "WCN_LOG_JSON": "false",
        "PYTHONPATH": str(ROOT),
    }
    argv = [sys.executable, "-m", "syncserver.cli.main", "serve", "--database-url", url]
    argv += ["--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    with (tmp_path / "server.log").open("wb") as log:
        process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:

        def up() -> bool:
            assert process.poll() is None, (tmp_path / "server.log").read_text()
            return len(_workers(process.pid)) >= 2 and _healthy(base)

        wait_until(up, 60, "two server processes answering", step=0.1)
        yield base, process, code, provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _healthy(base: str) -> bool:
    try:
        return httpx.get(base + "/healthz", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


def test_two_worker_processes_serve_one_port(
    served: tuple[str, subprocess.Popen[bytes], str, DemoProvider],
) -> None:
    base, process, code, provider = served
    assert len(_workers(process.pid)) == 2
    enrolled = httpx.post(
        base + "/v1/devices/enrol",
        json={"code": code, "device_name": "Ward PC", "app_version": "0.1.0"},
        timeout=30,
    ).json()
    secret = f"{enrolled['device_id']}.{enrolled['device_secret']}"
    headers = {"authorization": f"{DEVICE_AUTH_SCHEME} {secret}"}
    carer = staff_of(provider, "care_assistant", enrolled["home_id"]).user_id
    resident = residents_of(provider, enrolled["home_id"])[0].record_id
    maker = ChangeMaker()
    notes = [maker.note(resident, carer, f"Note {i}") for i in range(6)]
    for note in notes:  # a new connection each time: either process may answer
        pushed = httpx.post(
            base + "/v1/sync/push",
            content=push_body([note]),
            headers={**headers, "content-type": "application/json", "connection": "close"},
            timeout=30,
        )
        assert pushed.status_code == 200, pushed.text
    pulled = httpx.post(
        base + "/v1/sync/pull",
        json={"protocol": PROTOCOL_VERSION, "cursor": 0, "limit": 5000},
        headers=headers,
        timeout=30,
    )
    ids = {record.record_id for record in parse_pull_reply(pulled.content).records}
    assert {note.record_id for note in notes} <= ids
