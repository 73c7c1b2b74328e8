"""``writecarenotes-server backup-key | backup | verify-backup | restore``: encrypted,
verified backups of the whole server (see ``syncserver.backup`` for the design)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path

from syncserver.backup import (
    BackupError,
    KeySource,
    create_backup,
    new_key_file,
    passphrase_source,
    read_key_file,
    restore_backup,
    verify_backup,
)
from syncserver.cli.output import say
from syncserver.config import load_settings
from syncserver.db import migrate
from syncserver.db.engine import Database, check_reachable, open_database

PASSPHRASE_ENV = "WCN_BACKUP_PASSPHRASE"

# ``main`` disposes of what a command opened; the parser is given its list of databases.
Opener = Callable[[argparse.Namespace], Database]


def key_source(args: argparse.Namespace) -> KeySource:
    """The key: --key-file, --passphrase-file, WCN_BACKUP_PASSPHRASE, or the configured
    backup_key_file, in that order."""
    if args.key_file and args.passphrase_file:
        raise BackupError("Give either --key-file or --passphrase-file, not both.")
    if args.key_file:
        return read_key_file(Path(args.key_file))
    if args.passphrase_file:
        path = Path(args.passphrase_file)
        try:
            return passphrase_source(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BackupError(f"The passphrase file {path} does not exist.") from None
    if os.environ.get(PASSPHRASE_ENV):
        return passphrase_source(os.environ[PASSPHRASE_ENV])
    configured = load_settings(getattr(args, "config", None)).backup_key_file
    if configured:
        return read_key_file(Path(configured))
    raise BackupError(
        "Say which key protects the backup: --key-file FILE (make one with "
        "'writecarenotes-server backup-key --to FILE'), --passphrase-file FILE, "
        f"{PASSPHRASE_ENV}, or backup_key_file in the configuration."
    )


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB"


def cmd_backup_key(args: argparse.Namespace) -> int:
    new_key_file(Path(args.to))
    say(
        f"New backup key written to {args.to} (readable only by you). Keep a copy somewhere "
        "safe away from the backups: without it they cannot be restored."
    )
    return 0


def cmd_backup(args: argparse.Namespace, open_db: Opener) -> int:
    source = key_source(args)
    db = open_db(args)
    summary = create_backup(db, Path(args.to), source)
    say(
        f"Backup written to {summary.path}: {summary.tenants} provider(s), {summary.rows:,} "
        f"rows, {_megabytes(summary.bytes)}; read back and verified "
        f"(server {summary.server_id}, schema {summary.schema})."
    )
    return 0


def cmd_verify_backup(args: argparse.Namespace) -> int:
    manifest = verify_backup(Path(args.source), key_source(args))
    rows = sum(t.rows for t in manifest.tables.values())
    say(
        f"{args.source} is intact: taken {manifest.begin.get('taken_at')} on server "
        f"{manifest.server_id} (schema {manifest.schema}); {len(manifest.tenants)} "
        f"provider(s), {rows:,} rows; every count and checksum matches."
    )
    return 0


def cmd_restore(args: argparse.Namespace, open_db: Opener) -> int:
    source = key_source(args)
    db = open_db(args)
    summary = restore_backup(db, Path(args.source), source, replace=args.replace)
    say(
        f"Restored {args.source} (taken {summary.taken_at}): {summary.tenants} provider(s), "
        f"{summary.rows:,} rows; every count and checksum matches and every provider's audit "
        f"trail verifies ({summary.audit_entries:,} entries). Start the servers again."
    )
    return 0


def _open(args: argparse.Namespace, opened: list[Database]) -> Database:
    db = open_database(
        load_settings(getattr(args, "config", None), database_url=args.database_url).database_url
    )
    opened.append(db)
    check_reachable(db)
    migrate.check_current(db)
    return db


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    opened: list[Database],
) -> None:
    """Add the backup commands to ``writecarenotes-server``; databases they open go in
    ``opened`` for ``main`` to dispose of."""

    def open_db(args: argparse.Namespace) -> Database:
        return _open(args, opened)

    keys = argparse.ArgumentParser(add_help=False)
    keys.add_argument("--key-file", help="the backup key file (see backup-key)")
    keys.add_argument(
        "--passphrase-file", help=f"a file holding the passphrase (or {PASSPHRASE_ENV})"
    )

    p = sub.add_parser("backup-key", help="make a new random key for encrypting backups")
    p.add_argument("--to", required=True, help="the new key file")
    p.set_defaults(func=cmd_backup_key)

    p = sub.add_parser("backup", parents=[common, keys], help="write an encrypted, verified backup")
    p.add_argument("--to", required=True, help="the backup file to create")
    p.set_defaults(func=lambda args: cmd_backup(args, open_db))

    p = sub.add_parser(
        "verify-backup", parents=[keys], help="check a backup file without restoring it"
    )
    p.add_argument("--from", dest="source", required=True, help="the backup file")
    p.add_argument("--config", help="a TOML settings file (for backup_key_file)")
    p.set_defaults(func=cmd_verify_backup)

    p = sub.add_parser(
        "restore", parents=[common, keys], help="restore a backup (stop the servers first)"
    )
    p.add_argument("--from", dest="source", required=True, help="the backup file")
    p.add_argument(
        "--replace",
        action="store_true",
        help="replace the data of this server's database (which must be the backup's server)",
    )
    p.set_defaults(func=lambda args: cmd_restore(args, open_db))
