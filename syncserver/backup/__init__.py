"""Encrypted, verified backups of the whole server database, and restoring them.

``create_backup`` writes one consistent snapshot of every table (see ``dump``) into an
AES-256-GCM archive (see ``archive``), then reads the file back and checks it. ``restore``
checks everything it can before touching the database (the key, every chunk, every table's
count and checksum, the schema, and that the backup belongs to this server or the database
is empty), then replaces the contents in one transaction that it commits only after the
restored rows match the backup and every provider's audit chain verifies.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext

from syncserver import __version__, audit
from syncserver.backup import dump, identity
from syncserver.backup.archive import (
    ArchiveWriter,
    BackupError,
    KeySource,
    new_key_file,
    open_archive,
    passphrase_source,
    read_key_file,
)
from syncserver.db import migrate
from syncserver.db.engine import Database
from syncserver.db.tables import metadata, tenants

__all__ = [
    "BackupError",
    "BackupSummary",
    "KeySource",
    "RestoreSummary",
    "create_backup",
    "new_key_file",
    "passphrase_source",
    "read_key_file",
    "restore_backup",
    "verify_backup",
]

# After a restore every provider's change counter jumps forward by this much, so a change
# written after the restore is numbered above any cursor a PC reached before the loss (it
# may have pulled changes the backup does not hold), and no PC skips it.
SEQ_JUMP_AFTER_RESTORE = 1_000_000_000


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    server_id: str
    schema: str
    tenants: int
    rows: int
    bytes: int


@dataclass(frozen=True)
class RestoreSummary:
    server_id: str
    schema: str
    tenants: int
    rows: int
    audit_entries: int
    taken_at: str


def _snapshot(db: Database) -> sa.Connection:
    conn = db.reader.connect()
    if not db.is_sqlite:
        conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    return conn


def create_backup(db: Database, path: Path, source: KeySource) -> BackupSummary:
    """Write and then verify a backup; an existing file is never overwritten."""
    if path.exists():
        raise BackupError(f"{path} already exists: choose a new file name for each backup.")
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")
    migrate.check_current(db)
    partial = path.with_name(path.name + ".partial")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out, _snapshot(db) as conn, conn.begin():
            begin = {
                "server_id": identity.server_id(conn),
                "schema": MigrationContext.configure(conn).get_current_revision(),
                "taken_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "server_version": __version__,
                "tenants": identity.tenant_names(conn),
            }
            writer = ArchiveWriter(
                out, source, {"taken_at": begin["taken_at"], "server_version": __version__}
            )
            manifest = dump.dump(conn, writer.write, begin)
            writer.close()
            out.flush()
            os.fsync(out.fileno())
        checked = verify_backup(partial, source)
        if checked.tables != manifest.tables:
            raise BackupError(f"The backup written to {partial} does not read back the same.")
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupSummary(
        path,
        manifest.server_id,
        manifest.schema,
        len(manifest.tenants),
        sum(t.rows for t in manifest.tables.values()),
        path.stat().st_size,
    )


def verify_backup(path: Path, source: KeySource) -> dump.Manifest:
    """Decrypt and check the whole file without touching any database."""
    try:
        return dump.read(open_archive(path, source))
    except dump.DumpError as exc:
        raise BackupError(
            f"The backup file {path} is damaged ({exc}): nothing was restored."
        ) from None


def _check_target(conn: sa.Connection, path: Path, manifest: dump.Manifest, replace: bool) -> None:
    here = identity.tenant_names(conn)
    if not here:
        return  # an empty database (new, or after a loss): it becomes the backup's server
    own = identity.server_id(conn)
    if own != manifest.server_id:
        raise BackupError(
            f"The backup {path} is of another server (server {manifest.server_id}); this "
            f"database belongs to server {own} and holds {len(here)} provider(s). Nothing was "
            "restored. Restore into an empty database (create one and run "
            "'writecarenotes-server init'), or on the server the backup came from."
        )
    extra = sorted(name for tid, name in here.items() if tid not in manifest.tenants)
    if extra:
        raise BackupError(
            f"This database holds provider(s) that are not in the backup {path}: "
            f"{', '.join(extra)}. Restoring would remove them, so nothing was restored."
        )
    if not replace:
        raise BackupError(
            f"This database already holds {len(here)} provider(s). Nothing was restored: add "
            "--replace to replace everything in it with the backup (stop every server first)."
        )


def restore_backup(
    db: Database, path: Path, source: KeySource, *, replace: bool = False
) -> RestoreSummary:
    manifest = verify_backup(path, source)
    head = migrate.head_revision()
    if manifest.schema != head:
        raise BackupError(
            f"The backup {path} has database schema {manifest.schema} but this server's is "
            f"{head}. Nothing was restored: restore it with the server version that made it "
            f"({manifest.begin.get('server_version')}), then upgrade with "
            "'writecarenotes-server migrate'."
        )
    migrate.check_current(db)
    with db.writer.connect() as conn, conn.begin():
        _check_target(conn, path, manifest, replace)
        for table in reversed(metadata.sorted_tables):
            conn.execute(sa.delete(table))

        def insert(table: sa.Table, rows: list[dict[str, Any]]) -> None:
            conn.execute(sa.insert(table), rows)

        try:
            dump.read(open_archive(path, source), on_rows=insert)
        except dump.DumpError as exc:
            raise BackupError(
                f"The backup file {path} is damaged ({exc}): nothing was restored."
            ) from None
        restored = dump.database_sums(conn)
        if restored != manifest.tables:
            bad = sorted(n for n in manifest.tables if restored.get(n) != manifest.tables[n])
            raise BackupError(
                f"The restored tables {', '.join(bad)} do not match the backup {path}: "
                "nothing was restored."
            )
        conn.execute(sa.update(tenants).values(seq=tenants.c.seq + SEQ_JUMP_AFTER_RESTORE))
        # Last in the transaction: audit.verify leaves streaming options on the connection,
        # with which PostgreSQL refuses any later UPDATE.
        entries = 0
        for tenant_id, name in manifest.tenants.items():
            result = audit.verify(conn, tenant_id)
            if not result.ok:
                raise BackupError(
                    f"The audit trail of {name} in the backup {path} is broken at entry "
                    f"{result.first_bad_seq} ({result.reason}): nothing was restored."
                )
            entries += result.entries
    return RestoreSummary(
        manifest.server_id,
        manifest.schema,
        len(manifest.tenants),
        sum(t.rows for t in manifest.tables.values()),
        entries,
        str(manifest.begin.get("taken_at", "")),
    )
