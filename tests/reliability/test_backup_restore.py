"""8. Backup and restore drill, through the commands IT runs (``writecarenotes-server
backup-key | backup | restore``): PCs sync, the server is backed up while it runs, more work
is synced, the database is lost and recreated empty, the backup is restored, and the PCs carry
on. (This was a strict xfail while no backup command existed; the commands have landed.)

The hard part is the gap: changes the server acknowledged after the backup are not in it.
The PC that made them still has them; after the restore its next push is refused with
``sequence_gap`` and it must send them again, so that nothing is lost.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg import sql

from desktop.services.context import AppContext
from syncserver import audit
from syncserver.cli.main import main
from syncserver.db.engine import Database, open_database
from tests.helpers import postgres as pg
from tests.helpers.server import make_app, open_migrated
from tests.helpers.sync_world import Tenant, make_tenant
from tests.reliability.processes import server_env
from tests.reliability.results import Result
from tests.reliability.world import (
    RetryStats,
    check_tenant,
    enrol_pc,
    record_note,
    replica,
    stored_changes,
    sync_with_retry,
)


def cli(*args: str) -> None:
    """``writecarenotes-server ARGS``, run in this process (the same code as the command, with
    the environment a server process gets: see ``processes.server_env``)."""
    saved = dict(os.environ)
    os.environ.update({k: v for k, v in server_env().items() if k.startswith("WCN_")})
    try:
        code = main(list(args))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert code == 0, f"writecarenotes-server {args[0]} failed ({code})"


def lose_database(url: str) -> None:
    """The disaster: the database is gone; IT creates an empty one of the same name."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    name = url.rsplit("/", 1)[1]
    admin = pg.admin_url().replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
            "AND pid <> pg_backend_pid()",
            (name,),
        )
        conn.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


@dataclass
class Drill:
    db: Database
    http: TestClient
    tenant: Tenant
    writer: AppContext  # synced work after the backup
    reader: AppContext  # only pulled after the backup
    before_backup: set[str]
    after_backup: set[str]
    stats: RetryStats


@pytest.fixture
def drill(server_url: str, tmp_path: Path, rng: random.Random) -> Iterator[Drill]:
    db = open_migrated(server_url)
    tenant = make_tenant(db, residents=2)
    keys, stats = tmp_path / "keys", RetryStats()
    before: set[str] = set()
    after: set[str] = set()
    with TestClient(make_app(db)) as http:
        writer = enrol_pc(db, "http://testserver", tenant, tmp_path / "writer", keys, http=http)
        reader = enrol_pc(db, "http://testserver", tenant, tmp_path / "reader", keys, http=http)
        for pc in (writer, reader):
            before.update(record_note(pc, tenant, i, "Before the backup") for i in range(5))
            sync_with_retry(pc, rng, stats=stats)
        sync_with_retry(writer, rng, stats=stats)
        cli("backup-key", "--to", str(tmp_path / "backup.key"))
        cli(
            "backup",
            "--database-url",
            server_url,
            "--key-file",
            str(tmp_path / "backup.key"),
            "--to",
            str(tmp_path / "server.backup"),
        )
        after.update(record_note(writer, tenant, i, "After the backup") for i in range(4))
        sync_with_retry(writer, rng, stats=stats)
        sync_with_retry(reader, rng, stats=stats)
    db.dispose()

    lose_database(server_url)
    cli("init", "--database-url", server_url)
    cli(
        "restore",
        "--database-url",
        server_url,
        "--key-file",
        str(tmp_path / "backup.key"),
        "--from",
        str(tmp_path / "server.backup"),
    )
    db = open_database(server_url)
    try:
        with TestClient(make_app(db)) as http:
            for pc in (writer, reader):
                pc.http = http
            yield Drill(db, http, tenant, writer, reader, before, after, stats)
    finally:
        writer.close()
        reader.close()
        db.dispose()


@pytest.mark.short_backends("sqlite")
def test_backup_and_restore_drill(result: Result, drill: Drill, rng: random.Random) -> None:
    restored = stored_changes(drill.db, drill.tenant.tenant_id)
    with drill.db.reader.begin() as conn:
        chain = audit.verify(conn, drill.tenant.tenant_id)
    # Both PCs carry on: new notes on each, then everyone syncs (twice: the second round
    # carries what the first re-sent to the other PC).
    news = {record_note(drill.reader, drill.tenant, i, "After the restore") for i in range(3)}
    news |= {record_note(drill.writer, drill.tenant, i, "After the restore") for i in range(3)}
    for _ in range(2):
        for pc in (drill.writer, drill.reader):
            sync_with_retry(pc, rng, stats=drill.stats)
    saved = drill.before_backup | drill.after_backup | news
    tally = check_tenant(
        drill.db,
        drill.tenant,
        saved,
        [
            ("writer", drill.tenant.home_id, replica(drill.writer)),
            ("reader", drill.tenant.home_id, replica(drill.reader)),
        ],
    )
    result.trials = 1
    result.faults = 1
    result.written = tally.written
    result.lost, result.duplicates, result.divergent = tally.lost, tally.duplicates, tally.divergent
    result.details.update(
        {
            "restored_audit_entries": chain.entries,
            "in_the_backup_and_restored": len(drill.before_backup & set(restored)),
            "acknowledged_after_the_backup": len(drill.after_backup),
            "after_the_backup_and_restored": len(drill.after_backup & set(restored)),
            "problems": tally.problems[:10],
        }
    )
    assert chain.ok
    assert drill.before_backup <= set(restored)
    result.check_zero()
