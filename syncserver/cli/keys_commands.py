"""``writecarenotes-server keys ...``: the keys that protect personal details in the server
database (see docs/security.md, "Field encryption").

  keys generate-master --out FILE   a new 256-bit master key, in a file only its owner reads
  keys status --tenant T            the tenant's data key versions
  keys rotate --tenant T            a new data key version; every value re-sealed in batches
  keys rewrap --old-key-file FILE   after changing the master key: re-wrap every data key
  keys destroy-retired --tenant T --yes
                                    delete the retired data key versions for good (refused
                                    while anything is still sealed under one)
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import sqlalchemy as sa

from syncserver import audit
from syncserver.cli.context import field_cipher, open_db, settings_of, tenant_id
from syncserver.cli.output import say
from syncserver.crypto.destruction import destroy_retired
from syncserver.crypto.master import LocalMasterKey, new_master_key_text, read_key_file
from syncserver.crypto.rotation import rotate_tenant, stale_values
from syncserver.db.engine import Database
from syncserver.db.tables import tenant_keys
from syncserver.errors import ServerError


def _write_private(path: Path, text: str) -> None:
    if path.exists():
        raise ServerError(
            f"{path} already exists: choose another file (keys are never overwritten)."
        )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text + "\n")


def cmd_generate_master(args: argparse.Namespace) -> int:
    path = Path(args.out)
    _write_private(path, new_master_key_text())
    say(f"Master key written to {path} (readable by this account only).")
    say("Set WCN_MASTER_KEY_FILE to it, and keep a copy offline: without it the personal")
    say("details in the database and its backups cannot be read.")
    return 0


def _cmd_status(args: argparse.Namespace, opened: list[Database]) -> int:
    db = open_db(args, opened)
    cipher = field_cipher(settings_of(args))
    with db.reader.begin() as conn:
        tenant = tenant_id(conn, args.tenant)
        versions = cipher.keys.versions(conn, tenant)
    if not versions:
        say("No data key yet: one is made at the first write of personal details.")
        return 0
    for version, retired in versions:
        say(f"data key version {version}: {'retired' if retired else 'in use'}")
    say(f"values not under the newest key: {stale_values(db.writer, cipher, tenant)}")
    return 0


def _cmd_rotate(args: argparse.Namespace, opened: list[Database]) -> int:
    db = open_db(args, opened)
    cipher = field_cipher(settings_of(args))
    with db.reader.begin() as conn:
        tenant = tenant_id(conn, args.tenant)
    report = rotate_tenant(
        db.writer,
        cipher,
        tenant,
        batch=args.batch,
        progress=lambda table, done: say(f"  {table}: {done} re-sealed so far"),
    )
    say(
        f"Data key version {report.version} is in use: re-sealed {report.records} record(s), "
        f"{report.changes} logged change(s) and {report.secrets} authenticator secret(s)."
    )
    if report.retired:
        say(f"Older key version(s) retired: {report.retired}.")
    else:
        say("Some values were written under an older key meanwhile: run it again to finish.")
    return 0


def _cmd_rewrap(args: argparse.Namespace, opened: list[Database]) -> int:
    db = open_db(args, opened)
    cipher = field_cipher(settings_of(args))
    old_path = Path(args.old_key_file)
    old = LocalMasterKey(read_key_file(old_path), f"the file {old_path}")
    with db.writer.begin() as conn:
        count = cipher.keys.rewrap_from(conn, old)
        audit_keys = cipher.audit_keys.rewrap_from(conn, old)
        for tenant in {t for t, _v in _tenants_with_keys(conn)}:
            detail = {"master_key": cipher.master_key_id}
            audit.append(conn, tenant, [audit.AuditEntry("keys.rewrapped", detail=detail)])
    say(
        f"{count} data key(s) and {audit_keys} audit key(s) re-wrapped under master key "
        f"{cipher.master_key_id}."
    )
    return 0


def _cmd_destroy_retired(args: argparse.Namespace, opened: list[Database]) -> int:
    db = open_db(args, opened)
    cipher = field_cipher(settings_of(args))
    with db.reader.begin() as conn:
        tenant = tenant_id(conn, args.tenant)
        retired = [v for v, is_retired in cipher.keys.versions(conn, tenant) if is_retired]
    if not retired:
        say("No retired data keys: nothing to destroy ('keys rotate' retires old versions).")
        return 0
    if not args.yes:
        say(
            f"This deletes data key version(s) {', '.join(map(str, retired))} of this provider "
            "for good: anything still sealed under them (in old backups too) can never be read "
            "again. Add --yes to go ahead."
        )
        return 2
    with db.writer.begin() as conn:
        destroyed = destroy_retired(conn, tenant)
    say(
        f"Destroyed data key version(s) {', '.join(map(str, destroyed.versions))}. Backups "
        "taken before now still hold them until those backups are deleted."
    )
    return 0


def _tenants_with_keys(conn: sa.Connection) -> list[tuple[str, int]]:
    return [
        (str(r.tenant_id), int(r.version))
        for r in conn.execute(sa.select(tenant_keys.c.tenant_id, tenant_keys.c.version))
    ]


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    opened: list[Database],
) -> None:
    keys = sub.add_parser("keys", help="the keys protecting personal details").add_subparsers(
        dest="action", required=True
    )
    p = keys.add_parser("generate-master", help="write a new master key to a file")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_generate_master)
    p = keys.add_parser("status", parents=[common], help="a tenant's data key versions")
    p.add_argument("--tenant", required=True)
    p.set_defaults(func=lambda a: _cmd_status(a, opened))
    p = keys.add_parser("rotate", parents=[common], help="rotate a tenant's data key")
    p.add_argument("--tenant", required=True)
    p.add_argument("--batch", type=int, default=500, help="records re-sealed per transaction")
    p.set_defaults(func=lambda a: _cmd_rotate(a, opened))
    p = keys.add_parser("rewrap", parents=[common], help="re-wrap data keys after a new master key")
    p.add_argument("--old-key-file", required=True)
    p.set_defaults(func=lambda a: _cmd_rewrap(a, opened))
    p = keys.add_parser(
        "destroy-retired", parents=[common], help="delete a tenant's retired data keys for good"
    )
    p.add_argument("--tenant", required=True)
    p.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")
    p.set_defaults(func=lambda a: _cmd_destroy_retired(a, opened))
