"""5. Server restarts under load (graceful and SIGKILL), a PostgreSQL connection killed in the
middle of a push's transaction, and a full disk on the PC."""

from __future__ import annotations

import random
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import httpx
import psycopg
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from desktop.services.context import AppContext
from desktop.store import meta, outbox
from desktop.store.errors import DiskFull
from desktop.sync.errors import ServerRefused
from syncserver import audit
from syncserver.db.engine import Database
from tests.helpers import postgres as pg
from tests.helpers.live_server import serving
from tests.helpers.server import footprint, make_app, open_migrated
from tests.helpers.sync_world import Tenant, make_tenant
from tests.reliability.app_factory import FiveXXCounter
from tests.reliability.conftest import Served
from tests.reliability.profile import Profile
from tests.reliability.results import Result
from tests.reliability.world import (
    RetryStats,
    check_tenant,
    edit_resident,
    enrol_pc,
    outbox_size,
    plain_engine,
    record_note,
    record_notes,
    replica,
    sync_with_retry,
)

# --- restarts under load ------------------------------------------------------------------


@pytest.mark.short_backends("sqlite")
def test_server_restarts_under_load(
    served: Served, profile: Profile, rng: random.Random, result: Result
) -> None:
    key_dir = served.root / "keys"
    https = [httpx.Client(timeout=10.0) for _ in range(profile.restart_pcs)]
    pcs = [
        enrol_pc(served.db, served.url, served.tenant, served.root / f"pc{i}", key_dir, http=h)
        for i, h in enumerate(https)
    ]
    saved: set[str] = set()
    lock = threading.Lock()
    stats = RetryStats()
    stop = threading.Event()
    errors: list[str] = []

    def load(pc: AppContext, seed: int) -> None:
        local = random.Random(seed)
        try:
            while not stop.is_set():
                for _ in range(local.randint(1, 20)):
                    note = record_note(pc, served.tenant, local.randrange(3), "Under load")
                    with lock:
                        saved.add(note)
                if local.random() < 0.3:
                    edit_resident(
                        pc, served.tenant, local.randrange(3), "room", str(local.randrange(9))
                    )
                sync_with_retry(pc, local, stats=stats, deadline_s=180)
        except BaseException as exc:  # reported by the test, not lost in a thread
            errors.append(repr(exc))

    workers = [threading.Thread(target=load, args=(pc, rng.randrange(1 << 30))) for pc in pcs]
    graceful = 0
    try:
        for worker in workers:
            worker.start()
        for index in range(profile.restarts):
            time.sleep(rng.uniform(0.3, 1.2))  # load runs meanwhile: the fault's timing
            if index % 2 == 0:
                served.server.terminate()
                graceful += 1
            else:
                served.server.kill()
            served.server.start()
        time.sleep(0.5)
        stop.set()
        for worker in workers:
            worker.join(timeout=300)
        assert not any(w.is_alive() for w in workers), "a PC never finished"
        for _ in range(2):
            for pc in pcs:
                sync_with_retry(pc, rng, stats=stats)
        tally = check_tenant(
            served.db,
            served.tenant,
            saved,
            [(f"pc{i}", served.tenant.home_id, replica(pc)) for i, pc in enumerate(pcs)],
        )
        waiting = sum(outbox_size(pc) for pc in pcs)
    finally:
        stop.set()
        for pc in pcs:
            pc.close()
        for http in https:
            http.close()
    result.trials = stats.attempts
    result.faults = profile.restarts
    result.written = tally.written
    result.lost, result.duplicates, result.divergent = tally.lost, tally.duplicates, tally.divergent
    result.http_5xx = stats.http_5xx
    result.details.update(
        {
            "graceful_restarts": graceful,
            "sigkill_restarts": profile.restarts - graceful,
            "offline_errors_retried": stats.offline,
            "5xx_seen": stats.refusals[:5],
            "thread_errors": errors,
            "problems": tally.problems[:10],
        }
    )
    assert not errors
    assert waiting == 0
    result.check_zero()


# --- PostgreSQL connection killed mid-transaction -----------------------------------------


class BackendKiller:
    """Watches pg_stat_activity for a server connection inside a writing transaction (it
    holds a transaction id) other than a device's ``hello``, waits a random moment, and
    terminates it if it is still inside that transaction."""

    def __init__(self, database: pg.ScratchDatabase, seed: int) -> None:
        self.database = database
        self.rng = random.Random(seed)
        self.armed = threading.Event()
        self.stop = threading.Event()
        self.killed: list[str] = []
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        with psycopg.connect(pg.admin_url().replace("+psycopg", ""), autocommit=True) as conn:
            while not self.stop.is_set():
                if not self.armed.wait(timeout=0.05):
                    continue
                row = conn.execute(
                    "SELECT pid, backend_xid::text FROM pg_stat_activity WHERE datname = %s "
                    "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL "
                    "AND query NOT ILIKE '%%app_version%%' LIMIT 1",
                    (self.database.name,),
                ).fetchone()
                if row is None:
                    time.sleep(0.001)  # a tight poll of the server's activity
                    continue
                time.sleep(self.rng.uniform(0, 0.25))  # somewhere inside the transaction
                still = conn.execute(
                    "SELECT left(query, 60) FROM pg_stat_activity "
                    "WHERE pid = %s AND backend_xid::text = %s",
                    (row[0], row[1]),
                ).fetchone()
                self.armed.clear()
                if still is not None:
                    conn.execute("SELECT pg_terminate_backend(%s)", (row[0],))
                    self.killed.append(str(still[0]))

    def close(self) -> None:
        self.stop.set()
        self._thread.join(timeout=10)


@dataclass
class PushFootprint:
    records: int
    changes: int
    acked: int
    outbox: int


def _footprint(db: Database, tenant: Tenant, pc: AppContext) -> PushFootprint:
    print_ = footprint(db, tenant.tenant_id)
    return PushFootprint(
        print_.records,
        print_.changes,
        print_.acked_seq[pc.device.device_id],
        outbox_size(pc),
    )


# Some kill timings leave a psycopg connection that the server's pool never closed; it is
# reclaimed by the garbage collector with this warning (reported; harmless to the data).
@pytest.mark.filterwarnings("ignore:.*was deleted while still open:ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_postgres_connection_killed_mid_push(
    pg_database: pg.ScratchDatabase,
    tmp_path: Path,
    profile: Profile,
    rng: random.Random,
    result: Result,
) -> None:
    db = open_migrated(pg_database.url)
    tenant = make_tenant(db, residents=3)
    counter = FiveXXCounter(make_app(db))
    killer = BackendKiller(pg_database, rng.randrange(1 << 30))
    http = httpx.Client(timeout=30.0)
    saved: set[str] = set()
    stats = RetryStats()
    atomic_problems: list[str] = []
    attempts = landed = 0
    try:
        with serving(cast(FastAPI, counter)) as url:
            pc = enrol_pc(db, url, tenant, tmp_path / "pc", tmp_path / "keys", http=http)
            try:
                while landed < profile.pg_kills and attempts < profile.pg_kills * 5:
                    attempts += 1
                    batch = record_notes(pc, tenant, rng.randint(800, 1500), "Batch note")
                    saved.update(batch)
                    before = _footprint(db, tenant, pc)
                    killer.armed.set()
                    client = pc.client()
                    try:
                        plain_engine(pc, client).push()
                    except ServerRefused as exc:
                        assert exc.status >= 500, exc
                        landed += 1
                        after = _footprint(db, tenant, pc)
                        applied = after.changes - before.changes
                        # All or nothing: the whole batch, or none of it.
                        if applied not in (0, min(len(batch) + before.outbox, 1000)):
                            atomic_problems.append(f"{applied} of the batch were stored")
                        if applied == 0 and (after.records, after.acked) != (
                            before.records,
                            before.acked,
                        ):
                            atomic_problems.append(f"partial state: {before} -> {after}")
                    finally:
                        client.close()
                        killer.armed.clear()
                    sync_with_retry(pc, rng, stats=stats)
                    assert outbox_size(pc) == 0
                with db.reader.begin() as conn:
                    chain = audit.verify(conn, tenant.tenant_id)
                tally = check_tenant(db, tenant, saved, [("pc", tenant.home_id, replica(pc))])
            finally:
                pc.close()
    finally:
        killer.close()
        http.close()
        db.dispose()
    result.trials = attempts
    result.faults = len(killer.killed)
    result.written = tally.written
    result.lost, result.duplicates, result.divergent = tally.lost, tally.duplicates, tally.divergent
    # Each killed connection is answered with one 500; anything beyond that is unexpected.
    result.http_5xx = max(0, counter.count - landed) + stats.http_5xx
    result.details.update(
        {
            "killed_during": killer.killed[:5],
            "pushes_refused_by_the_kill": landed,
            "answer_to_a_killed_connection": sorted(set(counter.seen)),
            "audit_chain_ok": chain.ok,
            "atomicity_problems": atomic_problems,
            "problems": tally.problems[:10],
        }
    )
    assert landed >= 1, "no kill landed inside a push transaction"
    assert not atomic_problems
    assert chain.ok
    result.check_zero()


# --- a full disk on the PC ----------------------------------------------------------------


class FullDisk:
    """Makes the PC's disk full and frees it again: a 4 MB tmpfs holding the data directory
    and a ballast file when mounting is permitted (the test runs as root), otherwise SQLite's
    ``max_page_count`` set on every connection of the store."""

    def __init__(self, root: Path, method: str) -> None:
        self.root = root
        self.method = method
        self.mount = root / "small-disk"
        self.limit_pages: int | None = None
        self.mounted = False

    def prepare(self) -> Path:
        self.mount.mkdir(parents=True)
        if self.method == "tmpfs":
            done = subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(self.mount)],
                capture_output=True,
                check=False,
            )
            if done.returncode == 0:
                self.mounted = True
                (self.mount / "ballast").write_bytes(b"\0" * 2_000_000)
            else:
                self.method = "max_page_count"
        return self.mount / "pc"

    def limit(self, context: AppContext) -> None:
        if self.method != "max_page_count":
            return
        with context.store.read() as conn:
            pages = int(conn.exec_driver_sql("PRAGMA page_count").scalar_one())
        self.limit_pages = pages + 60

        def on_connect(dbapi_conn: Any, _record: Any) -> None:
            if self.limit_pages is not None:
                dbapi_conn.execute(f"PRAGMA max_page_count = {self.limit_pages}")

        for engine in (context.store.engine, context.store.reader):
            sa.event.listen(engine, "connect", on_connect)
            engine.dispose()

    def free(self, context: AppContext) -> None:
        if self.mounted:
            (self.mount / "ballast").unlink()
        else:
            self.limit_pages = 1 << 30
            context.store.engine.dispose()
            context.store.reader.dispose()

    def cleanup(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.mount)], check=False)


@pytest.mark.short_backends("sqlite")
@pytest.mark.parametrize("method", ["tmpfs", "max_page_count"])
def test_a_full_disk_on_the_pc_loses_nothing_saved(
    server_url: str,
    tmp_path: Path,
    method: str,
    rng: random.Random,
    result: Result,
) -> None:
    db = open_migrated(server_url)
    tenant = make_tenant(db, residents=3)
    disk = FullDisk(tmp_path, method)
    data_dir = disk.prepare()
    saved: list[str] = []
    refusals: list[str] = []
    stats = RetryStats()
    try:
        with TestClient(make_app(db)) as http:
            pc = enrol_pc(db, "http://testserver", tenant, data_dir, tmp_path / "keys", http=http)
            other = enrol_pc(
                db, "http://testserver", tenant, tmp_path / "other", tmp_path / "keys", http=http
            )
            try:
                disk.limit(pc)
                # Write until the disk has refused three times; a short note may still fit
                # after a long one was refused, and is then saved like any other.
                for index in range(100_000):
                    try:
                        saved.append(record_note(pc, tenant, index, "x" * rng.randint(50, 900)))
                    except DiskFull as exc:
                        refusals.append(exc.message)
                        if len(refusals) == 3:
                            break
                assert refusals, "the disk never filled"
                # The other PC has news; the full PC's sync cannot store it yet.
                for index in range(100):
                    record_note(other, tenant, index, "From the other PC " * 5)
                sync_with_retry(other, rng, stats=stats)
                sync_refused = False
                try:
                    sync_with_retry(pc, rng, stats=stats)
                except DiskFull as exc:
                    sync_refused = True
                    refusals.append(exc.message)
                with pc.store.read() as conn:
                    acked = int(meta.get(conn, "acked_seq", 0))
                    queued = outbox.count(conn)
                assert pc.store.integrity_problems() == []
                pc.close()
                # The PC restarts on the full disk: everything saved is there.
                pc = AppContext.open(data_dir, key_dir=str(tmp_path / "keys"), http=http)
                disk.limit(pc)
                here = set(replica(pc))
                missing_after_restart = [n for n in saved if n not in here]
                disk.free(pc)
                sync_with_retry(pc, rng, stats=stats)
                sync_with_retry(other, rng, stats=stats)
                assert pc.store.integrity_problems() == []
                tally = check_tenant(
                    db,
                    tenant,
                    saved,
                    [
                        ("full pc", tenant.home_id, replica(pc)),
                        ("other", tenant.home_id, replica(other)),
                    ],
                )
                waiting = outbox_size(pc)
            finally:
                pc.close()
                other.close()
    finally:
        disk.cleanup()
        db.dispose()
    result.trials = len(saved) + 1
    result.faults = len(refusals)
    result.written = tally.written
    result.lost = tally.lost + len(missing_after_restart)
    result.duplicates, result.divergent = tally.duplicates, tally.divergent
    result.details.update(
        {
            "method_used": disk.method,
            "message": refusals[0],
            "sync_refused_while_full": sync_refused,
            "acked_seq_when_full": acked,
            "queued_when_full": queued,
            "problems": tally.problems[:10],
        }
    )
    assert "disk is full" in refusals[0] and "NOT saved" in refusals[0]
    assert waiting == 0
    result.check_zero()
