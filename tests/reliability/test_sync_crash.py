"""2. Crashes during sync: the PC process is killed at each step of a push and of a pull
(hooks in ``pc_child`` subclass the real client and engine), and the server process is
killed in the middle of a batch. After restarts and a full sync nothing is lost, nothing is
stored twice and every replica equals the server."""

from __future__ import annotations

import functools
import random
import sqlite3
import subprocess
import threading
from pathlib import Path

import httpx
import pytest

from desktop.services.context import AppContext
from desktop.store import meta
from desktop.sync.client import SyncClient
from shared.protocol import PushResponse
from tests.reliability.children import run_child
from tests.reliability.conftest import Served
from tests.reliability.pc_child import STEPS
from tests.reliability.processes import PYTHON, ROOT, child_env
from tests.reliability.profile import Profile
from tests.reliability.results import Result
from tests.reliability.world import (
    RetryStats,
    Tally,
    check_tenant,
    enrol_pc,
    outbox_size,
    record_note,
    record_notes,
    replica,
    sync_with_retry,
)


def _http() -> httpx.Client:
    return httpx.Client(timeout=10.0)


@pytest.mark.short_backends("sqlite")
def test_pc_killed_at_every_step_of_push_and_pull(
    served: Served, profile: Profile, rng: random.Random, result: Result
) -> None:
    key_dir = served.root / "keys"
    victim_dir = served.root / "victim"
    enrol_pc(served.db, served.url, served.tenant, victim_dir, key_dir).close()
    other = enrol_pc(served.db, served.url, served.tenant, served.root / "other", key_dir)
    saved: set[str] = set()
    stats = RetryStats()
    crashed: dict[str, int] = {}
    tally = Tally()
    steps = [step for _ in range(profile.sync_crash_rounds) for step in STEPS]
    rng.shuffle(steps)
    try:
        for step in steps:
            # Something new on the server, so the victim's pull has records to apply.
            for _ in range(rng.randint(1, 3)):
                saved.add(record_note(other, served.tenant, rng.randrange(3), "From the other PC"))
            sync_with_retry(other, rng, stats=stats)

            run = run_child(
                [
                    "sync",
                    "--data-dir",
                    str(victim_dir),
                    "--key-dir",
                    str(key_dir),
                    "--notes",
                    str(rng.randint(1, 4)),
                    "--user-id",
                    served.tenant.users["care_assistant"],
                    "--resident-id",
                    served.tenant.residents[rng.randrange(3)],
                ],
                WCN_CRASH_AT=step,
            )
            saved.update(run.acked("note"))
            assert run.killed, f"{step}: the child was not killed ({run.returncode}) {run.stderr}"
            crashed[step] = crashed.get(step, 0) + 1

            # The PC starts again and syncs; then the other PC catches up.
            victim = AppContext.open(victim_dir, key_dir=str(key_dir))
            try:
                problems = victim.store.integrity_problems()
                assert not problems, f"{step}: {problems}"
                sync_with_retry(victim, rng, stats=stats)
                assert outbox_size(victim) == 0, step
                sync_with_retry(other, rng, stats=stats)
                home = served.tenant.home_id
                step_tally = check_tenant(
                    served.db,
                    served.tenant,
                    saved,
                    [(f"victim after {step}", home, replica(victim))],
                )
                tally.divergent += step_tally.divergent
                tally.problems += step_tally.problems
            finally:
                victim.close()
        victim = AppContext.open(victim_dir, key_dir=str(key_dir))
        try:
            final = check_tenant(
                served.db,
                served.tenant,
                saved,
                [
                    ("victim", served.tenant.home_id, replica(victim)),
                    ("other", served.tenant.home_id, replica(other)),
                ],
            )
        finally:
            victim.close()
    finally:
        other.close()
    tally.add(final)
    result.trials = len(steps)
    result.faults = sum(crashed.values())
    result.written = final.written
    result.lost, result.duplicates, result.divergent = tally.lost, tally.duplicates, tally.divergent
    result.http_5xx = stats.http_5xx
    result.details.update(
        {"crashes_by_step": crashed, "retries": stats.attempts, "problems": tally.problems[:10]}
    )
    result.check_zero()


class PushesSent:
    """How many push batches a PC has begun to send, for a test to wait on."""

    def __init__(self) -> None:
        self._count = 0
        self._changed = threading.Condition()

    def one_more(self) -> None:
        with self._changed:
            self._count += 1
            self._changed.notify_all()

    def wait_for(self, count: int, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self._count >= count, timeout)


class SignallingClient(SyncClient):
    """The real client; says when a push batch is about to go, so the server can be killed
    while it is taking the batch in."""

    pushing: PushesSent

    def push_json(self, changes: list[str]) -> PushResponse:
        self.pushing.one_more()
        return super().push_json(changes)


def signalling_client(context: AppContext, *, pushing: PushesSent) -> SyncClient:
    with context.store.read() as conn:
        secret = str(meta.get(conn, "device_secret"))
    client = SignallingClient(
        context.device.server_url,
        http=context.http,
        device_id=context.device.device_id,
        device_secret=secret,
    )
    client.pushing = pushing
    return client


def _sqlite_path(url: str) -> Path | None:
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


@pytest.mark.short_backends("sqlite")
def test_server_killed_mid_batch(
    served: Served, server_url: str, profile: Profile, rng: random.Random, result: Result
) -> None:
    key_dir = served.root / "keys"
    http = _http()
    pc = enrol_pc(served.db, served.url, served.tenant, served.root / "pc", key_dir, http=http)
    other = enrol_pc(served.db, served.url, served.tenant, served.root / "other", key_dir)
    saved: set[str] = set()
    stats = RetryStats()
    integrity: list[str] = []
    landed_in_flight = 0
    try:
        for _ in range(profile.server_kills):
            # Big enough for more than one push batch of 1,000.
            count = rng.randint(1100, 1600 if profile.name == "short" else 3000)
            saved.update(record_notes(pc, served.tenant, count, "Round note"))
            failures_before = stats.offline + stats.http_5xx
            pushing = PushesSent()
            worker = threading.Thread(
                target=sync_with_retry,
                args=(pc, random.Random(rng.random())),
                kwargs={
                    "stats": stats,
                    "deadline_s": 180.0,
                    "make_client": functools.partial(signalling_client, pushing=pushing),
                },
            )
            worker.start()
            # The fault's timing: as the first batch goes, or as the second goes after the
            # first was taken in (more than 1,000 changes make at least two batches).
            batch = rng.choice((1, 2))
            assert pushing.wait_for(batch, timeout=120), f"the PC never sent batch {batch}"
            served.server.kill()
            path = _sqlite_path(server_url)
            if path is not None:
                with sqlite3.connect(path) as check:
                    integrity += [
                        row[0] for row in check.execute("PRAGMA integrity_check") if row[0] != "ok"
                    ]
            served.server.start()
            worker.join(timeout=240)
            assert not worker.is_alive(), "the PC never finished its sync"
            if stats.offline + stats.http_5xx > failures_before:
                landed_in_flight += 1
            assert outbox_size(pc) == 0
        sync_with_retry(other, rng, stats=stats)
        sync_with_retry(pc, rng, stats=stats)
        tally = check_tenant(
            served.db,
            served.tenant,
            saved,
            [
                ("pc", served.tenant.home_id, replica(pc)),
                ("other", served.tenant.home_id, replica(other)),
            ],
        )
    finally:
        pc.close()
        other.close()
        http.close()
    result.trials = profile.server_kills
    result.faults = profile.server_kills
    result.written = tally.written
    result.lost, result.duplicates, result.divergent = tally.lost, tally.duplicates, tally.divergent
    result.http_5xx = stats.http_5xx
    result.details.update(
        {
            "backend": "sqlite" if _sqlite_path(server_url) else "postgres",
            "kills_that_interrupted_a_sync": landed_in_flight,
            "pc_retries": stats.attempts,
            "server_db_integrity_problems": integrity,
            "problems": tally.problems[:10],
        }
    )
    assert not integrity
    result.check_zero()


def test_the_server_cli_runs_as_a_module() -> None:
    """The servers above are started with ``python -m syncserver.cli.main serve``. (This was
    a strict xfail until the module gained its ``__main__`` guard.)"""
    done = subprocess.run(
        [PYTHON, "-m", "syncserver.cli.main", "--version"],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.stdout.strip(), "python -m syncserver.cli.main printed nothing"
